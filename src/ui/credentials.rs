use super::state::{Ctx, use_ctx};
use crate::aws::credentials::{Pasted, Profile, parse_paste};
use crate::aws::endpoint::{is_loopback, url_host};
use crate::web::client::emulator_credentials;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The local emulator's default address (the README's run command starts it there).
pub const EMULATOR_URL: &str = "http://127.0.0.1:4599";

/// The paste box's state: its text, what it said, and the profiles of a pasted credentials
/// file (the user picks one; `picked` is the one the fields hold).
#[derive(Clone, Copy)]
struct Paste {
    text: RwSignal<String>,
    msg: RwSignal<Option<String>>,
    profiles: RwSignal<Vec<Profile>>,
    picked: RwSignal<usize>,
}

impl Paste {
    fn new() -> Self {
        Self {
            text: RwSignal::new(String::new()),
            msg: RwSignal::new(None),
            profiles: RwSignal::new(Vec::new()),
            picked: RwSignal::new(0),
        }
    }

    /// Fills the fields from pasted text. Text that parsed is cleared from the box (the secret
    /// then lives only in the fields); text that did not stays, to be corrected.
    fn apply(self, ctx: Ctx, text: String) {
        match parse_paste(&text) {
            Ok(Pasted::One {
                format,
                credentials,
            }) => {
                self.text.set(String::new());
                self.profiles.set(Vec::new());
                fill(ctx, &credentials);
                self.msg
                    .set(Some(format!("Filled from {}.", format.describe())));
            }
            Ok(Pasted::Profiles(list)) => {
                self.text.set(String::new());
                fill(ctx, &list[0].credentials);
                self.picked.set(0);
                self.msg.set(Some(format!(
                    "The file has {} profiles: filled from [{}]. Pick another below.",
                    list.len(),
                    list[0].name
                )));
                self.profiles.set(list);
            }
            Err(e) => {
                self.profiles.set(Vec::new());
                self.msg.set(Some(e.to_string()));
            }
        }
    }

    fn pick(self, ctx: Ctx, i: usize) {
        self.profiles.with_untracked(|list| {
            if let Some(p) = list.get(i) {
                fill(ctx, &p.credentials);
                self.picked.set(i);
                self.msg
                    .set(Some(format!("Filled from profile [{}].", p.name)));
            }
        });
    }
}

/// Puts credentials into the fields; fresh credentials resume a watch that paused for them.
fn fill(ctx: Ctx, c: &crate::aws::credentials::Credentials) {
    // Another key may be another account: its list is not the one on screen.
    if ctx.creds.access_key_id.get_untracked() != c.access_key_id {
        ctx.stores.invalidate();
    }
    ctx.creds.fill(c);
    super::status::resume_if_paused(ctx);
}

#[component]
pub fn CredentialsForm() -> impl IntoView {
    let ctx = use_ctx();
    let paste = Paste::new();
    let forget = move |_| {
        forget(ctx);
        paste.text.set(String::new());
        paste.profiles.set(Vec::new());
        paste.msg.set(Some("Credentials forgotten.".into()));
    };
    view! {
        <section class="card" aria-labelledby="cred-h">
            <h2 id="cred-h">"Credentials"</h2>
            <p class="hint">"Temporary credentials stay in this tab's memory only: never stored, logged or put in the URL."</p>
            <UseEmulator paste=paste />
            <PasteBox paste=paste />
            <KeyFields />
            <div class="actions">
                <button type="button" class="secondary" on:click=forget>"Forget credentials"</button>
            </div>
        </section>
    }
}

/// Forgets the credentials, and the list and message read with them.
pub fn forget(ctx: Ctx) {
    ctx.creds.forget();
    ctx.stores.invalidate();
    ctx.card.msg.set(None);
}

