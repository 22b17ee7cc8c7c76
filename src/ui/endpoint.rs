use super::use_session;
use crate::endpoint::{cautions, csp_allows, resolve};
use leptos::prelude::*;

#[component]
pub fn EndpointForm() -> impl IntoView {
    let s = use_session();
    let resolved = move || {
        let url = s.endpoint_url.get();
        resolve(&s.region.get(), s.variant(), Some(&url))
    };
    // Another region or endpoint has other stores: the list read from the old one goes.
    let stale = move |_: leptos::ev::Event| super::stores::invalidate(s);
    let notes = move || {
        let custom = s.endpoint_url.get();
        if resolved().is_err() {
            return Vec::new();
        }
        if !custom.trim().is_empty() {
            return if csp_allows(&custom) {
                Vec::new()
            } else {
                vec!["A hosted copy of this console only reaches AWS's KMS domains and http://127.0.0.1 or localhost (its Content Security Policy): it will block this endpoint.".to_string()]
            };
        }
        cautions(s.region.get().trim(), s.variant())
    };
    view! {
        <section class="card" aria-labelledby="ep-h">
            <h2 id="ep-h">"Endpoint"</h2>
            <label for="region">"Region"</label>
            <input id="region" type="text" spellcheck="false" autocomplete="off" list="regions" bind:value=s.region on:input=stale />
            <datalist id="regions">
                {crate::endpoint::all_regions().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </datalist>
            <label for="endpoint">"Endpoint URL"</label>
            <input id="endpoint" type="url" spellcheck="false" autocomplete="off" placeholder="optional, e.g. http://127.0.0.1:4599" bind:value=s.endpoint_url on:input=stale />
            <div class="checks">
                <label class="check" for="fips"><input id="fips" type="checkbox" bind:checked=s.fips />" FIPS endpoint"</label>
                <label class="check" for="dualstack"><input id="dualstack" type="checkbox" bind:checked=s.dual_stack />" Dual-stack (IPv6) endpoint"</label>
            </div>
            {move || match resolved() {
                Ok(e) => view! { <p class="note">"Requests go to " <code>{e.url}</code> " signed for " <code>{e.signing_region}</code> "."</p> }.into_any(),
                Err(e) => view! { <p class="field-msg" role="alert">{e.to_string()}</p> }.into_any(),
            }}
            <ul class="warnings">{move || notes().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
        </section>
    }
}
