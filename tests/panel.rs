//! Component tests: the status panel in each state, and each explained error, rendered from
//! the pure types (no network).
#![cfg(target_arch = "wasm32")]

mod common;

use cks_console::aws::error::KmsError;
use cks_console::aws::kms::{
    ConnectionErrorCode, ConnectionState, CustomKeyStore, CustomKeyStoreType, Operation,
};
use cks_console::console::explain;
use cks_console::console::watch::{Goal, Pause, Watch};
use cks_console::ui::{Ctx, ErrorBox, StatusPanel, StoreList, StoreTable};
use common::Page;
use leptos::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn panel(watch: Option<Watch>) -> Page {
    Page::mount_view_at("#", move || {
        let s = cks_console::ui::provide();
        if let Some(w) = watch {
            s.watches.board.update(|b| b.upsert(w));
        }
        view! { <StatusPanel /> }.into_any()
    })
}

/// Mounts `view` with the page's fresh state, and hands it back for the test to drive.
fn with_session(view: fn() -> AnyView) -> (Page, Ctx) {
    let cell = std::rc::Rc::new(std::cell::Cell::new(None));
    let out = cell.clone();
    let p = Page::mount_view_at("#", move || {
        let s = cks_console::ui::provide();
        out.set(Some(s));
        view()
    });
    let s = cell.get().expect("mounted");
    (p, s)
}

async fn tick() {
    gloo_timers::future::TimeoutFuture::new(0).await;
    gloo_timers::future::TimeoutFuture::new(0).await;
}

fn focused() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.active_element()
}

fn read(
    state: ConnectionState,
    code: Option<ConnectionErrorCode>,
    t: CustomKeyStoreType,
) -> CustomKeyStore {
    CustomKeyStore {
        custom_key_store_id: Some("cks-0123456789abcdef0".into()),
        connection_state: Some(state),
        connection_error_code: code,
        custom_key_store_type: Some(t),
        ..Default::default()
    }
}

fn watch_after(goal: Goal, reads: &[CustomKeyStore]) -> Watch {
    let mut w = Watch::new("cks-0123456789abcdef0", goal, 0, Some("req-1".into()));
    for (i, r) in reads.iter().enumerate() {
        w.observe(30_000 + i as i64 * 1000, r, Some(format!("req-{}", i + 2)));
    }
    w
}

#[wasm_bindgen_test]
fn empty_panel() {
    let p = panel(None);
    assert!(p.status().contains("Nothing is being watched"));
}

#[wasm_bindgen_test]
fn watching_connecting() {
    let w = watch_after(
        Goal::Connect,
        &[read(
            ConnectionState::Connecting,
            None,
            CustomKeyStoreType::ExternalKeyStore,
        )],
    );
    let p = panel(Some(w));
    assert!(p.status().contains("CONNECTING"));
    assert!(
        p.text()
            .contains("external key stores usually connect in about 5 minutes")
    );
    assert!(
        p.text().contains("ConnectCustomKeyStore accepted")
            && p.text().contains("req-1")
            && p.text().contains("req-2")
    );
    p.button("Stop watching");
}

#[wasm_bindgen_test]
fn connected() {
    let w = watch_after(
        Goal::Connect,
        &[read(
            ConnectionState::Connected,
            None,
            CustomKeyStoreType::AwsCloudHsm,
        )],
    );
    let p = panel(Some(w));
    assert!(p.status().contains("CONNECTED") && p.status().contains("is connected"));
    assert!(!p.text().contains("Stop watching"));
}

