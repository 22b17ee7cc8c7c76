//! "Create custom key store": the form the store list's button opens.

use super::common::ErrorBox;
use super::fields::{SecretInput, TextField, XksFields, XksIn, XksSignals, field_msgs, read_file};
use super::state::{Ctx, Flows, use_ctx};
use crate::aws::credentials::Secret;
use crate::aws::error::KmsError;
use crate::aws::kms::Operation;
use crate::aws::limits::Problem;
use crate::console::forms::{CreateForm, XksProxyForm, parse_proxy_config};
use crate::console::link::Tab;
use crate::web::api;
use leptos::prelude::*;

/// The form's inputs, as signals.
#[derive(Clone, Copy)]
struct Inputs {
    name: RwSignal<String>,
    external: RwSignal<bool>,
    cluster_id: RwSignal<String>,
    trust_anchor: RwSignal<String>,
    password: RwSignal<Secret>,
    proxy: XksSignals,
}

impl Inputs {
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            external: RwSignal::new(false),
            cluster_id: RwSignal::new(String::new()),
            trust_anchor: RwSignal::new(String::new()),
            password: RwSignal::new(Secret::default()),
            proxy: XksSignals::new(XksProxyForm::default()),
        }
    }

    fn form(self) -> CreateForm {
        CreateForm {
            name: self.name.get_untracked(),
            external: self.external.get_untracked(),
            cluster_id: self.cluster_id.get_untracked(),
            trust_anchor: self.trust_anchor.get_untracked(),
            kmsuser_password: self.password.get_untracked(),
            xks: self.proxy.form(),
        }
    }

    /// The secrets have done their job (or the credentials were forgotten): drop them.
    fn clear_secrets(self) {
        self.password.set(Secret::default());
        self.proxy.clear_credential();
    }
}

/// Checks the form, sends `CreateCustomKeyStore`, and returns the new store's ID; a refusal
/// before sending is a list of problems (shown at their fields).
async fn create(ctx: Ctx, inputs: Inputs) -> Result<String, Result<KmsError, Vec<Problem>>> {
    let request = inputs.form().request().map_err(Err)?;
    let client = ctx.client().map_err(|message| {
        Err(vec![Problem {
            member: "Credentials",
            message,
        }])
    })?;
    let reply = api::create_store(&client, &request).await.map_err(Ok)?;
    inputs.clear_secrets();
    ctx.refresh_stores();
    Ok(reply.output.custom_key_store_id.unwrap_or_default())
}

