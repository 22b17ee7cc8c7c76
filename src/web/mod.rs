//! The browser shell: the fetch client, the API layer (`api`: every AWS call the page makes),
//! the clock, sleeps, randomness, clipboard and notifications. Everything here is a thin adapter;
//! the decisions live in `console` and `aws`. Never imports `ui`.

pub mod api;
pub mod client;
pub mod cloudwatch_api;
pub mod keys_api;
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

/// Runs `futures` at once and answers their outputs in their order (what `futures`'
/// `join_all` does; its general version, for any number of futures, added 2.5 KB brotli to the
/// page, and the page joins a handful). Each wake polls every future not yet done.
pub async fn all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, o) in futures.iter_mut().zip(out.iter_mut()) {
            if o.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *o = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

/// Runs `a` and `b` at once and answers both outputs.
pub async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut x, mut y) = (None, None);
    std::future::poll_fn(|cx| {
        if x.is_none()
            && let std::task::Poll::Ready(v) = a.as_mut().poll(cx)
        {
            x = Some(v);
        }
        if y.is_none()
            && let std::task::Poll::Ready(v) = b.as_mut().poll(cx)
        {
            y = Some(v);
        }
        if x.is_some() && y.is_some() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    match (x, y) {
        (Some(x), Some(y)) => (x, y),
        _ => unreachable!("poll_fn ends only when both are ready"),
    }
}

/// Wakes a sleeping loop early: `ring` ends the current (or the next) `sleep` at once. One
/// long-lived loop woken this way never drops work in flight, as restarting it would.
#[derive(Clone, Default)]
pub struct Bell(std::rc::Rc<std::cell::RefCell<BellState>>);

#[derive(Default)]
struct BellState {
    rung: bool,
    waker: Option<std::task::Waker>,
}

impl Bell {
    pub fn ring(&self) {
        let mut st = self.0.borrow_mut();
        st.rung = true;
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    }

    /// Sleeps `ms` (at most about 24 days), or until rung: returns whether it was rung.
    pub async fn sleep(&self, ms: u64) -> bool {
        Ringing {
            bell: self.clone(),
            timer: gloo_timers::future::TimeoutFuture::new(ms.min(i32::MAX as u64) as u32),
        }
        .await
    }
}

struct Ringing {
    bell: Bell,
    timer: gloo_timers::future::TimeoutFuture,
}

impl std::future::Future for Ringing {
    type Output = bool;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<bool> {
        {
            let mut st = self.bell.0.borrow_mut();
            if std::mem::take(&mut st.rung) {
                return std::task::Poll::Ready(true);
            }
            st.waker = Some(cx.waker().clone());
        }
        std::pin::Pin::new(&mut self.timer).poll(cx).map(|()| false)
    }
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
