//! Create, update and delete custom key stores.

use super::common::ErrorBox;
use super::session::{ConfirmAt, use_session};
use crate::aws::credentials::Secret;
use crate::aws::error::KmsError;
use crate::aws::kms::{CustomKeyStore, CustomKeyStoreType, Operation};
use crate::aws::limits::Problem;
use crate::console::forms::{
    CreateForm, UpdateForm, XksProxyForm, delete_blocked, needs_disconnect, parse_proxy_config,
    what_may_change,
};
use crate::web::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Messages for the members starting with `prefix`, shown next to their field.
fn field_msgs(problems: RwSignal<Vec<Problem>>, prefix: &'static str) -> impl IntoView {
    move || {
        problems.with(|ps| {
            ps.iter()
                .filter(|p| p.member.starts_with(prefix))
                .map(|p| view! { <p class="field-msg">{p.message.clone()}</p> })
                .collect_view()
        })
    }
}

/// Reads the first file of a file input as text, then calls `done`.
fn read_file(ev: &leptos::ev::Event, done: impl FnOnce(Result<String, String>) + 'static) {
    let Some(file) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|i| i.files())
        .and_then(|f| f.get(0))
    else {
        return;
    };
    if file.size() > 64.0 * 1024.0 {
        done(Err(
            "This file is too large to be a certificate or a proxy configuration (over 64 KB)."
                .into(),
        ));
        return;
    }
    spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        done(
            text.ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| "The browser could not read this file.".to_string()),
        );
    });
}

/// A labelled text field and the messages for the members it fills (`member` prefix).
#[component]
fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    problems: RwSignal<Vec<Problem>>,
    member: &'static str,
    #[prop(optional_no_strip)] placeholder: Option<&'static str>,
    #[prop(optional_no_strip)] inputmode: Option<&'static str>,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="text" inputmode=inputmode autocomplete="off" placeholder=placeholder bind:value=value />
        {field_msgs(problems, member)}
    }
}

/// A secret input with a show/hide toggle, and the messages for its member.
#[component]
fn SecretInput(
    id: &'static str,
    label: &'static str,
    value: RwSignal<Secret>,
    problems: RwSignal<Vec<Problem>>,
    member: &'static str,
) -> impl IntoView {
    let shown = RwSignal::new(false);
    view! {
        <label for=id>{label}</label>
        <div class="with-toggle">
            <input id=id type=move || if shown.get() { "text" } else { "password" } spellcheck="false" autocomplete="off"
                prop:value=move || value.with(|v| v.expose().to_string())
                on:input=move |ev| value.set(Secret::new(event_target_value(&ev))) />
            <button type="button" class="secondary small" aria-pressed=move || shown.get().to_string()
                aria-label=move || format!("{} {}", if shown.get() { "Hide" } else { "Show" }, label.to_lowercase())
                on:click=move |_| shown.update(|v| *v = !*v)>
                {move || if shown.get() { "Hide" } else { "Show" }}
            </button>
        </div>
        {field_msgs(problems, member)}
    }
}

/// The external key store proxy's inputs of a form, as signals.
#[derive(Clone, Copy)]
struct XksSignals {
    vpc: RwSignal<bool>,
    endpoint: RwSignal<String>,
    path: RwSignal<String>,
    akid: RwSignal<Secret>,
    secret: RwSignal<Secret>,
    vpc_name: RwSignal<String>,
    vpc_owner: RwSignal<String>,
}

impl XksSignals {
    fn new(f: XksProxyForm) -> Self {
        Self {
            vpc: RwSignal::new(f.vpc),
            endpoint: RwSignal::new(f.uri_endpoint),
            path: RwSignal::new(f.uri_path),
            akid: RwSignal::new(f.proxy_access_key_id),
            secret: RwSignal::new(f.proxy_secret),
            vpc_name: RwSignal::new(f.vpc_service_name),
            vpc_owner: RwSignal::new(f.vpc_service_owner),
        }
    }

    fn form(self) -> XksProxyForm {
        XksProxyForm {
            vpc: self.vpc.get_untracked(),
            uri_endpoint: self.endpoint.get_untracked(),
            uri_path: self.path.get_untracked(),
            proxy_access_key_id: self.akid.get_untracked(),
            proxy_secret: self.secret.get_untracked(),
            vpc_service_name: self.vpc_name.get_untracked(),
            vpc_service_owner: self.vpc_owner.get_untracked(),
        }
    }

