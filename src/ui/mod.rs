//! Leptos components. They read signals and call the pure modules and `web`; the one piece of
//! shared state is [`Session`], provided by [`App`].

mod connect;
mod credentials;
mod endpoint;
mod status;
mod stores;

use crate::credentials::Credentials;
use crate::endpoint::{Variant, resolve};
use crate::error::KmsError;
use crate::kms::{CustomKeyStore, Operation};
use crate::watch::Watch;
use crate::web::client::{Client, Skew};
use leptos::prelude::*;

/// The local emulator's default address (the README's run command starts it there).
pub const EMULATOR_URL: &str = "http://127.0.0.1:4599";

/// What the whole page shares. Secrets live only here, in memory.
#[derive(Clone, Copy)]
pub struct Session {
    pub access_key_id: RwSignal<String>,
    pub secret_access_key: RwSignal<String>,
    pub session_token: RwSignal<String>,
    pub expiration_ms: RwSignal<Option<i64>>,
    pub region: RwSignal<String>,
    pub endpoint_url: RwSignal<String>,
    pub fips: RwSignal<bool>,
    pub dual_stack: RwSignal<bool>,
    pub store_id: RwSignal<String>,
    /// The last failed call, for the error box.
    pub error: RwSignal<Option<(Operation, KmsError)>>,
    /// A message that is not a KMS error (bad input, a refusal to send).
    pub notice: RwSignal<Option<String>>,
    pub stores: RwSignal<StoreList>,
    pub watch: RwSignal<Option<Watch>>,
    /// Bumped by every new watch, so an older poll loop knows to end.
    pub watch_generation: StoredValue<u64>,
    /// Ticks every second, for elapsed times and countdowns.
    pub now_ms: RwSignal<i64>,
    skew: StoredValue<Skew, LocalStorage>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub enum StoreList {
    #[default]
    NotLoaded,
    Loading,
    Loaded(Vec<CustomKeyStore>),
    Failed(String),
}

impl Session {
    fn new() -> Self {
        Self {
            access_key_id: RwSignal::new(String::new()),
            secret_access_key: RwSignal::new(String::new()),
            session_token: RwSignal::new(String::new()),
            expiration_ms: RwSignal::new(None),
            region: RwSignal::new("us-east-1".to_string()),
            endpoint_url: RwSignal::new(String::new()),
            fips: RwSignal::new(false),
            dual_stack: RwSignal::new(false),
            store_id: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            stores: RwSignal::new(StoreList::NotLoaded),
            watch: RwSignal::new(None),
            watch_generation: StoredValue::new(0),
            now_ms: RwSignal::new(crate::web::now_ms()),
            skew: StoredValue::new_local(Skew::default()),
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
        let credentials = self.credentials()?;
        let custom = self.endpoint_url.get_untracked();
        let endpoint = resolve(
            &self.region.get_untracked(),
            self.variant_untracked(),
            Some(&custom),
        )
        .map_err(|e| e.to_string())?;
        Ok(Client {
            endpoint,
            credentials,
            skew: self.skew.get_value(),
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

    /// Forgets the credentials (memory only: nothing else ever held them).
    pub fn forget_credentials(&self) {
        self.access_key_id.set(String::new());
        self.secret_access_key.set(String::new());
        self.session_token.set(String::new());
        self.expiration_ms.set(None);
    }
}

pub fn use_session() -> Session {
    use_context::<Session>().expect("Session is provided by App")
}

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    if let Ok(handle) = set_interval_with_handle(
        move || session.now_ms.set(crate::web::now_ms()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <header class="top">
            <h1>"cks-console"</h1>
            <p class="tagline">"Connect an AWS KMS custom key store and watch it settle. Requests are signed in this tab and sent straight to KMS."</p>
        </header>
        <main class="layout">
            <div class="column">
                <credentials::CredentialsForm />
                <endpoint::EndpointForm />
            </div>
            <div class="column">
                <connect::ConnectForm />
                <status::StatusPanel />
                <stores::StoreTable />
            </div>
        </main>
    }
}
