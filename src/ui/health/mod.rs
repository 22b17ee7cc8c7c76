//! The Health tab: a store's health from CloudWatch. It fetches only while the tab is shown
//! for a store (DescribeAlarms beside ListMetrics and then one GetMetricData per graph, all
//! at once), again when
//! the range changes, on "Refresh now", and every refresh interval while the browser tab is
//! visible. The rules live in `console::health`; the calls in `web::cloudwatch_api`.

mod alarms;
mod attention;
mod chart;

pub use attention::attention;
pub use chart::{chart, charts};

use super::state::{Ctx, use_ctx};
use crate::aws::cloudwatch::{CwOperation, MetricAlarm};
use crate::aws::error::KmsError;
use crate::aws::kms::CustomKeyStoreType;
use crate::console::explain::cloudwatch_error;
use crate::console::health::StoreKind;
use crate::console::health::alarms::for_store;
use crate::console::health::attention::{assess, view_no_data};
use crate::console::health::discover::Discovered;
use crate::console::health::range::{Range, Refresh};
use crate::console::health::views::{ViewData, ViewKind, combine, plan};
use crate::console::link::Tab;
use crate::web::cloudwatch_api as cw;
use leptos::prelude::*;

/// One graph's state.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewState {
    Loading,
    /// No data point: why (never read as healthy).
    Empty(String),
    Failed(KmsError),
    Data(ViewData),
}

/// What the last (or current) fetch found for a store over a range.
#[derive(Clone, Debug, Default, PartialEq)]
struct Snapshot {
    key: Option<(String, Range)>,
    kind: Option<StoreKind>,
    /// `None` while ListMetrics runs.
    listing: Option<Result<Discovered, KmsError>>,
    views: Vec<(ViewKind, ViewState)>,
    /// Every graph read (the next opening of the tab does not fetch again).
    complete: bool,
}

/// The alarms part: set only when what it shows changes (its forms keep what was typed).
#[derive(Clone, Debug, PartialEq)]
struct AlarmData {
    store_id: String,
    kind: StoreKind,
    /// `None` when ListMetrics failed: no recommendation can be built.
    found: Option<Discovered>,
    /// This store's alarms.
    alarms: Result<Vec<MetricAlarm>, KmsError>,
}

#[derive(Clone, Copy)]
struct HealthState {
    snap: RwSignal<Snapshot>,
    alarms: RwSignal<Option<AlarmData>>,
    /// Indices into `Range::ALL` and `Refresh::ALL` (a signal type the page already has).
    range: RwSignal<usize>,
    refresh: RwSignal<usize>,
    /// What the section announces (role=status).
    msg: RwSignal<String>,
    /// The last message came from an automatic refresh that found nothing new failing: shown,
    /// not announced (a screen reader would otherwise hear the time every minute).
    quiet: RwSignal<bool>,
    /// A fetch runs (what it replaces, the assessment and the graphs, is `aria-busy`).
    busy: RwSignal<bool>,
    /// Bumped when the store, range, refresh or tab changes: the refresh loop stops.
    epoch: StoredValue<u64>,
    /// Bumped by each fetch: an older fetch stops.
    run: StoredValue<u64>,
    /// Bumped when the alarms are read again on their own (after one was created): a fetch
    /// that began before does not write its older list over them.
    alarms_read: StoredValue<u64>,
}

fn kind_of(t: CustomKeyStoreType) -> Option<StoreKind> {
    match t {
        CustomKeyStoreType::ExternalKeyStore => Some(StoreKind::External),
        CustomKeyStoreType::AwsCloudHsm => Some(StoreKind::CloudHsm),
        CustomKeyStoreType::Other(_) => None,
    }
}

fn tab_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// A failed CloudWatch call, explained (a call that was not sent, in KMS's words).
pub(super) fn cw_error(op: CwOperation, error: KmsError) -> impl IntoView {
    let x = if error.code.starts_with("NotSent") || error.code == "InvalidInput" {
        crate::console::explain::kms_error(
            &error,
            crate::aws::kms::Operation::DescribeCustomKeyStores,
        )
    } else {
        cloudwatch_error(&error, op)
    };
    super::common::explained(op.name(), error, x)
}

