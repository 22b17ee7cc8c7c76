//! One graph, drawn as plain SVG (bars for counts, lines for levels), with its name, a text
//! summary (latest, minimum, maximum of each series) and its data as a table. The axis labels
//! are HTML beside the SVG, so they stay readable at any width.

use super::{ViewState, cw_error};
use crate::aws::cloudwatch::CwOperation;
use crate::console::health::attention::{CERTIFICATE_ATTENTION_DAYS, LATENCY_ATTENTION_MS};
use crate::console::health::fixed;
use crate::console::health::views::{RELIABILITY, Series, ViewData, ViewKind, unit_for};
use crate::web::{local_date_time, local_time};
use leptos::prelude::*;

// The SVG's viewBox, "0 0 600 160", is written out in the view: no f64 is formatted with
// `Display`/`Debug` (nor `f64::clamp`, whose panic message does), so that the page does not link
// Rust's float formatter (console::health::fixed formats).
const W: f64 = 600.0;
const H: f64 = 160.0;
/// Series colours (CSS classes s0…s4, light and dark palettes in style/main.css).
const COLOURS: usize = 5;

fn num(v: f64) -> String {
    if v.abs() >= 100.0 || (v - v.round()).abs() < 0.005 {
        fixed(v, 0)
    } else {
        fixed(v, 1)
    }
}

/// `v` within `lo..=hi`, as `f64::clamp`, without its panic (and float formatting) if lo > hi.
fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    if v < lo {
        lo
    } else if v > hi {
        hi
    } else {
        v
    }
}

fn when(t: i64, long: bool) -> String {
    if long {
        local_date_time(t * 1000)
    } else {
        local_time(t * 1000)[..5].to_string()
    }
}

/// The smallest of 1, 2 or 5 × 10ⁿ at or above `v` (a round top for the axis).
fn nice(v: f64) -> f64 {
    if v <= 0.0 || v.is_infinite() {
        return v;
    }
    // The largest power of ten at or below `v` (`10f64.powf(v.log10().floor())`), as up / down,
    // by steps: `powf` and `log10` would link libm's pow (about 3 KB of wasm).
    let (mut up, mut down) = (1.0, 1.0);
    while up * 10.0 <= v {
        up *= 10.0;
    }
    while 1.0 / down > v {
        down *= 10.0;
    }
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * up / down)
        .find(|c| *c >= v)
        .unwrap_or(v)
}

/// One graph in its state: loading, no data (explained), failed (explained) or its data.
pub fn chart(kind: ViewKind, state: &ViewState) -> AnyView {
    framed(kind, body(state))
}

/// The graphs in order. A failure is explained at the first graph it stopped; a later graph
/// that failed the same way (code and message) names that graph instead of repeating the
/// explanation (a denied GetMetricData would otherwise say the same thing in every graph).
pub fn charts(views: &[(ViewKind, ViewState)]) -> AnyView {
    // The same code and message: the same failure (the request ids differ).
    let mut explained: Vec<((&str, &str), ViewKind)> = Vec::new();
    views
        .iter()
        .map(|(kind, state)| {
            let ViewState::Failed(e) = state else {
                return chart(*kind, state);
            };
            let key = (e.code.as_str(), e.message.as_str());
            match explained.iter().find(|(k, _)| *k == key) {
                Some((_, first)) => framed(
                    *kind,
                    view! {
                        <p class="chart-state nodata"><strong>"Not read. "</strong>
                            "GetMetricData failed with " <code>{e.code.clone()}</code>
                            ", as for " {first.title()} " above."</p>
                    }
                    .into_any(),
                ),
                None => {
                    explained.push((key, *kind));
                    chart(*kind, state)
                }
            }
        })
        .collect_view()
        .into_any()
}

fn body(state: &ViewState) -> AnyView {
    match state {
        ViewState::Loading => {
            view! { <p class="chart-state" aria-busy="true">"Loading…"</p> }.into_any()
        }
        ViewState::Empty(why) => view! {
            <p class="chart-state nodata"><strong>"No data. "</strong>{why.clone()}</p>
        }
        .into_any(),
        ViewState::Failed(e) => cw_error(CwOperation::GetMetricData, e.clone()).into_any(),
        ViewState::Data(d) => plot(d).into_any(),
    }
}

