//! Component tests of the Health tab: every graph in each state (loading, no data, error,
//! data: its name, text summary and data table), and "What needs attention" with each kind of
//! item, a healthy store and a store without data. Rendered from the pure types (no network).
#![cfg(target_arch = "wasm32")]

mod common;

use cks_console::aws::cloudwatch::{Dimension, Metric};
use cks_console::aws::error::KmsError;
use cks_console::console::health::attention::{Health, NoData, Verdict, assess};
use cks_console::console::health::discover::Discovered;
use cks_console::console::health::range::Range;
use cks_console::console::health::views::{NON_RETRYABLE, RETRYABLE, Series, ViewData, ViewKind};
use cks_console::console::health::{NAMESPACE, StoreKind, dim, metric};
use cks_console::ui::{ViewState, attention, chart, charts};
use common::Page;
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ALL: [ViewKind; 8] = [
    ViewKind::TotalRequests,
    ViewKind::Reliability,
    ViewKind::Latency,
    ViewKind::TopExceptions,
    ViewKind::CertificateDaysToExpire,
    ViewKind::CredentialAge,
    ViewKind::ExternalKeyManagerStates,
    ViewKind::Throttling,
];

fn mount(f: impl FnOnce() -> AnyView + 'static) -> Page {
    Page::mount_view_at("#", move || {
        cks_console::ui::provide();
        f()
    })
}

fn data(kind: ViewKind, series: &[(&str, &[f64])]) -> ViewData {
    ViewData {
        kind,
        series: series
            .iter()
            .map(|(label, values)| Series {
                label: label.to_string(),
                points: values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (1_700_000_000 + i as i64 * 300, *v))
                    .collect(),
            })
            .collect(),
        incomplete: vec![],
        left_out: 0,
        in_progress: None,
        span: None,
    }
}

fn sample(kind: ViewKind) -> ViewData {
    match kind {
        ViewKind::Reliability => data(
            kind,
            &[
                ("Reliability", &[100.0, 98.0, 99.5]),
                (RETRYABLE, &[0.0, 2.0, 1.0]),
                (NON_RETRYABLE, &[]),
            ],
        ),
        ViewKind::Latency => data(
            kind,
            &[
                ("Encrypt / Encrypt", &[40.0, 230.0, 60.0]),
                ("Decrypt / Decrypt", &[35.0]),
            ],
        ),
        _ => data(kind, &[("series-a", &[3.0, 7.0, 5.0])]),
    }
}

fn el(p: &Page, sel: &str) -> Option<web_sys::Element> {
    p.root.query_selector(sel).unwrap()
}

#[wasm_bindgen_test]
fn every_graph_loading_empty_and_failed() {
    for kind in ALL {
        let p = mount(move || chart(kind, &ViewState::Loading));
        assert_eq!(
            el(&p, "figure figcaption")
                .unwrap()
                .text_content()
                .unwrap()
                .trim_end(),
            format!("{} ({})", kind.title(), kind.unit())
        );
        assert!(el(&p, "[aria-busy=true]").is_some() && p.text().contains("Loading"));
        assert!(el(&p, "svg").is_none());
        drop(p);

        let why = format!("CloudWatch lists no {} for this store.", kind.title());
        let w = why.clone();
        let p = mount(move || chart(kind, &ViewState::Empty(w)));
        assert!(
            p.text().contains("No data.") && p.text().contains(&why),
            "{}",
            p.text()
        );
        assert!(el(&p, "svg").is_none() && !p.text().contains("Healthy"));
        drop(p);

        let mut e = KmsError::not_sent("x");
        e.code = "AccessDenied".into();
        e.message = "not authorized to perform cloudwatch:GetMetricData".into();
        e.request_id = Some("req-9".into());
        let p = mount(move || chart(kind, &ViewState::Failed(e)));
        let alert = el(&p, "[role=alert]").expect("error box");
        let t = alert.text_content().unwrap();
        assert!(
            t.contains("GetMetricData failed") && t.contains("AccessDenied"),
            "{t}"
        );
        assert!(
            t.contains("cloudwatch:GetMetricData") && t.contains("What to do"),
            "{t}"
        );
        assert!(t.contains("req-9"));
    }
}

