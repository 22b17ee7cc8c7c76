//! The alarms on the store's metrics (DescribeAlarms) with their states, and each recommended
//! alarm that is missing, offered for creation: its name and SNS topic can be edited, its exact
//! definition shows as JSON (with Copy), and "Create this alarm" sends that JSON as one
//! PutMetricAlarm.

use super::{HealthState, cw_error, read_alarms};
use crate::aws::cloudwatch::{CwOperation, PutMetricAlarmRequest, StateValue};
use crate::aws::error::KmsError;
use crate::aws::kms::Validate;
use crate::console::health::StoreKind;
use crate::console::health::alarms::{AlarmKey, covers, definition_json, recommended};
use crate::console::health::discover::Discovered;
use crate::web::cloudwatch_api as cw;
use leptos::prelude::*;

fn state_class(s: Option<&StateValue>) -> &'static str {
    match s.map(|s| s.as_str()) {
        Some("OK") => "badge ok",
        Some("ALARM") => "badge bad",
        _ => "badge off",
    }
}

#[component]
pub fn Alarms() -> impl IntoView {
    let hs = expect_context::<HealthState>();
    move || {
        hs.alarms.with(|a| {
            let a = a.as_ref()?;
            let list = match &a.alarms {
                Err(e) => return Some(view! {
                    <h3 class="sub">"Alarms"</h3>
                    {cw_error(CwOperation::DescribeAlarms, e.clone())}
                }.into_any()),
                Ok(list) => list,
            };
            let existing = list
                .iter()
                .map(|m| {
                    let state = m.state_value.as_ref().map_or("INSUFFICIENT_DATA", |s| s.as_str());
                    view! { <li><span class=state_class(m.state_value.as_ref())>{state}</span>" "<code>{m.alarm_name.clone()}</code></li> }
                })
                .collect_view();
            let offers = (a.kind == StoreKind::External).then(|| {
                AlarmKey::ALL
                    .into_iter()
                    .map(|key| {
                        let by: Vec<String> = list.iter().filter(|m| covers(key, &a.store_id, m)).map(|m| m.alarm_name.clone()).collect();
                        if let (true, Some(found)) = (by.is_empty(), &a.found) {
                            view! { <CreateAlarm key found=found.clone() /> }.into_any()
                        } else if by.is_empty() {
                            view! { <li><strong>{key.title()}</strong>": needs the store's metrics, which could not be listed (above)."</li> }.into_any()
                        } else {
                            view! { <li><strong>{key.title()}</strong>": covered by "<code>{by.join(", ")}</code></li> }.into_any()
                        }
                    })
                    .collect_view()
            });
            Some(view! {
                <h3 class="sub">"Alarms"</h3>
                {if list.is_empty() {
                    view! { <p class="hint">"No CloudWatch alarm watches this store's metrics."</p> }.into_any()
                } else {
                    view! { <ul class="alarm-list">{existing}</ul> }.into_any()
                }}
                {offers.map(|o| view! {
                    <h4 class="sub">"Recommended by AWS"</h4>
                    <ul class="recommended">{o}</ul>
                })}
            }.into_any())
        })
    }
}

/// The request for `key` with the user's name and topic, or why it cannot be made.
fn definition(
    key: AlarmKey,
    found: &Discovered,
    name: &str,
    sns: &str,
) -> Result<PutMetricAlarmRequest, String> {
    let rec = recommended(found, Some(sns))
        .into_iter()
        .find(|r| r.key == key);
    let mut req = rec.ok_or_else(String::new)?.request?;
    req.alarm_name = name.trim().to_string();
    match req.problems().first() {
        Some(p) => Err(format!("{}: {}", p.member, p.message)),
        None => Ok(req),
    }
}

/// One missing recommended alarm: opens into its form.
#[component]
fn CreateAlarm(key: AlarmKey, found: Discovered) -> impl IntoView {
    let hs = expect_context::<HealthState>();
    let ctx = super::use_ctx();
    let open = RwSignal::new(false);
    let name = RwSignal::new(key.alarm_name(&found.store_id));
    let sns = RwSignal::new(String::new());
    let sending = RwSignal::new(false);
    let failed = RwSignal::new(None::<KmsError>);
    let found = std::sync::Arc::new(found);
    let f = found.clone();
    let def = move || definition(key, &f, &name.get(), &sns.get());
    let unavailable = recommended(&found, None)
        .into_iter()
        .find(|r| r.key == key)
        .and_then(|r| r.request.err());
    let slug = format!("{key:?}").to_ascii_lowercase();
    let (name_id, sns_id, form_id) = (
        format!("an-{slug}"),
        format!("sns-{slug}"),
        format!("af-{slug}"),
    );
    let (def2, def3) = (def.clone(), def.clone());
    let json = move || def2().ok().map(|r| definition_json(&r));
    let json2 = json.clone();
    let copy = move |_| {
        if let Some(j) = json2() {
            crate::web::notify::copy(j, move |ok| {
                hs.msg.set(
                    if ok {
                        "Definition copied."
                    } else {
                        "The browser did not allow copying: select the text instead."
                    }
                    .into(),
                )
            });
        }
    };
    let create = move |_| {
        let Ok(req) = def() else { return };
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            let out = match ctx.monitoring_client() {
                Ok(c) => cw::put_metric_alarm(&c, &req).await.map(|_| c),
                Err(e) => Err(KmsError::not_sent(&e)),
            };
            sending.try_set(false);
            match out {
                Ok(c) => {
                    hs.msg.set(format!("Created alarm {}.", req.alarm_name));
                    if let Some(a) = hs.alarms.get_untracked() {
                        read_alarms(&c, hs, a.store_id, a.kind, a.found, || true).await;
                    }
                }
                Err(e) => {
                    failed.try_set(Some(e));
                }
            }
        });
    };
    let body = match unavailable {
        Some(why) => view! { <p class="hint">{why}</p> }.into_any(),
        None => view! {
            <button type="button" class="secondary small" aria-expanded=move || open.get().to_string() aria-controls=form_id.clone()
                on:click=move |_| open.update(|o| *o = !*o)>"Create alarm…"</button>
            <div id=form_id hidden=move || !open.get() class="alarm-form">
                <label for=name_id.clone()>"Alarm name"</label>
                <input id=name_id type="text" spellcheck="false" autocomplete="off" bind:value=name />
                <label for=sns_id.clone()>"SNS topic ARN"</label>
                <input id=sns_id type="text" spellcheck="false" autocomplete="off" placeholder="optional: arn:aws:sns:us-east-1:111122223333:kms-alerts" bind:value=sns />
                {move || def3().err().map(|e| view! { <p class="field-msg">{e}</p> })}
                <p class="hint">"This definition is sent as it stands (PutMetricAlarm):"</p>
                <pre class="json" tabindex="0" aria-label="Alarm definition (JSON)">{json}</pre>
                <div class="actions">
                    <button type="button" class="primary" disabled=move || sending.get() on:click=create>
                        {move || if sending.get() { "Creating…" } else { "Create this alarm" }}</button>
                    <button type="button" class="secondary" on:click=copy>"Copy"</button>
                </div>
                {move || failed.get().map(|e| cw_error(CwOperation::PutMetricAlarm, e))}
            </div>
        }.into_any(),
    };
    view! { <li><strong>{key.title()}</strong>" "{body}</li> }
}
