//! Pieces several components share: the error box, the Disconnect confirmation, whether a
//! Connect or Disconnect is in flight, and the badge of a connection state.

use super::state::{ConfirmAt, Flows, use_ctx};
use crate::aws::error::KmsError;
use crate::aws::kms::{ConnectionState, Operation};
use crate::console::explain;
use leptos::prelude::*;

/// Whether Connect or Disconnect is in flight.
pub fn busy(flows: Flows) -> bool {
    flows.connect.pending().get() || flows.disconnect.pending().get()
}

/// The confirmation a Disconnect needs: what it does to the keys. A panel's copy shows in that
/// panel only, for its store; the form moves to that store (and its place) only once the user
/// confirms. Escape or Cancel closes it, and focus goes back to where it was.
#[component]
pub fn ConfirmDisconnect(at: ConfirmAt) -> impl IntoView {
    let ctx = use_ctx();
    let flows = expect_context::<Flows>();
    let card = ctx.card;
    let cancel = NodeRef::<leptos::html::Button>::new();
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    // Move focus into the dialog so a keyboard user lands on it.
    Effect::new(move |_| {
        if let Some(b) = cancel.get() {
            opener.set_value(crate::web::focused());
            let _ = b.focus();
        }
    });
    let close = move || {
        card.confirm_disconnect.set(None);
        crate::web::refocus(opener.get_value(), "store-id");
    };
    let panel_store = match &at {
        ConfirmAt::Panel(id) => Some(id.clone()),
        ConfirmAt::Form => None,
    };
    let shown_at = at.clone();
    let shown = move || {
        card.confirm_disconnect
            .with(|c| c.as_ref() == Some(&shown_at))
    };
    let title_store = panel_store.clone();
    let title = move || {
        title_store
            .clone()
            .unwrap_or_else(|| ctx.selection.store_id.get().trim().to_string())
    };
    let confirm = move |_| {
        if busy(flows) {
            return;
        }
        // A panel's Disconnect goes where its watch is, for its store.
        if let Some(id) = &panel_store {
            if let Some(p) = ctx
                .watches
                .board
                .with_untracked(|b| b.get(id).and_then(|w| w.place.clone()))
            {
                ctx.go_to(&p);
            }
            ctx.selection.store_id.set(id.clone());
        }
        close();
        flows.disconnect(ctx);
    };
    view! {
        <Show when=shown>
            <div class="confirm" role="alertdialog" aria-labelledby="confirm-t" aria-describedby="confirm-d"
                on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                <p id="confirm-t"><strong>"Disconnect " {title.clone()} "?"</strong></p>
                <p id="confirm-d">"While it is disconnected, every KMS key in this store is unusable: encrypt, decrypt and other cryptographic operations with them fail, and AWS services that use them are disrupted. The keys and their metadata are kept, and Connect makes them usable again."</p>
                <div class="actions">
                    <button type="button" class="danger" disabled=move || busy(flows) on:click=confirm.clone()>"Disconnect now"</button>
                    <button type="button" class="secondary" node_ref=cancel on:click=move |_| close()>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

/// A failed call: its code, message, meaning, fix, documentation and request id.
#[component]
pub fn ErrorBox(op: Operation, error: KmsError) -> impl IntoView {
    let x = explain::kms_error(&error, op);
    explained(op.name(), error, x)
}

/// A failed call of the operation `name`, with its explanation (any service's).
pub fn explained(name: &'static str, error: KmsError, x: explain::Explanation) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <p><strong>{name} " failed: "</strong><code class="code">{error.code.clone()}</code></p>
            {(!error.message.is_empty()).then(|| view! { <p class="message">{error.message.clone()}</p> })}
            <p>{x.meaning}</p>
            <p><strong>"What to do: "</strong>{x.fix}" "<a href=x.doc target="_blank" rel="noopener noreferrer">"AWS documentation"</a></p>
            {error.request_id.clone().map(|r| view! { <p class="rid">"Request id: " <code>{r}</code></p> })}
        </div>
    }
}

/// The badge (CSS class) of a connection state, wherever a state shows.
pub fn badge_class(state: Option<&ConnectionState>) -> &'static str {
    match state {
        Some(ConnectionState::Connected) => "badge ok",
        Some(ConnectionState::Failed) => "badge bad",
        Some(ConnectionState::Disconnected) => "badge off",
        _ => "badge busy",
    }
}
