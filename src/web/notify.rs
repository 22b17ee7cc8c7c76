//! Telling the user outside the page: the tab title, browser notifications (when allowed),
//! the clipboard and file downloads.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{
    Blob, BlobPropertyBag, HtmlAnchorElement, Notification, NotificationOptions,
    NotificationPermission, Url,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    Ask,
    Granted,
    Denied,
    /// No Notification API (or not a secure context).
    Unavailable,
}

fn available() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false)
    })
}

pub fn permission() -> Permission {
    if !available() {
        return Permission::Unavailable;
    }
    match Notification::permission() {
        NotificationPermission::Granted => Permission::Granted,
        NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Ask,
    }
}

/// Asks for permission; `done` gets the answer.
pub fn request(done: impl Fn(Permission) + 'static) {
    let Ok(promise) = Notification::request_permission() else {
        done(Permission::Unavailable);
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        done(permission());
    });
}

/// A notification, if the user allowed them.
pub fn send(title: &str, body: &str) {
    if permission() != Permission::Granted {
        return;
    }
    let options = NotificationOptions::new();
    options.set_body(body);
    let _ = Notification::new_with_options(title, &options);
}

pub fn title(text: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(text);
    }
}

/// Puts text on the clipboard; `done(true)` on success.
pub fn copy(text: String, done: impl Fn(bool) + 'static) {
    // `navigator.clipboard` is undefined outside a secure context (http other than localhost).
    let Some(clipboard) = web_sys::window()
        .map(|w| w.navigator())
        .filter(|n| {
            js_sys::Reflect::get(n, &JsValue::from_str("clipboard"))
                .is_ok_and(|c| !c.is_undefined())
        })
        .map(|n| n.clipboard())
    else {
        done(false);
        return;
    };
    let promise = clipboard.write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// Offers `contents` as a JSON file download.
pub fn download(name: &str, contents: &str) {
    let parts = js_sys::Array::of1(&JsValue::from_str(contents));
    let bag = BlobPropertyBag::new();
    bag.set_type("application/json");
    let Ok(blob) = Blob::new_with_str_sequence_and_options(&parts, &bag) else {
        return;
    };
    let Ok(url) = Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    // Some browsers start the download after `click` returns: release the URL a little later.
    // A one-shot JS closure frees itself once called (a forgotten Timeout would not).
    let release = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ = w
            .set_timeout_with_callback_and_timeout_and_arguments_0(release.unchecked_ref(), 10_000);
    }
}
