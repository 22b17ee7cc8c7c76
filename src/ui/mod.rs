//! Leptos components. They read the page's state (`state`: narrow contexts) and call `web`'s
//! API layer. This module declares the components, re-exports what tests use, reads and
//! writes the link, and holds `App`. Components import `state`, `common` and each other,
//! never this module.

mod access;
mod common;
mod connect;
mod create;
mod credentials;
mod endpoint;
mod fields;
mod health;
mod keys;
mod preflight;
mod settings;
mod state;
mod status;
mod store_page;
mod stores;

pub use common::ErrorBox;
pub use health::{ViewState, attention, chart, charts};
pub use keys::KeysPanel;
pub use state::{
    Card, CardMsg, ConfirmAt, Creds, Ctx, Selection, StoreList, Stores, Target, Watches,
};
pub use state::{Keys, ScanView, TestView};
pub use status::StatusPanel;
pub use stores::StoreTable;

use crate::console::link::Link;
use crate::console::watch::{Phase, Watch};
use leptos::prelude::*;

/// The page's state and flows, as `App` provides them (component tests mount parts of the
/// page with it).
pub fn provide() -> Ctx {
    let ctx = Ctx::provide();
    connect::provide_flows(ctx);
    ctx
}

/// Reads the page's link once, at start-up.
fn open_link(ctx: Ctx) {
    let (t, sel) = (ctx.target, ctx.selection);
    let Some(hash) = web_sys::window().and_then(|w| w.location().hash().ok()) else {
        return;
    };
    let link = Link::parse(&hash);
    if let Some(r) = &link.region {
        t.region.set(r.clone());
    }
    if let Some(e) = link.endpoint_to_confirm() {
        t.pending_endpoint.set(Some(e.to_string()));
    }
    if let Some(e) = &link.endpoint {
        t.endpoint_url.set(e.clone());
    }
    t.fips.set(link.variant.fips);
    t.dual_stack.set(link.variant.dual_stack);
    if let Some(id) = &link.store {
        sel.store_id.set(id.clone());
    }
    sel.tab.set(link.tab);
    // A test switch: a release build ignores it.
    #[cfg(any(debug_assertions, feature = "pace"))]
    if let Some(p) = link.pace {
        ctx.watches.pace.set(p);
    }
    // The watch reopens at once, for the link's store and where the link points; with no
    // credentials yet its first poll pauses it, and a paste (or Resume watching) resumes it.
    if let (Some((goal, since)), Some(id)) = (link.watch, link.store) {
        let id = id.trim().to_string();
        if crate::aws::kms::check_store_id(&id).is_ok() {
            ctx.card.msg.set(Some(state::CardMsg::Reopened));
            status::start_watch(ctx, Watch::reopened(&id, goal, since, crate::web::now_ms()));
        }
    }
}

/// The page's link for the form and the watch (never a secret).
fn link_fragment(ctx: Ctx) -> String {
    let (t, sel) = (ctx.target, ctx.selection);
    // An open watch is what a reload must reopen, where it lives; otherwise the form's store.
    let open = ctx.watches.board.with(|b| {
        b.primary()
            .filter(|w| matches!(w.phase, Phase::Watching | Phase::Paused(_)))
            .map(|w| (w.store_id.clone(), (w.goal, w.started_ms), w.place.clone()))
    });
    let (store, watch, place) = match open {
        Some((id, w, place)) => (id, Some(w), place),
        None => (sel.store_id.get(), None, None),
    };
    let (region, endpoint, variant) = match place {
        Some(p) => (p.region, p.custom_url, p.variant),
        None => (t.region.get(), t.endpoint_url.get(), t.variant()),
    };
    let link = Link {
        region: Some(region),
        endpoint: Some(endpoint),
        variant,
        store: Some(store),
        watch,
        pace: Some(ctx.watches.pace.get()),
        tab: sel.tab.get(),
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
    let ctx = provide();
    open_link(ctx);
    let fragment = Memo::new(move |_| link_fragment(ctx));
    Effect::new(move |_| fragment.with(|f| write_link(f)));
    if let Ok(handle) = set_interval_with_handle(
        move || ctx.clock.0.set(crate::web::now_ms()),
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
            && ctx
                .watches
                .board
                .with_untracked(|b| b.next_due().is_some_and(|(_, due)| due <= now))
        {
            status::wake_poller(ctx);
        }
    });
    on_cleanup(move || visibility.remove());
    view! {
        <header class="top">
            <h1>"cks-console"</h1>
            <p class="tagline">"Connect an AWS KMS custom key store and watch it settle. Requests are signed in this tab and sent straight to KMS."</p>
        </header>
        <main class="layout">
            <access::Access />
            <stores::StoreTable />
            <store_page::StorePage />
        </main>
    }
}
