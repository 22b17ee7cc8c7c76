//! Credentials and endpoint: the two forms, folded into one summary line once AWS has answered
//! a request made with them. They never fold while the focus is in one of their fields, and
//! they open again on their own when something needs them (missing or expired credentials,
//! credentials AWS refused, a link's endpoint to confirm).

use super::state::use_ctx;
use leptos::prelude::*;

/// "expires in 1:02:03" / "expired", for a countdown.
pub fn expires_in(expiration_ms: i64, now_ms: i64) -> String {
    let left = (expiration_ms - now_ms) / 1000;
    match left / 3600 {
        _ if left <= 0 => "expired".into(),
        0 => format!("expires in {}:{:02}", left / 60, left % 60),
        h => format!("expires in {h}:{:02}:{:02}", left % 3600 / 60, left % 60),
    }
}

#[component]
pub fn Access() -> impl IntoView {
    let ctx = use_ctx();
    let (creds, target) = (ctx.creds, ctx.target);
    // The focus is in a field of the forms: the user is typing there.
    let typing = RwSignal::new(false);
    let on_focus = move |ev: leptos::ev::FocusEvent| {
        typing.set(event_target::<web_sys::Element>(&ev).tag_name() != "BUTTON")
    };
    let folded = Memo::new(move |_| {
        target.pending_endpoint.track();
        target.endpoint_url.track();
        creds.proven.get()
            && !typing.get()
            && !creds.needs_attention(ctx.clock.0.get())
            && target.pending_host().is_none()
    });
    view! {
        <Show when=move || folded.get()>
            <Summary />
        </Show>
        <div class="access" hidden=move || folded.get() on:focusin=on_focus on:focusout=move |_| typing.set(false)>
            <super::credentials::CredentialsForm />
            <super::endpoint::EndpointForm />
        </div>
    }
}

/// "ASIA…0001 · us-east-1 · expires in 11:58", with Change and Forget. Change opens the forms
/// until AWS takes what is in them again.
#[component]
fn Summary() -> impl IntoView {
    let ctx = use_ctx();
    let (creds, target) = (ctx.creds, ctx.target);
    let key = move || {
        creds
            .access_key_id
            .with(|k| match (k.get(..4), k.get(k.len().saturating_sub(4)..)) {
                (Some(a), Some(b)) if k.len() > 8 => format!("{a}…{b}"),
                _ => k.clone(),
            })
    };
    let place = move || {
        let custom = target.endpoint_url.get();
        let host = crate::aws::endpoint::parse_custom_url(custom.trim())
            .ok()
            .and_then(|u| crate::aws::endpoint::url_host(&u));
        let region = target.region.get().trim().to_string();
        host.map_or(region.clone(), |h| format!("{region} · {h}"))
    };
    let expiry = move || {
        creds
            .expiration_ms
            .get()
            .map(|e| format!(" · {}", expires_in(e, ctx.clock.0.get())))
    };
    view! {
        <section class="card summary" aria-label="Credentials and endpoint">
            <p><span class="sr-only">"Access key "</span><code>{key}</code>" · "{place}{expiry}</p>
            <div class="actions">
                <button type="button" class="secondary small" on:click=move |_| creds.proven.set(false)>"Change credentials or endpoint"</button>
                <button type="button" class="secondary small" on:click=move |_| super::credentials::forget(ctx)>"Forget credentials"</button>
            </div>
        </section>
    }
}