/// Fetches everything for `id` over `range` at once, writing each graph into the signals as
/// its answer arrives.
async fn load(ctx: Ctx, hs: HealthState, id: String, kind: StoreKind, range: Range, quiet: bool) {
    let run = hs.run.get_value() + 1;
    hs.run.set_value(run);
    let still = move || hs.run.try_get_value() == Some(run);
    hs.busy.set(true);
    let views = ViewKind::for_store(kind);
    // A refresh keeps the graphs shown until each one's new data arrives.
    let key = Some((id.clone(), range));
    let refresh = hs.snap.with_untracked(|s| {
        s.key == key && s.views.len() == views.len() && matches!(s.listing, Some(Ok(_)))
    });
    if refresh {
        hs.snap.update(|s| s.complete = false);
    } else {
        hs.snap.set(Snapshot {
            key,
            kind: Some(kind),
            listing: None,
            views: views.iter().map(|k| (*k, ViewState::Loading)).collect(),
            complete: false,
        });
    }
    if hs.alarms.with_untracked(|a| {
        a.as_ref()
            .is_some_and(|a| a.store_id != id || a.kind != kind)
    }) {
        hs.alarms.set(None);
    }
    if !quiet {
        hs.quiet.set(false);
        hs.msg
            .set(format!("Reading the health of {id} from CloudWatch…"));
    }
    let client = ctx.monitoring_client();
    // An alarm created while this fetch runs is read again at once (`read_alarms`): this
    // fetch's older answer must not replace it.
    let alarms_seen = hs.alarms_read.get_value();
    // Everything at once: DescribeAlarms beside ListMetrics and then every graph's
    // GetMetricData (CloudWatch's quota for it is 50 a second). Each graph is written as its
    // answer arrives, in its own place, so what is shown does not depend on the order.
    let newly_failed = std::cell::Cell::new(false);
    let graphs = async {
        let listed = match &client {
            Ok(c) => cw::list_metrics(c, &id, still).await,
            Err(e) => Err(KmsError::not_sent(e)),
        };
        if !still() {
            return None;
        }
        let found = match listed {
            Ok(m) => Discovered::new(&id, m),
            Err(e) => {
                hs.snap.update(|s| {
                    s.listing = Some(Err(e));
                    s.views.clear();
                });
                return None;
            }
        };
        hs.snap.update(|s| s.listing = Some(Ok(found.clone())));
        let now = crate::web::now_ms();
        let reads: Vec<_> = views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (plan, client, found) = (plan(*v, kind, &found, range, now), &client, &found);
                let newly_failed = &newly_failed;
                async move {
                    let state = match (plan, client) {
                        (None, _) => ViewState::Empty(view_no_data(*v, kind, found)),
                        (Some(p), Ok(c)) => match cw::get_metric_data(c, &p.request, still).await {
                            Ok(pages) => {
                                let d = combine(&p, &pages);
                                if d.is_empty() {
                                    let mut why = view_no_data(*v, kind, found);
                                    for (label, code, message) in &d.incomplete {
                                        why.push_str(&format!(" {label}: {code} {message}"));
                                    }
                                    ViewState::Empty(why)
                                } else {
                                    ViewState::Data(d)
                                }
                            }
                            Err(e) => ViewState::Failed(e),
                        },
                        (Some(_), Err(e)) => ViewState::Failed(KmsError::not_sent(e)),
                    };
                    if !still() {
                        return;
                    }
                    // A graph that fails as it failed before keeps its state: its alert would
                    // otherwise be read out again at every refresh (only the request id
                    // changes).
                    let same = hs.snap.with_untracked(|s| match (&s.views[i].1, &state) {
                        (ViewState::Failed(a), ViewState::Failed(b)) => {
                            a.code == b.code && a.message == b.message
                        }
                        _ => false,
                    });
                    if !same {
                        if matches!(state, ViewState::Failed(_)) {
                            newly_failed.set(true);
                        }
                        hs.snap.update(|s| s.views[i].1 = state);
                    }
                }
            })
            .collect();
        crate::web::all(reads).await;
        Some(found)
    };
    let alarms = async {
        match &client {
            Ok(c) => Some(cw::describe_alarms(c, still).await),
            Err(_) => None,
        }
    };
    let (found, alarms) = crate::web::both(graphs, alarms).await;
    if !still() {
        return;
    }
    if found.is_some() {
        hs.snap.update(|s| s.complete = true);
        hs.quiet.set(quiet && !newly_failed.get());
        hs.msg.set(format!(
            "Health of {id} read at {}.",
            crate::web::local_time(crate::web::now_ms())
        ));
    } else {
        hs.quiet.set(false);
        hs.msg
            .set("CloudWatch could not list the store's metrics.".into());
    }
    // The alarms do not depend on ListMetrics (their recommendations do).
    if let Some(alarms) = alarms
        && hs.alarms_read.get_value() == alarms_seen
    {
        show_alarms(hs, id, kind, found, alarms);
    }
    hs.busy.set(false);
}

