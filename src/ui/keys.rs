//! The Keys tab: the KMS keys of the store on the page (a scan of the account's keys, started
//! when the tab is opened for a store, stopped when the page leaves the store or forgets the
//! credentials, remembered for the session per endpoint and store), Create key (`create`), the
//! store test (`test`), and the keys that keep a store from being deleted (`delete`).

mod create;
mod delete;
mod table;
mod test;

pub use delete::BlockingKeys;
pub use test::run_test;

use super::common::ErrorBox;
use super::state::{Ctx, Keys, ScanView, StoreList, use_ctx, use_keys};
use crate::aws::error::{ErrorKind, KmsError};
use crate::aws::kms::{ConnectionState, Operation, check_store_id};
use crate::console::keys::{KeyRow, Progress};
use crate::console::link::Tab;
use crate::web::keys_api;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The endpoint the form points at (the key lists are remembered per endpoint), untracked.
pub fn endpoint_now(ctx: Ctx) -> Option<String> {
    ctx.target.place().ok().map(|p| p.endpoint.url)
}

/// The remembered keys of the store on the page, if a scan finished (tracked).
pub fn known_keys(ctx: Ctx, keys: Keys) -> Option<Vec<KeyRow>> {
    ctx.target.region.track();
    ctx.target.endpoint_url.track();
    let id = ctx.selection.store_id.with(|s| s.trim().to_string());
    let endpoint = endpoint_now(ctx)?;
    keys.lists.with(|l| l.get(&endpoint, &id).cloned())
}

/// " · 3 KMS keys" for the overview, once a scan found the store's keys (tracked).
pub fn key_count(ctx: Ctx) -> Option<String> {
    let n = known_keys(ctx, use_keys())?.len();
    Some(match n {
        1 => " · 1 KMS key".to_string(),
        n => " · ".to_string() + &crate::console::keys::thousands(n) + " KMS keys",
    })
}

/// The scan view of the store on the page, if the last scan was for it (tracked).
pub(super) fn scan_here(ctx: Ctx, keys: Keys) -> Option<ScanView> {
    let id = ctx.selection.store_id.with(|s| s.trim().to_string());
    keys.scan
        .get()
        .filter(|v| v.store_id == id && Some(&v.endpoint) == endpoint_now(ctx).as_ref())
}

/// The keys of store `id`: remembered ones unless `fresh`, else a scan (a scan already running
/// for the store is waited for). The page's scan view shows its progress and what went wrong.
/// `None` when it failed or is no longer wanted (the page left the store, the credentials were
/// forgotten, a newer scan began).
pub async fn keys_of(ctx: Ctx, keys: Keys, id: String, fresh: bool) -> Option<Vec<KeyRow>> {
    let endpoint = endpoint_now(ctx).unwrap_or_default();
    let remembered = || {
        keys.lists
            .with_untracked(|l| l.get(&endpoint, &id).cloned())
    };
    let running = || {
        keys.scan.with_untracked(|v| {
            v.as_ref()
                .is_some_and(|v| v.running && v.store_id == id && v.endpoint == endpoint)
        })
    };
    if !fresh {
        while running() {
            crate::web::sleep_ms(200).await;
        }
        if let Some(rows) = remembered() {
            return Some(rows);
        }
    }
    let generation = keys.generation.get_value() + 1;
    keys.generation.set_value(generation);
    let mut view = ScanView {
        endpoint: endpoint_now(ctx).unwrap_or_default(),
        store_id: id.clone(),
        progress: Progress {
            looked_at: 0,
            listed: 0,
            listing_done: false,
            found: 0,
            skipped: 0,
        },
        running: true,
        failure: None,
        aliases_error: None,
    };
    let client = match ctx.client() {
        Ok(c) => c,
        Err(e) => {
            view.running = false;
            view.failure = Some((Operation::ListKeys, KmsError::not_sent(&e)));
            keys.scan.set(Some(view));
            return None;
        }
    };
    keys.scan.set(Some(view));
    let on_store = ctx.still_on(&id);
    let still = move || on_store() && keys.generation.try_get_value() == Some(generation);
    let scan = keys_api::scan_store_keys(&client, &id, still.clone(), |s| {
        if still() {
            let p = s.progress();
            keys.scan.update(|v| {
                if let Some(v) = v {
                    v.progress = p;
                }
            });
        }
    })
    .await;
    if !still() {
        if keys.generation.try_get_value() == Some(generation) {
            keys.scan.try_set(None);
        }
        return None;
    }
    let progress = scan.progress();
    let failure = scan.failure().cloned().map(|e| {
        let op = if progress.listing_done {
            Operation::DescribeKey
        } else {
            Operation::ListKeys
        };
        (op, e)
    });
    let failed = failure.is_some();
    keys.scan.update(|v| {
        if let Some(v) = v {
            v.progress = progress;
            v.running = false;
            v.failure = failure;
            v.aliases_error = scan.aliases_error().cloned();
        }
    });
    if failed {
        return None;
    }
    // A scan describes every key of the account: when it saw them all, every store's list is
    // known, so another store's Keys tab opens at once instead of scanning the account again.
    keys.lists.update(|l| {
        ctx.stores.list.with_untracked(|list| {
            let listed: Vec<&str> = match list {
                Some(StoreList::Loaded(stores)) => stores
                    .iter()
                    .filter_map(|st| st.custom_key_store_id.as_deref())
                    .collect(),
                _ => Vec::new(),
            };
            l.remember(&client.endpoint.url, &scan, &listed);
        })
    });
    let rows = scan.rows();
    Some(rows)
}

