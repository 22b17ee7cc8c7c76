//! The page's state, in narrow contexts that `App` provides: [`Creds`] (the credentials as
//! typed), [`Target`] (where requests go), [`Watches`] (the board and its poll loop),
//! [`Stores`] (the list), [`Selection`] (the store page), [`Card`] (the Connect card's message)
//! and [`Clock`]. Components read the ones they need. Flows that span several (Connect, the
//! poll loop) take a [`Ctx`]: a handle on all of them that holds no state of its own.

mod creds;
mod flows;
mod keys;
mod page;
mod stores;
mod target;
mod watches;

pub use creds::Creds;
pub use flows::Flows;
pub use keys::{Keys, ScanView, TestView, use_keys};
pub use page::{Card, CardMsg, Clock, ConfirmAt, Selection};
pub use stores::{StoreList, Stores};
pub use target::Target;
pub use watches::Watches;

use crate::aws::endpoint::Endpoint;
use crate::web::client::Client;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Ctx {
    pub creds: Creds,
    pub target: Target,
    pub watches: Watches,
    pub stores: Stores,
    pub selection: Selection,
    pub card: Card,
    pub clock: Clock,
}

impl Ctx {
    /// Fresh state, as at page load, provided to every component below the caller.
    pub fn provide() -> Self {
        let creds = Creds::new();
        let target = Target::new();
        // The overview's HSM counts come from CloudHSM, after each good read of the list.
        let stores = Stores::new(move |stores, rows, current| {
            if let Ok(client) = client_for(creds, target, target.cloudhsm()) {
                let unforgotten = creds.unforgotten();
                stores.count_hsms(client, &rows, Box::new(move || current() && unforgotten()));
            }
        });
        let ctx = Self {
            creds,
            target,
            watches: Watches::new(),
            stores,
            selection: Selection::new(),
            card: Card::new(),
            clock: Clock(RwSignal::new(crate::web::now_ms())),
        };
        // Each answer tells whether AWS took these credentials (the form folds or reopens).
        target.shared().on_answer(move |key, accepted| {
            // Only a change notifies: every poll's answer passes here.
            if creds.access_key_id.try_get_untracked().as_deref() == Some(key)
                && creds.proven.try_get_untracked() != Some(accepted)
            {
                creds.proven.try_set(accepted);
            }
        });
        provide_context(ctx);
        provide_context(ctx.creds);
        provide_context(ctx.target);
        provide_context(ctx.watches);
        provide_context(ctx.stores);
        provide_context(ctx.selection);
        provide_context(ctx.card);
        provide_context(ctx.clock);
        let keys = Keys::new();
        creds.on_forget(move || keys.forget());
        provide_context(keys);
        ctx
    }

    /// A client for the form's place and credentials, or the first thing that stops one.
    pub fn client(&self) -> Result<Client, String> {
        client_for(
            self.creds,
            self.target,
            self.target.place().map(|p| p.endpoint),
        )
    }

    /// A client for a watch's endpoint with the credentials as typed now.
    pub fn client_at(&self, endpoint: &Endpoint) -> Result<Client, String> {
        client_for(self.creds, self.target, Ok(endpoint.clone()))
    }

    /// A client for CloudHSM v2 in the form's region.
    pub fn cloudhsm_client(&self) -> Result<Client, String> {
        client_for(self.creds, self.target, self.target.cloudhsm())
    }

    /// A client for CloudWatch in the form's region (the health tab).
    pub fn monitoring_client(&self) -> Result<Client, String> {
        client_for(self.creds, self.target, self.target.monitoring())
    }

    /// Reads the store list (all pages) with the form's credentials and place.
    pub fn refresh_stores(&self) {
        self.stores.refresh(self.client());
    }

    /// Points the form where a watch lives (for its panel's Connect and Disconnect).
    pub fn go_to(&self, place: &crate::console::watch::Place) {
        if self.target.go_to(place) {
            self.stores.invalidate();
        }
    }

    /// A check for work begun now on store `id`: true while the page shows that store and
    /// the credentials were not forgotten.
    pub fn still_on(&self, id: &str) -> impl Fn() -> bool + Clone + 'static {
        let unforgotten = self.creds.unforgotten();
        let store_id = self.selection.store_id;
        let id = id.to_string();
        move || unforgotten() && store_id.try_with_untracked(|s| s.trim() == id) == Some(true)
    }

    /// The loaded row of the store on the page, if the list has it (tracked).
    pub fn selected_store(&self) -> Option<crate::aws::kms::CustomKeyStore> {
        self.stores.row(self.selection.store_id.get().trim())
    }
}

/// The page's state, for flows and components that need several parts of it.
pub fn use_ctx() -> Ctx {
    expect_context::<Ctx>()
}

fn client_for(
    creds: Creds,
    target: Target,
    endpoint: Result<Endpoint, String>,
) -> Result<Client, String> {
    // The credentials' problem first: it is the one the user meets first on the page.
    let credentials = creds.get()?;
    let endpoint = endpoint?;
    Ok(Client {
        endpoint,
        credentials,
        confirmed_hosts: target.confirmed_hosts.get_untracked(),
        shared: target.shared(),
    })
}