#[wasm_bindgen_test]
fn every_failure_code_is_explained_for_both_store_types() {
    let mut codes: Vec<ConnectionErrorCode> = ConnectionErrorCode::KNOWN
        .iter()
        .map(|c| ConnectionErrorCode::from(c.to_string()))
        .collect();
    codes.push(ConnectionErrorCode::Other("BRAND_NEW_CODE".into()));
    for t in [
        CustomKeyStoreType::AwsCloudHsm,
        CustomKeyStoreType::ExternalKeyStore,
    ] {
        for code in &codes {
            let w = watch_after(
                Goal::Connect,
                &[read(ConnectionState::Failed, Some(code.clone()), t.clone())],
            );
            let p = panel(Some(w));
            let status = p.status();
            let x = explain::connection_error(code, &t);
            assert!(
                status.contains("FAILED") && status.contains(code.as_str()),
                "{status}"
            );
            assert!(
                status.contains(&x.meaning) && status.contains(&x.fix),
                "{code}: {status}"
            );
            p.button("Disconnect to fix…");
        }
    }
}

#[wasm_bindgen_test]
fn paused_for_expired_credentials() {
    let mut w = watch_after(
        Goal::Connect,
        &[read(
            ConnectionState::Connecting,
            None,
            CustomKeyStoreType::ExternalKeyStore,
        )],
    );
    w.observe_error(40_000, &KmsError::from_response(400, None, Some("req-x".into()), r#"{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}"#));
    let p = panel(Some(w));
    assert!(
        p.status().contains("Watching paused") && p.status().contains("ExpiredTokenException"),
        "{}",
        p.status()
    );
    p.button("Resume watching");
    let mut w = watch_after(Goal::Connect, &[]);
    w.pause(
        1,
        Pause::NoCredentials("Enter the secret access key.".into()),
    );
    assert!(panel(Some(w)).status().contains("Paste fresh credentials"));
}

#[wasm_bindgen_test]
fn stopped_gone_and_disconnected() {
    let mut w = watch_after(Goal::Connect, &[]);
    w.stop(5);
    assert!(panel(Some(w)).status().contains("Stopped watching"));
    let mut w = watch_after(Goal::Connect, &[]);
    w.observe_error(
        60_000,
        &KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"CustomKeyStoreNotFoundException"}"#,
        ),
    );
    assert!(panel(Some(w)).status().contains("no longer exists"));
    let w = watch_after(
        Goal::Disconnect,
        &[read(
            ConnectionState::Disconnected,
            None,
            CustomKeyStoreType::AwsCloudHsm,
        )],
    );
    let p = panel(Some(w));
    assert!(p.status().contains("DISCONNECTED") && p.status().contains("is disconnected"));
    p.button("Connect again");
}

#[wasm_bindgen_test]
fn every_error_of_the_model_is_shown_with_code_meaning_and_fix() {
    let model: serde_json::Value =
        serde_json::from_str(include_str!("../data/kms-custom-key-stores.json")).unwrap();
    let extra = [
        "ExpiredTokenException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "AccessDeniedException",
        "ThrottlingException",
    ];
    for op in Operation::STORE_OPS {
        let mut codes: Vec<String> = model["operations"][op.name()]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["shape"].as_str().unwrap().to_string())
            .collect();
        codes.extend(extra.iter().map(|c| c.to_string()));
        for code in codes {
            let err = KmsError::from_response(
                400,
                None,
                Some("rid-42".into()),
                &format!(r#"{{"__type":"{code}","message":"<b>not bold</b>"}}"#),
            );
            let x = explain::kms_error(&err, op);
            let p = Page::mount_view_at("#", move || {
                view! { <ErrorBox op=op error=err /> }.into_any()
            });
            let text = p.text();
            assert!(
                text.contains(&code)
                    && text.contains(&x.meaning)
                    && text.contains(&x.fix)
                    && text.contains("rid-42"),
                "{code}: {text}"
            );
            // Text from KMS is shown as text, never as markup.
            assert!(text.contains("<b>not bold</b>"), "{text}");
        }
    }
}

#[wasm_bindgen_test]
fn a_disconnect_that_did_not_take_effect_says_so() {
    let mut w = Watch::new("cks-0123456789abcdef0", Goal::Disconnect, 0, None);
    w.observe(
        70_000,
        &read(
            ConnectionState::Failed,
            Some(ConnectionErrorCode::NetworkErrors),
            CustomKeyStoreType::ExternalKeyStore,
        ),
        None,
    );
    let status = panel(Some(w)).status();
    assert!(
        status.contains("still FAILED: the disconnect did not take effect")
            && !status.contains("failed to connect"),
        "{status}"
    );
}