/// An error that new credentials may cure: not sent, or the credentials refused.
fn credentials_problem(e: &KmsError) -> bool {
    e.code == "NotSent" || e.kind.refuses_credentials() || e.kind == ErrorKind::ClockSkew
}

/// Starts a scan of the store on the page (Refresh: `fresh`).
fn start_scan(ctx: Ctx, keys: Keys, fresh: bool) {
    let id = ctx.selection.store_id.get_untracked().trim().to_string();
    spawn_local(async move {
        keys_of(ctx, keys, id, fresh).await;
    });
}

/// The Keys tab's panel.
#[component]
pub fn KeysPanel() -> impl IntoView {
    let ctx = use_ctx();
    let keys = use_keys();
    let sel = ctx.selection;
    // The scan begins when the tab is opened for a store (not before: it costs requests), and
    // again when the credentials are taken by AWS after a scan that could not run.
    // The effect acts only when what it reads changed (`proven` is set again after every
    // answer, and a refused scan must not start again with each poll's answer).
    Effect::new(move |prev: Option<(bool, String, bool, u64)>| {
        let now = (
            sel.tab.get() == Tab::Keys,
            sel.store_id.get().trim().to_string(),
            ctx.creds.proven.get(),
            ctx.creds.forgotten.get(),
        );
        if prev.as_ref() == Some(&now) || !now.0 || check_store_id(&now.1).is_err() {
            return now;
        }
        // No credentials (never given, or just forgotten): nothing to scan with; the hint
        // stays, and Refresh keys says what is missing.
        if untrack(|| ctx.creds.get().is_err()) {
            return now;
        }
        // Only the credentials changed: a scan that AWS refused (not one that could not be
        // sent, or whose credentials were refused) waits for Refresh keys.
        let only_credentials = prev.is_some_and(|p| p.0 == now.0 && p.1 == now.1);
        let here = untrack(|| {
            known_keys(ctx, keys).is_some()
                || scan_here(ctx, keys).is_some_and(|v| {
                    v.running
                        || (only_credentials
                            && v.failure
                                .as_ref()
                                .is_some_and(|(_, e)| !credentials_problem(e)))
                })
        });
        if !here {
            start_scan(ctx, keys, false);
        }
        now
    });
    let valid = move || check_store_id(sel.store_id.get().trim()).is_ok();
    let connected = move || {
        ctx.selected_store()
            .is_some_and(|s| s.connection_state == Some(ConnectionState::Connected))
    };
    let running = move || scan_here(ctx, keys).is_some_and(|v| v.running);
    view! {
        <section aria-labelledby="keys-h">
            <h3 id="keys-h" class="sub">"Keys in this store"</h3>
            <Show when=valid fallback=|| view! { <p class="hint">"Enter or select a store to see its KMS keys."</p> }>
                <div class="actions">
                    <button type="button" class="secondary" disabled=running on:click=move |_| start_scan(ctx, keys, true)>"Refresh keys"</button>
                    <button type="button" class="primary" aria-expanded=move || keys.create_open.get().to_string()
                        on:click=move |_| keys.create_open.update(|o| *o = !*o)>"Create key"</button>
                    <Show when=connected>
                        <button type="button" class="secondary" disabled=move || keys.test.with(|t| t.as_ref().is_some_and(|t| t.running))
                            on:click=move |_| run_test(ctx, keys)>"Test store"</button>
                    </Show>
                </div>
                <Show when=move || keys.create_open.get()>
                    <create::CreateKeyForm />
                </Show>
                <test::TestResult />
                <ScanState />
                <table::KeyTable />
                <Show when=move || scan_here(ctx, keys).is_none() && known_keys(ctx, keys).is_none()>
                    <p class="hint">"Press Refresh keys to list the keys of this store here."</p>
                </Show>
            </Show>
        </section>
    }
}

/// The scan's progress, or what stopped it, or what is missing from the list.
#[component]
fn ScanState() -> impl IntoView {
    let ctx = use_ctx();
    let keys = use_keys();
    // One live region, always there, whose text changes only at milestones and at the end;
    // the exact count beside the bar is shown, not spoken.
    let said = Memo::new(move |_| {
        scan_here(ctx, keys).map_or(String::new(), |v| match (v.running, &v.failure) {
            (true, _) => v.progress.milestone(),
            (false, None) => v.progress.text(),
            // The error box below is an alert: it speaks for itself.
            (false, Some(_)) => "The key scan stopped.".to_string(),
        })
    });
    let shown = move || {
        scan_here(ctx, keys).map(|v| {
            let p = v.progress;
            view! {
                {v.running.then(|| view! {
                    <div class="scan">
                        <label for="keys-progress">"Looking at the account's keys"</label>
                        <progress id="keys-progress" max=p.listed.max(1) value=p.looked_at></progress>
                        <p>{p.text()}</p>
                    </div>
                })}
                {(!v.running && v.failure.is_none()).then(|| view! { <p class="note">{p.text()}</p> })}
                {v.failure.clone().map(|(op, e)| view! { <ErrorBox op=op error=e /> })}
                {v.aliases_error.clone().map(|e| view! {
                    <p class="note">"The keys are listed without their aliases:"</p>
                    <ErrorBox op=Operation::ListAliases error=e />
                })}
            }
        })
    };
    view! {
        <p class="sr-only" role="status" aria-label="Key scan">{said}</p>
        {shown}
    }
}
