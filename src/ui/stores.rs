//! The store list: a toolbar (Create custom key store, Refresh), the create form it opens, and
//! the table (a `LocalResource` through `Transition`, keyed rows).

use super::common::{ErrorBox, badge_class};
use super::state::{StoreList, use_ctx};
use crate::aws::kms::{CustomKeyStore, CustomKeyStoreType, Operation, XksProxyConnectivity};
use crate::web::local_date_time;
use leptos::prelude::*;

fn type_label(store: &CustomKeyStore) -> String {
    match store.store_type() {
        CustomKeyStoreType::AwsCloudHsm => "CloudHSM".to_string(),
        CustomKeyStoreType::ExternalKeyStore => match store
            .xks_proxy_configuration
            .as_ref()
            .and_then(|x| x.connectivity.clone())
        {
            Some(XksProxyConnectivity::VpcEndpointService) => {
                "External, VPC endpoint service".to_string()
            }
            Some(XksProxyConnectivity::PublicEndpoint) => "External, public endpoint".to_string(),
            _ => "External".to_string(),
        },
        CustomKeyStoreType::Other(t) => t,
    }
}

/// The cluster (with its HSMs, when CloudHSM told), or the proxy's endpoint, path and VPC
/// service.
fn backing(
    store: &CustomKeyStore,
    hsms: &std::collections::BTreeMap<String, (usize, usize)>,
) -> String {
    if let Some(x) = &store.xks_proxy_configuration {
        let mut s = format!(
            "{}{}",
            x.uri_endpoint.as_deref().unwrap_or(""),
            x.uri_path.as_deref().unwrap_or("")
        );
        if let Some(v) = &x.vpc_endpoint_service_name {
            s.push_str(&format!(" via {v}"));
        }
        s
    } else {
        let cluster = store.cloud_hsm_cluster_id.clone().unwrap_or_default();
        match hsms.get(&cluster) {
            Some((active, total)) => format!("{cluster} ({active} of {total} HSMs active)"),
            None => cluster,
        }
    }
}

#[component]
pub fn StoreTable() -> impl IntoView {
    let ctx = use_ctx();
    let stores = ctx.stores;
    let creating = RwSignal::new(false);
    view! {
        <section class="card" aria-labelledby="stores-h">
            <div class="card-head">
                <h2 id="stores-h">"Custom key stores"</h2>
                <div class="toolbar">
                    <button type="button" class="secondary small" aria-expanded=move || creating.get().to_string()
                        aria-controls="create-store" on:click=move |_| creating.update(|c| *c = !*c)>
                        "Create custom key store"
                    </button>
                    <button type="button" class="secondary small" on:click=move |_| ctx.refresh_stores()>"Refresh"</button>
                </div>
            </div>
            // Kept while closed: what was typed into it stays.
            <div id="create-store" hidden=move || !creating.get()><super::create::CreateStore /></div>
            {move || stores.stale.get().map(|e| view! {
                <div>
                    <p class="field-msg">"Could not refresh the list: the rows below are from the last good read."</p>
                    <ErrorBox op=Operation::DescribeCustomKeyStores error=e />
                </div>
            })}
            <p class="note" role="status">{move || stores.note.get()}</p>
            <StoreRows />
        </section>
    }
}

/// What the list shows, apart from its rows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    NotLoaded,
    Loading,
    Failed,
    Empty,
    Rows,
}