#[wasm_bindgen_test]
fn paused_when_kms_refuses_the_poll_or_it_takes_too_long() {
    let mut w = watch_after(Goal::Connect, &[]);
    w.observe_error(
        40_000,
        &KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"ValidationException","message":"1 validation error detected"}"#,
        ),
    );
    let p = panel(Some(w));
    assert!(
        p.status().contains("KMS refuses the poll itself")
            && p.status().contains("ValidationException"),
        "{}",
        p.status()
    );
    p.button("Resume watching");
    let mut w = watch_after(Goal::Connect, &[]);
    w.observe(
        cks_console::console::watch::OVERALL_MS,
        &read(
            ConnectionState::Connecting,
            None,
            CustomKeyStoreType::AwsCloudHsm,
        ),
        None,
    );
    let status = panel(Some(w)).status();
    assert!(status.contains("has not settled in 40 minutes"), "{status}");
}

#[wasm_bindgen_test]
async fn disconnect_to_fix_moves_the_form_only_when_confirmed() {
    let (p, s) = with_session(|| view! { <StatusPanel /> }.into_any());
    let w = watch_after(
        Goal::Connect,
        &[read(
            ConnectionState::Failed,
            Some(ConnectionErrorCode::from("NETWORK_ERRORS".to_string())),
            CustomKeyStoreType::ExternalKeyStore,
        )],
    );
    s.watches.board.update(|b| b.upsert(w));
    s.selection.store_id.set("cks-00000000000000other".into());
    tick().await;
    p.button("Disconnect to fix…").click();
    tick().await;
    // The dialog names the watch's store; the form still holds what the user typed.
    assert!(
        p.text().contains("Disconnect cks-0123456789abcdef0?"),
        "{}",
        p.text()
    );
    assert_eq!(
        s.selection.store_id.get_untracked(),
        "cks-00000000000000other"
    );
    p.button("Cancel").click();
    tick().await;
    assert!(!p.text().contains("every KMS key in this store is unusable"));
    assert_eq!(
        s.selection.store_id.get_untracked(),
        "cks-00000000000000other"
    );
}

fn row(id: &str, name: &str, state: ConnectionState) -> CustomKeyStore {
    CustomKeyStore {
        custom_key_store_id: Some(id.into()),
        custom_key_store_name: Some(name.into()),
        connection_state: Some(state),
        custom_key_store_type: Some(CustomKeyStoreType::ExternalKeyStore),
        ..Default::default()
    }
}

#[wasm_bindgen_test]
async fn the_store_table_keeps_the_focus_while_a_watch_updates_rows() {
    let (p, s) = with_session(|| view! { <StoreTable /> }.into_any());
    let a = row(
        "cks-000000000000000aa",
        "alpha",
        ConnectionState::Disconnected,
    );
    let b = row("cks-000000000000000bb", "beta", ConnectionState::Connecting);
    // The list's first (empty) read settles first.
    tick().await;
    s.stores
        .list
        .set(Some(StoreList::Loaded(vec![a.clone(), b.clone()])));
    tick().await;
    let select = p.button("Select alpha");
    select.focus().unwrap();
    assert!(focused().is_some_and(|f| f.is_same_node(Some(&select))));
    // A poll reads the same row again, then another row changes state.
    s.stores.update_row(&a);
    s.stores.update_row(&row(
        "cks-000000000000000bb",
        "beta",
        ConnectionState::Connected,
    ));
    tick().await;
    assert!(p.text().contains("CONNECTED"), "{}", p.text());
    assert!(select.is_connected(), "the focused row was rebuilt");
    assert!(
        focused().is_some_and(|f| f.is_same_node(Some(&select))),
        "the focus left the Select button"
    );
}
