//! The table of the store's keys, once a scan found them.

use super::{known_keys, scan_here};
use crate::aws::kms::CustomKeyStoreType;
use crate::console::keys::{KeyRow, thousands};
use crate::ui::state::{use_ctx, use_keys};
use crate::web::local_date_time;
use leptos::prelude::*;

fn row_view(r: KeyRow, xks: bool) -> impl IntoView {
    let created = r
        .creation_date
        .map(|s| local_date_time((s * 1000.0) as i64))
        .unwrap_or_default();
    let aliases = if r.aliases.is_empty() {
        "—".to_string()
    } else {
        r.aliases.join(", ")
    };
    view! {
        <tr>
            <th scope="row"><code>{r.key_id}</code></th>
            <td data-label="Aliases">{aliases}</td>
            <td data-label="Key state">{r.key_state.map(|s| s.as_str().to_string())}</td>
            <td data-label="Origin">{r.origin.map(|o| o.as_str().to_string())}</td>
            <td data-label="Key spec">{r.key_spec}</td>
            <td data-label="Created" class="nowrap">{created}</td>
            {xks.then(|| view! { <td data-label="External key ID"><code>{r.xks_key_id}</code></td> })}
        </tr>
    }
}

/// The keys of the store on the page: ID, aliases, state, origin, spec, creation date (local
/// time, as in the store list), and for an external key store the external key's ID. On a
/// phone each row is a card whose cells carry their column's name (`data-label`).
#[component]
pub fn KeyTable() -> impl IntoView {
    let ctx = use_ctx();
    let keys = use_keys();
    move || {
        let rows = known_keys(ctx, keys)?;
        let xks = ctx
            .selected_store()
            .is_some_and(|s| s.store_type() == CustomKeyStoreType::ExternalKeyStore)
            || rows.iter().any(|r| r.xks_key_id.is_some());
        if rows.is_empty() {
            return Some(view! { <p class="note">"No KMS keys in this store."</p> }.into_any());
        }
        // Counted once: by the scan's line when it is this store's and finished with this
        // list, else here (a remembered list, or one another store's scan found).
        let scan_counts = scan_here(ctx, keys)
            .is_some_and(|v| !v.running && v.failure.is_none() && v.progress.found == rows.len());
        let count = (!scan_counts).then(|| match rows.len() {
            1 => "1 KMS key in this store.".to_string(),
            n => thousands(n) + " KMS keys in this store.",
        });
        let body = rows.into_iter().map(|r| row_view(r, xks)).collect_view();
        Some(
            view! {
                {count.map(|c| view! { <p class="note">{c}</p> })}
                <div class="table-wrap">
                    <table aria-label="KMS keys in this store">
                        <thead><tr>
                            <th scope="col">"Key ID"</th><th scope="col">"Aliases"</th><th scope="col">"Key state"</th>
                            <th scope="col">"Origin"</th><th scope="col">"Key spec"</th><th scope="col">"Created"</th>
                            {xks.then(|| view! { <th scope="col">"External key ID"</th> })}
                        </tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            }
            .into_any(),
        )
    }
}