fn framed(kind: ViewKind, body: AnyView) -> AnyView {
    view! {
        <figure class="chart">
            <figcaption>{kind.title()}" "<span class="unit">"("{kind.unit()}")"</span></figcaption>
            {body}
        </figure>
    }
    .into_any()
}

fn plot(d: &ViewData) -> impl IntoView {
    let unit = d.kind.unit();
    let series: Vec<_> = d.series.iter().filter(|s| !s.points.is_empty()).collect();
    // Reliability draws its percentage; its error counts are told, not drawn on a % axis
    // (found by label: the percentage is absent from a range without requests).
    let is_drawn = |s: &Series| d.kind != ViewKind::Reliability || s.label == RELIABILITY;
    let times = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (t0, t1) = times.fold((i64::MAX, i64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    let values = series
        .iter()
        .filter(|s| is_drawn(s))
        .flat_map(|s| s.points.iter().map(|p| p.1));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    // From zero, except for a percentage that stays near the top.
    let lo = if d.kind == ViewKind::Reliability {
        lo.min(hi - 1.0).floor()
    } else {
        lo.min(0.0)
    };
    // AWS's threshold, drawn as a dashed line (and kept in view).
    let limit = match d.kind {
        ViewKind::CertificateDaysToExpire => Some(CERTIFICATE_ATTENTION_DAYS),
        ViewKind::Latency => Some(LATENCY_ATTENTION_MS),
        _ => None,
    };
    let hi = hi.max(limit.unwrap_or(hi));
    let hi = if d.kind == ViewKind::Reliability {
        100.0
    } else {
        nice(hi)
    };
    let hi = if hi > lo { hi } else { lo + 1.0 };
    // Counts are bars, one slot per period (the smallest step between two points), the
    // series of a slot side by side; levels are lines.
    let bars = matches!(
        d.kind,
        ViewKind::TotalRequests | ViewKind::TopExceptions | ViewKind::Throttling
    );
    let step = series
        .iter()
        .flat_map(|s| s.points.windows(2).map(|w| w[1].0 - w[0].0))
        .filter(|d| *d > 0)
        .min()
        .unwrap_or(300);
    // Every graph spans the whole range (its first to its last period), whatever its points:
    // graphs one above the other compare at a glance.
    let (first, last, step) = match d.span {
        Some((start, end, period)) => (start.min(t0), (end - period).max(t1), period),
        None => (t0, t1, step),
    };
    let (t0, t1) = (first, last);
    let pad = if bars { step / 2 } else { 0 };
    let (t0, t1) = (t0 - pad, t1 + pad);
    let span = (t1 - t0).max(1) as f64;
    let x = move |t: i64| (t - t0) as f64 / span * W;
    // A few units of headroom, so a line at the top is not cut by the edge.
    let y = move |v: f64| H - (v - lo) / (hi - lo) * (H - 4.0);
    let k = series.iter().filter(|s| is_drawn(s)).count().max(1) as f64;
    let slot = step as f64 / span * W;
    let marks = series
        .iter()
        .filter(|s| is_drawn(s))
        .enumerate()
        .map(|(i, s)| {
            let class = format!("s{}", i % COLOURS);
            if bars {
                let w = (slot * 0.8 / k).max(1.0);
                let rects = s
                    .points
                    .iter()
                    .map(|&(t, v)| {
                        let left = clamp(x(t) - slot * 0.4 + w * i as f64, 0.0, W - w);
                        let partial = (d.in_progress == Some(t)).then_some("partial");
                        view! { <rect class=partial x=fixed(left, 1) y=fixed(y(v), 1) width=fixed(w, 1) height=fixed(H - y(v), 1) /> }
                    })
                    .collect_view();
                view! { <g class=format!("bars {class}")>{rects}</g> }.into_any()
            } else if s.points.len() == 1 {
                let (t, v) = s.points[0];
                view! { <circle class=format!("dot {class}") cx=fixed(clamp(x(t), 4.0, W - 4.0), 1) cy=fixed(y(v), 1) r="4" /> }.into_any()
            } else {
                let mut path = String::new();
                for (j, &(t, v)) in s.points.iter().enumerate() {
                    path.push_str(if j == 0 { "M" } else { " L" });
                    path.push_str(&fixed(x(t), 1));
                    path.push(' ');
                    path.push_str(&fixed(y(v), 1));
                }
                view! { <path class=format!("line {class}") d=path vector-effect="non-scaling-stroke" /> }.into_any()
            }
        })
        .collect_view();
    let mut sentence = Vec::new();
    let summary = series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            // Counts: the bars, and Reliability's error series.
            let drawn = is_drawn(s);
            let count = bars || !drawn;
            let m = d.summary(s, count)?;
            let unit = unit_for(if drawn { unit } else { "errors" }, &num(m.latest));
            let unit = if count && d.in_progress == Some(m.latest_at) {
                format!("{unit} so far")
            } else {
                unit.to_string()
            };
            sentence.push(format!("{} latest {} {unit}", s.label, num(m.latest)));
            Some(view! {
                <li><span class=format!("sw s{}", i % COLOURS) aria-hidden="true" hidden={!drawn}></span>
                    <strong>{s.label.clone()}</strong>": latest "{num(m.latest)}" "{unit}
                    ", minimum "{num(m.min)}", maximum "{num(m.max)}</li>
            })
        })
        .collect_view();
    let label = format!("{}: {}", d.kind.title(), sentence.join("; "));
    // Dates from a day up: the 1-day range crosses midnight somewhere.
    let long = d.span.map_or(last - first, |(start, end, _)| end - start) >= 86_400;
    // A count's last bar is low while its period runs: said, and drawn lighter.
    let counting = d
        .in_progress
        .filter(|t| bars && series.iter().any(|s| s.points.iter().any(|p| p.0 == *t)))
        .map(|t| {
            format!(
                "The last bar is the period that began at {}: it was still counting when read.",
                when(t, long)
            )
        });
    let notes = d
        .incomplete
        .iter()
        .map(|(l, c, m)| format!("{l}: {c} {m}"))
        .chain(
            (d.left_out > 0)
                .then(|| format!("{} streams left out (one call's limit).", d.left_out)),
        )
        .chain(counting)
        .map(|n| view! { <li>{n}</li> })
        .collect_view();
    view! {
        <div class="plot">
            <div class="y-axis" aria-hidden="true"><span>{num(hi)}</span><span>{num(lo)}</span></div>
            <svg viewBox="0 0 600 160" preserveAspectRatio="none" role="img" aria-label=label>
                <line class="grid" x1="0" x2="600" y1="0.5" y2="0.5" vector-effect="non-scaling-stroke" />
                <line class="grid" x1="0" x2="600" y1="80" y2="80" vector-effect="non-scaling-stroke" />
                <line class="axis" x1="0" x2="600" y1="159.5" y2="159.5" vector-effect="non-scaling-stroke" />
                {marks}
                {limit.map(|l| view! { <line class="limit" x1="0" x2="600" y1=fixed(y(l), 1) y2=fixed(y(l), 1) vector-effect="non-scaling-stroke" /> })}
            </svg>
            <div class="x-axis" aria-hidden="true"><span>{when(first, long)}</span><span>{when(last, long)}</span></div>
        </div>
        <ul class="chart-sum">{summary}
            {limit.map(|l| view! { <li><span class="sw limit" aria-hidden="true"></span>"AWS's threshold: "{num(l)}" "{unit}</li> })}
        </ul>
        <ul class="notes">{notes}</ul>
        {table(d, &series, long)}
    }
}

/// The data as a table, folded under "Data table".
fn table(
    d: &ViewData,
    series: &[&crate::console::health::views::Series],
    long: bool,
) -> impl IntoView {
    let mut times: Vec<i64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    times.sort_unstable();
    times.dedup();
    let head = series
        .iter()
        .map(|s| view! { <th scope="col">{s.label.clone()}</th> })
        .collect_view();
    let rows = times
        .into_iter()
        .map(|t| {
            let cells = series
                .iter()
                .map(|s| {
                    let v = s.points.iter().find(|p| p.0 == t).map(|p| num(p.1));
                    view! { <td>{v.unwrap_or_else(|| "–".into())}</td> }
                })
                .collect_view();
            view! { <tr><th scope="row">{when(t, long)}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <details class="data">
            <summary>"Data table"</summary>
            <div class="table-wrap">
                <table>
                    <caption>{d.kind.title()}" ("{d.kind.unit()}")"</caption>
                    <thead><tr><th scope="col">"Time"</th>{head}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </details>
    }
}
