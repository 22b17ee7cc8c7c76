//! The store list: a `LocalResource` read only when asked (Refresh, the emulator button) and
//! forgotten when the region, endpoint or account change.

use crate::aws::error::KmsError;
use crate::aws::kms::{ConnectionState, CustomKeyStore};
use crate::web::client::Client;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// While a store is CONNECTING or DISCONNECTING, the list refreshes itself this often.
const AUTO_REFRESH_MS: u64 = 15_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub enum StoreList {
    /// Not asked for since the region, endpoint or account last changed.
    #[default]
    NotLoaded,
    Loaded(Vec<CustomKeyStore>),
    Failed(KmsError),
}

/// One read of the list: the number of the request, and the client it is read with.
#[derive(Clone)]
struct Ask {
    n: u64,
    client: Result<Client, String>,
}

#[derive(Clone, Copy)]
pub struct Stores {
    asked: RwSignal<Option<Ask>, LocalStorage>,
    pub list: LocalResource<StoreList>,
    /// The rows of the last good read, kept through a failed refresh.
    shown: StoredValue<Option<Vec<CustomKeyStore>>>,
    /// A refresh that failed while rows were on screen: the rows stay, the error shows above.
    pub stale: RwSignal<Option<KmsError>>,
    /// Why the list stopped refreshing itself, or what was just done to it.
    pub note: RwSignal<Option<String>>,
    /// When the list began refreshing itself; it stops after `watch::OVERALL_MS`.
    auto_since: StoredValue<Option<i64>>,
    /// (ACTIVE HSMs, all HSMs) per CloudHSM cluster, for the overview.
    pub hsm_counts: RwSignal<BTreeMap<String, (usize, usize)>>,
}

impl Stores {
    /// The list; `after_load(rows, current)` runs after each good read (the HSM counts),
    /// `current` telling whether that read is still the newest.
    pub fn new(
        after_load: impl Fn(Stores, Vec<CustomKeyStore>, Box<dyn Fn() -> bool>) + 'static,
    ) -> Self {
        let asked = RwSignal::new_local(None::<Ask>);
        let stale = RwSignal::new(None);
        let shown = StoredValue::new(None::<Vec<CustomKeyStore>>);
        let note = RwSignal::new(None);
        let auto_since = StoredValue::new(None);
        let after_load = std::rc::Rc::new(after_load);
        let hsm_counts = RwSignal::new(BTreeMap::new());
        // The list's own handle, for `after_load` (set once the resource exists).
        let this = StoredValue::new_local(None::<Stores>);
        let list = LocalResource::new(move || {
            let ask = asked.get();
            let after_load = after_load.clone();
            async move {
                let Some(Ask { n, ref client }) = ask else {
                    shown.set_value(None);
                    return StoreList::NotLoaded;
                };
                let client = match client {
                    Ok(c) => c.clone(),
                    Err(e) => return StoreList::Failed(KmsError::not_sent(e)),
                };
                let current =
                    move || asked.try_with_untracked(|a| a.as_ref().map(|a| a.n)) == Some(Some(n));
                match crate::web::api::list_stores(&client, current).await {
                    Ok(rows) => {
                        stale.set(None);
                        shown.set_value(Some(rows.clone()));
                        if let Some(stores) = this.try_get_value().flatten() {
                            after_load(stores, rows.clone(), Box::new(current));
                        }
                        if let Some(next) = follow(&rows, auto_since, note) {
                            let ask = ask.clone();
                            leptos::task::spawn_local(async move {
                                crate::web::sleep_ms(next).await;
                                // A Refresh pressed meanwhile, or a change of place, owns the list.
                                if current() {
                                    asked.set(ask.map(|a| Ask { n: n + 1, ..a }));
                                }
                            });
                        }
                        StoreList::Loaded(rows)
                    }
                    // Rows on screen stay (with what the user is typing in their forms); the
                    // error shows above them.
                    Err(e) => match shown.get_value() {
                        Some(rows) => {
                            stale.set(Some(e));
                            StoreList::Loaded(rows)
                        }
                        None => StoreList::Failed(e),
                    },
                }
            }
        });
        let stores = Self {
            asked,
            list,
            shown,
            stale,
            note,
            auto_since,
            hsm_counts,
        };
        this.set_value(Some(stores));
        stores
    }