/// The list as read: a hint, "Loading", the error, or the table.
#[component]
fn StoreRows() -> impl IntoView {
    let list = use_ctx().stores.list;
    let pending = RwSignal::new(false);
    // What shows changes only with the kind of read: a poll that changes a row re-renders
    // that row alone (and the focus on the other rows' buttons stays).
    let shown = Memo::new(move |_| {
        list.with(|l| match l {
            None => Shown::Loading,
            Some(StoreList::NotLoaded) if pending.get() => Shown::Loading,
            Some(StoreList::NotLoaded) => Shown::NotLoaded,
            Some(StoreList::Failed(_)) if pending.get() => Shown::Loading,
            Some(StoreList::Failed(_)) => Shown::Failed,
            Some(StoreList::Loaded(rows)) if rows.is_empty() => Shown::Empty,
            Some(StoreList::Loaded(_)) => Shown::Rows,
        })
    });
    let ids = Memo::new(move |_| {
        list.with(|l| match l {
            Some(StoreList::Loaded(rows)) => rows
                .iter()
                .filter_map(|r| r.custom_key_store_id.clone())
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let failure = move || {
        list.with(|l| match l {
            Some(StoreList::Failed(e)) => Some(e.clone()),
            _ => None,
        })
    };
    let body = move || {
        match shown.get() {
        Shown::NotLoaded => view! { <p class="hint">"Give credentials and press Refresh to list this region's custom key stores (or press Use local emulator)."</p> }.into_any(),
        Shown::Loading => view! { <p class="hint" aria-busy="true">"Loading the custom key stores…"</p> }.into_any(),
        Shown::Failed => view! {
            <div>
                <p class="field-msg">"Could not list the stores."</p>
                {move || failure().map(|e| view! { <ErrorBox op=Operation::DescribeCustomKeyStores error=e /> })}
            </div>
        }.into_any(),
        Shown::Empty => view! { <p class="hint">"This account has no custom key store in this region. Check the region, or create one."</p> }.into_any(),
        Shown::Rows => view! {
            <div class="table-wrap">
                <table>
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"ID"</th><th scope="col">"Type"</th><th scope="col">"State"</th><th scope="col">"Cluster or proxy"</th><th scope="col">"Created"</th><th scope="col"><span class="sr-only">"Action"</span></th></tr></thead>
                    <tbody>
                        <For each=move || ids.get() key=|id| id.clone() let:id>
                            <StoreRow id=id />
                        </For>
                    </tbody>
                </table>
            </div>
        }.into_any(),
    }
    };
    view! {
        // The resource is read under the Transition, so that it knows when a read is pending
        // (and keeps the rows meanwhile); the view itself follows `shown`.
        <Transition set_pending=pending>
            {move || list.with(|_| ())}
            {body}
        </Transition>
    }
}

/// One store's row: its cells follow its own data only. Select opens the store's page.
#[component]
fn StoreRow(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let key = id.clone();
    let row = Memo::new(move |_| ctx.stores.row(&key));
    let cell = move |f: fn(&CustomKeyStore) -> String| {
        move || row.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    let name = cell(|st| st.custom_key_store_name.clone().unwrap_or_default());
    let label = move || format!("Select {}", name());
    let state = move || {
        row.with(|r| {
            r.as_ref().map(|st| {
                let text = st.connection_state.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default();
                let code = st.connection_error_code.as_ref().map(|c| c.as_str().to_string());
                view! { <span class=badge_class(st.connection_state.as_ref())>{text}</span>{code.map(|c| view! { <br/><code class="small-code">{c}</code> })} }
            })
        })
    };
    let backing_text = move || {
        let hsms = ctx.stores.hsm_counts.get();
        row.with(|r| r.as_ref().map(|st| backing(st, &hsms)).unwrap_or_default())
    };
    let created = cell(|st| {
        st.creation_date
            .map(|d| local_date_time((d * 1000.0) as i64))
            .unwrap_or_default()
    });
    let row_id = id.clone();
    let pick = id.clone();
    let selection = ctx.selection;
    view! {
        <tr class:selected=move || selection.store_id.with(|v| v.trim() == row_id)>
            <td data-label="Name">{name}</td>
            <td data-label="ID" class="nowrap"><code>{id}</code></td>
            <td data-label="Type">{cell(type_label)}</td>
            <td data-label="State"><div>{state}</div></td>
            <td data-label="Cluster or proxy" class="backing">{backing_text}</td>
            <td data-label="Created" class="nowrap">{created}</td>
            <td class="pick"><button type="button" class="secondary small" aria-label=label on:click=move |_| {
                selection.store_id.set(pick.clone());
                super::store_page::show();
            }>"Select"</button></td>
        </tr>
    }
}
