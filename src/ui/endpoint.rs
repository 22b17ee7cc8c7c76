use super::use_session;
use crate::endpoint::{Variant, resolve};
use leptos::prelude::*;

#[component]
pub fn EndpointForm() -> impl IntoView {
    let s = use_session();
    let resolved = move || {
        let url = s.endpoint_url.get();
        resolve(&s.region.get(), Variant::default(), Some(&url))
    };
    view! {
        <section class="card" aria-labelledby="ep-h">
            <h2 id="ep-h">"Endpoint"</h2>
            <label for="region">"Region"</label>
            <input id="region" type="text" spellcheck="false" autocomplete="off" list="regions" bind:value=s.region />
            <datalist id="regions">
                {crate::endpoint::all_regions().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </datalist>
            <label for="endpoint">"Endpoint URL"</label>
            <input id="endpoint" type="url" spellcheck="false" autocomplete="off" placeholder="optional, e.g. http://127.0.0.1:4599" bind:value=s.endpoint_url />
            {move || match resolved() {
                Ok(e) => view! { <p class="note">"Requests go to " <code>{e.url}</code> " signed for " <code>{e.signing_region}</code> "."</p> }.into_any(),
                Err(e) => view! { <p class="field-msg" role="alert">{e.to_string()}</p> }.into_any(),
            }}
        </section>
    }
}
