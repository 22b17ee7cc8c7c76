//! The store test: its run (the store's keys first, then `web::keys_api::test_store` with the
//! first enabled key) and its outcome in a status region. The probe and ciphertext stay inside
//! `test_store`: the outcome holds latencies, request ids and error codes only.

use super::keys_of;
use crate::console::probe::plan_test;
use crate::ui::state::{Ctx, Keys, TestView, use_ctx, use_keys};
use crate::web::keys_api;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Runs the store test on the store on the page; the Keys tab shows the outcome.
pub fn run_test(ctx: Ctx, keys: Keys) {
    let id = ctx.selection.store_id.get_untracked().trim().to_string();
    let set = move |running, refused, verdict| {
        keys.test.try_set(Some(TestView {
            store_id: id.clone(),
            running,
            refused,
            verdict,
        }));
    };
    set(true, None, None);
    let id = ctx.selection.store_id.get_untracked().trim().to_string();
    spawn_local(async move {
        let Some(store) = untrack(|| ctx.stores.row(&id)) else {
            set(
                false,
                Some(("The store is not in the list yet: press Refresh above the store list, then test again.".into(), false)),
                None,
            );
            return;
        };
        let Some(rows) = keys_of(ctx, keys, id.clone(), false).await else {
            set(
                false,
                Some(("The store's keys could not be listed (see below), so there is no key to test with.".into(), false)),
                None,
            );
            return;
        };
        let plan = match plan_test(&store, &rows, None) {
            Ok(p) => p,
            Err(why) => {
                let create = !rows.iter().any(|r| r.is_enabled());
                // The list may be remembered from an earlier scan (of this store or another).
                let why = if create {
                    why + " If a key was created since the keys were listed, Refresh keys lists them again."
                } else {
                    why
                };
                set(false, Some((why, create)), None);
                return;
            }
        };
        let client = match ctx.client() {
            Ok(c) => c,
            Err(e) => {
                set(false, Some((e, false)), None);
                return;
            }
        };
        let still = ctx.still_on(&id);
        let run = keys_api::test_store(&client, plan, still, |run| {
            set(true, None, Some(run.verdict()))
        })
        .await;
        set(false, None, Some(run.verdict()));
    });
}

/// The outcome of the store test, in a status region named "Store test".
#[component]
pub fn TestResult() -> impl IntoView {
    let ctx = use_ctx();
    let keys = use_keys();
    let shown = move || {
        let id = ctx.selection.store_id.with(|s| s.trim().to_string());
        keys.test.get().filter(|t| t.store_id == id)
    };
    view! {
        <div role="status" aria-label="Store test" class="test-result">
            {move || shown().map(|t| {
                let waiting = (t.running && t.verdict.is_none()).then_some("Testing…");
                let refused = t.refused.map(|(why, _)| view! { <p>{why}</p> });
                let verdict = t.verdict.map(|v| {
                    let headline = if t.running { "Testing… ".to_string() + &v.headline } else { v.headline.clone() };
                    let stats = v.stats.into_iter().map(|s| view! {
                        <li>{s.line()}{(!s.request_ids.is_empty()).then(|| view! { <br/><span class="rid">"Request ids: " {s.request_ids.join(", ")}</span> })}</li>
                    }).collect_view();
                    let failure = v.failure.map(|f| view! {
                        <p><strong>"What to do: "</strong>{f.fix}" "<a href=f.doc target="_blank" rel="noopener noreferrer">"AWS documentation"</a></p>
                        {(!f.message.is_empty()).then(|| view! { <p class="message">{f.message}</p> })}
                        {f.request_id.map(|r| view! { <p class="rid">"Request id of the failed call: " <code>{r}</code></p> })}
                    });
                    // Seen at a glance: a bar in the outcome's colour (its words say it too).
                    let class = if t.running { "verdict" } else if v.passed { "verdict ok" } else { "verdict bad" };
                    view! {
                        <div class=class>
                            <p><strong>{headline}</strong></p>
                            {failure}
                            <ul class="notes">{stats}</ul>
                        </div>
                    }
                });
                view! { {waiting}{refused}{verdict} }
            })}
        </div>
        // The way on, right after the outcome but outside its live region (it comes and goes
        // with the form, which it opens; hidden while the form is open).
        {move || (shown().is_some_and(|t| t.refused.is_some_and(|(_, create)| create)) && !keys.create_open.get()).then(|| view! {
            <button type="button" class="primary small" on:click=move |_| keys.create_open.set(true)>"Create key"</button>
        })}
    }
}
