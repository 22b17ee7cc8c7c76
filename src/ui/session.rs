//! What the whole page shares: [`Session`], its store list and where a Disconnect confirmation
//! shows. Every component reads it through [`use_session`]; this module imports no component.

use crate::aws::credentials::Credentials;
use crate::aws::endpoint::{Variant, resolve};
use crate::aws::error::KmsError;
use crate::aws::kms::{CustomKeyStore, Operation};
use crate::console::board::Board;
use crate::web::client::{Client, Shared};
use leptos::prelude::*;

/// Where a Disconnect confirmation was asked for (it shows next to the button pressed): the
/// Connect card (the form's store), or the status panel of a watched store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmAt {
    Form,
    Panel(String),
}

/// What the whole page shares. Secrets live only here, in memory.
#[derive(Clone, Copy)]
pub struct Session {
    pub access_key_id: RwSignal<String>,
    pub secret_access_key: RwSignal<String>,
    pub session_token: RwSignal<String>,
    pub expiration_ms: RwSignal<Option<i64>>,
    pub region: RwSignal<String>,
    pub endpoint_url: RwSignal<String>,
    /// An Endpoint URL a link set, not yet confirmed by the user: nothing is sent there.
    pub pending_endpoint: RwSignal<Option<String>>,
    /// Where CloudHSM calls go when it is not the region's CloudHSM endpoint (optional).
    pub cloudhsm_url: RwSignal<String>,
    /// Hosts outside AWS's endpoints the user allowed in this tab (each client gets them).
    pub confirmed_hosts: RwSignal<Vec<String>>,
    /// The host whose confirmation dialog is open.
    pub confirm_host: RwSignal<Option<String>>,
    /// Counts "Forget credentials": tasks that began before a Forget stop, forms drop secrets.
    pub forgotten: RwSignal<u64>,
    pub fips: RwSignal<bool>,
    pub dual_stack: RwSignal<bool>,
    pub store_id: RwSignal<String>,
    /// The last failed call, for the error box.
    pub error: RwSignal<Option<(Operation, KmsError)>>,
    /// A message that is not a KMS error (bad input, a refusal to send, an explanation).
    pub notice: RwSignal<Option<String>>,
    /// The pre-check found a FAILED store: offer to disconnect it.
    pub offer_disconnect: RwSignal<bool>,
    pub confirm_disconnect: RwSignal<Option<ConfirmAt>>,
    pub stores: RwSignal<StoreList>,
    /// A refresh that failed while rows were on screen: the rows stay, the error shows above.
    pub stores_error: RwSignal<Option<KmsError>>,
    /// Why the list stopped refreshing itself.
    pub stores_note: RwSignal<Option<String>>,
    /// Bumped by every refresh and by anything that makes the list stale (region, endpoint,
    /// credentials): only the newest refresh may write the list or schedule another.
    pub stores_generation: StoredValue<u64>,
    /// Every watch, newest first.
    pub board: RwSignal<Board>,
    /// Wakes the poll loop (a new or resumed watch, a tab shown again with a poll overdue).
    bell: StoredValue<crate::web::Bell, LocalStorage>,
    /// Whether the poll loop runs (it ends when nothing is left to poll).
    poller_running: StoredValue<bool>,
    /// When the store list began refreshing itself; it stops after `watch::OVERALL_MS`.
    pub stores_auto_since: StoredValue<Option<i64>>,
    /// Benchmarks only (`#pace=N` in the link): watches poll N times faster, to match an
    /// emulator run with `--time-scale N`.
    pub pace: RwSignal<u32>,
    /// (ACTIVE HSMs, all HSMs) per CloudHSM cluster, for the overview.
    pub hsm_counts: RwSignal<std::collections::BTreeMap<String, (usize, usize)>>,
    /// A store whose failing pre-flight the user chose to connect past, once.
    pub connect_anyway: RwSignal<Option<String>>,
    /// A failing pre-flight that held back a Connect (the user may connect anyway).
    pub preflight_block: RwSignal<Option<crate::console::preflight::Verdict>>,
    /// Ticks every second, for elapsed times and countdowns.
    pub now_ms: RwSignal<i64>,
    pub connect: Action<(), ()>,
    pub disconnect: Action<(), ()>,
    shared: StoredValue<Shared, LocalStorage>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub enum StoreList {
    #[default]
    NotLoaded,
    Loading,
    Loaded(Vec<CustomKeyStore>),
    Failed(KmsError),
}

impl Session {
    /// A fresh session, as at page load, whose Connect and Disconnect run `connect` and
    /// `disconnect` (`Session::new` passes the flows of `ui::connect`: this module does not
    /// import its users).
    pub(super) fn with_flows<C, D>(
        connect: impl Fn(Session) -> C + 'static,
        disconnect: impl Fn(Session) -> D + 'static,
    ) -> Self
    where
        C: std::future::Future<Output = ()> + 'static,
        D: std::future::Future<Output = ()> + 'static,
    {
        let session = Self {
            access_key_id: RwSignal::new(String::new()),
            secret_access_key: RwSignal::new(String::new()),
            session_token: RwSignal::new(String::new()),
            expiration_ms: RwSignal::new(None),
            region: RwSignal::new("us-east-1".to_string()),
            endpoint_url: RwSignal::new(String::new()),
            pending_endpoint: RwSignal::new(None),
            cloudhsm_url: RwSignal::new(String::new()),
            confirmed_hosts: RwSignal::new(Vec::new()),
            confirm_host: RwSignal::new(None),
            forgotten: RwSignal::new(0),
            fips: RwSignal::new(false),
            dual_stack: RwSignal::new(false),
            store_id: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            offer_disconnect: RwSignal::new(false),
            confirm_disconnect: RwSignal::new(None),
            stores: RwSignal::new(StoreList::NotLoaded),
            stores_error: RwSignal::new(None),
            stores_note: RwSignal::new(None),
            stores_generation: StoredValue::new(0),
            board: RwSignal::new(Board::default()),
            bell: StoredValue::new_local(crate::web::Bell::default()),
            poller_running: StoredValue::new(false),
            stores_auto_since: StoredValue::new(None),
            pace: RwSignal::new(1),
            hsm_counts: RwSignal::new(Default::default()),
            connect_anyway: RwSignal::new(None),
            preflight_block: RwSignal::new(None),
            now_ms: RwSignal::new(crate::web::now_ms()),
            connect: Action::new_local(|_: &()| async {}),
            disconnect: Action::new_local(|_: &()| async {}),
            shared: StoredValue::new_local(Shared::default()),
        };
        Self {
            connect: Action::new_local(move |_: &()| connect(session)),
            disconnect: Action::new_local(move |_: &()| disconnect(session)),
            ..session
        }
    }

