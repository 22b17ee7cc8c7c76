use super::state::{Ctx, Target, use_ctx};
use crate::aws::endpoint::{cautions, cloudhsm_endpoint, resolve};
use crate::aws::trust::Service;
use crate::aws::trust::csp_allows;
use leptos::prelude::*;

#[component]
pub fn EndpointForm() -> impl IntoView {
    let ctx = use_ctx();
    let s = ctx.target;
    let resolved = move || {
        let url = s.endpoint_url.get();
        resolve(&s.region.get(), s.variant(), Some(&url))
    };
    let cloudhsm = move || {
        cloudhsm_endpoint(
            &s.region.get(),
            s.fips.get(),
            Some(&s.endpoint_url.get()),
            Some(&s.cloudhsm_url.get()),
        )
    };
    // Another region or endpoint has other stores: the list read from the old one goes.
    let stale = move |_: leptos::ev::Event| {
        ctx.stores.invalidate();
        ctx.creds.proven.set(false);
    };
    let notes = move || {
        let custom = s.endpoint_url.get();
        if resolved().is_err() {
            return Vec::new();
        }
        if !custom.trim().is_empty() {
            return if csp_allows(&custom) {
                Vec::new()
            } else {
                vec!["A hosted copy of this console reaches only AWS's KMS and CloudHSM endpoints and http://127.0.0.1 or localhost (its Content Security Policy): it will block this endpoint.".to_string()]
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
                {crate::aws::endpoint::all_regions().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </datalist>
            <label for="endpoint">"Endpoint URL"</label>
            <input id="endpoint" type="url" spellcheck="false" autocomplete="off" placeholder="optional, e.g. http://127.0.0.1:4599" bind:value=s.endpoint_url on:input=stale />
            <PendingEndpoint />
            <Unconfirmed url=s.endpoint_url service=Service::Kms />
            <div class="checks">
                <label class="check" for="fips"><input id="fips" type="checkbox" bind:checked=s.fips />" FIPS endpoint"</label>
                <label class="check" for="dualstack"><input id="dualstack" type="checkbox" bind:checked=s.dual_stack />" Dual-stack (IPv6) endpoint"</label>
            </div>
            {move || match resolved() {
                Ok(e) => view! { <p class="note">"KMS requests go to " <code>{e.url}</code> " signed for " <code>{e.signing_region}</code> "."</p> }.into_any(),
                Err(e) => view! { <p class="field-msg" role="alert">{e.to_string()}</p> }.into_any(),
            }}
            <ul class="warnings">{move || notes().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
            <details class="more">
                <summary>"CloudHSM endpoint"</summary>
                <label for="cloudhsm-endpoint">"CloudHSM endpoint URL"</label>
                <input id="cloudhsm-endpoint" type="url" spellcheck="false" autocomplete="off" placeholder="optional, e.g. a CloudHSM VPC endpoint" bind:value=s.cloudhsm_url />
                <Unconfirmed url=s.cloudhsm_url service=Service::CloudHsm />
                {move || match cloudhsm() {
                    Ok(e) if resolved().is_ok() => view! { <p class="note">"CloudHSM checks go to " <code>{e.url}</code> ". A custom KMS endpoint is for KMS only; a loopback one serves both."</p> }.into_any(),
                    Ok(_) => ().into_any(),
                    Err(e) => view! { <p class="field-msg">{e.to_string()}</p> }.into_any(),
                }}
            </details>
            <ConfirmHost />
        </section>
    }
}

/// An Endpoint URL that a link set: shown with its host, and used only once confirmed.
#[component]
fn PendingEndpoint() -> impl IntoView {
    let ctx = use_ctx();
    let s = ctx.target;
    let pending = move || {
        s.endpoint_url.track();
        s.pending_endpoint.track();
        s.pending_host()
    };
    view! {
        {move || pending().map(|host| {
            let foreign = s.unconfirmed_host(&s.endpoint_url.get_untracked(), Service::Kms).is_some();
            let use_host = host.clone();
            view! {
                <div class="notice" role="alert">
                    <p><strong>"The link points requests at " <code>{host.clone()}</code> "."</strong>
                    " Nothing has been sent there. Every request to it would be signed with your credentials: your access key ID, your session token, and a signature for that request."</p>
                    <div class="actions">
                        <button type="button" class="primary small" on:click=move |_| {
                            if foreign {
                                // A host outside AWS needs its own confirmation first.
                                s.confirm_host.set(Some(use_host.clone()));
                            } else {
                                confirm_pending(ctx);
                            }
                        }>{format!("Use {host}")}</button>
                        <button type="button" class="secondary small" on:click=move |_| {
                            s.pending_endpoint.set(None);
                            s.endpoint_url.set(String::new());
                            ctx.stores.invalidate();
                        }>"Use AWS's endpoint instead"</button>
                    </div>
                </div>
            }
        })}
    }
}

/// The user chose the link's endpoint: watches that waited for it resume.
fn confirm_pending(ctx: Ctx) {
    ctx.target.pending_endpoint.set(None);
    let waiting: Vec<String> = ctx.watches.board.with_untracked(|b| {
        b.watches()
            .iter()
            .filter(|w| {
                matches!(
                    w.phase,
                    crate::console::watch::Phase::Paused(
                        crate::console::watch::Pause::Unconfirmed(_)
                    )
                )
            })
            .map(|w| w.store_id.clone())
            .collect()
    });
    for id in waiting {
        super::status::resume(ctx, Some(&id));
    }
}

/// A typed endpoint outside AWS's endpoints of `service`: says so, and offers to allow it.
#[component]
fn Unconfirmed(url: RwSignal<String>, service: Service) -> impl IntoView {
    let s = expect_context::<Target>();
    let host = move || {
        s.pending_endpoint.track();
        // A link's endpoint is confirmed through its own notice.
        (s.pending_host().is_none() || service != Service::Kms)
            .then(|| s.unconfirmed_host(&url.get(), service))
            .flatten()
    };
    view! {
        {move || host().map(|h| {
            let ask = h.clone();
            view! {
                <div class="field-msg">
                    <p><code>{h.clone()}</code>{format!(" is not an AWS {} endpoint: nothing is sent there unless you allow it.", service.title())}</p>
                    <button type="button" class="secondary small" on:click=move |_| s.confirm_host.set(Some(ask.clone()))>{format!("Allow requests to {h}…")}</button>
                </div>
            }
        })}
    }
}

/// The confirmation a host outside AWS needs: it names the host and what it would receive.
#[component]
fn ConfirmHost() -> impl IntoView {
    let ctx = use_ctx();
    let s = ctx.target;
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = cancel.get() {
            let _ = b.focus();
        }
    });
    let close = move || {
        s.confirm_host.set(None);
        crate::web::refocus(None, "endpoint");
    };
    view! {
        {move || s.confirm_host.get().map(|host| {
            let allow = host.clone();
            view! {
                <div class="confirm" role="alertdialog" aria-labelledby="host-t" aria-describedby="host-d"
                    on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                    <p id="host-t"><strong>{format!("Send signed requests to {host}?")}</strong></p>
                    <div id="host-d">
                        <p><code>{host.clone()}</code>" is not an AWS endpoint of KMS or CloudHSM. Each request the console sends there carries your access key ID, your session token and a signature that the host could replay to AWS for about 5 minutes. The host sees which stores you look at, and whatever it answers is shown as KMS's answer."</p>
                        <p>"Store secrets (the kmsuser password, the proxy credential) are never sent there. Allow it only for a server you run, such as a KMS-compatible emulator or proxy. This holds for this host, in this tab, until it is closed."</p>
                    </div>
                    <div class="actions">
                        <button type="button" class="danger" on:click=move |_| {
                            s.allow_host(&allow);
                            if s.pending_host().as_deref() == Some(allow.as_str()) {
                                confirm_pending(ctx);
                            }
                            close();
                        }>{format!("Allow {host}")}</button>
                        <button type="button" class="secondary" node_ref=cancel on:click=move |_| close()>"Cancel"</button>
                    </div>
                </div>
            }
        })}
    }
}