#[component]
pub fn CreateStore() -> impl IntoView {
    let ctx = use_ctx();
    let inputs = Inputs::new();
    let problems = RwSignal::new(Vec::<Problem>::new());
    ctx.creds.on_forget(move || inputs.clear_secrets());
    // What the last press gave: the new ID, or KMS's error (problems show at their fields).
    let outcome = RwSignal::new(None::<Result<String, KmsError>>);
    let action = Action::new_local(move |_: &()| {
        outcome.set(None);
        let run = create(ctx, inputs);
        async move {
            let done = match run.await {
                Err(Err(p)) => return problems.set(p),
                Ok(id) => Ok(id),
                Err(Ok(e)) => Err(e),
            };
            problems.set(Vec::new());
            outcome.set(Some(done));
        }
    });
    let error = move || outcome.get().and_then(Result::err);
    let created = move || outcome.get().and_then(Result::ok);
    let credentials = move || {
        problems.with(|ps| {
            ps.iter()
                .filter(|p| p.member == "Credentials")
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    let external = inputs.external;
    view! {
        <section class="card" aria-labelledby="create-h">
            <h2 id="create-h">"Create a custom key store"</h2>
            <TextField id="c-name" label="Custom key store name" value=inputs.name problems=problems member="CustomKeyStoreName" />
            <label for="c-type">"Key store type"</label>
            <select id="c-type" on:change=move |ev| external.set(event_target_value(&ev) == "external")>
                <option value="cloudhsm" selected=move || !external.get()>"AWS CloudHSM"</option>
                <option value="external" selected=move || external.get()>"External key store"</option>
            </select>
            <TypeInputs inputs=inputs problems=problems />
            <div class="actions">
                <button type="button" class="primary" disabled=move || action.pending().get()
                    on:click=move |_| if !action.pending().get_untracked() { action.dispatch(()); }>
                    {move || if action.pending().get() { "Creating…" } else { "Create" }}
                </button>
            </div>
            {move || (!credentials().is_empty()).then(|| view! { <p class="field-msg" role="alert">{credentials()}</p> })}
            {move || (!problems.with(Vec::is_empty)).then(|| view! { <p class="field-msg" role="alert">"Not sent: correct the fields marked above."</p> })}
            {move || error().map(|e| view! { <ErrorBox op=Operation::CreateCustomKeyStore error=e /> })}
            <div role="status">{move || created().map(|id| view! { <Created id=id /> })}</div>
        </section>
    }
}

/// The inputs of the chosen store type: the CloudHSM cluster, or the external key store proxy.
#[component]
fn TypeInputs(inputs: Inputs, problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let file_msg = RwSignal::new(None::<String>);
    let (trust_anchor, proxy) = (inputs.trust_anchor, inputs.proxy);
    let on_cert = move |ev: leptos::ev::Event| {
        read_file(&ev, move |r| match r {
            Ok(text) => {
                trust_anchor.set(text);
                file_msg.set(Some("Certificate loaded from the file.".into()));
            }
            Err(e) => file_msg.set(Some(e)),
        })
    };
    let on_config = move |ev: leptos::ev::Event| {
        read_file(&ev, move |r| match r.and_then(|t| parse_proxy_config(&t)) {
            Ok((path, cred)) => {
                proxy.path.set(path);
                proxy.akid.set(cred.access_key_id);
                proxy.secret.set(cred.raw_secret_access_key);
                file_msg.set(Some(
                    "Proxy URI path and credential filled from the configuration file.".into(),
                ));
            }
            Err(e) => file_msg.set(Some(e)),
        })
    };
    let external = inputs.external;
    view! {
        <Show when=move || !external.get()>
            <TextField id="c-cluster" label="CloudHSM cluster ID" value=inputs.cluster_id problems=problems member="CloudHsmClusterId" placeholder=Some("cluster-234abcdefgh") />
            <label for="c-anchor">"Trust anchor certificate"</label>
            <textarea id="c-anchor" rows="4" spellcheck="false" placeholder="-----BEGIN CERTIFICATE-----" bind:value=trust_anchor></textarea>
            <label for="c-anchor-file">"Trust anchor certificate file (customerCA.crt)"</label>
            <input id="c-anchor-file" type="file" accept=".crt,.pem,.cer,text/plain" on:change=on_cert />
            {field_msgs(problems, "TrustAnchorCertificate")}
            <SecretInput id="c-password" label="kmsuser password" value=inputs.password problems=problems member="KeyStorePassword" />
        </Show>
        <Show when=move || external.get()>
            <XksFields form=XksIn::Create x=proxy problems=problems>
                <label for="c-config">"Proxy configuration file (optional)"</label>
                <input id="c-config" type="file" accept=".json,application/json" on:change=on_config />
            </XksFields>
        </Show>
        <p class="note" role="status">{move || file_msg.get()}</p>
    }
}

/// A created store, and the way on: connect it.
#[component]
fn Created(id: String) -> impl IntoView {
    let ctx = use_ctx();
    let flows = expect_context::<Flows>();
    let pick = id.clone();
    view! {
        <div class="notice">
            <p>"Created " <code>{id}</code> ". It is DISCONNECTED: connect it to use it."</p>
            <button type="button" class="primary small" on:click=move |_| {
                ctx.selection.open(&pick, Tab::Connection);
                flows.connect(ctx);
                super::store_page::show();
            }>"Connect it now"</button>
        </div>
    }
}
