//! Deleting a store that still has keys: the keys that block it, `ScheduleKeyDeletion` for
//! them (7–30 days, once the store's name is typed), each key's deletion date, and
//! `CancelKeyDeletion` per key.

use super::{endpoint_now, keys_of, known_keys, scan_here};
use crate::aws::error::KmsError;
use crate::aws::kms::Operation;
use crate::console::keys::{
    cancelled, deletion_text, name_confirmed, pending_window, schedule_requests, scheduled,
    store_deletable_after,
};
use crate::ui::common::ErrorBox;
use crate::ui::state::{Ctx, Keys, use_ctx, use_keys};
use crate::web::{keys_api, now_ms};
use leptos::prelude::*;
use leptos::task::spawn_local;

type Failed = RwSignal<Option<(Operation, KmsError)>>;

/// Changes one remembered row of the store on the page.
fn update_row(
    ctx: Ctx,
    keys: Keys,
    key_id: &str,
    f: impl FnOnce(&mut crate::console::keys::KeyRow),
) {
    let id = ctx.selection.store_id.get_untracked().trim().to_string();
    let endpoint = endpoint_now(ctx).unwrap_or_default();
    keys.lists.update(|l| {
        if let Some(r) = l
            .get_mut(&endpoint, &id)
            .and_then(|rows| rows.iter_mut().find(|r| r.key_id == key_id))
        {
            f(r)
        }
    });
}

/// Schedules the deletion of every blocking key not already pending deletion.
async fn schedule(
    ctx: Ctx,
    keys: Keys,
    name: String,
    typed: String,
    days: String,
    failed: Failed,
    msg: RwSignal<Option<String>>,
) {
    let rows = untrack(|| known_keys(ctx, keys)).unwrap_or_default();
    let requests = match schedule_requests(&rows, &name, &typed, &days) {
        Ok(r) => r,
        Err(e) => return msg.set(Some(e)),
    };
    let days = pending_window(&days).unwrap_or(30);
    let client = match ctx.client() {
        Ok(c) => c,
        Err(e) => return msg.set(Some(e)),
    };
    for r in requests {
        match keys_api::schedule_key_deletion(&client, &r).await {
            Ok(reply) => update_row(ctx, keys, &r.key_id, |row| {
                scheduled(row, &reply.output, days, now_ms())
            }),
            Err(e) => return failed.set(Some((Operation::ScheduleKeyDeletion, e))),
        }
    }
}

fn cancel(ctx: Ctx, keys: Keys, key_id: String, failed: Failed) {
    failed.set(None);
    spawn_local(async move {
        let client = match ctx.client() {
            Ok(c) => c,
            Err(e) => {
                return failed.set(Some((Operation::CancelKeyDeletion, KmsError::not_sent(&e))));
            }
        };
        match keys_api::cancel_key_deletion(&client, &key_id).await {
            Ok(_) => update_row(ctx, keys, &key_id, cancelled),
            Err(e) => failed.set(Some((Operation::CancelKeyDeletion, e))),
        }
    });
}

