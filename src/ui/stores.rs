use super::{Session, StoreList, use_session};
use crate::kms::{
    CustomKeyStore, CustomKeyStoreType, DescribeCustomKeyStoresRequest,
    DescribeCustomKeyStoresResponse, Operation, XksProxyConnectivity,
};
use crate::web::local_date_time;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Loads every page of `DescribeCustomKeyStores` into the table.
pub fn refresh(s: Session) {
    let client = match s.client() {
        Ok(c) => c,
        Err(e) => {
            s.stores.set(StoreList::Failed(e));
            return;
        }
    };
    s.stores.set(StoreList::Loading);
    spawn_local(async move {
        let mut all = Vec::new();
        let mut marker = None;
        // A bound on pages, in case a server keeps answering Truncated.
        for _ in 0..100 {
            let request = DescribeCustomKeyStoresRequest {
                marker: marker.take(),
                ..Default::default()
            };
            match client
                .call::<_, DescribeCustomKeyStoresResponse>(
                    Operation::DescribeCustomKeyStores,
                    &request,
                )
                .await
            {
                Ok(reply) => {
                    all.extend(reply.output.custom_key_stores);
                    match reply.output.next_marker.filter(|_| reply.output.truncated) {
                        Some(m) => marker = Some(m),
                        None => break,
                    }
                }
                Err(e) => {
                    s.stores
                        .try_set(StoreList::Failed(format!("{}: {}", e.code, e.message)));
                    return;
                }
            }
        }
        s.stores.try_set(StoreList::Loaded(all));
    });
}

fn type_label(store: &CustomKeyStore) -> String {
    match store.store_type() {
        CustomKeyStoreType::AwsCloudHsm => "CloudHSM".to_string(),
        CustomKeyStoreType::ExternalKeyStore => {
            match store
                .xks_proxy_configuration
                .as_ref()
                .and_then(|x| x.connectivity.clone())
            {
                Some(XksProxyConnectivity::VpcEndpointService) => {
                    "External (VPC endpoint service)".to_string()
                }
                Some(XksProxyConnectivity::PublicEndpoint) => {
                    "External (public endpoint)".to_string()
                }
                _ => "External".to_string(),
            }
        }
        CustomKeyStoreType::Other(t) => t,
    }
}

#[component]
pub fn StoreTable() -> impl IntoView {
    let s = use_session();
    let body = move || {
        match s.stores.get() {
        StoreList::NotLoaded => view! { <p class="hint">"Give credentials and press Refresh to list this region's custom key stores."</p> }.into_any(),
        StoreList::Loading => view! { <p class="hint">"Loading…"</p> }.into_any(),
        StoreList::Failed(e) => view! { <p class="field-msg" role="alert">"Could not list the stores: "{e}</p> }.into_any(),
        StoreList::Loaded(stores) if stores.is_empty() => view! { <p class="hint">"This account has no custom key store in this region."</p> }.into_any(),
        StoreList::Loaded(stores) => view! {
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Name"</th><th>"ID"</th><th>"Type"</th><th>"State"</th><th>"Created"</th><th></th></tr></thead>
                    <tbody>
                        {stores.into_iter().map(|st| {
                            let id = st.custom_key_store_id.clone().unwrap_or_default();
                            let name = st.custom_key_store_name.clone().unwrap_or_default();
                            let state = st.connection_state.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default();
                            let code = st.connection_error_code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default();
                            let created = st.creation_date.map(|d| local_date_time((d * 1000.0) as i64)).unwrap_or_default();
                            let label = format!("Select {name}");
                            let pick = id.clone();
                            view! {
                                <tr>
                                    <td>{name}</td>
                                    <td><code>{id}</code></td>
                                    <td>{type_label(&st)}</td>
                                    <td>{state}{code}</td>
                                    <td>{created}</td>
                                    <td><button type="button" class="secondary small" aria-label=label on:click=move |_| s.store_id.set(pick.clone())>"Select"</button></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }.into_any(),
    }
    };
    view! {
        <section class="card" aria-labelledby="stores-h">
            <div class="card-head">
                <h2 id="stores-h">"Custom key stores"</h2>
                <button type="button" class="secondary small" on:click=move |_| refresh(s)>"Refresh"</button>
            </div>
            {body}
        </section>
    }
}
