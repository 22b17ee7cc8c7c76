use super::{ConfirmAt, Session, use_session};
use crate::explain;
use crate::kms::{ConnectionErrorCode, ConnectionState, CustomKeyStoreType, Operation};
use crate::watch::{EventKind, Goal, Outcome, Pause, Phase, Watch};
use crate::web::{local_time, now_ms, sleep_ms};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Shows `watch` in the status panel and polls until it settles (or another watch replaces it).
pub fn start_watch(s: Session, watch: Watch) {
    s.watch.set(Some(watch));
    spawn_poller(s);
}

/// Starts a poll loop for the current watch; any older loop ends at its next wake-up.
pub fn spawn_poller(s: Session) {
    let generation = s.watch_generation.get_value() + 1;
    s.watch_generation.set_value(generation);
    spawn_local(poll(s, generation));
}

/// Resumes a watch paused for credentials (after a paste or the emulator button).
pub fn resume_if_paused(s: Session) {
    let paused = s.watch.with_untracked(|w| {
        w.as_ref()
            .is_some_and(|w| matches!(w.phase, Phase::Paused(_)))
    });
    if !paused {
        return;
    }
    match s.client() {
        Ok(_) => {
            s.watch.update(|w| {
                if let Some(w) = w {
                    w.resume(now_ms())
                }
            });
            spawn_poller(s);
        }
        Err(problem) => s.notice.set(Some(format!("Cannot resume yet: {problem}"))),
    }
}

