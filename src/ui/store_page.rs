//! A store's page: the "Custom key store ID" field with Connect and Disconnect, an overview of
//! the store, and its tabs (WAI-ARIA tabs: arrow keys, Home and End move between them).

use super::common::{ConfirmDisconnect, badge_class, busy};
use super::connect::CardMessage;
use super::state::{ConfirmAt, Flows, use_ctx};
use crate::aws::kms::{CustomKeyStoreType, check_store_id};
use crate::console::link::Tab;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Brings the store page into view and puts the focus on its heading (after a row's Select).
pub fn show() {
    if let Some(h) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("page-h"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = h.focus();
    }
}

#[component]
pub fn StorePage() -> impl IntoView {
    let ctx = use_ctx();
    let flows = expect_context::<Flows>();
    let (selection, card) = (ctx.selection, ctx.card);
    let busy = move || busy(flows);
    let id_msg = move || match check_store_id(&selection.store_id.get()) {
        Ok(warning) => warning,
        // An empty field is not an error until the user acts.
        Err(_) if selection.store_id.get().is_empty() => None,
        Err(e) => Some(e),
    };
    let title = move || {
        ctx.selected_store()
            .and_then(|st| st.custom_key_store_name)
            .unwrap_or_else(|| "Custom key store".into())
    };
    view! {
        <section class="card page" aria-labelledby="page-h">
            <h2 id="page-h" tabindex="-1">{title}</h2>
            <Overview />
            <div class="id-row">
                <div class="id-field">
                    <label for="store-id">"Custom key store ID"</label>
                    <input id="store-id" type="text" spellcheck="false" autocomplete="off" placeholder="cks-1234567890abcdef0" bind:value=selection.store_id />
                </div>
                <div class="actions">
                    <button type="button" class="primary" disabled=busy
                        on:click=move |_| if !busy() { card.confirm_disconnect.set(None); flows.connect(ctx); }>
                        {move || if flows.connect.pending().get() { "Connecting…" } else { "Connect" }}
                    </button>
                    <button type="button" class="secondary" disabled=busy
                        on:click=move |_| card.confirm_disconnect.set(Some(ConfirmAt::Form))>"Disconnect"</button>
                </div>
            </div>
            {move || id_msg().map(|m| view! { <p class="field-msg">{m}</p> })}
            <ConfirmDisconnect at=ConfirmAt::Form />
            <Tabs />
        </section>
    }
}

/// The store's type, state and backing, once the list has its row.
#[component]
fn Overview() -> impl IntoView {
    let ctx = use_ctx();
    move || {
        let Some(st) = ctx.selected_store() else {
            return view! { <p class="overview">"Select a store in the list above, or type its ID."</p> }.into_any();
        };
        {
            let kind = match st.store_type() {
                CustomKeyStoreType::AwsCloudHsm => "AWS CloudHSM key store".to_string(),
                CustomKeyStoreType::ExternalKeyStore => "External key store".to_string(),
                CustomKeyStoreType::Other(t) => t,
            };
            let state = st.connection_state.as_ref().map(|c| c.as_str().to_string());
            let badge = badge_class(st.connection_state.as_ref());
            view! {
                <p class="overview">
                    <span class=badge>{state}</span>" "{kind}" · "<code>{st.custom_key_store_id.clone()}</code>
                    {super::keys::key_count(ctx)}
                </p>
            }
            .into_any()
        }
    }
}

/// The tab list and the panels. Every panel stays mounted (hidden when not chosen), so what
/// was typed in one survives a look at another.
#[component]
fn Tabs() -> impl IntoView {
    let tab = use_ctx().selection.tab;
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let next = match ev.key().as_str() {
            "ArrowRight" => tab.get_untracked().step(1),
            "ArrowLeft" => tab.get_untracked().step(-1),
            "Home" => Tab::ALL[0],
            "End" => Tab::ALL[Tab::ALL.len() - 1],
            _ => return,
        };
        ev.prevent_default();
        tab.set(next);
        if let Some(b) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("tab-{}", next.key())))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = b.focus();
        }
    };
    let buttons = Tab::ALL.map(|t| {
        let chosen = move || tab.get() == t;
        view! {
            <button type="button" role="tab" id=format!("tab-{}", t.key()) aria-controls=format!("panel-{}", t.key())
                aria-selected=move || chosen().to_string() tabindex=move || if chosen() { "0" } else { "-1" }
                on:click=move |_| tab.set(t)>{t.title()}</button>
        }
    });
    view! {
        <div class="tabs" role="tablist" aria-label="Store page" on:keydown=on_key>{buttons.into_iter().collect_view()}</div>
        <Panel tab=Tab::Connection>
            <super::preflight::Preflight />
            <CardMessage />
            <super::status::StatusPanel />
        </Panel>
        <Panel tab=Tab::Settings>
            <super::settings::Settings />
        </Panel>
        <Panel tab=Tab::Keys>
            <super::keys::KeysPanel />
        </Panel>
        <Panel tab=Tab::Health>
            <super::health::Health />
        </Panel>
    }
}

/// One tab's panel, named by its tab.
#[component]
fn Panel(tab: Tab, children: Children) -> impl IntoView {
    let chosen = use_ctx().selection.tab;
    view! {
        <div role="tabpanel" class="panel" id=format!("panel-{}", tab.key()) aria-labelledby=format!("tab-{}", tab.key())
            hidden=move || chosen.get() != tab>
            {children()}
        </div>
    }
}