/// A denied GetMetricData is explained once, at the first graph it stopped; the other graphs
/// it stopped name that graph; a different error is explained where it happened.
#[wasm_bindgen_test]
fn a_repeated_failure_is_explained_once() {
    let denied = || {
        let mut e = KmsError::not_sent("x");
        e.code = "AccessDenied".into();
        e.message = "not authorized to perform cloudwatch:GetMetricData".into();
        e
    };
    let mut throttled = KmsError::not_sent("x");
    throttled.code = "Throttling".into();
    let views = vec![
        (ViewKind::TotalRequests, ViewState::Failed(denied())),
        (ViewKind::Latency, ViewState::Failed(denied())),
        (ViewKind::Throttling, ViewState::Failed(throttled)),
        (
            ViewKind::Reliability,
            ViewState::Data(sample(ViewKind::Reliability)),
        ),
        (ViewKind::CredentialAge, ViewState::Failed(denied())),
    ];
    let p = mount(move || charts(&views));
    let t = p.text();
    assert_eq!(t.matches("What to do").count(), 2, "{t}");
    assert_eq!(
        t.matches("not allowed to call cloudwatch:GetMetricData")
            .count(),
        1,
        "{t}"
    );
    assert_eq!(t.matches("as for Total requests above").count(), 2, "{t}");
    assert_eq!(p.root.query_selector_all("figure").unwrap().length(), 5);
}

#[wasm_bindgen_test]
async fn every_graph_with_data_has_a_name_a_summary_and_a_table() {
    for kind in ALL {
        let d = sample(kind);
        let p = mount(move || chart(kind, &ViewState::Data(d)));
        let svg = el(&p, "figure svg[role=img]").expect("an svg");
        let label = svg.get_attribute("aria-label").unwrap();
        assert!(
            label.starts_with(kind.title()) && label.contains("latest"),
            "{label}"
        );
        let summary = el(&p, ".chart-sum").unwrap().text_content().unwrap();
        assert!(
            summary.contains("latest")
                && summary.contains("minimum")
                && summary.contains("maximum"),
            "{summary}"
        );
        assert!(
            el(&p, "path.line, g.bars rect, circle.dot").is_some(),
            "{kind:?} draws nothing"
        );
        let details = el(&p, "details.data").unwrap();
        let summ = el(&p, "details.data > summary").unwrap();
        assert_eq!(summ.text_content().unwrap(), "Data table");
        // Keyboard and screen readers reach the table through the <summary>.
        let s: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(summ);
        s.click();
        common_tick().await;
        assert!(details.has_attribute("open"));
        let rows = p
            .root
            .query_selector_all("details.data tbody tr")
            .unwrap()
            .length();
        assert_eq!(rows, 3, "{kind:?}");
        let head = el(&p, "details.data thead")
            .unwrap()
            .text_content()
            .unwrap();
        assert!(head.starts_with("Time"));
        assert!(
            el(&p, "details.data caption")
                .unwrap()
                .text_content()
                .unwrap()
                .contains(kind.title())
        );
    }
    // Reliability draws the percentage only; its error counts are told in errors.
    let p = mount(|| {
        chart(
            ViewKind::Reliability,
            &ViewState::Data(sample(ViewKind::Reliability)),
        )
    });
    assert_eq!(p.root.query_selector_all("path.line").unwrap().length(), 1);
    let summary = el(&p, ".chart-sum").unwrap().text_content().unwrap();
    assert!(
        summary.contains("Retryable errors: latest 1 error,"),
        "{summary}"
    );
    assert!(summary.contains("Reliability: latest 99.5 %"), "{summary}");
}

async fn common_tick() {
    gloo_timers::future::TimeoutFuture::new(0).await;
    gloo_timers::future::TimeoutFuture::new(0).await;
}

fn found() -> Discovered {
    let m = |name: &str| Metric {
        namespace: NAMESPACE.into(),
        metric_name: name.into(),
        dimensions: vec![Dimension::new(dim::STORE, "cks-1")],
    };
    Discovered::new("cks-1", [m(metric::LATENCY)])
}

fn assessed(views: &[ViewData]) -> Health {
    assess(StoreKind::External, &found(), views, Range::H3)
}

fn items(p: &Page) -> Vec<String> {
    let list = p.root.query_selector_all(".attention li").unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().text_content().unwrap())
        .collect()
}

#[wasm_bindgen_test]
fn each_kind_of_attention_item() {
    let h = assessed(&[
        data(
            ViewKind::CertificateDaysToExpire,
            &[("proxy.example.com", &[30.0, 2.0])],
        ),
        data(ViewKind::Latency, &[("Encrypt", &[230.0])]),
        data(
            ViewKind::Reliability,
            &[(RETRYABLE, &[40.0]), (NON_RETRYABLE, &[31.0])],
        ),
        data(ViewKind::ExternalKeyManagerStates, &[("Degraded", &[1.0])]),
        data(ViewKind::CredentialAge, &[("Credential age", &[130.0])]),
        data(ViewKind::Throttling, &[("Encrypt", &[4.0])]),
    ]);
    assert_eq!(h.verdict, Verdict::NeedsAttention);
    let p = mount(move || attention(Some(&h), 0));
    let items = items(&p);
    assert_eq!(items.len(), 7, "{items:#?}");
    let has = |sev: &str, token: &str, value: &str| {
        assert!(
            items.iter().any(|i| i.starts_with(sev)
                && i.contains(token)
                && i.contains(value)
                && i.contains("What to do: ")),
            "no {sev} {token} {value}: {items:#?}"
        )
    };
    has("Urgent", "XksProxyCertificateDaysToExpire", "2 days");
    has("Needs attention", "XksProxyLatency", "230 ms");
    has(
        "Needs attention",
        "XksProxyErrors",
        "retryable errors per minute",
    );
    has(
        "Needs attention",
        "XksProxyErrors",
        "non-retryable errors per minute",
    );
    has(
        "Needs attention",
        "XksExternalKeyManagerStates",
        "1 Degraded",
    );
    has("Advice", "XksProxyCredentialAge", "130 days");
    has(
        "Needs attention",
        "ExternalKeyStoreThrottle",
        "4 requests throttled",
    );
    // Most severe first.
    assert!(items[0].starts_with("Urgent"));
    assert!(!p.text().contains("Healthy") && !p.text().contains("No data"));
}

