//! The Create key form: description, alias and (external key store) the external key's ID →
//! `console::keys::create_key_plan` (with its pre-checks: CONNECTED; for CloudHSM, two ACTIVE
//! HSMs in different zones from CloudHSM's `DescribeClusters`) → `CreateKey`, then
//! `CreateAlias`. The new key joins the table.

use super::keys_of;
use crate::aws::error::KmsError;
use crate::aws::kms::{CustomKeyStoreType, Operation};
use crate::aws::limits::Problem;
use crate::console::keys::{CreateKeyForm as Form, KEY_COST_NOTE, KeyRow, create_key_plan};
use crate::ui::common::ErrorBox;
use crate::ui::fields::{TextField, field_msgs};
use crate::ui::state::{Ctx, Keys, use_ctx, use_keys};
use crate::web::{api, keys_api};
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct Inputs {
    description: RwSignal<String>,
    alias: RwSignal<String>,
    xks_key_id: RwSignal<String>,
    problems: RwSignal<Vec<Problem>>,
    failed: RwSignal<Option<(Operation, KmsError)>>,
    done: RwSignal<Option<String>>,
}

fn store_problem(message: String) -> Vec<Problem> {
    vec![Problem {
        member: "store",
        message,
    }]
}

/// Checks the form and the store, then sends `CreateKey` and `CreateAlias`.
async fn create(ctx: Ctx, keys: Keys, i: Inputs) {
    let id = ctx.selection.store_id.get_untracked().trim().to_string();
    let Some(store) = untrack(|| ctx.stores.row(&id)) else {
        i.problems.set(store_problem(
            "The store is not in the list yet: press Refresh above the store list first.".into(),
        ));
        return;
    };
    // CloudHSM's view of the cluster, for the two-HSM check; unknown does not block.
    let cluster = match (store.store_type(), &store.cloud_hsm_cluster_id) {
        (CustomKeyStoreType::AwsCloudHsm, Some(cid)) => match ctx.cloudhsm_client() {
            Ok(c) => api::find_cluster(&c, cid, ctx.creds.unforgotten())
                .await
                .ok()
                .flatten(),
            Err(_) => None,
        },
        _ => None,
    };
    let form = Form {
        description: i.description.get_untracked(),
        alias: i.alias.get_untracked(),
        xks_key_id: i.xks_key_id.get_untracked(),
    };
    let plan = match create_key_plan(&form, &store, cluster.as_ref()) {
        Ok(p) => p,
        Err(errors) => {
            i.problems.set(
                errors
                    .into_iter()
                    .map(|e| Problem {
                        member: e.field,
                        message: e.message,
                    })
                    .collect(),
            );
            return;
        }
    };
    i.problems.set(Vec::new());
    let client = match ctx.client() {
        Ok(c) => c,
        Err(e) => {
            i.problems.set(store_problem(e));
            return;
        }
    };
    let created = match keys_api::create_key(&client, &plan.create).await {
        Ok(r) => r.output.key_metadata,
        Err(e) => {
            i.failed.set(Some((Operation::CreateKey, e)));
            return;
        }
    };
    let mut row = KeyRow::from_metadata(&created);
    let mut said = "Created KMS key ".to_string() + &row.key_id + ".";
    if let Some(request) = plan.alias_request(&row.key_id) {
        match keys_api::create_alias(&client, &request).await {
            Ok(_) => {
                said = said + " Alias " + &request.alias_name + " points at it.";
                row.aliases.push(request.alias_name);
            }
            Err(e) => i.failed.set(Some((Operation::CreateAlias, e))),
        }
    }
    i.done.set(Some(said));
    i.description.set(String::new());
    i.alias.set(String::new());
    i.xks_key_id.set(String::new());
    // Into the remembered list, or a scan that will find it.
    let endpoint = client.endpoint.url.clone();
    let mut added = false;
    keys.lists.update(|l| {
        if let Some(rows) = l.get_mut(&endpoint, &id) {
            rows.push(row);
            added = true;
        }
    });
    if !added {
        keys_of(ctx, keys, id, true).await;
    }
}

/// The Create key form, for the store on the page.
#[component]
pub fn CreateKeyForm() -> impl IntoView {
    let ctx = use_ctx();
    let keys = use_keys();
    let i = Inputs {
        description: RwSignal::new(String::new()),
        alias: RwSignal::new(String::new()),
        xks_key_id: RwSignal::new(String::new()),
        problems: RwSignal::new(Vec::new()),
        failed: RwSignal::new(None),
        done: RwSignal::new(None),
    };
    let action = Action::new_local(move |_: &()| {
        i.failed.set(None);
        i.done.set(None);
        create(ctx, keys, i)
    });
    let xks = move || {
        ctx.selected_store()
            .is_some_and(|s| s.store_type() == CustomKeyStoreType::ExternalKeyStore)
    };
    let pending = move || action.pending().get();
    view! {
        <div class="create-key" role="group" aria-labelledby="ck-h">
            <h4 id="ck-h" class="sub">"Create a KMS key in this store"</h4>
            <p class="hint">{KEY_COST_NOTE}</p>
            <TextField id="ck-description" label="Key description" value=i.description problems=i.problems member="description" />
            <TextField id="ck-alias" label="Alias" value=i.alias problems=i.problems member="alias" placeholder=Some("alias/my-key") />
            <Show when=xks>
                <TextField id="ck-xks" label="External key ID" value=i.xks_key_id problems=i.problems member="xks_key_id" />
            </Show>
            <div role="alert">{field_msgs(i.problems, "store")}</div>
            <div class="actions">
                <button type="button" class="primary" disabled=pending
                    on:click=move |_| if !action.pending().get_untracked() { action.dispatch(()); }>
                    {move || if pending() { "Creating…" } else { "Create KMS key" }}
                </button>
            </div>
            {move || i.failed.get().map(|(op, e)| view! { <ErrorBox op=op error=e /> })}
            <p class="note" role="status">{move || i.done.get()}</p>
        </div>
    }
}
