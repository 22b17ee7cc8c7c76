//! The credentials as typed. They live only here, in memory.

use crate::aws::credentials::Credentials;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Creds {
    pub access_key_id: RwSignal<String>,
    pub secret_access_key: RwSignal<String>,
    pub session_token: RwSignal<String>,
    pub expiration_ms: RwSignal<Option<i64>>,
    /// Counts "Forget credentials": tasks that began before a Forget stop, forms drop secrets.
    pub forgotten: RwSignal<u64>,
    /// AWS answered a request signed with these credentials (the form may fold); cleared when
    /// they change or AWS refuses them.
    pub proven: RwSignal<bool>,
}

impl Creds {
    pub(super) fn new() -> Self {
        Self {
            access_key_id: RwSignal::new(String::new()),
            secret_access_key: RwSignal::new(String::new()),
            session_token: RwSignal::new(String::new()),
            expiration_ms: RwSignal::new(None),
            forgotten: RwSignal::new(0),
            proven: RwSignal::new(false),
        }
    }

    /// The credentials as typed, if usable.
    pub fn get(&self) -> Result<Credentials, String> {
        let mut c = Credentials::from_fields(
            &self.access_key_id.get_untracked(),
            &self.secret_access_key.get_untracked(),
            &self.session_token.get_untracked(),
        )
        .map_err(|e| e.to_string())?;
        c.expiration_ms = self.expiration_ms.get_untracked();
        Ok(c)
    }

    /// Puts credentials into the fields.
    pub fn fill(&self, c: &Credentials) {
        self.access_key_id.set(c.access_key_id.clone());
        self.secret_access_key
            .set(c.secret_access_key.expose().to_string());
        self.session_token.set(
            c.session_token
                .as_ref()
                .map(|t| t.expose().to_string())
                .unwrap_or_default(),
        );
        self.expiration_ms.set(c.expiration_ms);
        self.proven.set(false);
    }

    /// Whether the fields still hold the credentials `c` signs with.
    pub fn still(&self, c: &Credentials) -> bool {
        self.get().is_ok_and(|now| {
            now.access_key_id == c.access_key_id
                && now.secret_access_key.expose() == c.secret_access_key.expose()
        })
    }

    /// A check for work begun now: true until the credentials are forgotten (a look-up or a
    /// scan that takes a while stops rather than go on with credentials the user took back).
    pub fn unforgotten(&self) -> impl Fn() -> bool + Copy + 'static {
        let forgotten = self.forgotten;
        let epoch = forgotten.get_untracked();
        move || forgotten.try_get_untracked() == Some(epoch)
    }

    /// Forgets the credentials (memory only: nothing else ever held them); `on_forget`
    /// listeners drop their store secrets, and tasks holding the old ones stop.
    pub fn forget(&self) {
        self.access_key_id.set(String::new());
        self.secret_access_key.set(String::new());
        self.session_token.set(String::new());
        self.expiration_ms.set(None);
        self.proven.set(false);
        self.forgotten.update(|n| *n += 1);
    }

    /// Runs `clear` each time the user forgets the credentials (forms drop their store secrets).
    pub fn on_forget(&self, clear: impl Fn() + 'static) {
        let forgotten = self.forgotten;
        Effect::new(move |prev: Option<u64>| {
            let n = forgotten.get();
            if prev.is_some_and(|p| p != n) {
                clear();
            }
            n
        });
    }

    /// What needs the user's hand on the credentials now (tracked): missing or expired.
    pub fn needs_attention(&self, now_ms: i64) -> bool {
        self.access_key_id.track();
        self.secret_access_key.track();
        self.session_token.track();
        self.get().is_err() || self.expiration_ms.get().is_some_and(|e| e <= now_ms)
    }
}
