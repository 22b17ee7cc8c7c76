//! Browser tests of the key calls (issue 16) without the UI: `web::keys_api` in headless
//! Chromium against a running kms-emulator with the default scenario (`CKS_EMULATOR_URL` at
//! build time; scripts/test.sh starts one).
#![cfg(target_arch = "wasm32")]

use cks_console::aws::credentials::Credentials;
use cks_console::aws::endpoint::{Variant, resolve};
use cks_console::aws::keys::KeyState;
use cks_console::aws::kms::Operation;
use cks_console::console::keys::{self as ck, CreateKeyForm};
use cks_console::console::probe;
use cks_console::web::api;
use cks_console::web::client::{Client, Shared, emulator_credentials};
use cks_console::web::keys_api;
use std::cell::Cell;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EMULATOR: &str = match option_env!("CKS_EMULATOR_URL") {
    Some(u) => u,
    None => "http://127.0.0.1:4599",
};
const HSM_CONNECTED: &str = "cks-0a1b2c3d4e5f6000c";

async fn client() -> Client {
    let text = emulator_credentials(EMULATOR).await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    Client {
        endpoint: resolve("us-east-1", Variant::default(), Some(EMULATOR)).unwrap(),
        credentials: Credentials::from_fields(
            &s("AccessKeyId"),
            &s("SecretAccessKey"),
            &s("SessionToken"),
        )
        .unwrap(),
        confirmed_hosts: Vec::new(),
        shared: Shared::default(),
    }
}

#[wasm_bindgen_test]
async fn the_scan_finds_the_stores_keys_with_aliases() {
    let c = client().await;
    let calls = Cell::new(0);
    let scan =
        keys_api::scan_store_keys(&c, HSM_CONNECTED, || true, |_| calls.set(calls.get() + 1)).await;
    assert!(scan.is_done() && scan.failure().is_none());
    let rows = scan.rows();
    assert!(rows.len() >= 3, "{rows:?}");
    let payments = rows
        .iter()
        .find(|r| r.aliases.contains(&"alias/payments-hsm".to_string()))
        .expect("alias/payments-hsm");
    assert_eq!(payments.key_state, Some(KeyState::Enabled));
    assert!(rows.iter().any(|r| r.key_state == Some(KeyState::Disabled)));
    let p = scan.progress();
    assert!(
        p.listing_done && p.looked_at == p.listed && p.listed >= 7,
        "{p:?}"
    );
    assert!(calls.get() >= p.listed, "progress after each answer");
    // Stopped at once: nothing more is described.
    let stopped = keys_api::scan_store_keys(&c, HSM_CONNECTED, || false, |_| {}).await;
    assert_eq!(stopped.progress().looked_at, 0);
}

#[wasm_bindgen_test]
async fn the_store_test_passes_on_a_connected_cloudhsm_store() {
    let c = client().await;
    let (store, _) = api::describe_one(&c, HSM_CONNECTED).await.unwrap();
    let scan = keys_api::scan_store_keys(&c, HSM_CONNECTED, || true, |_| {}).await;
    let plan = probe::plan_test(&store, &scan.rows(), None).unwrap();
    let run = keys_api::test_store(&c, plan, || true, |_| {}).await;
    let v = run.verdict();
    assert!(v.passed, "{}", v.text());
    assert!(v.headline.starts_with("PASSED"));
    let ops: Vec<Operation> = v.stats.iter().map(|s| s.op).collect();
    assert_eq!(
        ops,
        vec![
            Operation::Encrypt,
            Operation::Decrypt,
            Operation::GenerateRandom
        ]
    );
    assert!(
        v.stats
            .iter()
            .all(|s| s.count == 5 && s.request_ids.len() == 5)
    );
    // The report never holds bytes: only names, numbers and request ids.
    assert!(!format!("{run:?}").contains("Plaintext"));
}

#[wasm_bindgen_test]
async fn create_a_key_with_an_alias_then_schedule_and_cancel_its_deletion() {
    let c = client().await;
    let (store, _) = api::describe_one(&c, HSM_CONNECTED).await.unwrap();
    let alias = format!("browser-{}", js_sys::Date::now() as u64);
    let form = CreateKeyForm {
        description: "made by the browser test".into(),
        alias: alias.clone(),
        xks_key_id: String::new(),
    };
    let plan = ck::create_key_plan(&form, &store, None).unwrap();
    let made = keys_api::create_key(&c, &plan.create).await.unwrap();
    let key_id = made.output.key_metadata.key_id.clone();
    keys_api::create_alias(&c, &plan.alias_request(&key_id).unwrap())
        .await
        .unwrap();
    let d = keys_api::describe_key(&c, &format!("alias/{alias}"))
        .await
        .unwrap();
    assert_eq!(d.output.key_metadata.key_id, key_id);
    let mut row = ck::KeyRow::from_metadata(&d.output.key_metadata);
    let reqs = ck::schedule_requests(
        std::slice::from_ref(&row),
        "hsm-connected",
        "hsm-connected",
        "7",
    )
    .unwrap();
    let s = keys_api::schedule_key_deletion(&c, &reqs[0]).await.unwrap();
    ck::scheduled(&mut row, &s.output, 7, js_sys::Date::now() as i64);
    assert!(row.is_pending_deletion() && row.deletion_date.is_some());
    keys_api::cancel_key_deletion(&c, &key_id).await.unwrap();
    let again = keys_api::describe_key(&c, &key_id).await.unwrap();
    assert_eq!(
        again.output.key_metadata.key_state,
        Some(KeyState::Disabled)
    );
    // An alias that exists: the error is explained.
    let dup = keys_api::create_alias(&c, &plan.alias_request(&key_id).unwrap())
        .await
        .unwrap_err();
    assert_eq!(dup.code, "AlreadyExistsException");
}
