use super::common::{ConfirmDisconnect, badge_class, busy};
use super::state::{CardMsg, ConfirmAt, Ctx, Flows, use_ctx};
use crate::aws::kms::{ConnectionErrorCode, ConnectionState, CustomKeyStoreType, Operation};
use crate::console::explain;
use crate::console::report;
use crate::console::watch::{Goal, Outcome, Pause, Phase, Watch};
use crate::web::{local_time, notify, now_ms};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Adds `watch` to the board (first) and polls until it settles. A watch without a place
/// (reopened from a link) lives where the form points now.
pub fn start_watch(ctx: Ctx, mut watch: Watch) {
    watch.set_pace(ctx.watches.pace.get_untracked(), now_ms());
    // The title tells a settled result until a new watch begins.
    notify::title("cks-console");
    if watch.place.is_none() {
        watch.place = ctx.target.place().ok();
    }
    ctx.watches.board.update(|b| b.upsert(watch));
    wake_poller(ctx);
}

/// Wakes the poll loop, or starts it if none runs (only one ever runs).
pub fn wake_poller(ctx: Ctx) {
    if !ctx.watches.ring_or_claim() {
        spawn_local(poll(ctx));
    }
}

/// Resumes every watch paused for credentials (after a paste, the emulator button, or typed
/// credentials); watches paused for another reason wait for their own Resume button.
pub fn resume_if_paused(ctx: Ctx) {
    resume(ctx, None);
}

/// Resumes one watch (its panel's button), or with `None` those paused for credentials.
pub fn resume(ctx: Ctx, id: Option<&str>) {
    let board = ctx.watches.board;
    let which = |w: &Watch| match id {
        Some(id) => w.store_id == id,
        None => matches!(
            w.phase,
            Phase::Paused(Pause::Auth(_) | Pause::NoCredentials(_) | Pause::OtherAccount(_))
        ),
    };
    let paused = board.with_untracked(|b| {
        b.watches()
            .iter()
            .any(|w| which(w) && matches!(w.phase, Phase::Paused(_)))
    });
    if !paused {
        return;
    }
    // Watches poll their own endpoint: only the credentials matter here.
    match ctx.creds.get() {
        Ok(_) => {
            let now = now_ms();
            board.update(|b| {
                b.watches_mut()
                    .filter(|w| which(w))
                    .for_each(|w| w.resume(now))
            });
            if ctx.card.msg.get_untracked() == Some(CardMsg::Reopened) {
                ctx.card.msg.set(None);
            }
            wake_poller(ctx);
        }
        Err(problem) => ctx.card.say(format!("Cannot resume yet: {problem}")),
    }
}

/// The poll loop: sleep until the first watch is due (or the bell rings: a new watch, a
/// resume), Describe its store, feed the answer back, repeat. One loop for every watch: calls
/// go one at a time, and the client's limiter keeps them within KMS's quota. A poll in flight
/// is never dropped. It ends when nothing is due or the page is gone.
async fn poll(ctx: Ctx) {
    let board = ctx.watches.board;
    loop {
        let Some(next) = board.try_with_untracked(|b| b.next_due()) else {
            return;
        };
        let Some((id, due)) = next else {
            ctx.watches.ended();
            return;
        };
        let wait = (due - now_ms()).max(0) as u64;
        if wait > 0 {
            let Some(bell) = ctx.watches.bell() else {
                return;
            };
            if bell.sleep(wait).await {
                // Rung: what is due first may have changed.
                continue;
            }
        }
        // The board may have changed while sleeping: poll only what is still due.
        if board.try_with_untracked(|b| b.next_due().map(|(i, _)| i)) != Some(Some(id.clone())) {
            continue;
        }
        let Some(client) = client_for(ctx, &id) else {
            continue;
        };
        // The schedule counts from when a poll is sent, so a slow answer does not add to the
        // next delay (the lag targets include the round trip).
        let now = now_ms();
        let key = client.credentials.access_key_id.clone();
        board.update_untracked(|b| {
            if let Some(w) = b.get_mut(&id) {
                w.polling_as(&key);
            }
        });
        let result = crate::web::api::describe_one(&client, &id).await;
        if let Ok((store, _)) = &result {
            ctx.stores.update_row(store);
        }
        let mut settled = None;
        let updated = board.try_update(|b| {
            if let Some(w) = b.get_mut(&id) {
                let was_watching = w.is_watching();
                match &result {
                    Ok((store, request_id)) => w.observe(now, store, request_id.clone()),
                    Err(e) => w.observe_error(now, e),
                }
                if was_watching && matches!(w.phase, Phase::Settled(_)) {
                    settled = Some(w.clone());
                }
            }
        });
        if updated.is_none() {
            return;
        }
        if let Some(w) = settled {
            announce(&w);
        }
    }
}

