use super::common::{ConfirmDisconnect, ErrorBox, busy};
use super::session::{ConfirmAt, Session, use_session};
use crate::aws::error::ErrorKind;
use crate::aws::kms::{ConnectionState, Operation, check_store_id};
use crate::console::explain;
use crate::console::watch::{Goal, Place, Watch};
use crate::web::api::{self, describe_one};
use crate::web::client::Client;
use crate::web::now_ms;
use leptos::prelude::*;

/// Whether the fields still hold the credentials `client` signs with.
fn same_credentials(s: Session, client: &Client) -> bool {
    s.credentials().is_ok_and(|c| {
        c.access_key_id == client.credentials.access_key_id
            && c.secret_access_key.expose() == client.credentials.secret_access_key.expose()
    })
}

/// A watch of `id` that polls where the call went.
fn watch_at(client: &Client, place: &Place, id: &str, goal: Goal, rid: Option<String>) -> Watch {
    let mut w =
        Watch::new(id, goal, now_ms(), rid).with_account_key(&client.credentials.access_key_id);
    w.place = Some(place.clone());
    w
}

/// Validates the form and builds a client (and where it points), or says what is wrong.
fn prepare(s: Session) -> Option<(Client, String, Place)> {
    s.confirm_disconnect.set(None);
    s.error.set(None);
    s.notice.set(None);
    s.offer_disconnect.set(false);
    s.preflight_block.set(None);
    let id = s.store_id.get_untracked().trim().to_string();
    if let Err(e) = check_store_id(&id) {
        s.notice.set(Some(e));
        return None;
    }
    match s.place().and_then(|p| Ok((s.client_at(&p.endpoint)?, p))) {
        Ok((c, place)) => Some((c, id, place)),
        Err(e) => {
            s.notice.set(Some(e));
            None
        }
    }
}

pub(super) async fn connect_flow(s: Session) {
    let Some((client, id, place)) = prepare(s) else {
        return;
    };
    // Look before connecting, and explain instead of failing. A missing Describe permission
    // must not block the connect itself.
    match describe_one(&client, &id).await {
        Ok((store, request_id)) => {
            super::stores::update_row(s, &store);
            match store.connection_state {
                Some(ConnectionState::Connected) => {
                    s.notice
                        .set(Some(format!("{id} is already CONNECTED: nothing to do.")));
                    return;
                }
                Some(ConnectionState::Failed) => {
                    let code = store
                        .connection_error_code
                        .as_ref()
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default();
                    s.notice.set(Some(format!(
                        "{id} is FAILED ({code}). KMS connects a failed store only after it is disconnected: Disconnect it, fix the cause, then Connect again."
                    )));
                    s.offer_disconnect.set(true);
                    return;
                }
                Some(ConnectionState::Disconnecting) => {
                    s.notice.set(Some(format!("{id} is DISCONNECTING. Connect it once it is DISCONNECTED; the status panel follows it.")));
                    super::status::start_watch(
                        s,
                        watch_at(&client, &place, &id, Goal::Disconnect, request_id),
                    );
                    return;
                }
                Some(ConnectionState::Connecting) => {
                    s.notice
                        .set(Some(format!("{id} is already CONNECTING: watching it.")));
                    super::status::start_watch(
                        s,
                        watch_at(&client, &place, &id, Goal::Connect, request_id),
                    );
                    return;
                }
                // A CloudHSM store's cluster is checked again right before Connect: a connect
                // that is bound to fail is warned about before it is sent (never when the
                // check itself could not run).
                _ if store.store_type() == crate::aws::kms::CustomKeyStoreType::AwsCloudHsm
                    && s.connect_anyway.get_untracked().as_deref() != Some(id.as_str()) =>
                {
                    if let Some(v) = super::preflight::verdict_for(s, &store)
                        .await
                        .filter(|v| v.expect_failure())
                    {
                        s.preflight_block.set(Some(v));
                        return;
                    }
                }
                _ => {}
            }
        }
        Err(e) if matches!(e.kind, ErrorKind::AccessDenied { .. }) => {}
        // The check only advises: when it cannot run for a passing reason (throttling, a
        // fault, no answer), connect anyway; KMS itself refuses a Connect that is not allowed.
        Err(e)
            if e.retry_class(Operation::DescribeCustomKeyStores).is_some()
                || e.kind == ErrorKind::Malformed =>
        {
            let x = explain::kms_error(&e, Operation::DescribeCustomKeyStores);
            s.notice.set(Some(format!(
                "The check before Connect could not run ({}: {}) Connecting anyway: KMS itself refuses a Connect that is not allowed.",
                e.code, x.meaning
            )));
        }
        Err(e) => {
            s.error.set(Some((Operation::DescribeCustomKeyStores, e)));
            return;
        }
    }
    // The checks above took a while: credentials forgotten (or replaced) meanwhile are not used.
    if !same_credentials(s, &client) {
        s.notice.set(Some(format!(
            "Connect of {id} not sent: the credentials were forgotten or changed while it was being checked. Press Connect again to use the current ones."
        )));
        return;
    }
    s.connect_anyway.set(None);
    match api::connect(&client, &id).await {
        Ok(reply) => super::status::start_watch(
            s,
            watch_at(&client, &place, &id, Goal::Connect, reply.request_id),
        ),
        Err(e) => s.error.set(Some((Operation::ConnectCustomKeyStore, e))),
    }
}