/// The keys that keep the store from being deleted (shown once Delete was refused for them, or
/// once a scan knows them), with their deletion scheduled or cancelled here.
#[component]
pub fn BlockingKeys(
    name: String,
    /// The store's name as typed in the Delete confirmation.
    typed_name: RwSignal<String>,
    /// Delete was refused with `CustomKeyStoreHasCMKsException`.
    #[prop(into)]
    refused: Signal<bool>,
) -> impl IntoView {
    let ctx = use_ctx();
    let keys = use_keys();
    let days = RwSignal::new("30".to_string());
    let failed: Failed = RwSignal::new(None);
    let msg = RwSignal::new(None::<String>);
    // A refusal with no list yet: find the keys. A remembered list without keys is out of
    // date (KMS just said the store has some): scan again.
    Effect::new(move |_| {
        let known = untrack(|| known_keys(ctx, keys));
        if refused.get() && known.as_ref().is_none_or(Vec::is_empty) {
            let id = ctx.selection.store_id.get_untracked().trim().to_string();
            let fresh = known.is_some();
            spawn_local(async move {
                keys_of(ctx, keys, id, fresh).await;
            });
        }
    });
    let action = {
        let name = name.clone();
        Action::new_local(move |_: &()| {
            failed.set(None);
            msg.set(None);
            schedule(
                ctx,
                keys,
                name.clone(),
                typed_name.get_untracked(),
                days.get_untracked(),
                failed,
                msg,
            )
        })
    };
    let name = StoredValue::new(name);
    let confirmed = move || name.with_value(|n| name_confirmed(&typed_name.get(), n));
    let rows = move || known_keys(ctx, keys).filter(|r| !r.is_empty());
    view! {
        <Show when=move || refused.get() || rows().is_some()>
            <div class="blocking-keys">
                // After a refused Delete its explanation is just above: only what it does not say.
                {move || if refused.get() {
                    view! { <p>"A deleted key's ciphertexts can never be decrypted again."</p> }.into_any()
                } else {
                    view! { <p><strong>"KMS deletes a store only when it holds no KMS keys."</strong>" These keys must be scheduled for deletion, and their waiting period must end, before Delete store can succeed. A deleted key's ciphertexts can never be decrypted again."</p> }.into_any()
                }}
                {move || match known_keys(ctx, keys) {
                    Some(rows) if !rows.is_empty() => {
                        let now = ctx.clock.0.get();
                        let after = store_deletable_after(&rows).map(|d| view! {
                            <p class="note">"The store can be deleted after the last waiting period ends: " {deletion_text(d, now)} "."</p>
                        });
                        let items = rows.into_iter().map(|r| {
                            let key_id = r.key_id.clone();
                            let when = r.deletion_date.filter(|_| r.is_pending_deletion()).map(|d| deletion_text(d, now));
                            let pending = when.is_some();
                            view! {
                                <li>
                                    <code>{r.key_id.clone()}</code>" "{r.aliases.join(", ")}" "
                                    {r.key_state.map(|s| s.as_str().to_string())}
                                    {when.map(|w| view! { ": "{w} })}
                                    {pending.then(|| view! {
                                        " "<button type="button" class="secondary small" aria-label=format!("Cancel deletion of {key_id}")
                                            on:click=move |_| cancel(ctx, keys, key_id.clone(), failed)>"Cancel deletion"</button>
                                    })}
                                </li>
                            }
                        }).collect_view();
                        view! { <ul class="notes" aria-label="Keys in this store">{items}</ul>{after} }.into_any()
                    }
                    known => {
                        let scan = scan_here(ctx, keys);
                        let running = scan.as_ref().is_some_and(|v| v.running);
                        match scan.and_then(|v| v.failure) {
                            Some((op, e)) => view! { <ErrorBox op=op error=e /> }.into_any(),
                            // A finished list without keys, though KMS says the store has some.
                            None if !running && known.is_some() => view! {
                                <p class="note">"The key list has no key in this store, but KMS says it holds some: a key the scan could not read, or one created since. Refresh keys on the Keys tab reads them again."</p>
                            }.into_any(),
                            None => view! { <p class="hint" aria-busy="true">"Looking for the store's keys…"</p> }.into_any(),
                        }
                    }
                }}
                <label for="sk-days">"Waiting period (days, 7 to 30)"</label>
                <input id="sk-days" type="number" min="7" max="30" step="1" bind:value=days />
                <div class="actions">
                    <button type="button" class="danger" disabled=move || !confirmed() || action.pending().get() || rows().is_none()
                        on:click=move |_| { action.dispatch(()); }>"Schedule key deletion"</button>
                </div>
                <p class="hint">"Type the store's name above to schedule the deletion of its keys."</p>
                <p class="field-msg" role="alert">{move || msg.get()}</p>
                {move || failed.get().map(|(op, e)| view! { <ErrorBox op=op error=e /> })}
            </div>
        </Show>
    }
}