/// The client a watch polls with: its own endpoint (changing the form's Region or endpoint
/// mid-watch must not send its polls elsewhere, where the store is "not found"), and the
/// credentials as typed now. A watch without a place (reopened from a link) takes the form's,
/// once the user has confirmed an endpoint the link set. Pauses the watch when there is none.
fn client_for(ctx: Ctx, id: &str) -> Option<crate::web::client::Client> {
    let board = ctx.watches.board;
    let place = board.with_untracked(|b| b.get(id).and_then(|w| w.place.clone()));
    let pause = |why: Pause| {
        let now = now_ms();
        board.update(|b| {
            if let Some(w) = b.get_mut(id) {
                w.pause(now, why)
            }
        });
    };
    if place.is_none()
        && let Some(host) = ctx.target.pending_host()
    {
        pause(Pause::Unconfirmed(host));
        return None;
    }
    let client = match place {
        Some(p) => ctx.client_at(&p.endpoint),
        None => ctx.target.place().and_then(|p| {
            let c = ctx.client_at(&p.endpoint)?;
            board.update(|b| {
                if let Some(w) = b.get_mut(id) {
                    w.place = Some(p.clone());
                }
            });
            Ok(c)
        }),
    };
    match client {
        Ok(c) => Some(c),
        Err(problem) => {
            pause(Pause::NoCredentials(problem));
            None
        }
    }
}

/// A settled watch: the tab title says so and, if allowed, a browser notification.
fn announce(w: &Watch) {
    let outcome = match &w.phase {
        Phase::Settled(Outcome::Connected) => "CONNECTED".to_string(),
        Phase::Settled(Outcome::Failed(code)) => {
            format!("FAILED {}", code.as_ref().map(|c| c.as_str()).unwrap_or(""))
        }
        Phase::Settled(Outcome::Disconnected) => "DISCONNECTED".to_string(),
        Phase::Settled(Outcome::StoreGone) => "no longer exists".to_string(),
        _ => return,
    };
    notify::title(&format!("{} {} · cks-console", w.store_id, outcome.trim()));
    notify::send(&format!("{} {}", w.store_id, outcome.trim()), &headline(w));
}

