//! A store's Settings tab: its Update form and Delete.

use super::common::ErrorBox;
use super::fields::{SecretInput, TextField, XksFields, XksIn, XksSignals};
use super::state::{ConfirmAt, Ctx, use_ctx};
use crate::aws::credentials::Secret;
use crate::aws::error::KmsError;
use crate::aws::kms::{ConnectionState, CustomKeyStore, CustomKeyStoreType, Operation};
use crate::aws::limits::Problem;
use crate::console::forms::{
    UpdateForm, XksProxyForm, delete_blocked, needs_disconnect, what_may_change,
};
use crate::console::keys::refused_for_keys;
use crate::web::api;
use leptos::prelude::*;

/// The Settings tab of the store on the page: its Update form and Delete, once the list has
/// its row.
#[component]
pub fn Settings() -> impl IntoView {
    let ctx = use_ctx();
    // Keyed by id only: a refreshed row (after an update) keeps the form and its messages.
    let selected = Memo::new(move |_| ctx.selected_store().and_then(|st| st.custom_key_store_id));
    move || {
        match selected.get() {
        Some(id) => {
            let store = Memo::new(move |_| ctx.stores.row(&id));
            store
                .get_untracked()
                .map(|first| view! { <ManageStore first=first store=store /> })
                .into_any()
        }
        None => view! {
            <p class="hint">"Its settings show once the store list has it: select a store in the list (press Refresh to read the list)."</p>
        }
        .into_any(),
    }
    }
}

/// What Update or Delete said: why it was not sent (and whether disconnecting is the way
/// on), that it is done, or KMS's error.
#[derive(Clone, Debug, PartialEq)]
enum Said {
    Blocked(String, bool),
    Done(String),
    Failed(Operation, KmsError),
}

/// The Update form's inputs, filled from the row the card opened with.
#[derive(Clone, Copy)]
struct Inputs {
    new_name: RwSignal<String>,
    cluster_id: RwSignal<String>,
    password: RwSignal<Secret>,
    proxy: XksSignals,
}

impl Inputs {
    fn of(store: &CustomKeyStore) -> Self {
        Self {
            new_name: RwSignal::new(store.custom_key_store_name.clone().unwrap_or_default()),
            cluster_id: RwSignal::new(store.cloud_hsm_cluster_id.clone().unwrap_or_default()),
            password: RwSignal::new(Secret::default()),
            proxy: XksSignals::new(XksProxyForm::of(
                &store.xks_proxy_configuration.clone().unwrap_or_default(),
            )),
        }
    }

    fn clear_secrets(self) {
        self.password.set(Secret::default());
        self.proxy.clear_credential();
    }
}

/// Checks the form against the store's state, then sends `UpdateCustomKeyStore`.
async fn update(
    ctx: Ctx,
    store: CustomKeyStore,
    inputs: Inputs,
    problems: RwSignal<Vec<Problem>>,
) -> Option<Said> {
    let form = UpdateForm {
        new_name: inputs.new_name.get_untracked(),
        cluster_id: inputs.cluster_id.get_untracked(),
        kmsuser_password: inputs.password.get_untracked(),
        xks: inputs.proxy.form(),
    };
    let request = form.request(&store).map_err(|p| problems.set(p)).ok()?;
    problems.set(Vec::new());
    if let Some(n) = needs_disconnect(&store, &request) {
        return Some(Said::Blocked(n.to_string(), n.offer_disconnect()));
    }
    let client = match ctx.client() {
        Ok(c) => c,
        Err(e) => return Some(Said::Blocked(e, false)),
    };
    Some(match api::update_store(&client, &request).await {
        Ok(_) => {
            inputs.clear_secrets();
            ctx.refresh_stores();
            Said::Done(
                "Updated. KMS may take a few minutes to apply changes to an external key store."
                    .into(),
            )
        }
        Err(e) => Said::Failed(Operation::UpdateCustomKeyStore, e),
    })
}

#[component]
fn ManageStore(
    /// The row when the card opened: it fills the form.
    first: CustomKeyStore,
    /// The row as the list refreshes: the rules use the current state.
    store: Memo<Option<CustomKeyStore>>,
) -> impl IntoView {
    let ctx = use_ctx();
    let current = StoredValue::new(first.clone());
    Effect::new(move |_| {
        if let Some(st) = store.get() {
            current.set_value(st);
        }
    });
    let id = first.custom_key_store_id.clone().unwrap_or_default();
    let xks = first.store_type() == CustomKeyStoreType::ExternalKeyStore;
    let inputs = Inputs::of(&first);
    let problems = RwSignal::new(Vec::<Problem>::new());
    let said = RwSignal::new(None::<Said>);
    let confirm_delete = RwSignal::new(false);
    ctx.creds.on_forget(move || inputs.clear_secrets());
    // One output type for every action of the page (each type costs code in the bundle): the
    // result goes to `said`.
    let action = Action::new_local(move |_: &()| {
        said.set(None);
        let run = update(ctx, current.get_value(), inputs, problems);
        async move { said.set(run.await) }
    });
    let state = move || store.with(|st| st.as_ref().and_then(|st| st.connection_state.clone()));
    let title =
        move || store.with(|st| st.as_ref().and_then(|st| st.custom_key_store_name.clone()));
    view! {
        <section aria-labelledby="manage-h">
            <h3 id="manage-h" class="sub">"Update or delete " {title}</h3>
            <p class="hint"><code>{id}</code> " is " {move || state().map(|c| c.to_string())} ". " {move || what_may_change(state().as_ref(), xks)}</p>
            <TextField id="u-name" label="New custom key store name" value=inputs.new_name problems=problems member="NewCustomKeyStoreName" />
            {if xks {
                view! { <XksFields form=XksIn::Update x=inputs.proxy problems=problems /> }.into_any()
            } else {
                view! {
                    <TextField id="u-cluster" label="New CloudHSM cluster ID" value=inputs.cluster_id problems=problems member="CloudHsmClusterId" />
                    <SecretInput id="u-password" label="New kmsuser password" value=inputs.password problems=problems member="KeyStorePassword" />
                }.into_any()
            }}
            <div class="actions">
                <button type="button" class="primary" disabled=move || action.pending().get()
                    on:click=move |_| if !action.pending().get_untracked() { action.dispatch(()); }>"Update"</button>
                <button type="button" class="secondary" on:click=move |_| {
                    confirm_delete.set(true);
                    said.set(delete_blocked(&current.get_value()).map(|(b, o)| Said::Blocked(b, o)));
                }>"Delete…"</button>
            </div>
            <SaidView said=said />
            <DeleteStore store=store current=current confirm=confirm_delete said=said />
        </section>
    }
}

