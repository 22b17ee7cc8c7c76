//! The pre-flight panel beside Connect: for a CloudHSM store, CloudHSM's view of its cluster;
//! for an external key store, what its configuration shows without the proxy's help.

use super::state::{Ctx, use_ctx};
use crate::aws::error::KmsError;
use crate::aws::kms::{CustomKeyStore, CustomKeyStoreType};
use crate::console::preflight::{Level, Verdict, cloudhsm_preflight, xks_preflight};
use crate::web::api;
use leptos::prelude::*;

/// The verdict for a store: a CloudHSM lookup, or the external key store's shape.
pub async fn verdict_for(ctx: Ctx, store: &CustomKeyStore) -> Option<Verdict> {
    match store.store_type() {
        CustomKeyStoreType::AwsCloudHsm => {
            let cluster = store.cloud_hsm_cluster_id.clone()?;
            // CloudHSM's view of the cluster (all pages); the look-up stops when the
            // credentials are forgotten.
            let outcome = match ctx.cloudhsm_client() {
                Ok(client) => api::find_cluster(&client, &cluster, ctx.creds.unforgotten()).await,
                Err(e) => Err(KmsError::not_sent(&e)),
            };
            Some(cloudhsm_preflight(&cluster, &outcome))
        }
        CustomKeyStoreType::ExternalKeyStore => Some(xks_preflight(store)),
        CustomKeyStoreType::Other(_) => None,
    }
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
    let ctx = use_ctx();
    let selected = Memo::new(move |_| ctx.selected_store());
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
        let t = ctx.target;
        t.region.track();
        t.endpoint_url.track();
        t.cloudhsm_url.track();
        t.fips.track();
        t.confirmed_hosts.track();
        t.pending_endpoint.track();
        ctx.creds.forgotten.track();
        let store = selected.get_untracked();
        async move {
            match store {
                Some(st) => verdict_for(ctx, &st).await,
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