fn mm_ss(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

fn headline(w: &Watch) -> String {
    let id = &w.store_id;
    match &w.phase {
        Phase::Watching => match (w.goal, &w.state) {
            (_, None) => format!("Watching {id}: asking KMS for its state."),
            (Goal::Connect, _) => format!("Watching {id} connect: checking again shortly."),
            (Goal::Disconnect, _) => format!("Watching {id} disconnect: checking again shortly."),
        },
        Phase::Paused(Pause::Auth(e)) => format!(
            "Watching paused: KMS refused the credentials ({}). {} Then press Resume watching; the timeline is kept.",
            e.code,
            explain::kms_error(e, Operation::DescribeCustomKeyStores).fix
        ),
        Phase::Paused(Pause::NoCredentials(why)) => {
            format!("Watching paused: {why} Paste fresh credentials, then press Resume watching.")
        }
        Phase::Paused(Pause::OtherAccount(key)) => format!(
            "Watching paused: KMS does not know {id} with the credentials of access key {key}. They may be another account's, or the store was deleted. Paste the credentials it was connected with and press Resume watching, or stop watching."
        ),
        Phase::Paused(Pause::Refused(e)) => format!(
            "Watching paused: KMS refuses the poll itself ({}: {}). Trying again would not help: check the store ID, or stop watching.",
            e.code, e.message
        ),
        Phase::Paused(Pause::Unconfirmed(host)) => format!(
            "Watching paused: the link points requests at {host}, and nothing is sent there until you confirm it under Endpoint. Then press Resume watching."
        ),
        Phase::Paused(Pause::Overdue) => format!(
            "Watching paused: {id} has not settled in {} minutes, longer than KMS takes. Check the store in the AWS console, or press Resume watching to keep polling.",
            w.overdue_minutes()
        ),
        Phase::Stopped => {
            "Stopped watching. KMS was not touched: the store goes on by itself.".to_string()
        }
        Phase::Settled(Outcome::Connected) => match w.goal {
            Goal::Connect => format!("{id} is connected. Its KMS keys can be used."),
            Goal::Disconnect => format!(
                "{id} is still CONNECTED: the disconnect did not take effect (or the store was connected again). Try Disconnect again."
            ),
        },
        Phase::Settled(Outcome::Failed(_)) => match w.goal {
            Goal::Connect => format!("{id} failed to connect."),
            Goal::Disconnect => format!(
                "{id} is still FAILED: the disconnect did not take effect. Try Disconnect again."
            ),
        },
        Phase::Settled(Outcome::Disconnected) => match w.goal {
            Goal::Disconnect => format!(
                "{id} is disconnected. Its KMS keys cannot be used until it is connected again."
            ),
            Goal::Connect => format!(
                "{id} stayed DISCONNECTED: the connect did not take effect. Try Connect again."
            ),
        },
        Phase::Settled(Outcome::StoreGone) => {
            format!("{id} no longer exists here (it was deleted, or the ID or region is wrong).")
        }
    }
}

fn expected_words(w: &Watch) -> &'static str {
    match (&w.goal, &w.store_type) {
        (Goal::Disconnect, _) => "a disconnect usually takes under a minute",
        (_, Some(CustomKeyStoreType::ExternalKeyStore)) => {
            "external key stores usually connect in about 5 minutes"
        }
        _ => "CloudHSM key stores can take up to 20 minutes to connect",
    }
}

/// Every watch, newest first. The newest is the "Connection status" region; the others are
/// named after their store.
#[component]
pub fn StatusPanel() -> impl IntoView {
    let board = use_ctx().watches.board;
    let ids = move || {
        board.with(|b| {
            b.watches()
                .iter()
                .map(|w| w.store_id.clone())
                .collect::<Vec<_>>()
        })
    };
    // A panel's live region is created with its first words, which screen readers tend to
    // skip: this one is always on the page and names each new watch.
    let started = Memo::new(move |_| {
        board.with(|b| {
            b.primary()
                .filter(|w| w.is_watching() && w.polls == 0)
                .map(|w| format!("Watching {}: asking KMS for its state.", w.store_id))
        })
    });
    view! {
        <p class="sr-only" role="status">{move || started.get()}</p>
        <Show when=move || board.with(|b| b.is_empty())>
            <section class="card" aria-labelledby="status-h">
                <h2 id="status-h">"Status"</h2>
                <div class="status" role="status" aria-label="Connection status">
                    <p>"Nothing is being watched. Connect or disconnect a store to follow it here."</p>
                </div>
                <NotifyToggle />
            </section>
        </Show>
        <For each=ids key=|id| id.clone() let:id>
            <WatchPanel id=id />
        </For>
    }
}

/// Lets the user allow browser notifications for settled watches.
#[component]
fn NotifyToggle() -> impl IntoView {
    let state = RwSignal::new(notify::permission());
    view! {
        <Show when=move || state.get() == notify::Permission::Ask>
            <button type="button" class="secondary small" on:click=move |_| notify::request(move |p| state.set(p))>
                "Notify me when a watch settles"
            </button>
        </Show>
    }
}