/// DescribeAlarms again (after an alarm was created), keeping this store's.
async fn read_alarms(
    client: &crate::web::client::Client,
    hs: HealthState,
    id: String,
    kind: StoreKind,
    found: Option<Discovered>,
    still: impl Fn() -> bool + Copy,
) {
    hs.alarms_read.update_value(|n| *n += 1);
    let alarms = cw::describe_alarms(client, still).await;
    if still() {
        show_alarms(hs, id, kind, found, alarms);
    }
}

/// This store's alarms out of `alarms` (all of the account's), written only if what they show
/// changed (the forms keep what was typed).
fn show_alarms(
    hs: HealthState,
    store_id: String,
    kind: StoreKind,
    found: Option<Discovered>,
    alarms: Result<Vec<MetricAlarm>, KmsError>,
) {
    let alarms = alarms.map(|all| for_store(&all, &store_id).into_iter().cloned().collect());
    let data = Some(AlarmData {
        store_id,
        kind,
        found,
        alarms,
    });
    if hs.alarms.with_untracked(|a| *a != data) {
        hs.alarms.set(data);
    }
}

/// What decides a fetch: the store, its kind, the range, the refresh and whether the tab shows.
type Trigger = (String, Option<StoreKind>, Range, Refresh, bool);

#[component]
pub fn Health() -> impl IntoView {
    let ctx = use_ctx();
    let hs = HealthState {
        snap: RwSignal::new(Snapshot::default()),
        alarms: RwSignal::new(None),
        range: RwSignal::new(
            Range::ALL
                .iter()
                .position(|r| *r == Range::DEFAULT)
                .unwrap_or(0),
        ),
        refresh: RwSignal::new(
            Refresh::ALL
                .iter()
                .position(|r| *r == Refresh::DEFAULT)
                .unwrap_or(0),
        ),
        msg: RwSignal::new(String::new()),
        quiet: RwSignal::new(false),
        busy: RwSignal::new(false),
        epoch: StoredValue::new(0),
        run: StoredValue::new(0),
        alarms_read: StoredValue::new(0),
    };
    provide_context(hs);
    // What was read with forgotten credentials goes with them; a fetch in flight stops.
    ctx.creds.on_forget(move || {
        hs.run.update_value(|r| *r += 1);
        hs.busy.set(false);
        hs.snap.set(Snapshot::default());
        hs.alarms.set(None);
        hs.msg.set(String::new());
    });
    let last = StoredValue::new(None::<Trigger>);
    Effect::new(move |_| {
        let t: Trigger = (
            ctx.selection.store_id.get().trim().to_string(),
            ctx.selected_store().and_then(|s| kind_of(s.store_type())),
            Range::ALL[hs.range.get()],
            Refresh::ALL[hs.refresh.get()],
            ctx.selection.tab.get() == Tab::Health,
        );
        if last.with_value(|l| l.as_ref() == Some(&t)) {
            return;
        }
        last.set_value(Some(t.clone()));
        let epoch = hs.epoch.get_value() + 1;
        hs.epoch.set_value(epoch);
        let (id, Some(kind), range, refresh, true) = t else {
            // Left the tab or the store: a fetch in flight stops, and another store's data
            // goes.
            hs.run.update_value(|r| *r += 1);
            hs.busy.set(false);
            if hs
                .snap
                .with_untracked(|s| s.key.as_ref().is_some_and(|k| k.0 != t.0))
            {
                hs.snap.set(Snapshot::default());
                hs.alarms.set(None);
                hs.msg.set(String::new());
            }
            return;
        };
        let fresh = hs
            .snap
            .with_untracked(|s| s.complete && s.key.as_ref() == Some(&(id.clone(), range)));
        if !fresh {
            leptos::task::spawn_local(load(ctx, hs, id.clone(), kind, range, false));
        }
        if let Some(every) = refresh.interval_ms() {
            leptos::task::spawn_local(async move {
                loop {
                    crate::web::sleep_ms(every as u64).await;
                    if hs.epoch.try_get_value() != Some(epoch) {
                        break;
                    }
                    if !tab_hidden() {
                        load(ctx, hs, id.clone(), kind, range, true).await;
                    }
                }
            });
        }
    });
    let refresh_now = move |_| {
        if let Some((id, range)) = hs.snap.with_untracked(|s| s.key.clone())
            && let Some(kind) = hs.snap.with_untracked(|s| s.kind)
        {
            leptos::task::spawn_local(load(ctx, hs, id, kind, range, false));
        }
    };
    let kind = move || ctx.selected_store().and_then(|s| kind_of(s.store_type()));
    view! {
        <section class="health" aria-label="Store health">
            <div class="health-bar">
                <div>
                    <label for="health-range">"Time range"</label>
                    <select id="health-range" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() { hs.range.set(i.min(Range::ALL.len() - 1)) }
                    }>
                        {Range::ALL.iter().enumerate().map(|(i, r)| view! { <option value=i.to_string() selected=*r == Range::DEFAULT>{range_name(*r)}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="health-refresh">"Refresh"</label>
                    <select id="health-refresh" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() { hs.refresh.set(i.min(Refresh::ALL.len() - 1)) }
                    }>
                        {Refresh::ALL.iter().enumerate().map(|(i, r)| view! { <option value=i.to_string() selected=*r == Refresh::DEFAULT>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="button" class="secondary" on:click=refresh_now
                    disabled=move || hs.snap.with(|s| s.key.is_none())>"Refresh now"</button>
            </div>
            <p class="hint" role="status" aria-live=move || if hs.quiet.get() { "off" } else { "polite" }>{move || hs.msg.get()}</p>
            {move || kind().is_none().then(|| view! {
                <p class="hint">"Choose a store in the list above (Select): its type decides which graphs it has."</p>
            })}
            {move || (kind() == Some(StoreKind::CloudHsm)).then(|| view! { <Hsms /> })}
            <div class="health-body" aria-busy=move || hs.busy.get().to_string()>
                <Body />
            </div>
            <alarms::Alarms />
        </section>
    }
}

fn range_name(r: Range) -> &'static str {
    match r {
        Range::H1 => "1 hour",
        Range::H3 => "3 hours",
        Range::H12 => "12 hours",
        Range::D1 => "1 day",
        Range::D3 => "3 days",
        Range::W1 => "1 week",
    }
}

/// What needs attention, then the graphs.
#[component]
fn Body() -> impl IntoView {
    let hs = expect_context::<HealthState>();
    move || {
        hs.snap.with(|s| {
            let (Some(kind), Some(listing)) = (s.kind, s.listing.as_ref()) else {
                return if s.kind.is_some() {
                    attention(None, 0)
                } else {
                    ().into_any()
                };
            };
            let found = match listing {
                Ok(f) => f,
                Err(e) => {
                    return view! {
                        <h3 class="sub">"What needs attention"</h3>
                        <p>"Unknown: the store's metrics could not be listed."</p>
                        {cw_error(CwOperation::ListMetrics, e.clone())}
                    }
                    .into_any();
                }
            };
            let done = s.views.iter().all(|(_, v)| *v != ViewState::Loading);
            let health = done.then(|| {
                let data: Vec<ViewData> = s
                    .views
                    .iter()
                    .filter_map(|(_, v)| match v {
                        ViewState::Data(d) => Some(d.clone()),
                        _ => None,
                    })
                    .collect();
                let range = s.key.as_ref().map_or(Range::DEFAULT, |k| k.1);
                assess(kind, found, &data, range)
            });
            let failed = s
                .views
                .iter()
                .filter(|(_, v)| matches!(v, ViewState::Failed(_)))
                .count();
            let charts = charts(&s.views);
            view! {
                {attention(health.as_ref(), failed)}
                <h3 class="sub">"Graphs"</h3>
                <div class="charts">{charts}</div>
            }
            .into_any()
        })
    }
}

/// A CloudHSM store's cluster, as CloudHSM counted its HSMs for the store list.
#[component]
fn Hsms() -> impl IntoView {
    let ctx = use_ctx();
    move || {
        let cluster = ctx.selected_store()?.cloud_hsm_cluster_id?;
        let counts = ctx.stores.hsm_counts.with(|m| m.get(&cluster).copied());
        let (badge, line) = match counts {
            None => ("badge busy", "CloudHSM has not counted this cluster's HSMs (DescribeClusters): refresh the store list.".to_string()),
            Some((0, n)) => ("badge bad", format!("No active HSM ({n} in all): KMS cannot connect the store, and keys in it cannot be used. Add an HSM to the cluster.")),
            Some((1, n)) => ("badge busy", format!("1 active HSM ({n} in all): the store can connect, but creating keys needs two active HSMs in different Availability Zones, and one HSM is a single point of failure. Add an HSM in another zone.")),
            Some((a, n)) => ("badge ok", format!("{a} active HSMs ({n} in all): enough to connect and to create keys (two in different Availability Zones are needed).")),
        };
        Some(view! {
            <h3 class="sub">"The cluster's HSMs"</h3>
            <p><span class=badge>{if badge == "badge ok" { "OK" } else if badge == "badge bad" { "Urgent" } else { "Attention" }}</span>" "
                <code>{cluster}</code>": "{line}</p>
        })
    }
}
