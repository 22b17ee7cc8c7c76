//! The browser shell: the clock, sleeps, randomness and `fetch`. Everything here is a thin
//! adapter; the decisions live in the pure modules.

pub mod client;
pub mod notify;

/// Local time in epoch milliseconds (`SystemTime::now()` panics on wasm32).
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A uniform number in [0, 1), for retry jitter.
pub fn random01() -> f64 {
    js_sys::Math::random()
}

pub async fn sleep_ms(ms: u64) {
    gloo_timers::future::TimeoutFuture::new(ms.min(u32::MAX as u64) as u32).await;
}

/// `HH:MM:SS` in the user's time zone.
pub fn local_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

/// `YYYY-MM-DD HH:MM` in the user's time zone.
pub fn local_date_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// The element that has the keyboard focus, if it is an HTML element other than `<body>`
/// (which holds it when nothing does).
pub fn focused() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()?.document()?;
    let el: web_sys::HtmlElement = document.active_element()?.dyn_into().ok()?;
    (Some(&el) != document.body().as_ref()).then_some(el)
}

/// Gives the focus back to `el` (where it was before a dialog took it); if `el` has left the
/// page, to the element with id `fallback`.
pub fn refocus(el: Option<web_sys::HtmlElement>, fallback: &str) {
    use wasm_bindgen::JsCast;
    let target = el.filter(|e| e.is_connected()).or_else(|| {
        web_sys::window()?
            .document()?
            .get_element_by_id(fallback)?
            .dyn_into()
            .ok()
    });
    if let Some(t) = target {
        let _ = t.focus();
    }
}