/// One watch's panel: its state in a live region, the fix steps of a FAILED store, its actions,
/// the report buttons and the timeline.
#[component]
fn WatchPanel(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let board = ctx.watches.board;
    let store = StoredValue::new(id.clone());
    let watch = Memo::new(move |_| store.with_value(|id| board.with(|b| b.get(id).cloned())));
    let primary = Memo::new(move |_| {
        store.with_value(|id| board.with(|b| b.primary().is_some_and(|w| &w.store_id == id)))
    });
    let heading_id = format!("watch-h-{id}");
    let labelled_by = heading_id.clone();
    let title = move || {
        if primary.get() {
            "Status".to_string()
        } else {
            format!("Status of {}", store.get_value())
        }
    };
    let region_name = move || {
        if primary.get() {
            "Connection status".to_string()
        } else {
            format!("Watch of {}", store.get_value())
        }
    };
    let failed = move || {
        watch.with(|w| {
            matches!(
                w.as_ref().map(|w| &w.phase),
                Some(Phase::Settled(Outcome::Failed(_)))
            )
        })
    };
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <div class="card-head">
                <h2 id=heading_id>{title}</h2>
                <Show when=move || primary.get()><NotifyToggle /></Show>
            </div>
            <div class="status" role="status" aria-label=region_name><Summary watch=watch /></div>
            <p class="meta">{move || meta(watch, ctx.clock.0.get())}</p>
            <Show when=failed>
                <FixSteps store=store />
            </Show>
            <ConfirmDisconnect at=ConfirmAt::Panel(id.clone()) />
            <Actions store=store watch=watch />
            <h3 class="sub">"Timeline"</h3>
            <ol class="timeline">{move || timeline(watch)}</ol>
        </section>
    }
}

/// The state badge, the headline, and for a FAILED store its code explained.
#[component]
fn Summary(watch: Memo<Option<Watch>>) -> impl IntoView {
    move || {
        watch.with(|w| {
            let Some(w) = w else { return ().into_any() };
            let state = w.state.as_ref().map(|st| st.as_str().to_string()).unwrap_or_else(|| "waiting for the first read".into());
            let failure = (w.state == Some(ConnectionState::Failed)).then(|| {
                let code = w.error_code.clone().unwrap_or_else(|| ConnectionErrorCode::Other("(no code given)".into()));
                let store_type = w.store_type.clone().unwrap_or(CustomKeyStoreType::AwsCloudHsm);
                let x = explain::connection_error(&code, &store_type);
                view! {
                    <div class="failure">
                        <p><code class="code">{code.as_str().to_string()}</code>": "{x.meaning}</p>
                        <p><strong>"What to do: "</strong>{x.fix}" "<a href=x.doc target="_blank" rel="noopener noreferrer">"AWS troubleshooting"</a></p>
                    </div>
                }
            });
            view! {
                <p class="state"><span class=badge_class(w.state.as_ref())>{state}</span></p>
                <p>{headline(w)}</p>
                {failure}
            }
            .into_any()
        })
    }
}

/// "Elapsed 2:05 (…); 7 checks." (the clock runs while the watch is open).
fn meta(watch: Memo<Option<Watch>>, now: i64) -> Option<String> {
    watch.with(|w| {
        w.as_ref().map(|w| {
            let end = match w.phase {
                Phase::Watching | Phase::Paused(_) => now,
                _ => w.last_poll_ms.unwrap_or(w.started_ms),
            };
            format!(
                "Elapsed {} ({}); {} checks.",
                mm_ss(w.elapsed_ms(end)),
                expected_words(w),
                w.polls
            )
        })
    })
}

fn timeline(watch: Memo<Option<Watch>>) -> impl IntoView {
    watch.with(|w| {
        w.as_ref().map(|w| {
            w.timeline
                .iter()
                .map(|e| {
                    let rid = e.request_id.clone().map(|r| view! { " " <code class="rid">{r}</code> });
                    view! { <li><time>{local_time(e.at_ms)}</time>" "{report::event_words(&e.kind)}{rid}</li> }
                })
                .collect_view()
        })
    })
}

/// The documented fix path of a FAILED store; its Disconnect asks first.
#[component]
fn FixSteps(store: StoredValue<String>) -> impl IntoView {
    let card = use_ctx().card;
    view! {
        <div class="fix">
            <p><strong>"To fix it, as the AWS documentation prescribes:"</strong></p>
            <ol>
                <li>"Disconnect the store (a FAILED store must be disconnected before it can connect again)."</li>
                <li>"Correct the cause above (for settings, update the store while it is disconnected)."</li>
                <li>"Connect it again."</li>
            </ol>
            <div class="actions">
                // The form moves to the watch's store and place only if the user confirms.
                <button type="button" class="primary"
                    on:click=move |_| card.confirm_disconnect.set(Some(ConfirmAt::Panel(store.get_value())))>
                    "Disconnect to fix…"
                </button>
            </div>
        </div>
    }
}

