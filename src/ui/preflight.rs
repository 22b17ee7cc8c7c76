//! The pre-flight panel beside Connect: for a CloudHSM store, CloudHSM's view of its cluster;
//! for an external key store, what its configuration shows without the proxy's help.

use super::session::{Session, use_session};
use crate::aws::cloudhsm::hsm_count;
use crate::aws::error::KmsError;
use crate::aws::kms::{CustomKeyStore, CustomKeyStoreType};
use crate::console::preflight::{Level, Verdict, cloudhsm_preflight, xks_preflight};
use crate::web::api;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The verdict for a store: a CloudHSM lookup, or the external key store's shape.
pub async fn verdict_for(s: Session, store: &CustomKeyStore) -> Option<Verdict> {
    match store.store_type() {
        CustomKeyStoreType::AwsCloudHsm => {
            let cluster = store.cloud_hsm_cluster_id.clone()?;
            // CloudHSM's view of the cluster (all pages); the look-up stops when the
            // credentials are forgotten.
            let outcome = match s.cloudhsm_client() {
                Ok(client) => {
                    let epoch = s.forgotten.get_untracked();
                    api::find_cluster(&client, &cluster, move || {
                        s.forgotten.try_get_untracked() == Some(epoch)
                    })
                    .await
                }
                Err(e) => Err(KmsError::not_sent(&e)),
            };
            Some(cloudhsm_preflight(&cluster, &outcome))
        }
        CustomKeyStoreType::ExternalKeyStore => Some(xks_preflight(store)),
        CustomKeyStoreType::Other(_) => None,
    }
}

/// Counts the HSMs of every CloudHSM store in the list, for the overview. Each page counts as
/// it arrives (a later page's error keeps the earlier ones); it stops as soon as `current` says
/// the list is stale (another region, endpoint or account) or the credentials are forgotten.
pub fn count_hsms(s: Session, stores: &[CustomKeyStore], current: impl Fn() -> bool + 'static) {
    let ids: Vec<String> = stores
        .iter()
        .filter_map(|st| st.cloud_hsm_cluster_id.clone())
        .collect();
    if ids.is_empty() {
        return;
    }
    let Ok(client) = s.cloudhsm_client() else {
        return;
    };
    let epoch = s.forgotten.get_untracked();
    let still = move || current() && s.forgotten.try_get_untracked() == Some(epoch);
    spawn_local(async move {
        // No permission or no path to CloudHSM: the rest stays "unknown".
        let _ = api::clusters(&client, &ids, still, |clusters| {
            s.hsm_counts.update(|counts| {
                for c in clusters {
                    if let Some(id) = &c.cluster_id {
                        counts.insert(id.clone(), hsm_count(c));
                    }
                }
            });
        })
        .await;
    });
}

fn level_class(level: Level) -> &'static str {
    match level {
        Level::Ok => "badge ok",
        Level::Warn | Level::Unknown => "badge busy",
        Level::Fail => "badge bad",
    }
}

/// A verdict, as the panel and the Connect check show it.
#[component]
pub fn VerdictView(verdict: Verdict) -> impl IntoView {
    let checks = verdict
        .checks
        .into_iter()
        .map(|c| {
            view! {
                <li>
                    <span class=level_class(c.level)>{c.level.as_str()}</span>" "
                    <strong>{c.id.label()}": "</strong>{c.line}
                    {c.fix.map(|f| view! { <br/><span class="fix-line">"What to do: "{f}</span> })}
                </li>
            }
        })
        .collect_view();
    let notes = verdict
        .notes
        .into_iter()
        .map(|n| view! { <li>{n}</li> })
        .collect_view();
    view! {
        <p><span class=level_class(verdict.overall)>{verdict.overall.as_str()}</span>" "{verdict.headline}</p>
        <ul class="checks-list">{checks}</ul>
        <ul class="notes">{notes}</ul>
    }
}

/// Pre-flight of the selected store, refreshed when it (or the endpoint) changes.
#[component]
pub fn Preflight() -> impl IntoView {
    let s = use_session();
    let selected = Memo::new(move |_| s.selected_store());
    // Keyed on what decides the verdict, not on every refresh of the row.
    let key = Memo::new(move |_| {
        selected.with(|st| {
            st.as_ref().map(|st| {
                (
                    st.custom_key_store_id.clone(),
                    st.cloud_hsm_cluster_id.clone(),
                    st.xks_proxy_configuration.clone(),
                )
            })
        })
    });
    let verdict = LocalResource::new(move || {
        key.track();
        s.region.track();
        s.endpoint_url.track();
        s.cloudhsm_url.track();
        s.fips.track();
        s.forgotten.track();
        s.confirmed_hosts.track();
        s.pending_endpoint.track();
        let store = selected.get_untracked();
        async move {
            match store {
                Some(st) => verdict_for(s, &st).await,
                None => None,
            }
        }
    });
    view! {
        <Show when=move || key.with(Option::is_some)>
            <section class="preflight" aria-labelledby="preflight-h">
                <h3 id="preflight-h" class="sub">"Pre-flight"</h3>
                {move || match verdict.get() {
                    None => view! { <p class="hint" aria-busy="true">"Checking…"</p> }.into_any(),
                    Some(None) => ().into_any(),
                    Some(Some(v)) => view! { <VerdictView verdict=v /> }.into_any(),
                }}
            </section>
        </Show>
    }
}
