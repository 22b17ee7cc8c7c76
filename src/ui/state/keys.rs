//! The keys of the stores (the Keys tab): finished scans, remembered for the session per
//! endpoint and store (`console::keys::KeyLists`); the scan of the store on the page and its
//! progress; the store test's outcome; whether the Create key form is open.

use crate::aws::error::KmsError;
use crate::aws::kms::Operation;
use crate::console::keys::{KeyLists, Progress};
use crate::console::probe::Verdict;
use leptos::prelude::*;

/// The last scan started: for which endpoint and store, how far it got, what went wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanView {
    pub endpoint: String,
    pub store_id: String,
    pub progress: Progress,
    pub running: bool,
    /// What ended it without a list (`ListKeys` or `DescribeKey` refused, or nothing sent).
    pub failure: Option<(Operation, KmsError)>,
    /// `ListAliases` refused: the keys are listed without aliases.
    pub aliases_error: Option<KmsError>,
}

/// The store test of a store: running, refused before it began (and whether Create key is
/// the way on), or its verdict. Never a byte of the probe.
#[derive(Clone, Debug, PartialEq)]
pub struct TestView {
    pub store_id: String,
    pub running: bool,
    pub refused: Option<(String, bool)>,
    pub verdict: Option<Verdict>,
}

#[derive(Clone, Copy)]
pub struct Keys {
    pub lists: RwSignal<KeyLists>,
    pub scan: RwSignal<Option<ScanView>>,
    pub test: RwSignal<Option<TestView>>,
    pub create_open: RwSignal<bool>,
    /// Bumped by each scan started: an older scan stops.
    pub generation: StoredValue<u64>,
}

impl Keys {
    pub(super) fn new() -> Self {
        Self {
            lists: RwSignal::new(KeyLists::default()),
            scan: RwSignal::new(None),
            test: RwSignal::new(None),
            create_open: RwSignal::new(false),
            generation: StoredValue::new(0),
        }
    }
}

impl Keys {
    /// Forgets what was read with the forgotten credentials: the lists, the scan, the test.
    pub fn forget(&self) {
        self.generation.update_value(|g| *g += 1);
        self.lists.set(KeyLists::default());
        self.scan.set(None);
        self.test.set(None);
        self.create_open.set(false);
    }
}

pub fn use_keys() -> Keys {
    expect_context::<Keys>()
}
