//! Browser test of the health section's calls: `web::cloudwatch_api` through the real client
//! (trust, SigV4 for `monitoring`, JSON 1.0, CORS preflight, fetch, parse) against a running
//! kms-emulator (`CKS_EMULATOR_URL` at build time), read with `console::health`.
#![cfg(target_arch = "wasm32")]

mod common;

use cks_console::aws::cloudwatch::{CwOperation, DescribeAlarmsRequest, DescribeAlarmsResponse};
use cks_console::aws::credentials::{Pasted, parse_paste};
use cks_console::aws::endpoint::{Variant, monitoring_endpoint};
use cks_console::console::health::alarms;
use cks_console::console::health::attention::{Severity, Verdict, assess};
use cks_console::console::health::discover::Discovered;
use cks_console::console::health::range::Range;
use cks_console::console::health::views::{ViewKind, combine, plan};
use cks_console::console::health::{StoreKind, metric};
use cks_console::web::client::{Client, Shared, emulator_credentials};
use cks_console::web::{cloudwatch_api, now_ms};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn client() -> Client {
    let text = emulator_credentials(common::EMULATOR).await.unwrap();
    let Ok(Pasted::One { credentials, .. }) = parse_paste(&text) else {
        panic!("the emulator's credentials do not parse");
    };
    Client {
        endpoint: monitoring_endpoint(
            "us-east-1",
            Variant::default(),
            Some(common::EMULATOR),
            None,
        )
        .unwrap(),
        credentials,
        confirmed_hosts: vec![],
        shared: Shared::default(),
    }
}

async fn health_of(
    client: &Client,
    store: &str,
    kind: StoreKind,
) -> (Discovered, Vec<Severity>, Verdict) {
    let metrics = cloudwatch_api::list_metrics(client, store, || true)
        .await
        .unwrap();
    let found = Discovered::new(store, metrics);
    let mut views = Vec::new();
    for v in ViewKind::for_store(kind) {
        if let Some(p) = plan(*v, kind, &found, Range::DEFAULT, now_ms()) {
            let pages = cloudwatch_api::get_metric_data(client, &p.request, || true)
                .await
                .unwrap();
            views.push(combine(&p, &pages));
        }
    }
    let h = assess(kind, &found, &views, Range::DEFAULT);
    (
        found,
        h.items.iter().map(|i| i.severity).collect(),
        h.verdict,
    )
}

#[wasm_bindgen_test]
async fn the_default_scenarios_health_cases_through_the_client() {
    let c = client().await;
    let (found, _, verdict) = health_of(&c, "cks-0a1b2c3d4e5f60001", StoreKind::External).await;
    assert!(found.has(metric::LATENCY));
    assert_eq!(verdict, Verdict::Healthy);
    let (_, items, verdict) = health_of(&c, "cks-0a1b2c3d4e5f60002", StoreKind::External).await;
    assert_eq!(verdict, Verdict::NeedsAttention);
    assert!(items.contains(&Severity::Attention) && items.contains(&Severity::Advice));
    let (_, _, verdict) = health_of(&c, "cks-0a1b2c3d4e5f6000e", StoreKind::External).await;
    assert_eq!(verdict, Verdict::NeedsAttention);
    let (_, _, verdict) = health_of(&c, "cks-0a1b2c3d4e5f60005", StoreKind::External).await;
    assert!(matches!(verdict, Verdict::NoData(_)));
    let (_, items, _) = health_of(&c, "cks-0a1b2c3d4e5f6000c", StoreKind::CloudHsm).await;
    assert!(items.len() <= 1);
}

#[wasm_bindgen_test]
async fn alarms_are_listed_matched_and_created() {
    let c = client().await;
    let store = "cks-0a1b2c3d4e5f60002";
    let found = Discovered::new(
        store,
        cloudwatch_api::list_metrics(&c, store, || true)
            .await
            .unwrap(),
    );
    let recommended = alarms::recommended(
        &found,
        Some("arn:aws:sns:us-east-1:111122223333:kms-alerts"),
    );
    let cert = recommended[0].request.as_ref().unwrap();
    cloudwatch_api::put_metric_alarm(&c, cert).await.unwrap();
    let all = cloudwatch_api::describe_alarms(&c, || true).await.unwrap();
    let matched = alarms::reconcile(&recommended, store, &all);
    let (_, existing) = &matched[0];
    assert_eq!(existing.len(), 1);
    assert_eq!(existing[0].alarm_name, cert.alarm_name);
    assert_eq!(
        existing[0].state_value.as_ref().map(|s| s.as_str()),
        Some("ALARM")
    );
    // A request CloudWatch refuses comes back with its Query code.
    let mut bad = cert.clone();
    bad.evaluation_periods = 1000;
    let e = cloudwatch_api::put_metric_alarm(&c, &bad)
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidInput", "checked before sending: {e}");
    // Refused by CloudWatch: the code is the Query code of x-amzn-query-error (read through
    // CORS), not the error shape of `__type`.
    let both = DescribeAlarmsRequest {
        alarm_names: vec!["a".into()],
        alarm_name_prefix: Some("a".into()),
        ..Default::default()
    };
    let e = c
        .call_cloudwatch::<_, DescribeAlarmsResponse>(CwOperation::DescribeAlarms, &both)
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidParameterCombination", "{e}");
    assert!(e.request_id.is_some());
}

/// `web::all` and `web::both` (the Health tab's reads at once): the futures run together, so
/// they finish in the order of their waits (one after the other would finish in the order
/// given), and the outputs come back in the order given, whichever finished first.
#[wasm_bindgen_test]
async fn reads_run_at_once_and_answer_in_order() {
    use cks_console::web::{all, both, sleep_ms};
    use std::cell::RefCell;
    use std::rc::Rc;
    let finished = Rc::new(RefCell::new(Vec::new()));
    let out = all(vec![300u64, 100, 200, 0]
        .into_iter()
        .map(|ms| {
            let finished = finished.clone();
            async move {
                sleep_ms(ms).await;
                finished.borrow_mut().push(ms);
                ms
            }
        })
        .collect())
    .await;
    assert_eq!(out, vec![300, 100, 200, 0]);
    assert_eq!(*finished.borrow(), vec![0, 100, 200, 300]);
    finished.borrow_mut().clear();
    let (a, b) = both(
        async {
            sleep_ms(250).await;
            finished.borrow_mut().push(250);
            "slow"
        },
        async {
            sleep_ms(50).await;
            finished.borrow_mut().push(50);
            7
        },
    )
    .await;
    assert_eq!((a, b), ("slow", 7));
    assert_eq!(*finished.borrow(), vec![50, 250]);
    assert!(all(Vec::<std::future::Ready<u8>>::new()).await.is_empty());
}