/// What Update or Delete said, in its place: a notice (with Disconnect offered when that is
/// the way on), the done line, or the error.
#[component]
fn SaidView(said: RwSignal<Option<Said>>) -> impl IntoView {
    let card = use_ctx().card;
    view! {
        {move || match said.get() {
            Some(Said::Blocked(b, offer)) => Some(view! {
                <div class="notice" role="alert">
                    <p>{b}</p>
                    {offer.then(|| view! {
                        <button type="button" class="secondary small" on:click=move |_| card.confirm_disconnect.set(Some(ConfirmAt::Form))>"Disconnect it…"</button>
                    })}
                </div>
            }.into_any()),
            Some(Said::Failed(op, e)) => Some(view! { <ErrorBox op=op error=e /> }.into_any()),
            _ => None,
        }}
        <p class="note" role="status">{move || match said.get() { Some(Said::Done(d)) => Some(d), _ => None }}</p>
    }
}

/// Sends `DeleteCustomKeyStore`; on success the page leaves the store.
async fn delete(ctx: Ctx, store: CustomKeyStore) -> Option<Said> {
    if let Some((why, offer)) = delete_blocked(&store) {
        return Some(Said::Blocked(why, offer));
    }
    let client = match ctx.client() {
        Ok(c) => c,
        Err(e) => return Some(Said::Blocked(e, false)),
    };
    let id = store.custom_key_store_id.clone().unwrap_or_default();
    match api::delete_store(&client, &id).await {
        Ok(_) => {
            // The store's page closes with it: the list says it is done.
            ctx.selection.store_id.set(String::new());
            ctx.refresh_stores();
            ctx.stores.note.set(Some(format!(
                "Deleted {} ({id}).",
                store.custom_key_store_name.as_deref().unwrap_or("")
            )));
            None
        }
        Err(e) => Some(Said::Failed(Operation::DeleteCustomKeyStore, e)),
    }
}

/// The Delete confirmation: the store's name typed, then `DeleteCustomKeyStore`. It shows only
/// while the store is DISCONNECTED (the only state KMS deletes in).
#[component]
fn DeleteStore(
    store: Memo<Option<CustomKeyStore>>,
    current: StoredValue<CustomKeyStore>,
    confirm: RwSignal<bool>,
    said: RwSignal<Option<Said>>,
) -> impl IntoView {
    let ctx = use_ctx();
    let typed_name = RwSignal::new(String::new());
    let name = current.with_value(|s| s.custom_key_store_name.clone().unwrap_or_default());
    let delete = Action::new_local(move |_: &()| {
        said.set(None);
        let run = delete(ctx, current.get_value());
        async move { said.set(run.await) }
    });
    let disconnected = move || {
        store
            .with(|st| st.as_ref().and_then(|st| st.connection_state.clone()))
            .is_none_or(|c| c == ConnectionState::Disconnected)
    };
    let matches = {
        let n = name.clone();
        move || typed_name.get().trim() == n
    };
    view! {
        <Show when=move || confirm.get() && disconnected()>
            <div class="confirm" role="alertdialog" aria-labelledby="delete-t">
                <p id="delete-t"><strong>"Delete " {name.clone()} "?"</strong>" KMS deletes only a store that holds no KMS keys; this cannot be undone."</p>
                <label for="u-confirm">"Type the store's name to confirm"</label>
                <input id="u-confirm" type="text" autocomplete="off" bind:value=typed_name />
                <div class="actions">
                    <button type="button" class="danger" disabled={
                        let matches = matches.clone();
                        move || !matches() || delete.pending().get()
                    } on:click=move |_| { delete.dispatch(()); }>"Delete store"</button>
                    <button type="button" class="secondary" on:click=move |_| confirm.set(false)>"Cancel"</button>
                </div>
                <super::keys::BlockingKeys name=name.clone() typed_name=typed_name
                    refused=Signal::derive(move || said.with(|s| matches!(s, Some(Said::Failed(_, e)) if refused_for_keys(e)))) />
            </div>
        </Show>
    }
}
