//! Browser tests: the real app, mounted in headless Chromium, against a running kms-emulator
//! (`CKS_EMULATOR_URL` at build time; scripts/test.sh starts one with `--time-scale 60`).
#![cfg(target_arch = "wasm32")]

mod common;

use common::Page;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn contract_labels_and_names_exist() {
    let page = Page::mount();
    for label in [
        "Access key ID",
        "Secret access key",
        "Session token",
        "Region",
        "Endpoint URL",
        "Custom key store ID",
        "Paste credentials",
    ] {
        page.field(label);
    }
    page.button("Connect");
    page.button("Disconnect");
    assert!(page.status().contains("Nothing is being watched"));
}

#[wasm_bindgen_test]
async fn connect_reaches_connected_against_the_emulator() {
    let page = Page::mount();
    page.use_emulator().await;
    assert_eq!(page.field("Region").value(), "us-east-1");
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f60001");
    page.button("Connect").click();
    page.until(20, "CONNECTING", |p| p.status().contains("CONNECTING"))
        .await;
    page.until(60, "CONNECTED", |p| {
        p.status().contains("CONNECTED") && !p.status().contains("CONNECTING")
    })
    .await;
    assert!(page.text().contains("ConnectCustomKeyStore accepted"));
    // The watch stopped: no "Stop watching" any more.
    assert!(!page.text().contains("Stop watching"));
    // The tab title tells how it ended (for a user on another tab).
    let title = web_sys::window().unwrap().document().unwrap().title();
    assert!(title.contains("cks-0a1b2c3d4e5f60001 CONNECTED"), "{title}");
    // "Copy report" answers either way (the clipboard may be refused in a test browser).
    page.button("Copy report").click();
    page.until(10, "the report's answer", |p| {
        p.text().contains("Report copied.")
            || p.text().contains("The browser refused the clipboard")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_failed_connect_is_explained() {
    let page = Page::mount();
    page.use_emulator().await;
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f60004");
    page.button("Connect").click();
    page.until(60, "FAILED", |p| p.status().contains("FAILED"))
        .await;
    let status = page.status();
    assert!(status.contains("XKS_PROXY_NOT_REACHABLE"), "{status}");
    assert!(
        status.contains("KMS cannot talk to the external key store proxy"),
        "{status}"
    );
}

#[wasm_bindgen_test]
async fn a_kms_error_shows_its_code() {
    let page = Page::mount();
    page.use_emulator().await;
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f60009");
    page.button("Connect").click();
    // The pre-flight sees the inactive cluster first and holds the connect back...
    page.until(20, "the pre-flight", |p| {
        p.text()
            .contains("Not sent: the pre-flight expects this connect to fail")
    })
    .await;
    // ...and when sent anyway, KMS's fast failure shows its code and meaning.
    page.button("Connect anyway").click();
    page.until(20, "the error code", |p| {
        p.text()
            .contains("ConnectCustomKeyStore failed: CloudHsmClusterNotActiveException")
    })
    .await;
    assert!(page.text().contains("The CloudHSM cluster is not active"));
    // A wrong secret is refused by the emulator's SigV4 check, and shown as such.
    page.type_into("Secret access key", "not-the-secret");
    page.button("Connect").click();
    page.until(20, "InvalidSignatureException", |p| {
        p.text().contains("InvalidSignatureException")
    })
    .await;
}

#[wasm_bindgen_test]
async fn bad_input_gets_messages_and_is_kept() {
    let page = Page::mount();
    page.type_into("Paste credentials", "<script>alert(1)</script>");
    page.until(5, "paste message", |p| {
        p.text().contains("not credentials in a format")
    })
    .await;
    assert_eq!(
        page.field("Paste credentials").value(),
        "<script>alert(1)</script>"
    );
    page.type_into("Endpoint URL", "http://kms.example.com");
    page.until(5, "endpoint message", |p| {
        p.text().contains("plain http:// is accepted only")
    })
    .await;
    page.type_into("Region", "us-eats-1");
    page.type_into("Endpoint URL", "");
    page.until(5, "region suggestion", |p| {
        p.text().contains("Did you mean us-east-1?")
    })
    .await;
    page.button("Connect").click();
    page.until(5, "refusal", |p| {
        p.text().contains("Enter a custom key store ID")
    })
    .await;
    assert_eq!(page.field("Region").value(), "us-eats-1");
}

#[wasm_bindgen_test]
async fn a_failed_store_is_fixed_by_disconnect_then_connect() {
    let page = Page::mount();
    page.use_emulator().await;
    // xks-already-failed: FAILED (NETWORK_ERRORS), connects once disconnected.
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f6000b");
    page.button("Connect").click();
    page.until(10, "the pre-check", |p| {
        p.text().contains("must be disconnected")
            || p.text().contains("only after it is disconnected")
    })
    .await;
    page.button("Disconnect it…").click();
    page.until(5, "the confirmation", |p| {
        p.text().contains("every KMS key in this store is unusable")
    })
    .await;
    page.button("Disconnect now").click();
    page.until(30, "DISCONNECTED", |p| {
        p.status().contains("is disconnected")
    })
    .await;
    assert!(page.text().contains("DisconnectCustomKeyStore accepted"));
    page.button("Connect again").click();
    page.until(30, "CONNECTED", |p| {
        p.status().contains("CONNECTED") && p.status().contains("is connected")
    })
    .await;
}

#[wasm_bindgen_test]
async fn disconnect_asks_first_and_cancel_sends_nothing() {
    let page = Page::mount();
    page.use_emulator().await;
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f6000c");
    page.button("Disconnect").click();
    page.until(5, "the confirmation", |p| {
        p.text().contains("every KMS key in this store is unusable")
    })
    .await;
    page.button("Cancel").click();
    page.until(5, "no confirmation", |p| {
        !p.text().contains("every KMS key in this store is unusable")
    })
    .await;
    assert!(page.status().contains("Nothing is being watched"));
}

#[wasm_bindgen_test]
async fn a_link_reopens_the_watch_once_credentials_are_given() {
    // hsm-primary (CloudHSM, 15 emulated minutes): connect it, then reload from the link.
    let page = Page::mount();
    page.use_emulator().await;
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f60003");
    page.button("Connect").click();
    page.until(20, "CONNECTING", |p| p.status().contains("CONNECTING"))
        .await;
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert!(
        hash.contains("store=cks-0a1b2c3d4e5f60003") && hash.contains("watch=connect"),
        "{hash}"
    );
    assert!(
        !hash.contains("ASIA")
            && !hash.contains("Secret")
            && !hash.to_lowercase().contains("token"),
        "{hash}"
    );
    drop(page);
    let page = Page::mount_view_at(&hash, || {
        leptos::prelude::IntoAny::into_any(leptos::prelude::view! { <cks_console::ui::App /> })
    });
    page.until(5, "the store id from the link", |p| {
        p.field("Custom key store ID").value() == "cks-0a1b2c3d4e5f60003"
    })
    .await;
    assert!(page.text().contains("This link reopens a watch"));
    page.button("Use local emulator").click();
    page.until(20, "the reopened watch", |p| {
        p.text().contains("watch reopened from the page's link")
    })
    .await;
    page.until(40, "CONNECTED", |p| p.status().contains("is connected"))
        .await;
}

#[wasm_bindgen_test]
async fn several_watches_each_in_its_own_panel() {
    let page = Page::mount();
    page.use_emulator().await;
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f60002");
    page.button("Connect").click();
    page.until(20, "the first watch", |p| p.status().contains("CONNECTING"))
        .await;
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f60008");
    page.button("Connect").click();
    // The newest watch is the "Connection status" region; the older one is named after its store.
    page.until(20, "the second watch", |p| {
        p.status().contains("cks-0a1b2c3d4e5f60008")
    })
    .await;
    page.until(40, "both settled", |p| {
        let t = p.text();
        p.status().contains("USER_LOCKED_OUT") && t.contains("cks-0a1b2c3d4e5f60002 is connected")
    })
    .await;
    let older = page
        .root
        .query_selector("[role=status][aria-label='Watch of cks-0a1b2c3d4e5f60002']")
        .unwrap();
    assert!(
        older.is_some(),
        "the older watch keeps its own status region"
    );
}

#[wasm_bindgen_test]
async fn create_an_external_key_store_then_connect_it() {
    let page = Page::mount();
    page.use_emulator().await;
    page.type_into("Custom key store name", "web-test-xks");
    let kind = page
        .root
        .query_selector("#c-type")
        .unwrap()
        .unwrap()
        .unchecked_into::<web_sys::HtmlSelectElement>();
    kind.set_value("external");
    kind.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    page.until(5, "the external fields", |p| {
        p.root.query_selector("#c-endpoint").unwrap().is_some()
    })
    .await;
    page.type_into("Proxy URI endpoint", "https://xks.webtest.example.com:8443");
    page.type_into("Proxy URI path", "kms/xks/v1");
    page.button("Create").click();
    // Bad input is named next to its field, and nothing is sent.
    page.until(5, "field messages", |p| {
        p.text()
            .contains("Not sent: correct the fields marked above")
    })
    .await;
    assert!(
        page.text()
            .contains("https:// and a host name, with no port or path")
    );
    assert!(page.text().contains("an optional prefix and /kms/xks/v1"));
    page.type_into("Proxy URI endpoint", "https://xks.webtest.example.com");
    page.type_into("Proxy URI path", "/webtest/kms/xks/v1");
    page.type_into("Proxy access key ID", "WEBTESTAKIDABCDEFGHIJ");
    page.type_into(
        "Proxy secret access key",
        "webtestSecretKeyThatIsLongEnough0123456789ab",
    );
    page.button("Create").click();
    page.until(15, "created", |p| {
        p.text()
            .contains("It is DISCONNECTED: connect it to use it.")
    })
    .await;
    // The secret is gone from the form once used.
    assert_eq!(page.field("Proxy secret access key").value(), "");
    page.until(15, "the new row", |p| p.text().contains("web-test-xks"))
        .await;
    page.button("Connect it now").click();
    page.until(30, "CONNECTED", |p| p.status().contains("is connected"))
        .await;
}

#[wasm_bindgen_test]
async fn rename_while_connected_and_delete_only_when_disconnected() {
    let page = Page::mount();
    page.use_emulator().await;
    // hsm-connected: CONNECTED, holds keys.
    page.until(10, "the store list", |p| p.text().contains("hsm-connected"))
        .await;
    page.button("Select hsm-connected").click();
    page.until(5, "the manage card", |p| {
        p.text().contains("Update or delete hsm-connected")
    })
    .await;
    page.type_into("New custom key store name", "hsm-renamed");
    page.button("Update").click();
    page.until(15, "updated", |p| p.text().contains("Updated."))
        .await;
    page.until(15, "the renamed row", |p| {
        p.text().contains("Update or delete hsm-renamed")
    })
    .await;
    // The cluster needs DISCONNECTED: the form says so instead of sending.
    page.type_into("New CloudHSM cluster ID", "cluster-234abcdefgz");
    page.button("Update").click();
    page.until(5, "needs disconnect", |p| {
        p.text()
            .contains("can change only while it is DISCONNECTED")
    })
    .await;
    page.button("Delete…").click();
    page.until(5, "delete blocked", |p| {
        p.text()
            .contains("deletes a custom key store only when it is DISCONNECTED")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_double_click_sends_one_connect() {
    // Count the Connect calls the page makes, by wrapping fetch.
    js_sys::eval(concat!(
        "window.__connects = 0; if (!window.__fetch) { window.__fetch = window.fetch; ",
        "window.fetch = function (input, init) { const t = input && input.headers ? input.headers.get('x-amz-target') : null; ",
        "if (t === 'TrentService.ConnectCustomKeyStore') window.__connects++; return window.__fetch(input, init); }; }"
    ))
    .unwrap();
    let page = Page::mount();
    page.use_emulator().await;
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f6000d");
    let connect = page.button("Connect");
    connect.click();
    connect.click();
    page.until(20, "CONNECTING", |p| p.status().contains("CONNECTING"))
        .await;
    let count = js_sys::eval("window.__connects").unwrap().as_f64().unwrap();
    assert_eq!(count, 1.0, "one Connect for a double click");
}

#[wasm_bindgen_test]
async fn preflight_warns_before_a_connect_bound_to_fail() {
    let page = Page::mount();
    page.use_emulator().await;
    page.until(10, "the store list", |p| {
        p.text().contains("hsm-no-active-hsm")
    })
    .await;
    // The overview shows each cluster's HSMs.
    page.until(10, "HSM counts", |p| {
        p.text()
            .contains("cluster-234abcdefgh (2 of 2 HSMs active)")
    })
    .await;
    page.button("Select hsm-primary").click();
    page.until(10, "a ready verdict", |p| {
        p.text().contains("Ready: KMS has what it needs")
    })
    .await;
    // The verdict follows the endpoint options: FIPS does not combine with the emulator's URL.
    page.field("FIPS endpoint").click();
    page.until(10, "the verdict for FIPS", |p| {
        !p.text().contains("Ready: KMS has what it needs")
    })
    .await;
    page.field("FIPS endpoint").click();
    page.until(10, "the ready verdict again", |p| {
        p.text().contains("Ready: KMS has what it needs")
    })
    .await;
    page.button("Select payments-xks").click();
    page.until(10, "the external key store note", |p| {
        p.text().contains("proxy")
    })
    .await;
    page.button("Select hsm-no-active-hsm").click();
    page.until(10, "a failing verdict", |p| {
        p.text().contains("Connect is expected to fail")
    })
    .await;
    page.button("Connect").click();
    page.until(10, "held back", |p| {
        p.text()
            .contains("Not sent: the pre-flight expects this connect to fail")
    })
    .await;
    assert!(page.status().contains("Nothing is being watched"));
    count_connects();
    // A double click starts one connect flow.
    let anyway = page.button("Connect anyway");
    anyway.click();
    anyway.click();
    page.until(30, "FAILED", |p| {
        p.status().contains("INSUFFICIENT_CLOUDHSM_HSMS")
    })
    .await;
    let count = js_sys::eval("window.__connects").unwrap().as_f64().unwrap();
    assert_eq!(
        count, 1.0,
        "one Connect for a double click of Connect anyway"
    );
}

/// Counts the page's Connect calls (`window.__connects`), by wrapping fetch (once, as
/// `a_double_click_sends_one_connect` does).
fn count_connects() {
    js_sys::eval(concat!(
        "window.__connects = 0; if (!window.__fetch) { window.__fetch = window.fetch; ",
        "window.fetch = function (input, init) { const t = input && input.headers ? input.headers.get('x-amz-target') : null; ",
        "if (t === 'TrentService.ConnectCustomKeyStore') window.__connects++; return window.__fetch(input, init); }; }"
    ))
    .unwrap();
}

#[wasm_bindgen_test]
async fn preflight_without_the_cloudhsm_permission_is_unknown_and_never_blocks() {
    let page = Page::mount();
    page.use_emulator().await;
    // The emulator's second demo identity may not call cloudhsm:DescribeClusters.
    page.type_into(
        "Paste credentials",
        r#"{"AccessKeyId":"ASIAEMULATORNOHSM001","SecretAccessKey":"emulatorNoHsmSecretKey/NotReal/0123456789","SessionToken":"IQoJb3JpZ2luX2VjEMULATOR//NO/CLOUDHSM/TOKEN/not/real=="}"#,
    );
    page.until(5, "filled", |p| {
        p.field("Access key ID").value() == "ASIAEMULATORNOHSM001"
    })
    .await;
    page.button("Refresh").click();
    page.until(10, "the store list", |p| {
        p.text().contains("hsm-no-active-hsm")
    })
    .await;
    // (Another test connects hsm-no-active-hsm: this one uses a store whose connect fails fast
    // and leaves it DISCONNECTED.)
    page.button("Select hsm-cluster-misconfigured").click();
    page.until(10, "an unknown verdict", |p| {
        p.text().contains("Not checked:") && p.text().contains("cloudhsm:DescribeClusters")
    })
    .await;
    page.button("Connect").click();
    page.until(30, "the connect went ahead", |p| {
        p.text()
            .contains("CloudHsmClusterInvalidConfigurationException")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_watch_keeps_polling_where_it_began_when_the_form_changes() {
    // xks-timeout-then-ok ends FAILED (XKS_PROXY_TIMED_OUT) after 5 s (300 emulated): CONNECTING
    // for the first poll (1 s after Connect) with room to spare on a slow machine.
    // Changing the Region while it is watched must not send its polls to eu-west-1 (where KMS
    // would not know it), nor its panel's Disconnect.
    let page = Page::mount();
    page.use_emulator().await;
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f6000e");
    page.button("Connect").click();
    page.until(20, "CONNECTING", |p| p.status().contains("CONNECTING"))
        .await;
    page.type_into("Region", "eu-west-1");
    let hash = || web_sys::window().unwrap().location().hash().unwrap();
    page.until(5, "the link", |_| hash().contains("watch=connect"))
        .await;
    assert!(hash().contains("region=us-east-1"), "{}", hash());
    page.until(60, "FAILED", |p| p.status().contains("failed to connect"))
        .await;
    assert!(page.status().contains("XKS_PROXY_TIMED_OUT"));
    assert!(!page.text().contains("paused"), "{}", page.text());
    // A FAILED store takes no Update, not even of what may change while CONNECTED.
    page.type_into("Region", "us-east-1");
    page.button("Refresh").click();
    page.until(10, "the store list", |p| {
        p.text().contains("xks-timeout-then-ok")
    })
    .await;
    page.button("Select xks-timeout-then-ok").click();
    page.until(5, "the manage card", |p| {
        p.text().contains("Update or delete xks-timeout-then-ok")
    })
    .await;
    page.type_into("New proxy URI path", "/fixed/kms/xks/v1");
    page.button("Update").click();
    page.until(5, "needs disconnect", |p| {
        p.text().contains(
            "The store is FAILED: KMS accepts no Update in this state (not sent: XksProxyUriPath). Disconnect it first.",
        )
    })
    .await;
    // The panel's fix path goes where the store is, whatever the form says.
    page.type_into("Region", "eu-west-1");
    page.button("Disconnect to fix…").click();
    page.until(5, "the dialog", |p| p.text().contains("Disconnect now"))
        .await;
    page.button("Disconnect now").click();
    page.until(5, "the form back in us-east-1", |p| {
        p.field("Region").value() == "us-east-1"
    })
    .await;
    page.until(30, "DISCONNECTED", |p| {
        p.status().contains("is disconnected")
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_profile_picker_shows_the_profile_the_fields_hold() {
    let page = Page::mount();
    let file = "[dev]\naws_access_key_id = AKIAIOSFODNN7DEVDEV1\naws_secret_access_key = devsecret/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n[prod]\naws_access_key_id = AKIAIOSFODNN7PRODPR1\naws_secret_access_key = prodsecret/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    page.type_into("Paste credentials", file);
    page.until(5, "the profile picker", |p| p.text().contains("2 profiles"))
        .await;
    let select: web_sys::HtmlSelectElement = page.field("Profile").unchecked_into();
    select.set_value("1");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    page.until(5, "prod", |p| {
        p.field("Access key ID").value() == "AKIAIOSFODNN7PRODPR1"
    })
    .await;
    // Pasting again fills the first profile: the picker must say so, not keep "prod".
    page.type_into("Paste credentials", &format!("{file}\n"));
    page.until(5, "dev again", |p| {
        p.field("Access key ID").value() == "AKIAIOSFODNN7DEVDEV1"
    })
    .await;
    page.until(5, "the picker follows", |_| select.value() == "0")
        .await;
}

#[wasm_bindgen_test]
async fn what_the_link_holds_is_only_what_the_form_accepts() {
    let page = Page::mount();
    let hash = || web_sys::window().unwrap().location().hash().unwrap();
    page.type_into("Endpoint URL", "https://user:pass@kms.example.com");
    page.type_into(
        "Custom key store ID",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    page.until(5, "the endpoint message", |p| {
        p.text().contains("user name or password")
    })
    .await;
    gloo_timers::future::TimeoutFuture::new(300).await;
    let h = hash();
    assert!(
        !h.contains("pass") && !h.contains("EXAMPLEKEY") && !h.contains("endpoint="),
        "{h}"
    );
    page.type_into("Custom key store ID", "cks-0a1b2c3d4e5f60007");
    page.until(5, "the store in the link", |_| {
        hash().contains("store=cks-0a1b2c3d4e5f60007")
    })
    .await;
}