    /// The credentials as typed, if usable.
    pub fn credentials(&self) -> Result<Credentials, String> {
        let mut c = Credentials::from_fields(
            &self.access_key_id.get_untracked(),
            &self.secret_access_key.get_untracked(),
            &self.session_token.get_untracked(),
        )
        .map_err(|e| e.to_string())?;
        c.expiration_ms = self.expiration_ms.get_untracked();
        Ok(c)
    }

    /// A client for the current fields, or the first thing that stops one.
    pub fn client(&self) -> Result<Client, String> {
        self.client_for(self.place().map(|p| p.endpoint))
    }

    /// The host of an Endpoint URL a link set and the user has not confirmed yet.
    pub fn pending_host(&self) -> Option<String> {
        let pending = self.pending_endpoint.get_untracked()?;
        // Typed over by the user: their own choice now.
        (pending.trim() == self.endpoint_url.get_untracked().trim())
            .then(|| crate::aws::endpoint::url_host(&pending).unwrap_or(pending))
    }

    /// Where the form points now (for a new watch), or the first thing that stops it.
    pub fn place(&self) -> Result<crate::console::watch::Place, String> {
        if let Some(host) = self.pending_host() {
            return Err(format!(
                "the link set Endpoint URL to {host}, and nothing is sent there until you confirm it (Endpoint, \"Use {host}\")."
            ));
        }
        let region = self.region.get_untracked().trim().to_string();
        let custom_url = self.endpoint_url.get_untracked().trim().to_string();
        let variant = self.variant_untracked();
        let endpoint = resolve(&region, variant, Some(&custom_url)).map_err(|e| e.to_string())?;
        Ok(crate::console::watch::Place {
            region,
            custom_url,
            variant,
            endpoint,
        })
    }

    /// Points the form where a watch lives (for its panel's Connect and Disconnect); the list
    /// read elsewhere goes.
    pub fn go_to(&self, place: &crate::console::watch::Place) {
        if self.place().ok().map(|p| p.endpoint) != Some(place.endpoint.clone()) {
            self.region.set(place.region.clone());
            self.endpoint_url.set(place.custom_url.clone());
            self.fips.set(place.variant.fips);
            self.dual_stack.set(place.variant.dual_stack);
            self.invalidate_stores();
        }
        // A watch's place was confirmed when the watch began.
        self.pending_endpoint.set(None);
    }

    /// A client for a watch's endpoint with the credentials as typed now.
    pub fn client_at(&self, endpoint: &crate::aws::endpoint::Endpoint) -> Result<Client, String> {
        self.client_for(Ok(endpoint.clone()))
    }