/// The poll loop: sleep until the watch says, Describe, feed the answer back. It ends when the
/// watch stops polling, a newer loop starts, or the page is gone.
async fn poll(s: Session, generation: u64) {
    let current = move || s.watch_generation.try_get_value() == Some(generation);
    loop {
        let Some(Some(due)) = s
            .watch
            .try_with_untracked(|w| w.as_ref().and_then(Watch::next_poll_at_ms))
        else {
            return;
        };
        let wait = (due - now_ms()).max(0) as u64;
        if wait > 0 {
            sleep_ms(wait).await;
        }
        if !current() {
            return;
        }
        let Some(Some(id)) = s.watch.try_with_untracked(|w| {
            w.as_ref()
                .filter(|w| w.is_watching())
                .map(|w| w.store_id.clone())
        }) else {
            return;
        };
        let client = match s.client() {
            Ok(c) => c,
            Err(problem) => {
                s.watch.update(|w| {
                    if let Some(w) = w {
                        w.pause(now_ms(), Pause::NoCredentials(problem))
                    }
                });
                return;
            }
        };
        let result = super::connect::describe_one(&client, &id).await;
        if !current() {
            return;
        }
        let now = now_ms();
        if let Ok((store, _)) = &result {
            super::stores::update_row(s, store);
        }
        s.watch.update(|w| {
            if let Some(w) = w {
                match &result {
                    Ok((store, request_id)) => w.observe(now, store, request_id.clone()),
                    Err(e) => w.observe_error(now, e),
                }
            }
        });
    }
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
        Phase::Stopped => {
            "Stopped watching. KMS was not touched: the store goes on by itself.".to_string()
        }
        Phase::Settled(Outcome::Connected) => {
            format!("{id} is connected. Its KMS keys can be used.")
        }
        Phase::Settled(Outcome::Failed(_)) => format!("{id} failed to connect."),
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

fn event_words(kind: &EventKind) -> String {
    match kind {
        EventKind::Requested(Goal::Connect) => "ConnectCustomKeyStore accepted".to_string(),
        EventKind::Requested(Goal::Disconnect) => "DisconnectCustomKeyStore accepted".to_string(),
        EventKind::Reopened => "watch reopened from the page's link".to_string(),
        EventKind::State(st, Some(code)) => format!("{st} ({code})"),
        EventKind::State(st, None) => st.to_string(),
        EventKind::Error(code) => format!("poll failed: {code}"),
        EventKind::Paused => "paused".to_string(),
        EventKind::Resumed => "resumed".to_string(),
        EventKind::Stopped => "stopped watching".to_string(),
    }
}

#[component]
pub fn StatusPanel() -> impl IntoView {
    let s = use_session();
    let summary = move || {
        s.watch.with(|w| {
            let Some(w) = w else {
                return view! { <p>"Nothing is being watched. Connect or disconnect a store to follow it here."</p> }.into_any();
            };
            let state = w.state.as_ref().map(|st| st.as_str().to_string()).unwrap_or_else(|| "waiting for the first read".into());
            let badge = match w.state {
                Some(ConnectionState::Connected) => "badge ok",
                Some(ConnectionState::Failed) => "badge bad",
                Some(ConnectionState::Disconnected) => "badge off",
                _ => "badge busy",
            };
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
                <p class="state"><span class=badge>{state}</span></p>
                <p>{headline(w)}</p>
                {failure}
            }
            .into_any()
        })
    };
    let meta = move || {
        s.watch.with(|w| {
            w.as_ref().map(|w| {
                let end = match w.phase {
                    Phase::Watching | Phase::Paused(_) => s.now_ms.get(),
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
    };
    let timeline = move || {
        s.watch.with(|w| {
            w.as_ref().map(|w| {
                w.timeline
                    .iter()
                    .map(|e| {
                        let rid = e.request_id.clone().map(|r| view! { " " <code class="rid">{r}</code> });
                        view! { <li><time>{local_time(e.at_ms)}</time>" "{event_words(&e.kind)}{rid}</li> }
                    })
                    .collect_view()
            })
        })
    };
    let phase = move || {
        s.watch.with(|w| {
            w.as_ref()
                .map(|w| (w.phase.clone(), w.goal, w.store_id.clone()))
        })
    };
    let watching = move || matches!(phase(), Some((Phase::Watching | Phase::Paused(_), _, _)));
    let paused = move || matches!(phase(), Some((Phase::Paused(_), _, _)));
    let failed = move || matches!(phase(), Some((Phase::Settled(Outcome::Failed(_)), _, _)));
    let disconnected_after_fix =
        move || matches!(phase(), Some((Phase::Settled(Outcome::Disconnected), _, _)));
    let use_store = move || {
        if let Some((_, _, id)) = phase() {
            s.store_id.set(id);
        }
    };
    view! {
        <section class="card" aria-labelledby="status-h">
            <h2 id="status-h">"Status"</h2>
            <div class="status" role="status" aria-label="Connection status">{summary}</div>
            <p class="meta">{meta}</p>
            <Show when=failed>
                <div class="fix">
                    <p><strong>"To fix it, as the AWS documentation prescribes:"</strong></p>
                    <ol>
                        <li>"Disconnect the store (a FAILED store must be disconnected before it can connect again)."</li>
                        <li>"Correct the cause above (for settings, update the store while it is disconnected)."</li>
                        <li>"Connect it again."</li>
                    </ol>
                    <div class="actions">
                        <button type="button" class="primary" on:click=move |_| {
                            use_store();
                            s.confirm_disconnect.set(Some(ConfirmAt::Panel));
                        }>"Disconnect to fix…"</button>
                    </div>
                </div>
            </Show>
            <ConfirmDisconnectHere />
            <div class="actions">
                <Show when=disconnected_after_fix>
                    <button type="button" class="primary" disabled=move || super::connect::busy(s) on:click=move |_| {
                        use_store();
                        s.connect.dispatch(());
                    }>"Connect again"</button>
                </Show>
                <Show when=paused>
                    <button type="button" class="primary" on:click=move |_| resume_if_paused(s)>"Resume watching"</button>
                </Show>
                <Show when=watching>
                    <button type="button" class="secondary" on:click=move |_| {
                        s.watch.update(|w| if let Some(w) = w { w.stop(now_ms()) });
                    }>"Stop watching"</button>
                </Show>
            </div>
            <h3 class="sub">"Timeline"</h3>
            <ol class="timeline">{timeline}</ol>
        </section>
    }
}

#[component]
fn ConfirmDisconnectHere() -> impl IntoView {
    view! { <super::connect::ConfirmDisconnect at=ConfirmAt::Panel /> }
}