/// Connect again, Resume, Stop, the report, Close: each for this watch's store.
#[component]
fn Actions(store: StoredValue<String>, watch: Memo<Option<Watch>>) -> impl IntoView {
    let ctx = use_ctx();
    let flows = expect_context::<Flows>();
    let board = ctx.watches.board;
    let phase = move || watch.with(|w| w.as_ref().map(|w| w.phase.clone()));
    let open = move || matches!(phase(), Some(Phase::Watching | Phase::Paused(_)));
    let paused = move || matches!(phase(), Some(Phase::Paused(_)));
    let disconnected = move || matches!(phase(), Some(Phase::Settled(Outcome::Disconnected)));
    let connected = move || matches!(phase(), Some(Phase::Settled(Outcome::Connected)));
    let keys = super::state::use_keys();
    // The store test, in the Keys tab.
    let test = move |_| {
        if let Some(p) = watch.with_untracked(|w| w.as_ref().and_then(|w| w.place.clone())) {
            ctx.go_to(&p);
        }
        ctx.selection
            .open(&store.get_value(), crate::console::link::Tab::Keys);
        super::keys::run_test(ctx, keys);
    };
    // The panel's Connect goes where the watch is, not where the form points.
    let connect_again = move |_| {
        if let Some(p) = watch.with_untracked(|w| w.as_ref().and_then(|w| w.place.clone())) {
            ctx.go_to(&p);
        }
        ctx.selection.store_id.set(store.get_value());
        flows.connect(ctx);
    };
    let stop = move |_| {
        store.with_value(|id| {
            board.update(|b| {
                if let Some(w) = b.get_mut(id) {
                    w.stop(now_ms())
                }
            })
        })
    };
    let close = move |_| {
        store.with_value(|id| board.update(|b| b.dismiss(id)));
        notify::title("cks-console");
    };
    let copied = RwSignal::new(None::<String>);
    view! {
        <div class="actions">
            <Show when=disconnected>
                <button type="button" class="primary" disabled=move || busy(flows) on:click=connect_again>"Connect again"</button>
            </Show>
            <Show when=connected>
                <button type="button" class="secondary" on:click=test>"Test store"</button>
            </Show>
            <Show when=paused>
                <button type="button" class="primary" on:click=move |_| store.with_value(|id| resume(ctx, Some(id)))>"Resume watching"</button>
            </Show>
            <Show when=open>
                <button type="button" class="secondary" on:click=stop>"Stop watching"</button>
            </Show>
            <ReportButtons watch=watch copied=copied />
            <Show when=move || !open()>
                <button type="button" class="secondary" on:click=close>"Close"</button>
            </Show>
        </div>
        <p class="note" role="status">{move || copied.get()}</p>
    }
}

/// Copy report and Download JSON: the watch's timeline, codes and request ids, never a secret.
#[component]
fn ReportButtons(watch: Memo<Option<Watch>>, copied: RwSignal<Option<String>>) -> impl IntoView {
    let target = use_ctx().target;
    let context = move || {
        let place = watch.with_untracked(|w| w.as_ref().and_then(|w| w.place.clone()));
        let (region, endpoint) = match place {
            Some(p) => (p.region, p.endpoint.url),
            None => (
                target.region.get_untracked(),
                target.endpoint_url.get_untracked(),
            ),
        };
        report::Context {
            region,
            endpoint,
            generated_ms: now_ms(),
        }
    };
    let copy = move |_| {
        if let Some(w) = watch.get_untracked() {
            notify::copy(report::text(&w, &context()), move |ok| {
                copied.set(Some(if ok {
                    "Report copied.".into()
                } else {
                    "The browser refused the clipboard: use Download JSON.".into()
                }))
            });
        }
    };
    let download = move |_| {
        if let Some(w) = watch.get_untracked() {
            let json =
                serde_json::to_string_pretty(&report::json(&w, &context())).unwrap_or_default();
            notify::download(&format!("cks-report-{}.json", w.store_id), &json);
        }
    };
    view! {
        <button type="button" class="secondary" on:click=copy>"Copy report"</button>
        <button type="button" class="secondary" on:click=download>"Download JSON"</button>
    }
}
