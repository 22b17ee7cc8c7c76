use super::{Session, use_session};
use crate::explain;
use crate::kms::{ConnectionState, CustomKeyStoreType};
use crate::watch::{EventKind, Goal, Outcome, Phase, Watch};
use crate::web::{local_time, now_ms, sleep_ms};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Shows `watch` in the status panel and polls until it settles (or a newer watch replaces it).
pub fn start_watch(s: Session, watch: Watch) {
    let generation = s.watch_generation.get_value() + 1;
    s.watch_generation.set_value(generation);
    s.watch.set(Some(watch));
    spawn_local(poll(s, generation));
}

/// The poll loop: sleep as the watch says, Describe, feed the answer back. It ends when the
/// watch stops polling, a newer watch starts, or the page is gone.
async fn poll(s: Session, generation: u64) {
    let current = move || s.watch_generation.try_get_value() == Some(generation);
    loop {
        let Some(Some(delay)) = s
            .watch
            .try_with_untracked(|w| w.as_ref().and_then(Watch::next_delay_ms))
        else {
            return;
        };
        sleep_ms(delay).await;
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
        let result = match s.client() {
            Ok(client) => super::connect::describe_one(&client, &id).await,
            Err(problem) => {
                // The fields changed under the watch (credentials forgotten): wait for them.
                s.notice.set(Some(format!("Watching paused: {problem}")));
                if let Some(w) = s.watch.write().as_mut() {
                    w.stop(now_ms());
                }
                return;
            }
        };
        if !current() {
            return;
        }
        let now = now_ms();
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
            let headline = match &w.phase {
                Phase::Watching => format!("Watching {}: checking again shortly.", w.store_id),
                Phase::Paused(e) => format!("Watching paused by {}: {}", e.code, explain::kms_error(e, crate::kms::Operation::DescribeCustomKeyStores).fix),
                Phase::Stopped => "Stopped watching. KMS was not touched: the store goes on by itself.".to_string(),
                Phase::Settled(Outcome::Connected) => format!("{} is connected. Its KMS keys can be used.", w.store_id),
                Phase::Settled(Outcome::Failed(_)) => format!("{} failed to connect.", w.store_id),
                Phase::Settled(Outcome::Disconnected) => match w.goal {
                    Goal::Disconnect => format!("{} is disconnected.", w.store_id),
                    Goal::Connect => format!("{} stayed disconnected: the connect did not take effect. Try Connect again.", w.store_id),
                },
                Phase::Settled(Outcome::StoreGone) => format!("{} no longer exists (deleted, or a wrong ID or region).", w.store_id),
            };
            let failure = (w.state == Some(ConnectionState::Failed)).then(|| {
                let code = w.error_code.clone().unwrap_or_else(|| crate::kms::ConnectionErrorCode::Other("(none given)".into()));
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
                <p>{headline}</p>
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
                    _ => w.timeline.last().map(|e| e.at_ms).unwrap_or(w.started_ms),
                };
                let kind = match (&w.goal, &w.store_type) {
                    (Goal::Disconnect, _) => "a disconnect usually takes under a minute",
                    (_, Some(CustomKeyStoreType::ExternalKeyStore)) => {
                        "external key stores usually connect in about 5 minutes"
                    }
                    _ => "CloudHSM key stores can take up to 20 minutes",
                };
                format!(
                    "Elapsed {} ({kind}); {} polls.",
                    mm_ss(w.elapsed_ms(end)),
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
                        let what = match &e.kind {
                            EventKind::Requested(Goal::Connect) => {
                                "ConnectCustomKeyStore accepted".to_string()
                            }
                            EventKind::Requested(Goal::Disconnect) => {
                                "DisconnectCustomKeyStore accepted".to_string()
                            }
                            EventKind::State(st, Some(code)) => format!("{st} ({code})"),
                            EventKind::State(st, None) => st.to_string(),
                            EventKind::Error(code) => format!("poll failed: {code}"),
                            EventKind::Paused => "paused".to_string(),
                            EventKind::Resumed => "resumed".to_string(),
                            EventKind::Stopped => "stopped watching".to_string(),
                        };
                        let rid = e
                            .request_id
                            .clone()
                            .map(|r| view! { " " <code class="rid">{r}</code> });
                        view! { <li><time>{local_time(e.at_ms)}</time>" "{what}{rid}</li> }
                    })
                    .collect_view()
            })
        })
    };
    let watching = move || {
        s.watch.with(|w| {
            w.as_ref()
                .is_some_and(|w| matches!(w.phase, Phase::Watching | Phase::Paused(_)))
        })
    };
    let paused = move || {
        s.watch.with(|w| {
            w.as_ref()
                .is_some_and(|w| matches!(w.phase, Phase::Paused(_)))
        })
    };
    view! {
        <section class="card" aria-labelledby="status-h">
            <h2 id="status-h">"Status"</h2>
            <div class="status" role="status" aria-label="Connection status">{summary}</div>
            <p class="meta">{meta}</p>
            <ol class="timeline">{timeline}</ol>
            <div class="actions">
                <Show when=paused>
                    <button type="button" class="primary" on:click=move |_| {
                        s.watch.update(|w| if let Some(w) = w { w.resume(now_ms()) });
                        start_watch(s, s.watch.get_untracked().expect("a paused watch"));
                    }>"Resume watching"</button>
                </Show>
                <Show when=watching>
                    <button type="button" class="secondary" on:click=move |_| {
                        s.watch.update(|w| if let Some(w) = w { w.stop(now_ms()) });
                    }>"Stop watching"</button>
                </Show>
            </div>
        </section>
    }
}
