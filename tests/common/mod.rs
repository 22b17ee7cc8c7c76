//! Helpers for the browser tests: mount a view in its own container, find controls by their
//! visible label or accessible name, type, click, and wait for the DOM.
#![allow(dead_code)]

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

pub const EMULATOR: &str = match option_env!("CKS_EMULATOR_URL") {
    Some(u) => u,
    None => "http://127.0.0.1:4599",
};

/// One mounted app in its own container, removed when dropped.
pub struct Page {
    pub root: HtmlElement,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

impl Page {
    /// Mounts the whole app, from a clean link (or the given fragment).
    pub fn mount() -> Self {
        Self::mount_view_at("#", || view! { <cks_console::ui::App /> }.into_any())
    }

    /// Mounts any view, after setting the page's fragment.
    pub fn mount_view_at(fragment: &str, f: impl FnOnce() -> AnyView + 'static) -> Self {
        let window = web_sys::window().unwrap();
        // Each test starts from a clean link (an earlier test's watch lives in the fragment).
        window
            .history()
            .unwrap()
            .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(fragment))
            .unwrap();
        let document = window.document().unwrap();
        let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
        document.body().unwrap().append_child(&root).unwrap();
        let handle = leptos::mount::mount_to(root.clone(), f);
        Self {
            root,
            _handle: handle,
        }
    }

    /// The control labelled exactly `text` (through `<label for>`).
    pub fn field(&self, text: &str) -> HtmlInputElement {
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

    pub fn button(&self, name: &str) -> HtmlElement {
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

    pub fn type_into(&self, label: &str, value: &str) {
        let input = self.field(label);
        input.set_value(value);
        input
            .dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
    }

    pub fn status(&self) -> String {
        let el = self
            .root
            .query_selector("[role=status][aria-label='Connection status']")
            .unwrap()
            .expect("status panel");
        el.text_content().unwrap_or_default()
    }

    pub fn text(&self) -> String {
        self.root.text_content().unwrap_or_default()
    }

    /// Waits (polling the DOM) until `check` holds, for at most `secs` seconds.
    pub async fn until(&self, secs: u32, what: &str, check: impl Fn(&Self) -> bool) {
        for _ in 0..secs * 10 {
            if check(self) {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(100).await;
        }
        panic!("timed out waiting for {what}; page text: {}", self.text());
    }

    pub async fn use_emulator(&self) {
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
