//! The inputs the Create and Update forms share: a labelled text field and a secret input with
//! the messages for their members, the external key store proxy's fields, and file reading.

use crate::aws::credentials::Secret;
use crate::aws::limits::Problem;
use crate::console::forms::XksProxyForm;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Messages for the members starting with `prefix`, shown next to their field.
pub fn field_msgs(problems: RwSignal<Vec<Problem>>, prefix: &'static str) -> impl IntoView {
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
pub fn read_file(ev: &leptos::ev::Event, done: impl FnOnce(Result<String, String>) + 'static) {
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
pub fn TextField(
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
pub fn SecretInput(
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
                aria-label=move || format!("{} {}", if shown.get() { "Hide" } else { "Show" }, label.to_ascii_lowercase())
                on:click=move |_| shown.update(|v| *v = !*v)>
                {move || if shown.get() { "Hide" } else { "Show" }}
            </button>
        </div>
        {field_msgs(problems, member)}
    }
}

/// The external key store proxy's inputs of a form, as signals.
#[derive(Clone, Copy)]
pub struct XksSignals {
    pub vpc: RwSignal<bool>,
    pub endpoint: RwSignal<String>,
    pub path: RwSignal<String>,
    pub akid: RwSignal<Secret>,
    pub secret: RwSignal<Secret>,
    pub vpc_name: RwSignal<String>,
    pub vpc_owner: RwSignal<String>,
}

impl XksSignals {
    pub fn new(f: XksProxyForm) -> Self {
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

    pub fn form(self) -> XksProxyForm {
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
    pub fn clear_credential(self) {
        self.akid.set(Secret::default());
        self.secret.set(Secret::default());
    }
}

/// The form that holds the proxy inputs: it picks their ids, labels and placeholders (a column
/// of `XKS_INPUTS`) and their order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum XksIn {
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
pub fn XksFields(
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
