//! Connect and Disconnect: their flows (checks first, then the call, then a watch), the
//! actions that run them, and the Connect card's message.

use super::common::{ErrorBox, busy};
use super::state::{Card, CardMsg, ConfirmAt, Ctx, Flows};
use crate::aws::error::ErrorKind;
use crate::aws::kms::{ConnectionState, CustomKeyStoreType, Operation, check_store_id};
use crate::console::explain;
use crate::console::watch::{Goal, Place, Watch};
use crate::web::api::{self, describe_one};
use crate::web::client::Client;
use crate::web::now_ms;
use leptos::prelude::*;

/// The page's Connect and Disconnect actions, running this module's flows, provided to every
/// component below the caller.
pub fn provide_flows(ctx: Ctx) -> Flows {
    let flows = Flows {
        connect: Action::new_local(move |_: &()| connect_flow(ctx)),
        disconnect: Action::new_local(move |_: &()| disconnect_flow(ctx)),
    };
    provide_context(flows);
    flows
}

/// A watch of `id` that polls where the call went.
fn watch_at(client: &Client, place: &Place, id: &str, goal: Goal, rid: Option<String>) -> Watch {
    let mut w =
        Watch::new(id, goal, now_ms(), rid).with_account_key(&client.credentials.access_key_id);
    w.place = Some(place.clone());
    w
}

/// Validates the form and builds a client (and where it points), or says what is wrong.
fn prepare(ctx: Ctx) -> Option<(Client, String, Place)> {
    ctx.card.confirm_disconnect.set(None);
    ctx.card.msg.set(None);
    let id = ctx.selection.store_id.get_untracked().trim().to_string();
    if let Err(e) = check_store_id(&id) {
        ctx.card.say(e);
        return None;
    }
    match ctx
        .target
        .place()
        .and_then(|p| Ok((ctx.client_at(&p.endpoint)?, p)))
    {
        Ok((c, place)) => Some((c, id, place)),
        Err(e) => {
            ctx.card.say(e);
            None
        }
    }
}

/// What the look before Connect decided: go on, or stop (the card says why).
enum Look {
    Go,
    Stop,
}

/// Looks at the store before connecting, and explains instead of failing. A missing Describe
/// permission must not block the connect itself.
async fn look(ctx: Ctx, client: &Client, place: &Place, id: &str) -> Look {
    let card = ctx.card;
    let watch = |goal, rid| super::status::start_watch(ctx, watch_at(client, place, id, goal, rid));
    let (store, rid) = match describe_one(client, id).await {
        Ok(read) => read,
        Err(e) if matches!(e.kind, ErrorKind::AccessDenied { .. }) => return Look::Go,
        // The check only advises: when it cannot run for a passing reason (throttling, a
        // fault, no answer), connect anyway; KMS itself refuses a Connect that is not allowed.
        Err(e)
            if e.retry_class(Operation::DescribeCustomKeyStores).is_some()
                || e.kind == ErrorKind::Malformed =>
        {
            let x = explain::kms_error(&e, Operation::DescribeCustomKeyStores);
            card.say(format!(
                "The check before Connect could not run ({}: {}) Connecting anyway: KMS itself refuses a Connect that is not allowed.",
                e.code, x.meaning
            ));
            return Look::Go;
        }
        Err(e) => {
            card.fail(Operation::DescribeCustomKeyStores, e);
            return Look::Stop;
        }
    };
    ctx.stores.update_row(&store);
    match store.connection_state {
        Some(ConnectionState::Connected) => {
            card.say(format!("{id} is already CONNECTED: nothing to do."));
        }
        Some(ConnectionState::Failed) => {
            let code = store
                .connection_error_code
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default();
            card.msg.set(Some(CardMsg::FailedStore(format!(
                "{id} is FAILED ({code}). KMS connects a failed store only after it is disconnected: Disconnect it, fix the cause, then Connect again."
            ))));
        }
        Some(ConnectionState::Disconnecting) => {
            card.say(format!("{id} is DISCONNECTING. Connect it once it is DISCONNECTED; the status panel follows it."));
            watch(Goal::Disconnect, rid);
        }
        Some(ConnectionState::Connecting) => {
            card.say(format!("{id} is already CONNECTING: watching it."));
            watch(Goal::Connect, rid);
        }
        // A CloudHSM store's cluster is checked again right before Connect: a connect that is
        // bound to fail is warned about before it is sent (never when the check could not run).
        _ if store.store_type() == CustomKeyStoreType::AwsCloudHsm
            && card.connect_anyway.get_untracked().as_deref() != Some(id) =>
        {
            match super::preflight::verdict_for(ctx, &store)
                .await
                .filter(|v| v.expect_failure())
            {
                Some(v) => card.msg.set(Some(CardMsg::Blocked(v))),
                None => return Look::Go,
            }
        }
        _ => return Look::Go,
    }
    Look::Stop
}

