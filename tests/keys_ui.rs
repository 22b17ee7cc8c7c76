//! Component tests of the Keys tab: the keys table in each state (loading with progress, empty,
//! error, rows) from the page's state; the Create key form (field errors, the pre-check's
//! refusal, success) and the store test (PASSED) against a running kms-emulator with the
//! default scenario (`CKS_EMULATOR_URL` at build time); the test panel's FAILED and "no enabled
//! key" from the page's state.
#![cfg(target_arch = "wasm32")]

mod common;

use cks_console::aws::endpoint::{Variant, resolve};
use cks_console::aws::error::KmsError;
use cks_console::aws::keys::{KeyState, Origin};
use cks_console::aws::kms::Operation;
use cks_console::console::keys::{KeyRow, Progress};
use cks_console::console::probe::{TestPlan, TestRun};
use cks_console::ui::{Ctx, Keys, KeysPanel, ScanView, TestView};
use common::Page;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const STORE: &str = "cks-0123456789abcdef0";
const HSM_CONNECTED: &str = "cks-0a1b2c3d4e5f6000c";
/// xks-vpc-misconfigured: DISCONNECTED, no keys, and no other test connects it.
const XKS_IDLE: &str = "cks-0a1b2c3d4e5f60006";

fn endpoint() -> String {
    resolve("us-east-1", Variant::default(), None).unwrap().url
}