    /// Drops the proxy credential from the form.
    fn clear_credential(self) {
        self.akid.set(Secret::default());
        self.secret.set(Secret::default());
    }
}

/// The form that holds the proxy inputs: it picks their ids, labels and placeholders (a column
/// of `XKS_INPUTS`) and their order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum XksIn {
    Create = 0,
    Update = 1,
}

/// An input's id, label and placeholder.
type Input = (&'static str, &'static str, Option<&'static str>);

/// The proxy inputs in Create and in Update: endpoint, path, access key ID, secret access key,
/// VPC endpoint service name and owner, connectivity (no placeholder).
#[rustfmt::skip]
const XKS_INPUTS: [[Input; 2]; 7] = [
    [("c-endpoint", "Proxy URI endpoint", Some("https://myproxy.xks.example.com")), ("u-endpoint", "New proxy URI endpoint", None)],
    [("c-path", "Proxy URI path", Some("/example/kms/xks/v1")), ("u-path", "New proxy URI path", None)],
    [("c-akid", "Proxy access key ID", None), ("u-akid", "New proxy access key ID", None)],
    [("c-secret", "Proxy secret access key", None), ("u-secret", "New proxy secret access key", None)],
    [("c-vpc", "VPC endpoint service name", Some("com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0")), ("u-vpc", "New VPC endpoint service name", None)],
    [("c-owner", "VPC endpoint service owner (account ID, if another account)", None), ("u-owner", "New VPC endpoint service owner", None)],
    [("c-connectivity", "Proxy connectivity", None), ("u-connectivity", "New proxy connectivity", None)],
];

/// The external key store proxy's inputs of the Create or the Update form, each with the
/// messages for its member. `children` (Create's configuration file) follow the connectivity.
#[component]
fn XksFields(
    form: XksIn,
    x: XksSignals,
    problems: RwSignal<Vec<Problem>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let create = form == XksIn::Create;
    let [
        endpoint,
        path,
        akid,
        secret,
        vpc_name,
        vpc_owner,
        connectivity,
    ] = XKS_INPUTS.map(|i| i[form as usize]);
    let vpc = x.vpc;
    let connectivity = move || {
        view! {
            <label for=connectivity.0>{connectivity.1}</label>
            <select id=connectivity.0 on:change=move |ev| vpc.set(event_target_value(&ev) == "vpc")>
                <option value="public" selected=move || !vpc.get()>"Public endpoint"</option>
                <option value="vpc" selected=move || vpc.get()>"VPC endpoint service"</option>
            </select>
        }
    };
    let endpoint = move || view! { <TextField id=endpoint.0 label=endpoint.1 value=x.endpoint problems=problems member="XksProxyUriEndpoint" placeholder=endpoint.2 /> };
    view! {
        {create.then(connectivity)}
        {children.map(|c| c())}
        {create.then(endpoint)}
        <TextField id=path.0 label=path.1 value=x.path problems=problems member="XksProxyUriPath" placeholder=path.2 />
        <SecretInput id=akid.0 label=akid.1 value=x.akid problems=problems member="XksProxyAuthenticationCredential.AccessKeyId" />
        <SecretInput id=secret.0 label=secret.1 value=x.secret problems=problems member="XksProxyAuthenticationCredential.RawSecretAccessKey" />
        {move || problems.with(|ps| ps.iter().any(|p| p.member == "XksProxyAuthenticationCredential")).then(|| view! { <p class="field-msg">"Enter the proxy's access key ID and secret access key (or load its configuration file)."</p> })}
        {(!create).then(endpoint)}
        {(!create).then(connectivity)}
        <Show when=move || vpc.get()>
            <TextField id=vpc_name.0 label=vpc_name.1 value=x.vpc_name problems=problems member="XksProxyVpcEndpointServiceName" placeholder=vpc_name.2 />
            <TextField id=vpc_owner.0 label=vpc_owner.1 value=x.vpc_owner problems=problems member="XksProxyVpcEndpointServiceOwner" inputmode=create.then_some("numeric") />
        </Show>
    }
}

#[component]
pub fn CreateStore() -> impl IntoView {
    let s = use_session();
    let name = RwSignal::new(String::new());
    let external = RwSignal::new(false);
    let cluster_id = RwSignal::new(String::new());
    let trust_anchor = RwSignal::new(String::new());
    let password = RwSignal::new(Secret::default());
    let proxy = XksSignals::new(XksProxyForm::default());
    let problems = RwSignal::new(Vec::<Problem>::new());
    let file_msg = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<KmsError>);
    super::session::on_forget(s, move || {
        password.set(Secret::default());
        proxy.clear_credential();
    });

    let form = move || CreateForm {
        name: name.get_untracked(),
        external: external.get_untracked(),
        cluster_id: cluster_id.get_untracked(),
        trust_anchor: trust_anchor.get_untracked(),
        kmsuser_password: password.get_untracked(),
        xks: proxy.form(),
    };
    let create = Action::new_local(move |_: &()| async move {
        created.set(None);
        error.set(None);
        let request = match form().request() {
            Ok(r) => {
                problems.set(Vec::new());
                r
            }
            Err(p) => {
                problems.set(p);
                return;
            }
        };
        let client = match s.client() {
            Ok(c) => c,
            Err(e) => {
                problems.set(vec![Problem {
                    member: "Credentials",
                    message: e,
                }]);
                return;
            }
        };
        match api::create_store(&client, &request).await {
            Ok(reply) => {
                let id = reply.output.custom_key_store_id.unwrap_or_default();
                // The secrets have done their job: drop them from the form.
                password.set(Secret::default());
                proxy.secret.set(Secret::default());
                created.set(Some(id));
                super::stores::refresh(s);
            }
            Err(e) => error.set(Some(e)),
        }
    });
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
    let other = move || {
        problems.with(|ps| {
            ps.iter()
                .filter(|p| p.member == "Credentials")
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    view! {
        <details class="card">
            <summary><h2>"Create a custom key store"</h2></summary>
            <TextField id="c-name" label="Custom key store name" value=name problems=problems member="CustomKeyStoreName" />
            <label for="c-type">"Key store type"</label>
            <select id="c-type" on:change=move |ev| external.set(event_target_value(&ev) == "external")>
                <option value="cloudhsm" selected=move || !external.get()>"AWS CloudHSM"</option>
                <option value="external" selected=move || external.get()>"External key store"</option>
            </select>
            <Show when=move || !external.get()>
                <TextField id="c-cluster" label="CloudHSM cluster ID" value=cluster_id problems=problems member="CloudHsmClusterId" placeholder=Some("cluster-234abcdefgh") />
                <label for="c-anchor">"Trust anchor certificate"</label>
                <textarea id="c-anchor" rows="4" spellcheck="false" placeholder="-----BEGIN CERTIFICATE-----" bind:value=trust_anchor></textarea>
                <label for="c-anchor-file">"Trust anchor certificate file (customerCA.crt)"</label>
                <input id="c-anchor-file" type="file" accept=".crt,.pem,.cer,text/plain" on:change=on_cert />
                {field_msgs(problems, "TrustAnchorCertificate")}
                <SecretInput id="c-password" label="kmsuser password" value=password problems=problems member="KeyStorePassword" />
            </Show>
            <Show when=move || external.get()>
                <XksFields form=XksIn::Create x=proxy problems=problems>
                    <label for="c-config">"Proxy configuration file (optional)"</label>
                    <input id="c-config" type="file" accept=".json,application/json" on:change=on_config />
                </XksFields>
            </Show>
            <p class="note" role="status">{move || file_msg.get()}</p>
            <div class="actions">
                <button type="button" class="primary" disabled=move || create.pending().get()
                    on:click=move |_| if !create.pending().get_untracked() { create.dispatch(()); }>
                    {move || if create.pending().get() { "Creating…" } else { "Create" }}
                </button>
            </div>
            {move || (!other().is_empty()).then(|| view! { <p class="field-msg" role="alert">{other()}</p> })}
            {move || (!problems.with(Vec::is_empty)).then(|| view! { <p class="field-msg" role="alert">"Not sent: correct the fields marked above."</p> })}
            {move || error.get().map(|e| view! { <ErrorBox op=Operation::CreateCustomKeyStore error=e /> })}
            <div role="status">{move || created.get().map(|id| {
                let pick = id.clone();
                view! {
                    <div class="notice">
                        <p>"Created " <code>{id}</code> ". It is DISCONNECTED: connect it to use it."</p>
                        <button type="button" class="primary small" on:click=move |_| {
                            s.store_id.set(pick.clone());
                            s.connect.dispatch(());
                        }>"Connect it now"</button>
                    </div>
                }
            })}</div>
        </details>
    }
}

/// The selected store's details, its Update form and Delete.
#[component]
pub fn SelectedStore() -> impl IntoView {
    let s = use_session();
    // Keyed by id only: a refreshed row (after an update) keeps the form and its messages.
    let selected = Memo::new(move |_| s.selected_store().and_then(|st| st.custom_key_store_id));
    view! {
        {move || selected.get().map(|id| {
            let store = current_row(s, id);
            store.get_untracked().map(|first| view! { <ManageStore first=first store=store /> })
        })}
    }
}

/// The list's current row for a store id.
fn current_row(s: super::session::Session, id: String) -> Memo<Option<CustomKeyStore>> {
    Memo::new(move |_| s.store_row(&id))
}

#[component]
fn ManageStore(
    /// The row when the card opened: it fills the form.
    first: CustomKeyStore,
    /// The row as the list refreshes: the rules use the current state.
    store: Memo<Option<CustomKeyStore>>,
) -> impl IntoView {
    let s = use_session();
    let row = store;
    let first_d = first.clone();
    let current = move || store.get_untracked().unwrap_or_else(|| first.clone());
    let store = current();
    let id = store.custom_key_store_id.clone().unwrap_or_default();
    let name = store.custom_key_store_name.clone().unwrap_or_default();
    let xks = store.store_type() == CustomKeyStoreType::ExternalKeyStore;
    let new_name = RwSignal::new(name.clone());
    let cluster_id = RwSignal::new(store.cloud_hsm_cluster_id.clone().unwrap_or_default());
    let password = RwSignal::new(Secret::default());
    let proxy = XksSignals::new(XksProxyForm::of(
        &store.xks_proxy_configuration.clone().unwrap_or_default(),
    ));
    let problems = RwSignal::new(Vec::<Problem>::new());
    // Why Update or Delete was not sent, and whether disconnecting is the way on.
    let blocked = RwSignal::new(None::<(String, bool)>);
    let done = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<(Operation, KmsError)>);
    let confirm_delete = RwSignal::new(false);
    super::session::on_forget(s, move || {
        password.set(Secret::default());
        proxy.clear_credential();
    });
    let current_u = current.clone();
    let update = Action::new_local(move |_: &()| {
        let store = current_u();
        async move {
            done.set(None);
            error.set(None);
            blocked.set(None);
            let form = UpdateForm {
                new_name: new_name.get_untracked(),
                cluster_id: cluster_id.get_untracked(),
                kmsuser_password: password.get_untracked(),
                xks: proxy.form(),
            };
            let request = match form.request(&store) {
                Ok(r) => r,
                Err(p) => {
                    problems.set(p);
                    return;
                }
            };
            problems.set(Vec::new());
            if let Some(n) = needs_disconnect(&store, &request) {
                blocked.set(Some((n.to_string(), n.offer_disconnect())));
                return;
            }
            let Some(client) = client_or_say(s, blocked) else {
                return;
            };
            match api::update_store(&client, &request).await {
                Ok(_) => {
                    password.set(Secret::default());
                    proxy.clear_credential();
                    done.set(Some("Updated. KMS may take a few minutes to apply changes to an external key store.".into()));
                    super::stores::refresh(s);
                }
                Err(e) => error.set(Some((Operation::UpdateCustomKeyStore, e))),
            }
        }
    });
    // The view follows the list as it refreshes.
    let live = move || row.get();
    let state = move || {
        live()
            .and_then(|st| st.connection_state)
            .map(|c| c.to_string())
            .unwrap_or_default()
    };
    let title = move || {
        live()
            .and_then(|st| st.custom_key_store_name)
            .unwrap_or_default()
    };
    let while_connected =
        move || what_may_change(live().and_then(|st| st.connection_state).as_ref(), xks);
    let current_x = current.clone();
    view! {
        <section class="card" aria-labelledby="manage-h">
            <h2 id="manage-h">"Update or delete " {title}</h2>
            <p class="hint"><code>{id.clone()}</code> " is " {state} ". " {while_connected}</p>
            <TextField id="u-name" label="New custom key store name" value=new_name problems=problems member="NewCustomKeyStoreName" />
            {if xks {
                view! {
                    <XksFields form=XksIn::Update x=proxy problems=problems />
                }.into_any()
            } else {
                view! {
                    <TextField id="u-cluster" label="New CloudHSM cluster ID" value=cluster_id problems=problems member="CloudHsmClusterId" />
                    <SecretInput id="u-password" label="New kmsuser password" value=password problems=problems member="KeyStorePassword" />
                }.into_any()
            }}
            <div class="actions">
                <button type="button" class="primary" disabled=move || update.pending().get()
                    on:click=move |_| if !update.pending().get_untracked() { update.dispatch(()); }>"Update"</button>
                <button type="button" class="secondary" on:click=move |_| { confirm_delete.set(true); blocked.set(delete_blocked(&current_x())); }>"Delete…"</button>
            </div>
            {move || blocked.get().map(|(b, offer)| view! {
                <div class="notice" role="alert">
                    <p>{b}</p>
                    {offer.then(|| view! {
                        <button type="button" class="secondary small" on:click=move |_| s.confirm_disconnect.set(Some(ConfirmAt::Form))>"Disconnect it…"</button>
                    })}
                </div>
            })}
            <DeleteStore name=name first=first_d store=row confirm=confirm_delete blocked=blocked error=error />
            <p class="note" role="status">{move || done.get()}</p>
            {move || error.get().map(|(op, e)| view! { <ErrorBox op=op error=e /> })}
        </section>
    }
}

/// A client for the form, or, when there is none, why (in the card's notice).
fn client_or_say(
    s: super::session::Session,
    blocked: RwSignal<Option<(String, bool)>>,
) -> Option<crate::web::client::Client> {
    s.client().map_err(|e| blocked.set(Some((e, false)))).ok()
}

/// The Delete confirmation of the Update card: the store's name typed, then `DeleteCustomKeyStore`.
/// It shows only while the store is DISCONNECTED (the only state KMS deletes in).
#[component]
fn DeleteStore(
    name: String,
    first: CustomKeyStore,
    store: Memo<Option<CustomKeyStore>>,
    confirm: RwSignal<bool>,
    blocked: RwSignal<Option<(String, bool)>>,
    error: RwSignal<Option<(Operation, KmsError)>>,
) -> impl IntoView {
    let s = use_session();
    let typed_name = RwSignal::new(String::new());
    let current = move || store.get_untracked().unwrap_or_else(|| first.clone());
    let confirm_delete = confirm;
    let delete = Action::new_local(move |_: &()| {
        let store = current();
        async move {
            error.set(None);
            if let Some(why) = delete_blocked(&store) {
                blocked.set(Some(why));
                return;
            }
            let Some(client) = client_or_say(s, blocked) else {
                return;
            };
            let id = store.custom_key_store_id.clone().unwrap_or_default();
            match api::delete_store(&client, &id).await {
                Ok(_) => {
                    confirm_delete.set(false);
                    // This card closes with the store: the page-level notice says it is done.
                    s.notice.set(Some(format!(
                        "Deleted {} ({}).",
                        store.custom_key_store_name.as_deref().unwrap_or(""),
                        id
                    )));
                    s.store_id.set(String::new());
                    super::stores::refresh(s);
                }
                Err(e) => error.set(Some((Operation::DeleteCustomKeyStore, e))),
            }
        }
    });
    let disconnected = move || {
        store
            .get()
            .and_then(|st| st.connection_state)
            .is_none_or(|c| c == crate::aws::kms::ConnectionState::Disconnected)
    };
    let delete_name = name.clone();
    view! {
        <Show when=move || confirm.get() && disconnected()>
            <div class="confirm" role="alertdialog" aria-labelledby="delete-t">
                <p id="delete-t"><strong>"Delete " {delete_name.clone()} "?"</strong>" KMS deletes only a store that holds no KMS keys; this cannot be undone."</p>
                <label for="u-confirm">"Type the store's name to confirm"</label>
                <input id="u-confirm" type="text" autocomplete="off" bind:value=typed_name />
                <div class="actions">
                    <button type="button" class="danger" disabled={
                        let n = delete_name.clone();
                        move || typed_name.get().trim() != n || delete.pending().get()
                    } on:click=move |_| { delete.dispatch(()); }>"Delete store"</button>
                    <button type="button" class="secondary" on:click=move |_| confirm.set(false)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}
