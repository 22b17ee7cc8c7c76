//! The store page: which store it shows and which tab is open; the Connect card's message and
//! the confirmations it asks for; the clock the page's countdowns read.

use crate::aws::error::KmsError;
use crate::aws::kms::Operation;
use crate::console::link::Tab;
use crate::console::preflight::Verdict;
use leptos::prelude::*;

/// The store page: the "Custom key store ID" field and the open tab.
#[derive(Clone, Copy)]
pub struct Selection {
    pub store_id: RwSignal<String>,
    pub tab: RwSignal<Tab>,
}

impl Selection {
    pub(super) fn new() -> Self {
        Self {
            store_id: RwSignal::new(String::new()),
            tab: RwSignal::new(Tab::default()),
        }
    }

    /// Opens a store's page at a tab.
    pub fn open(&self, id: &str, tab: Tab) {
        self.store_id.set(id.to_string());
        self.tab.set(tab);
    }
}

/// Where a Disconnect confirmation was asked for (it shows next to the button pressed): the
/// store page's header (the field's store), or the status panel of a watched store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfirmAt {
    Form,
    Panel(String),
}

/// What the Connect card says: one message at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum CardMsg {
    /// Plain words: bad input, a refusal to send, a state that needs nothing done.
    Notice(String),
    /// A store KMS reads as FAILED: Connect needs a Disconnect first (offered).
    FailedStore(String),
    /// A watch reopened from the link waits for credentials (and a link's endpoint).
    Reopened,
    /// A failing pre-flight held back a Connect (the user may connect anyway).
    Blocked(Verdict),
    /// A call failed, after an optional notice that came first.
    Failed {
        op: Operation,
        error: KmsError,
        after: Option<String>,
    },
}

impl CardMsg {
    /// Shown while a watch from the link waits for credentials.
    pub const REOPENED: &'static str = "This link reopens a watch: paste credentials (or type them in) and it resumes. If the link names an endpoint, confirm it under Endpoint first.";
}

/// The Connect card: its message, where a Disconnect confirmation shows, and a store whose
/// failing pre-flight the user chose to connect past, once.
#[derive(Clone, Copy)]
pub struct Card {
    pub msg: RwSignal<Option<CardMsg>>,
    pub confirm_disconnect: RwSignal<Option<ConfirmAt>>,
    pub connect_anyway: RwSignal<Option<String>>,
}

impl Card {
    pub(super) fn new() -> Self {
        Self {
            msg: RwSignal::new(None),
            confirm_disconnect: RwSignal::new(None),
            connect_anyway: RwSignal::new(None),
        }
    }

    pub fn say(&self, text: impl Into<String>) {
        self.msg.set(Some(CardMsg::Notice(text.into())));
    }

    /// A failed call; a notice already on the card stays above its error.
    pub fn fail(&self, op: Operation, error: KmsError) {
        self.msg.update(|m| {
            let after = match m.take() {
                Some(CardMsg::Notice(n)) => Some(n),
                _ => None,
            };
            *m = Some(CardMsg::Failed { op, error, after });
        });
    }
}

/// The page's clock: epoch milliseconds, ticking every second (elapsed times, countdowns).
#[derive(Clone, Copy)]
pub struct Clock(pub RwSignal<i64>);