    /// A client for CloudHSM v2 in the same region: its own endpoint, the CloudHSM endpoint URL,
    /// or a loopback Endpoint URL (the emulator serves every service on one port).
    pub fn cloudhsm_client(&self) -> Result<Client, String> {
        let place = self.place();
        let kms = self.endpoint_url.get_untracked();
        let cloudhsm = self.cloudhsm_url.get_untracked();
        self.client_for(place.and_then(|_| {
            crate::aws::endpoint::cloudhsm_endpoint(
                &self.region.get_untracked(),
                self.fips.get_untracked(),
                Some(&kms),
                Some(&cloudhsm),
            )
            .map_err(|e| e.to_string())
        }))
    }

    /// Allows signed requests to `host` in this tab (the user confirmed it in the dialog).
    pub fn allow_host(&self, host: &str) {
        self.confirmed_hosts.update(|h| {
            if !h.iter().any(|x| x == host) {
                h.push(host.to_string());
            }
        });
    }

    /// The host of `url` if signed requests for `service` need the user's confirmation to go
    /// there and have not had it (tracked).
    pub fn unconfirmed_host(
        &self,
        url: &str,
        service: crate::aws::trust::Service,
    ) -> Option<String> {
        let url = crate::aws::endpoint::parse_custom_url(url.trim()).ok()?;
        let host = crate::aws::trust::needs_confirmation(&url, service, self.region.get().trim())?;
        (!self.confirmed_hosts.with(|h| h.contains(&host))).then_some(host)
    }

    /// Rings the poll loop's bell if the loop runs (true); otherwise marks it as running (false),
    /// and the caller starts it (`status::wake_poller`).
    pub(crate) fn ring_or_claim_poller(&self) -> bool {
        if self.poller_running.get_value() {
            self.bell.with_value(|b| b.ring());
            true
        } else {
            self.poller_running.set_value(true);
            false
        }
    }

    /// The poll loop has ended (nothing is left to poll).
    pub(crate) fn poller_ended(&self) {
        let _ = self.poller_running.try_set_value(false);
    }

    /// The poll loop's bell, to sleep on.
    pub(crate) fn bell(&self) -> Option<crate::web::Bell> {
        self.bell.try_get_value()
    }

    fn client_for(
        &self,
        endpoint: Result<crate::aws::endpoint::Endpoint, String>,
    ) -> Result<Client, String> {
        // The credentials' problem first: it is the one the user meets first on the page.
        let credentials = self.credentials()?;
        let endpoint = endpoint?;
        Ok(Client {
            endpoint,
            credentials,
            confirmed_hosts: self.confirmed_hosts.get_untracked(),
            shared: self.shared.get_value(),
        })
    }

    /// The loaded row of the store in "Custom key store ID", if the list has it (tracked).
    pub fn selected_store(&self) -> Option<CustomKeyStore> {
        self.store_row(self.store_id.get().trim())
    }

    /// The loaded row of a store, if the list has it (tracked).
    pub fn store_row(&self, id: &str) -> Option<CustomKeyStore> {
        self.stores.with(|l| match l {
            StoreList::Loaded(rows) => rows
                .iter()
                .find(|r| r.custom_key_store_id.as_deref() == Some(id))
                .cloned(),
            _ => None,
        })
    }

    fn variant_untracked(&self) -> Variant {
        Variant {
            fips: self.fips.get_untracked(),
            dual_stack: self.dual_stack.get_untracked(),
        }
    }

    /// The endpoint options, tracked (for views).
    pub fn variant(&self) -> Variant {
        Variant {
            fips: self.fips.get(),
            dual_stack: self.dual_stack.get(),
        }
    }

    /// Forgets the credentials (memory only: nothing else ever held them), the forms' store
    /// secrets (through `on_forget`), and stops the tasks that still hold the old credentials.
    pub fn forget_credentials(&self) {
        self.access_key_id.set(String::new());
        self.secret_access_key.set(String::new());
        self.session_token.set(String::new());
        self.expiration_ms.set(None);
        self.forgotten.update(|n| *n += 1);
    }

    /// Forgets the list: the region, endpoint or credentials it was read with have changed.
    pub fn invalidate_stores(&self) {
        self.stores_generation
            .set_value(self.stores_generation.get_value() + 1);
        self.stores_error.set(None);
        self.stores_note.set(None);
        self.stores.set(StoreList::NotLoaded);
        // Counts read in another region or account are not this list's.
        self.hsm_counts.set(Default::default());
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().expect("Session is provided by App")
}

/// Runs `clear` each time the user forgets the credentials (forms drop their store secrets).
pub fn on_forget(s: Session, clear: impl Fn() + 'static) {
    Effect::new(move |prev: Option<u64>| {
        let n = s.forgotten.get();
        if prev.is_some_and(|p| p != n) {
            clear();
        }
        n
    });
}