pub(super) async fn disconnect_flow(s: Session) {
    let Some((client, id, place)) = prepare(s) else {
        return;
    };
    match api::disconnect(&client, &id).await {
        Ok(reply) => super::status::start_watch(
            s,
            watch_at(&client, &place, &id, Goal::Disconnect, reply.request_id),
        ),
        Err(e) => s.error.set(Some((Operation::DisconnectCustomKeyStore, e))),
    }
}

#[component]
pub fn ConnectForm() -> impl IntoView {
    let s = use_session();
    let busy = move || busy(s);
    let id_msg = move || match check_store_id(&s.store_id.get()) {
        Ok(warning) => warning,
        // An empty field is not an error until the user acts.
        Err(_) if s.store_id.get().is_empty() => None,
        Err(e) => Some(e),
    };
    view! {
        <section class="card" aria-labelledby="connect-h">
            <h2 id="connect-h">"Connect"</h2>
            <label for="store-id">"Custom key store ID"</label>
            <input id="store-id" type="text" spellcheck="false" autocomplete="off" placeholder="cks-1234567890abcdef0" bind:value=s.store_id />
            {move || id_msg().map(|m| view! { <p class="field-msg">{m}</p> })}
            <div class="actions">
                <button type="button" class="primary" disabled=busy
                    on:click=move |_| if !busy() { s.confirm_disconnect.set(None); s.connect.dispatch(()); }>
                    {move || if s.connect.pending().get() { "Connecting…" } else { "Connect" }}
                </button>
                <button type="button" class="secondary" disabled=busy
                    on:click=move |_| s.confirm_disconnect.set(Some(ConfirmAt::Form))>"Disconnect"</button>
            </div>
            <ConfirmDisconnect at=ConfirmAt::Form />
            <super::preflight::Preflight />
            {move || s.preflight_block.get().map(|v| view! {
                <div class="notice" role="alert">
                    <p><strong>"Not sent: the pre-flight expects this connect to fail."</strong>{v.expected_report().map(|r| format!(" KMS would report {r}."))}</p>
                    <super::preflight::VerdictView verdict=v />
                    <button type="button" class="secondary small" disabled=busy on:click=move |_| {
                        if !busy() {
                            s.connect_anyway.set(Some(s.store_id.get_untracked().trim().to_string()));
                            s.preflight_block.set(None);
                            s.connect.dispatch(());
                        }
                    }>"Connect anyway"</button>
                </div>
            })}
            {move || s.notice.get().map(|n| view! {
                <div class="notice" role="alert">
                    <p>{n}</p>
                    <Show when=move || s.offer_disconnect.get()>
                        <button type="button" class="secondary small" on:click=move |_| {
                            s.offer_disconnect.set(false);
                            s.confirm_disconnect.set(Some(ConfirmAt::Form));
                        }>"Disconnect it…"</button>
                    </Show>
                </div>
            })}
            {move || s.error.get().map(|(op, e)| view! { <ErrorBox op=op error=e /> })}
        </section>
    }
}