/// "Use local emulator": its demo credentials, its endpoint (loopback), and its store list.
#[component]
fn UseEmulator(paste: Paste) -> impl IntoView {
    let ctx = use_ctx();
    let target = ctx.target;
    let msg = RwSignal::new(None::<String>);
    let use_emulator = move |_| {
        let current = target.endpoint_url.get_untracked();
        let base = crate::aws::endpoint::parse_custom_url(&current)
            .ok()
            .filter(|u| url_host(u).is_some_and(|h| is_loopback(&h)))
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| EMULATOR_URL.to_string());
        msg.set(Some(
            "Asking the local emulator for its demo credentials…".into(),
        ));
        spawn_local(async move {
            match emulator_credentials(&base).await {
                Ok(text) => {
                    ctx.stores.invalidate();
                    target.pending_endpoint.set(None);
                    target.endpoint_url.set(base.clone());
                    target.region.set("us-east-1".into());
                    paste.apply(ctx, text);
                    paste.msg.set(None);
                    msg.set(Some(format!(
                        "Using the local emulator at {base} with its demo credentials."
                    )));
                    ctx.refresh_stores();
                }
                Err(e) => msg.set(Some(e)),
            }
        });
    };
    view! {
        <div class="actions">
            <button type="button" class="secondary" on:click=use_emulator>"Use local emulator"</button>
        </div>
        {move || msg.get().map(|m| view! { <p class="note">{m}</p> })}
    }
}

/// The paste box, what it understood, and the profile picker of a credentials file.
#[component]
fn PasteBox(paste: Paste) -> impl IntoView {
    let ctx = use_ctx();
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        paste.text.set(text.clone());
        if text.trim().is_empty() {
            paste.msg.set(None)
        } else {
            paste.apply(ctx, text)
        }
    };
    let pick =
        move |ev: leptos::ev::Event| paste.pick(ctx, event_target_value(&ev).parse().unwrap_or(0));
    let options = move || {
        paste.profiles.get().into_iter().enumerate().map(|(i, p)| {
            let label = match &p.account {
                Some(acct) => format!("{} (account {acct})", p.name),
                None => p.name.clone(),
            };
            view! { <option value=i.to_string() prop:selected=move || paste.picked.get() == i>{label}</option> }
        }).collect_view()
    };
    view! {
        <label for="paste">"Paste credentials"</label>
        <textarea id="paste" rows="3" spellcheck="false" autocomplete="off"
            placeholder="STS JSON, export AWS_ACCESS_KEY_ID=…, a [profile] block…"
            prop:value=move || paste.text.get()
            on:input=on_input
        ></textarea>
        <p class="field-msg" role="status">{move || paste.msg.get()}</p>
        <Show when=move || paste.profiles.with(|p| p.len() > 1)>
            <label for="profile">"Profile"</label>
            <select id="profile" on:change=pick>{options}</select>
        </Show>
    }
}

/// The three fields, the expiry countdown and the warnings about the credentials.
#[component]
fn KeyFields() -> impl IntoView {
    let ctx = use_ctx();
    let (s, now) = (ctx.creds, ctx.clock.0);
    // An expiry belongs to the pasted credentials: typing others by hand drops it.
    let typed = move |_: leptos::ev::Event| {
        s.expiration_ms.set(None);
        s.proven.set(false);
    };
    // Typed credentials, once complete (the field left), resume what paused for them.
    let complete = move |_: leptos::ev::Event| {
        if s.get().is_ok() {
            super::status::resume_if_paused(ctx);
        }
    };
    let typed_key = move |ev: leptos::ev::Event| {
        typed(ev);
        ctx.stores.invalidate();
    };
    let warnings = move || {
        let now = now.get();
        s.access_key_id.track();
        s.session_token.track();
        s.expiration_ms.track();
        s.get().map(|c| c.warnings(now)).unwrap_or_default()
    };
    let countdown = move || {
        s.expiration_ms.get().map(|exp| {
            let left = (exp - now.get()) / 1000;
            if left <= 0 {
                "Expired.".to_string()
            } else {
                format!(
                    "Expires in {}:{:02}:{:02}.",
                    left / 3600,
                    left % 3600 / 60,
                    left % 60
                )
            }
        })
    };
    view! {
        <label for="akid">"Access key ID"</label>
        <input id="akid" type="text" spellcheck="false" autocomplete="off" bind:value=s.access_key_id on:input=typed_key />
        <label for="secret">"Secret access key"</label>
        <input id="secret" type="password" spellcheck="false" autocomplete="off" bind:value=s.secret_access_key on:input=typed on:change=complete />
        <label for="token">"Session token"</label>
        <input id="token" type="password" spellcheck="false" autocomplete="off" bind:value=s.session_token on:input=typed on:change=complete />
        {move || countdown().map(|c| view! { <p class="note">{c}</p> })}
        <ul class="warnings">
            {move || warnings().into_iter().map(|w| view! { <li>{w.to_string()}</li> }).collect_view()}
        </ul>
    }
}
