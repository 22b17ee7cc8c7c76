//! Browser tests: the real app, mounted in headless Chromium, against a running kms-emulator
//! (`CKS_EMULATOR_URL` at build time; scripts/test.sh starts one with `--time-scale 60`).
#![cfg(target_arch = "wasm32")]

use cks_console::ui::App;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const EMULATOR: &str = match option_env!("CKS_EMULATOR_URL") {
    Some(u) => u,
    None => "http://127.0.0.1:4599",
};

/// One mounted app in its own container, removed when dropped.
struct Page {
    root: HtmlElement,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

impl Page {
    fn mount() -> Self {
        let document = web_sys::window().unwrap().document().unwrap();
        let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
        document.body().unwrap().append_child(&root).unwrap();
        let handle = leptos::mount::mount_to(root.clone(), || view! { <App /> }.into_any());
        Self {
            root,
            _handle: handle,
        }
    }

    /// The control labelled exactly `text` (through `<label for>`).
    fn field(&self, text: &str) -> HtmlInputElement {
        let labels = self.root.query_selector_all("label").unwrap();
        for i in 0..labels.length() {
            let label: Element = labels.item(i).unwrap().unchecked_into();
            if label.text_content().unwrap_or_default().trim() == text {
                let id = label.get_attribute("for").expect("label has for");
                return self
                    .root
                    .query_selector(&format!("#{id}"))
                    .unwrap()
                    .expect("labelled control")
                    .unchecked_into();
            }
        }
        panic!("no field labelled {text:?}");
    }

    fn button(&self, name: &str) -> HtmlElement {
        let buttons = self.root.query_selector_all("button").unwrap();
        for i in 0..buttons.length() {
            let b: HtmlElement = buttons.item(i).unwrap().unchecked_into();
            let accessible = b
                .get_attribute("aria-label")
                .unwrap_or_else(|| b.text_content().unwrap_or_default());
            if accessible.trim() == name {
                return b;
            }
        }
        panic!("no button named {name:?}");
    }

    fn type_into(&self, label: &str, value: &str) {
        let input = self.field(label);
        input.set_value(value);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    }

    fn status(&self) -> String {
        let el = self
            .root
            .query_selector("[role=status][aria-label='Connection status']")
            .unwrap()
            .expect("status panel");
        el.text_content().unwrap_or_default()
    }

    fn text(&self) -> String {
        self.root.text_content().unwrap_or_default()
    }

    /// Waits (polling the DOM) until `check` holds, for at most `secs` seconds.
    async fn until(&self, secs: u32, what: &str, check: impl Fn(&Self) -> bool) {
        for _ in 0..secs * 10 {
            if check(self) {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(100).await;
        }
        panic!("timed out waiting for {what}; page text: {}", self.text());
    }

    async fn use_emulator(&self) {
        self.type_into("Endpoint URL", EMULATOR);
        self.button("Use local emulator").click();
        self.until(10, "demo credentials", |p| {
            !p.field("Access key ID").value().is_empty()
        })
        .await;
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.root.remove();
    }
}

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
    page.until(20, "the error code", |p| {
        p.text().contains("CloudHsmClusterNotActiveException")
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
