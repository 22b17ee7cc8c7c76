use super::common::{ErrorBox, badge_class};
use super::session::{Session, StoreList, use_session};
use crate::aws::kms::{
    ConnectionState, CustomKeyStore, CustomKeyStoreType, Operation, XksProxyConnectivity,
};
use crate::web::api;
use crate::web::{local_date_time, sleep_ms};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// While a store is CONNECTING or DISCONNECTING, the list refreshes itself this often.
const AUTO_REFRESH_MS: u64 = 15_000;

/// Loads every page of `DescribeCustomKeyStores` into the table (the Refresh button: the
/// list may refresh itself for another 40 minutes).
pub fn refresh(s: Session) {
    s.stores_auto_since.set_value(Some(crate::web::now_ms()));
    load(s);
}

fn load(s: Session) {
    let generation = s.stores_generation.get_value() + 1;
    s.stores_generation.set_value(generation);
    let current = move || s.stores_generation.try_get_value() == Some(generation);
    let client = match s.client() {
        Ok(c) => c,
        Err(e) => {
            s.stores_error.set(None);
            s.stores
                .set(StoreList::Failed(crate::aws::error::KmsError::not_sent(&e)));
            return;
        }
    };
    // Keep the rows on screen while refreshing; show "Loading" only the first time.
    if !matches!(s.stores.get_untracked(), StoreList::Loaded(_)) {
        s.stores.set(StoreList::Loading);
    }
    spawn_local(async move {
        let result = api::list_stores(&client, current).await;
        // A newer refresh, or a change of region, endpoint or credentials, owns the list.
        if !current() {
            return;
        }
        let all = match result {
            Ok(all) => all,
            // Rows on screen stay (with what the user is typing in their forms); the error
            // shows above them.
            Err(e) => {
                if matches!(s.stores.get_untracked(), StoreList::Loaded(_)) {
                    s.stores_error.set(Some(e));
                } else {
                    s.stores.set(StoreList::Failed(e));
                }
                return;
            }
        };
        let transitional = all.iter().any(|st| {
            st.connection_state
                .as_ref()
                .is_some_and(ConnectionState::is_transitional)
        });
        super::preflight::count_hsms(s, &all, current);
        s.stores_error.set(None);
        s.stores.set(StoreList::Loaded(all));
        if transitional {
            // Like a watch, the list stops refreshing itself after 40 minutes.
            let since = s.stores_auto_since.get_value().unwrap_or(0);
            if crate::web::now_ms() - since >= crate::console::watch::OVERALL_MS {
                s.stores_note.set(Some(
                    "A store is still changing state, but the list stopped refreshing itself after 40 minutes: press Refresh.".into(),
                ));
                return;
            }
            sleep_ms(AUTO_REFRESH_MS).await;
            // Once, from the newest refresh only: a Refresh pressed meanwhile takes over.
            if current() {
                load(s);
            }
        }
    });
}

/// Puts a fresh read of one store into the table (the watch's polls keep its row current).
/// An unchanged row notifies no one.
pub fn update_row(s: Session, store: &CustomKeyStore) {
    s.stores.maybe_update(|list| {
        if let StoreList::Loaded(rows) = list
            && let Some(row) = rows
                .iter_mut()
                .find(|r| r.custom_key_store_id == store.custom_key_store_id)
            && row != store
        {
            *row = store.clone();
            return true;
        }
        false
    });
}

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

/// What the table shows, apart from its rows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    NotLoaded,
    Loading,
    Failed,
    Empty,
    Rows,
}

#[component]
pub fn StoreTable() -> impl IntoView {
    let s = use_session();
    let shown = Memo::new(move |_| {
        s.stores.with(|l| match l {
            StoreList::NotLoaded => Shown::NotLoaded,
            StoreList::Loading => Shown::Loading,
            StoreList::Failed(_) => Shown::Failed,
            StoreList::Loaded(rows) if rows.is_empty() => Shown::Empty,
            StoreList::Loaded(_) => Shown::Rows,
        })
    });
    // Rows are keyed by store: a poll that changes one row leaves the others (and the focus
    // on their buttons) alone.
    let ids = Memo::new(move |_| {
        s.stores.with(|l| match l {
            StoreList::Loaded(rows) => rows
                .iter()
                .filter_map(|r| r.custom_key_store_id.clone())
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let failure = move || {
        s.stores.with(|l| match l {
            StoreList::Failed(e) => Some(e.clone()),
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
        <section class="card" aria-labelledby="stores-h">
            <div class="card-head">
                <h2 id="stores-h">"Custom key stores"</h2>
                <button type="button" class="secondary small" on:click=move |_| refresh(s)>"Refresh"</button>
            </div>
            {move || s.stores_error.get().map(|e| view! {
                <div>
                    <p class="field-msg">"Could not refresh the list: the rows below are from the last good read."</p>
                    <ErrorBox op=Operation::DescribeCustomKeyStores error=e />
                </div>
            })}
            {move || s.stores_note.get().map(|n| view! { <p class="note" role="status">{n}</p> })}
            {body}
        </section>
    }
}

/// One store's row: its cells follow its own data only.
#[component]
fn StoreRow(id: String) -> impl IntoView {
    let s = use_session();
    let key = id.clone();
    let row = Memo::new(move |_| s.store_row(&key));
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
        let hsms = s.hsm_counts.get();
        row.with(|r| r.as_ref().map(|st| backing(st, &hsms)).unwrap_or_default())
    };
    let created = cell(|st| {
        st.creation_date
            .map(|d| local_date_time((d * 1000.0) as i64))
            .unwrap_or_default()
    });
    let row_id = id.clone();
    let pick = id.clone();
    view! {
        <tr class:selected=move || s.store_id.with(|v| v.trim() == row_id)>
            <td data-label="Name">{name}</td>
            <td data-label="ID" class="nowrap"><code>{id}</code></td>
            <td data-label="Type">{cell(type_label)}</td>
            <td data-label="State"><div>{state}</div></td>
            <td data-label="Cluster or proxy" class="backing">{backing_text}</td>
            <td data-label="Created" class="nowrap">{created}</td>
            <td class="pick"><button type="button" class="secondary small" aria-label=label on:click=move |_| s.store_id.set(pick.clone())>"Select"</button></td>
        </tr>
    }
}
