//! "What needs attention": each item names the metric, its value, its severity, what it means
//! and what to do (`console::health::attention`); a store with data and no item says so, and a
//! store without data says "no data", never healthy.

use crate::console::health::attention::{Health, Severity, Verdict};
use leptos::prelude::*;

fn class(s: Severity) -> &'static str {
    match s {
        Severity::Urgent => "badge bad",
        Severity::Attention => "badge busy",
        Severity::Advice => "badge off",
    }
}

/// The list, from the assessment (`None` while the graphs load); `unread` graphs failed.
pub fn attention(health: Option<&Health>, unread: usize) -> AnyView {
    let verdict = match health.map(|h| &h.verdict) {
        None => view! { <p class="hint" aria-busy="true">"Checking…"</p> }.into_any(),
        Some(Verdict::NoData(n)) => view! {
            <p class="verdict nodata"><span class="badge off">"No data"</span>" "{n.explanation()}</p>
        }
        .into_any(),
        Some(Verdict::Healthy) => view! {
            <p class="verdict"><span class="badge ok">"Healthy"</span>" Nothing needs attention: every metric with data in the range is within AWS's recommended thresholds."</p>
        }
        .into_any(),
        Some(Verdict::NeedsAttention) => ().into_any(),
    };
    let items = health
        .map(|h| {
            h.items
                .iter()
                .map(|i| {
                    view! {
                        <li class="att">
                            <p><span class=class(i.severity)>{i.severity.label()}</span>" "
                                <code class="code">{i.metric}</code>": "{i.value.clone()}</p>
                            <p>{i.meaning.clone()}</p>
                            <p><strong>"What to do: "</strong>{i.action.clone()}</p>
                        </li>
                    }
                })
                .collect_view()
        })
        .into_iter()
        .collect_view();
    let unread = (unread > 0).then(|| {
        view! { <p class="notice">{format!("{unread} graph(s) could not be read (see below): what they show is not part of this list.")}</p> }
    });
    view! {
        <h3 class="sub">"What needs attention"</h3>
        {verdict}
        <ul class="attention">{items}</ul>
        {unread}
    }
    .into_any()
}
