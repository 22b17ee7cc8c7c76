//! Leptos components. They read signals and call `web`'s API layer; the shared state is
//! [`Session`] (in `session`), provided by [`App`]. This module declares the components,
//! re-exports what tests use, wires the session's Connect and Disconnect flows, and holds `App`.
//! Components import `session` and `common`, never this module.

mod common;
mod connect;
mod credentials;
mod endpoint;
mod manage;
mod preflight;
mod session;
mod status;
mod stores;

pub use common::ErrorBox;
pub use session::{ConfirmAt, Session, StoreList, on_forget, use_session};
pub use status::StatusPanel;
pub use stores::{StoreTable, update_row};

use crate::console::link::Link;
use crate::console::watch::{Phase, Watch};
use leptos::prelude::*;

impl Session {
    /// A fresh session, as at page load, with the Connect and Disconnect flows of `connect`.
    /// Public for component tests.
    pub fn new() -> Self {
        Self::with_flows(connect::connect_flow, connect::disconnect_flow)
    }
}

/// Reads the page's link once, at start-up.
fn open_link(s: Session) {
    let Some(hash) = web_sys::window().and_then(|w| w.location().hash().ok()) else {
        return;
    };
    let link = Link::parse(&hash);
    if let Some(r) = &link.region {
        s.region.set(r.clone());
    }
    if let Some(e) = link.endpoint_to_confirm() {
        s.pending_endpoint.set(Some(e.to_string()));
    }
    if let Some(e) = &link.endpoint {
        s.endpoint_url.set(e.clone());
    }
    s.fips.set(link.variant.fips);
    s.dual_stack.set(link.variant.dual_stack);
    if let Some(id) = &link.store {
        s.store_id.set(id.clone());
    }
    // A test switch: a release build ignores it.
    #[cfg(any(debug_assertions, feature = "pace"))]
    if let Some(p) = link.pace {
        s.pace.set(p);
    }
    // The watch reopens at once, for the link's store and where the link points; with no
    // credentials yet its first poll pauses it, and a paste (or Resume watching) resumes it.
    if let (Some((goal, since)), Some(id)) = (link.watch, link.store) {
        let id = id.trim().to_string();
        if crate::aws::kms::check_store_id(&id).is_ok() {
            s.notice.set(Some(status::REOPEN_NOTICE.into()));
            status::start_watch(s, Watch::reopened(&id, goal, since, crate::web::now_ms()));
        }
    }
}

/// The page's link for the form and the watch (never a secret).
fn link_fragment(s: Session) -> String {
    // An open watch is what a reload must reopen, where it lives; otherwise the form's store.
    let open = s.board.with(|b| {
        b.primary()
            .filter(|w| matches!(w.phase, Phase::Watching | Phase::Paused(_)))
            .map(|w| (w.store_id.clone(), (w.goal, w.started_ms), w.place.clone()))
    });
    let (store, watch, place) = match open {
        Some((id, w, place)) => (id, Some(w), place),
        None => (s.store_id.get(), None, None),
    };
    let (region, endpoint, variant) = match place {
        Some(p) => (p.region, p.custom_url, p.variant),
        None => (s.region.get(), s.endpoint_url.get(), s.variant()),
    };
    let link = Link {
        region: Some(region),
        endpoint: Some(endpoint),
        variant,
        store: Some(store),
        watch,
        pace: Some(s.pace.get()),
    };
    format!("#{}", link.only_valid().format())
}

/// Keeps the address bar in step with the link, writing only when the link changes (not on
/// every poll).
fn write_link(fragment: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        // replaceState: typing must not fill the back button's history.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(fragment));
    }
}

#[component]
pub fn App() -> impl IntoView {
    let s = Session::new();
    provide_context(s);
    open_link(s);
    let fragment = Memo::new(move |_| link_fragment(s));
    Effect::new(move |_| fragment.with(|f| write_link(f)));
    if let Ok(handle) = set_interval_with_handle(
        move || s.now_ms.set(crate::web::now_ms()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    // A hidden tab's timers are throttled: when it is seen again, poll at once if overdue.
    let visibility = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| !d.hidden());
        let now = crate::web::now_ms();
        if visible
            && s.board
                .with_untracked(|b| b.next_due().is_some_and(|(_, due)| due <= now))
        {
            status::wake_poller(s);
        }
    });
    on_cleanup(move || visibility.remove());
    view! {
        <header class="top">
            <h1>"cks-console"</h1>
            <p class="tagline">"Connect an AWS KMS custom key store and watch it settle. Requests are signed in this tab and sent straight to KMS."</p>
        </header>
        <main class="layout">
            <div class="column">
                <credentials::CredentialsForm />
                <endpoint::EndpointForm />
                <manage::CreateStore />
            </div>
            <div class="column">
                <connect::ConnectForm />
                <status::StatusPanel />
            </div>
            <div class="wide">
                <stores::StoreTable />
                <manage::SelectedStore />
            </div>
        </main>
    }
}