    /// Counts the HSMs of every CloudHSM store in `rows`, for the overview. Each page counts
    /// as it arrives (a later page's error keeps the earlier ones); it stops once `still`
    /// says no (the list is stale, or the credentials were forgotten).
    pub fn count_hsms(
        &self,
        client: Client,
        rows: &[CustomKeyStore],
        still: Box<dyn Fn() -> bool>,
    ) {
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|st| st.cloud_hsm_cluster_id.clone())
            .collect();
        if ids.is_empty() {
            return;
        }
        let counts = self.hsm_counts;
        leptos::task::spawn_local(async move {
            // No permission or no path to CloudHSM: the rest stays "unknown".
            let _ = crate::web::api::clusters(&client, &ids, still, |clusters| {
                counts.update(|c| {
                    for cl in clusters {
                        if let Some(id) = &cl.cluster_id {
                            c.insert(id.clone(), crate::aws::cloudhsm::hsm_count(cl));
                        }
                    }
                });
            })
            .await;
        });
    }

    /// Reads every page of the list (the Refresh button: the list may refresh itself for
    /// another 40 minutes).
    pub fn refresh(&self, client: Result<Client, String>) {
        self.auto_since.set_value(Some(crate::web::now_ms()));
        self.note.set(None);
        self.ask(client);
    }

    fn ask(&self, client: Result<Client, String>) {
        let n = self
            .asked
            .with_untracked(|a| a.as_ref().map_or(0, |a| a.n + 1));
        self.asked.set(Some(Ask { n, client }));
    }

    /// Forgets the list: the region, endpoint or credentials it was read with have changed.
    pub fn invalidate(&self) {
        self.asked.set(None);
        self.stale.set(None);
        self.note.set(None);
        // Counts read in another region or account are not this list's.
        self.hsm_counts.set(BTreeMap::new());
    }

    /// The loaded row of a store, if the list has it (tracked).
    pub fn row(&self, id: &str) -> Option<CustomKeyStore> {
        self.list.with(|l| match l {
            Some(StoreList::Loaded(rows)) => rows
                .iter()
                .find(|r| r.custom_key_store_id.as_deref() == Some(id))
                .cloned(),
            _ => None,
        })
    }

    /// Puts a fresh read of one store into the list (a watch's polls keep its row current).
    /// An unchanged row notifies no one.
    pub fn update_row(&self, store: &CustomKeyStore) {
        self.list.maybe_update(|list| {
            if let Some(StoreList::Loaded(rows)) = list
                && let Some(row) = rows
                    .iter_mut()
                    .find(|r| r.custom_key_store_id == store.custom_key_store_id)
                && row != store
            {
                *row = store.clone();
                return true;
            }
            false
        });
        self.shown.update_value(|rows| {
            if let Some(row) = rows
                .iter_mut()
                .flatten()
                .find(|r| r.custom_key_store_id == store.custom_key_store_id)
            {
                *row = store.clone();
            }
        });
    }
}

/// After a good read with a store still changing state: when to read again (15 seconds), for
/// at most 40 minutes after the last Refresh (then the note says so).
fn follow(
    rows: &[CustomKeyStore],
    auto_since: StoredValue<Option<i64>>,
    note: RwSignal<Option<String>>,
) -> Option<u64> {
    let transitional = rows.iter().any(|st| {
        st.connection_state
            .as_ref()
            .is_some_and(ConnectionState::is_transitional)
    });
    if !transitional {
        return None;
    }
    let since = auto_since.get_value().unwrap_or(0);
    if crate::web::now_ms() - since >= crate::console::watch::OVERALL_MS {
        note.set(Some(
            "A store is still changing state, but the list stopped refreshing itself after 40 minutes: press Refresh.".into(),
        ));
        return None;
    }
    Some(AUTO_REFRESH_MS)
}