async fn tick() {
    gloo_timers::future::TimeoutFuture::new(0).await;
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// The Keys panel for `STORE` (its tab not opened, so no scan starts), with the state `setup`
/// gives it.
fn panel(setup: impl FnOnce(Ctx, Keys) + 'static) -> Page {
    Page::mount_view_at("#", move || {
        let ctx = cks_console::ui::provide();
        let keys = expect_context::<Keys>();
        ctx.selection.store_id.set(STORE.into());
        setup(ctx, keys);
        view! { <KeysPanel /> }.into_any()
    })
}

fn scan(running: bool, failure: Option<(Operation, KmsError)>) -> ScanView {
    ScanView {
        endpoint: endpoint(),
        store_id: STORE.into(),
        progress: Progress {
            looked_at: 340,
            listed: 1200,
            listing_done: true,
            found: 1,
            skipped: 0,
        },
        running,
        failure,
        aliases_error: None,
    }
}

fn denied(action: &str) -> KmsError {
    KmsError::from_response(
        400,
        None,
        Some("req-denied".into()),
        &format!(
            r#"{{"__type":"AccessDeniedException","message":"User: arn:aws:iam::111122223333:user/x is not authorized to perform: {action} because no identity-based policy allows the {action} action"}}"#
        ),
    )
}

fn row(id: &str, state: KeyState, xks: Option<&str>) -> KeyRow {
    KeyRow {
        key_id: id.into(),
        aliases: vec![format!("alias/{id}")],
        key_state: Some(state),
        origin: Some(if xks.is_some() {
            Origin::ExternalKeyStore
        } else {
            Origin::AwsCloudHsm
        }),
        key_spec: Some("SYMMETRIC_DEFAULT".into()),
        creation_date: Some(1_767_268_800.0),
        xks_key_id: xks.map(str::to_string),
        ..Default::default()
    }
}

fn region(p: &Page, selector: &str) -> String {
    p.root
        .query_selector(selector)
        .unwrap()
        .map(|e| e.text_content().unwrap_or_default())
        .unwrap_or_default()
}

fn test_region(p: &Page) -> String {
    region(p, "[role=status][aria-label='Store test']")
}

#[wasm_bindgen_test]
async fn the_table_while_loading_shows_the_progress() {
    let handle = std::rc::Rc::new(std::cell::Cell::new(None::<Keys>));
    let h = handle.clone();
    let p = panel(move |_, keys| {
        keys.scan.set(Some(scan(true, None)));
        h.set(Some(keys));
    });
    tick().await;
    let progress: web_sys::HtmlProgressElement = p
        .root
        .query_selector("progress")
        .unwrap()
        .expect("a progress bar")
        .unchecked_into();
    assert_eq!((progress.value(), progress.max()), (340.0, 1200.0));
    // Labelled, and the count in words.
    assert_eq!(p.field("Looking at the account's keys").id(), progress.id());
    assert!(
        p.text().contains("Looked at 340 of 1,200 keys"),
        "{}",
        p.text()
    );
    // Spoken: the quarter reached, not each count; the region stays the same element.
    let live_region = || {
        p.root
            .query_selector("[role=status][aria-label='Key scan']")
            .unwrap()
            .expect("the scan's live region")
    };
    let live = live_region();
    assert_eq!(
        live.text_content().unwrap(),
        "Looking at the account's keys: 25% done."
    );
    let keys = handle.get().unwrap();
    keys.scan.update(|v| {
        if let Some(v) = v {
            v.progress.looked_at = 360;
        }
    });
    tick().await;
    assert!(p.text().contains("Looked at 360 of 1,200 keys"));
    assert!(live_region().is_same_node(Some(&live)));
    assert_eq!(
        live.text_content().unwrap(),
        "Looking at the account's keys: 25% done."
    );
    assert!(p.root.query_selector("table").unwrap().is_none());
    assert!(p.button("Refresh keys").has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn the_table_of_a_store_without_keys() {
    let p = panel(|_, keys| {
        keys.scan.set(Some(scan(false, None)));
        keys.lists.update(|l| l.put(&endpoint(), STORE, Vec::new()));
    });
    tick().await;
    assert!(
        p.text().contains("No KMS keys in this store."),
        "{}",
        p.text()
    );
    assert!(p.root.query_selector("table").unwrap().is_none());
    assert!(p.root.query_selector("progress").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn a_refused_scan_is_explained() {
    let p = panel(|_, keys| {
        keys.scan.set(Some(scan(
            false,
            Some((Operation::ListKeys, denied("kms:ListKeys"))),
        )))
    });
    tick().await;
    let alert = region(&p, "[role=alert]");
    assert!(alert.contains("ListKeys failed"), "{alert}");
    assert!(alert.contains("AccessDeniedException"), "{alert}");
    assert!(alert.contains("kms:ListKeys"), "{alert}");
    assert!(alert.contains("req-denied"), "{alert}");
    assert!(p.root.query_selector("table").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn the_rows_with_the_external_key_ids_and_a_missing_alias_permission() {
    let p = panel(|_, keys| {
        let mut v = scan(false, None);
        v.progress = Progress {
            looked_at: 2,
            listed: 2,
            listing_done: true,
            found: 2,
            skipped: 0,
        };
        v.aliases_error = Some(denied("kms:ListAliases"));
        keys.scan.set(Some(v));
        let mut plain = row(
            "1234abcd-0000-0000-0000-000000000001",
            KeyState::Enabled,
            Some("ext-1"),
        );
        plain.aliases.clear();
        keys.lists.update(|l| {
            l.put(
                &endpoint(),
                STORE,
                vec![
                    plain,
                    row(
                        "1234abcd-0000-0000-0000-000000000002",
                        KeyState::Disabled,
                        Some("ext-2"),
                    ),
                ],
            )
        });
    });
    tick().await;
    let table = p
        .root
        .query_selector("table[aria-label='KMS keys in this store']")
        .unwrap()
        .expect("the keys table");
    let text = table.text_content().unwrap();
    for want in [
        "Key ID",
        "Aliases",
        "Key state",
        "Origin",
        "Key spec",
        "Created",
        "External key ID",
        "1234abcd-0000-0000-0000-000000000002",
        "alias/1234abcd-0000-0000-0000-000000000002",
        "Disabled",
        "EXTERNAL_KEY_STORE",
        "SYMMETRIC_DEFAULT",
        "ext-1",
        "ext-2",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    // The creation date in the store list's format, in the browser's time zone.
    let created = cks_console::web::local_date_time(1_767_268_800_000);
    assert!(text.contains(&created), "{created} in {text}");
    assert!(created.starts_with("2026-01-0") || created.starts_with("2025-12-31"));
    assert_eq!(table.query_selector_all("tbody tr").unwrap().length(), 2);
    // The keys are listed, and why their aliases are missing is explained beside them.
    assert!(
        p.text()
            .contains("The keys are listed without their aliases")
    );
    assert!(region(&p, "[role=alert]").contains("ListAliases failed"));
    // Counted once, by the scan's line (the table does not repeat it).
    assert!(p.text().contains("Looked at 2 of 2 keys; 2 in this store."));
    assert!(!p.text().contains("KMS keys in this store."));
}

fn verdict_failed() -> TestView {
    let mut run = TestRun::new(TestPlan {
        store_id: STORE.into(),
        key_id: "1234abcd-0000-0000-0000-000000000001".into(),
        xks: true,
        rounds: 5,
    });
    let e = KmsError::from_response(
        400,
        None,
        Some("req-invalid-state".into()),
        r#"{"__type":"KMSInvalidStateException","message":"arn:aws:kms:us-east-1:111122223333:key/1234 is unavailable: its custom key store is not connected."}"#,
    );
    run.record(Operation::Encrypt, 40, None, Some(e));
    TestView {
        store_id: STORE.into(),
        running: false,
        refused: None,
        verdict: Some(run.verdict()),
    }
}

#[wasm_bindgen_test]
async fn a_failed_store_test_names_the_operation_the_code_and_the_fix() {
    let p = panel(|_, keys| keys.test.set(Some(verdict_failed())));
    tick().await;
    let t = test_region(&p);
    assert!(t.contains("FAILED"), "{t}");
    assert!(t.contains("Encrypt"), "{t}");
    assert!(t.contains("KMSInvalidStateException"), "{t}");
    assert!(t.contains("What to do: "), "{t}");
    assert!(t.contains("req-invalid-state"), "{t}");
}

#[wasm_bindgen_test]
async fn a_store_without_an_enabled_key_offers_create_key() {
    let p = panel(|_, keys| {
        keys.test.set(Some(TestView {
            store_id: STORE.into(),
            running: false,
            refused: Some((
                "The store has no enabled KMS key to test with: enable one (or create one) first."
                    .into(),
                true,
            )),
            verdict: None,
        }))
    });
    tick().await;
    assert!(test_region(&p).contains("no enabled KMS key"));
    assert!(p.root.query_selector("#ck-description").unwrap().is_none());
    // The way on: "Create key" right after the outcome, not in its live region (it comes and
    // goes with the form).
    let offered = || {
        p.root
            .query_selector("[aria-label='Store test'] + button")
            .unwrap()
    };
    assert!(
        p.root
            .query_selector("[aria-label='Store test'] button")
            .unwrap()
            .is_none()
    );
    let create = offered().expect("Create key after the test's outcome");
    assert_eq!(create.text_content().unwrap(), "Create key");
    create.unchecked_into::<web_sys::HtmlElement>().click();
    tick().await;
    assert!(p.field("Key description").is_connected());
    // While the form is open it is not offered again.
    assert!(offered().is_none());
}

// ---------------------------------------------------------------------------------------------
// Against the emulator
// ---------------------------------------------------------------------------------------------

/// The whole page on the emulator, at `store`'s Keys tab, once its keys are listed (or it is
/// known to have none).
async fn keys_tab(store: &str) -> Page {
    let p = Page::mount();
    p.use_emulator().await;
    // (Not hsm-connected: web.rs renames it on the shared emulator.)
    p.until(10, "the store list", |p| p.text().contains("payments-xks"))
        .await;
    p.type_into("Custom key store ID", store);
    p.button("Keys").click();
    p.until(30, "the keys table", |p| {
        p.text().contains("No KMS keys in this store.")
            || p.root
                .query_selector("table[aria-label='KMS keys in this store']")
                .unwrap()
                .is_some()
    })
    .await;
    p
}

#[wasm_bindgen_test]
async fn the_keys_of_a_store_from_the_emulator() {
    let p = keys_tab(HSM_CONNECTED).await;
    let table = region(&p, "table[aria-label='KMS keys in this store']");
    assert!(table.contains("alias/payments-hsm"), "{table}");
    assert!(
        table.contains("alias/ledger-hsm, alias/ledger-hsm-2026"),
        "{table}"
    );
    assert!(
        table.contains("Disabled") && table.contains("AWS_CLOUDHSM"),
        "{table}"
    );
    // The overview counts them.
    assert!(p.text().contains("KMS keys"), "{}", p.text());
}

#[wasm_bindgen_test]
async fn create_key_field_errors_and_the_precheck() {
    let p = keys_tab(XKS_IDLE).await;
    p.button("Create key").click();
    tick().await;
    p.type_into("Alias", "alias/aws/mine");
    p.button("Create KMS key").click();
    p.until(10, "the field errors", |p| {
        p.text().contains("reserved for AWS")
    })
    .await;
    let text = p.text();
    // External key ID is required, and the store must be CONNECTED first.
    assert!(text.contains("is required"), "{text}");
    assert!(text.contains("The store is DISCONNECTED"), "{text}");
    assert!(text.contains("Connect it first"), "{text}");
    // The monthly cost is said.
    assert!(text.contains("costs money every month"), "{text}");
}

#[wasm_bindgen_test]
async fn create_key_success_joins_the_table_and_the_store_test_passes() {
    let p = keys_tab(HSM_CONNECTED).await;
    p.button("Create key").click();
    tick().await;
    let alias = format!("alias/ui-{}", js_sys::Date::now() as u64);
    p.type_into("Key description", "made by the UI test");
    p.type_into("Alias", &alias);
    p.button("Create KMS key").click();
    tick().await;
    // One click, one request: disabled while pending.
    assert!(p.button("Creating…").has_attribute("disabled"));
    p.until(20, "the key created", |p| {
        p.text().contains("Created KMS key")
    })
    .await;
    p.until(10, "the new row", |p| {
        region(p, "table[aria-label='KMS keys in this store']").contains(&alias)
    })
    .await;
    p.button("Test store").click();
    p.until(60, "the store test", |p| {
        let t = test_region(p);
        t.contains("PASSED") || t.contains("FAILED")
    })
    .await;
    let t = test_region(&p);
    assert!(t.contains("PASSED"), "{t}");
    for op in [
        "Encrypt: p50",
        "Decrypt: p50",
        "GenerateRandom: p50",
        "Request ids: ",
    ] {
        assert!(t.contains(op), "{op} in {t}");
    }
}