async fn connect_flow(ctx: Ctx) {
    let Some((client, id, place)) = prepare(ctx) else {
        return;
    };
    if let Look::Stop = look(ctx, &client, &place, &id).await {
        return;
    }
    // The checks above took a while: credentials forgotten (or replaced) meanwhile are not used.
    if !ctx.creds.still(&client.credentials) {
        ctx.card.say(format!(
            "Connect of {id} not sent: the credentials were forgotten or changed while it was being checked. Press Connect again to use the current ones."
        ));
        return;
    }
    ctx.card.connect_anyway.set(None);
    match api::connect(&client, &id).await {
        Ok(reply) => super::status::start_watch(
            ctx,
            watch_at(&client, &place, &id, Goal::Connect, reply.request_id),
        ),
        Err(e) => ctx.card.fail(Operation::ConnectCustomKeyStore, e),
    }
}

async fn disconnect_flow(ctx: Ctx) {
    let Some((client, id, place)) = prepare(ctx) else {
        return;
    };
    match api::disconnect(&client, &id).await {
        Ok(reply) => super::status::start_watch(
            ctx,
            watch_at(&client, &place, &id, Goal::Disconnect, reply.request_id),
        ),
        Err(e) => ctx.card.fail(Operation::DisconnectCustomKeyStore, e),
    }
}

/// The Connect card's message: a notice, a FAILED store (with Disconnect offered), a pre-flight
/// that held the Connect back (with Connect anyway), or a failed call.
#[component]
pub fn CardMessage() -> impl IntoView {
    let ctx = super::state::use_ctx();
    let flows = expect_context::<Flows>();
    let card: Card = ctx.card;
    move || {
        card.msg.get().map(|m| match m {
            CardMsg::Notice(n) => view! { <div class="notice" role="alert"><p>{n}</p></div> }.into_any(),
            CardMsg::Reopened => view! { <div class="notice" role="alert"><p>{CardMsg::REOPENED}</p></div> }.into_any(),
            CardMsg::FailedStore(n) => view! {
                <div class="notice" role="alert">
                    <p>{n}</p>
                    <button type="button" class="secondary small" on:click=move |_| {
                        card.msg.set(None);
                        card.confirm_disconnect.set(Some(ConfirmAt::Form));
                    }>"Disconnect it…"</button>
                </div>
            }.into_any(),
            CardMsg::Blocked(v) => view! {
                <div class="notice" role="alert">
                    <p><strong>"Not sent: the pre-flight expects this connect to fail."</strong>{v.expected_report().map(|r| format!(" KMS would report {r}."))}</p>
                    <super::preflight::VerdictView verdict=v />
                    <button type="button" class="secondary small" disabled=move || busy(flows) on:click=move |_| {
                        if !busy(flows) {
                            card.connect_anyway.set(Some(ctx.selection.store_id.get_untracked().trim().to_string()));
                            card.msg.set(None);
                            flows.connect(ctx);
                        }
                    }>"Connect anyway"</button>
                </div>
            }.into_any(),
            CardMsg::Failed { op, error, after } => view! {
                {after.map(|n| view! { <div class="notice" role="alert"><p>{n}</p></div> })}
                <ErrorBox op=op error=error />
            }.into_any(),
        })
    }
}