#[wasm_bindgen_test]
fn healthy_no_data_checking_and_unread() {
    let healthy = assessed(&[data(ViewKind::Latency, &[("Encrypt", &[40.0])])]);
    assert_eq!(healthy.verdict, Verdict::Healthy);
    let p = mount(move || attention(Some(&healthy), 0));
    assert!(items(&p).is_empty());
    assert!(p.text().contains("Healthy") && p.text().contains("Nothing needs attention"));
    drop(p);

    for (views, which) in [
        (vec![], NoData::NoMetrics),
        (
            vec![data(ViewKind::Latency, &[("Encrypt", &[])])],
            NoData::NoRecentData,
        ),
    ] {
        let f = if which == NoData::NoMetrics {
            Discovered::new("cks-1", [])
        } else {
            found()
        };
        let h = assess(StoreKind::External, &f, &views, Range::H3);
        assert_eq!(h.verdict, Verdict::NoData(which));
        let p = mount(move || attention(Some(&h), 0));
        let t = p.text();
        assert!(
            t.contains("No data") && t.contains("not a sign of health"),
            "{t}"
        );
        assert!(!t.contains("Healthy"), "{t}");
    }

    let p = mount(|| attention(None, 0));
    assert!(p.text().contains("Checking") && el(&p, "[aria-busy=true]").is_some());
    drop(p);
    let h = assessed(&[data(ViewKind::Latency, &[("Encrypt", &[40.0])])]);
    let p = mount(move || attention(Some(&h), 2));
    assert!(p.text().contains("2 graph(s) could not be read"));
}

/// A count's period that had not ended when it was read is drawn lighter, and said.
#[wasm_bindgen_test]
fn a_count_still_counting_is_marked() {
    let mut d = data(ViewKind::TotalRequests, &[("Encrypt", &[40.0, 38.0, 9.0])]);
    d.in_progress = Some(1_700_000_000 + 2 * 300);
    let p = mount(move || chart(ViewKind::TotalRequests, &ViewState::Data(d)));
    assert_eq!(
        p.root.query_selector_all("rect.partial").unwrap().length(),
        1
    );
    assert_eq!(p.root.query_selector_all("rect").unwrap().length(), 3);
    assert!(p.text().contains("still counting"), "{}", p.text());
    // Its count is the latest so far, not the minimum.
    assert!(
        p.text()
            .contains("latest 9 requests so far, minimum 38, maximum 40"),
        "{}",
        p.text()
    );
    drop(p);
    // A level (latency) is not a count: nothing to say.
    let mut d = data(ViewKind::Latency, &[("Encrypt", &[40.0, 38.0, 9.0])]);
    d.in_progress = Some(1_700_000_000 + 2 * 300);
    let p = mount(move || chart(ViewKind::Latency, &ViewState::Data(d)));
    assert!(!p.text().contains("still counting"), "{}", p.text());
}

/// A graph spans the range it was asked for, not just its points: a store whose requests
/// began late in the range has its bars at the right, as on every other graph.
#[wasm_bindgen_test]
fn a_graph_spans_its_range() {
    let mut d = data(ViewKind::TotalRequests, &[("Encrypt", &[40.0, 38.0, 9.0])]);
    // Ten empty periods before the first point, one after the last: 14 periods.
    d.span = Some((1_700_000_000 - 3_000, 1_700_000_000 + 1_200, 300));
    let p = mount(move || chart(ViewKind::TotalRequests, &ViewState::Data(d)));
    let first: f64 = el(&p, "rect")
        .unwrap()
        .get_attribute("x")
        .unwrap()
        .parse()
        .unwrap();
    assert!(first > 600.0 * 9.5 / 14.0, "first bar at {first}");
    // The summary counts the empty periods: minimum 0, latest 0 (the last period had none).
    assert!(
        p.text()
            .contains("latest 0 requests, minimum 0, maximum 40"),
        "{}",
        p.text()
    );
}
