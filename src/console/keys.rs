//! The KMS keys of a custom key store: the scan that finds them (no API lists a store's keys:
//! `ListKeys`, then `DescribeKey` per key), the Create key form, and deleting a store that still
//! has keys (schedule their deletion behind a typed-name gate, cancel it). Pure: the replies
//! come in as arguments, and so does time.

use crate::aws::cloudhsm::{Cluster, HsmState};
use crate::aws::date;
use crate::aws::error::{ErrorKind, KmsError};
use crate::aws::keys::{
    self, AliasListEntry, CreateAliasRequest, CreateKeyRequest, KeyMetadata, KeyState,
    ListKeysRequest, ListKeysResponse, Origin, ScheduleKeyDeletionRequest,
    ScheduleKeyDeletionResponse,
};
use crate::aws::kms::{ConnectionState, CustomKeyStore, CustomKeyStoreType, Validate};
use std::collections::{BTreeMap, HashSet};

/// `DescribeKey` calls in flight at once during a scan. `DescribeKey` has a large quota (2,000
/// per second per account and region, shared with every other caller of the account), and
/// the client's limiter spaces the tab's calls 10 ms apart (`aws::rate::spacing_ms`: at most
/// 100 per second, a twentieth of the quota): six in flight keep that pace over a link of about
/// 60 ms round trip, without a burst that could throttle the account's own applications.
pub const DESCRIBE_IN_FLIGHT: usize = 6;
/// Keys asked for per `ListKeys` page (the model's most).
pub const LIST_KEYS_PAGE: u16 = 1000;
/// Aliases asked for per `ListAliases` page (KMS's most).
pub const LIST_ALIASES_PAGE: u16 = 100;
/// Pages read at most, in case a server keeps naming a next page (100,000 keys by default).
pub const MAX_LIST_PAGES: usize = 200;

/// What the console said about a key's monthly cost, next to the Create key form.
pub const KEY_COST_NOTE: &str = "A KMS key costs money every month (US$1 a month per key in most regions, prorated hourly) until it is deleted, and a key in a custom key store is billed like any other. See AWS KMS pricing.";

/// One key of the store, as the list shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeyRow {
    pub key_id: String,
    pub arn: Option<String>,
    pub aliases: Vec<String>,
    pub key_state: Option<KeyState>,
    pub origin: Option<Origin>,
    pub key_spec: Option<String>,
    /// Epoch seconds.
    pub creation_date: Option<f64>,
    /// The external key's ID (`XksKeyConfiguration.Id`), for an external key store.
    pub xks_key_id: Option<String>,
    pub description: Option<String>,
    /// Epoch seconds, while the key is pending deletion.
    pub deletion_date: Option<f64>,
}

impl KeyRow {
    pub fn from_metadata(m: &KeyMetadata) -> Self {
        Self {
            key_id: m.key_id.clone(),
            arn: m.arn.clone(),
            aliases: Vec::new(),
            key_state: m.key_state.clone(),
            origin: m.origin.clone(),
            key_spec: m.key_spec.clone(),
            creation_date: m.creation_date,
            xks_key_id: m.xks_key_id.clone(),
            description: m.description.clone(),
            deletion_date: m.deletion_date,
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.key_state == Some(KeyState::Enabled)
    }

    pub fn is_pending_deletion(&self) -> bool {
        self.key_state == Some(KeyState::PendingDeletion)
    }
}

/// Where a scan is: "looked at N of M keys" (M grows while `ListKeys` pages arrive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub looked_at: usize,
    pub listed: usize,
    pub listing_done: bool,
    pub found: usize,
    /// Keys whose `DescribeKey` failed (other than "gone since it was listed").
    pub skipped: usize,
}

impl Progress {
    pub fn text(&self) -> String {
        let of = if self.listing_done {
            format!("{} keys", thousands(self.listed))
        } else {
            format!("{}+ keys listed so far", thousands(self.listed))
        };
        let skipped = match self.skipped {
            0 => String::new(),
            n => format!(" {} could not be read.", thousands(n)),
        };
        format!(
            "Looked at {} of {of}; {} in this store.{skipped}",
            thousands(self.looked_at),
            thousands(self.found)
        )
    }

    /// What a screen reader hears while the scan runs: a line that changes only at each
    /// quarter of the keys looked at (each answer changes `text`, and a live region that
    /// spoke with every one of a thousand answers would drown the page).
    pub fn milestone(&self) -> String {
        if !self.listing_done || self.listed == 0 {
            return "Listing the account's keys…".to_string();
        }
        let quarter = self.looked_at * 4 / self.listed;
        format!(
            "Looking at the account's keys: {}% done.",
            (quarter * 25).min(100)
        )
    }
}

/// `1200` → `1,200`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The scan of one store's keys: feed it `ListKeys` pages, `DescribeKey` answers and
/// `ListAliases` pages in any order; it hands out the next key to describe (at most
/// [`DESCRIBE_IN_FLIGHT`] at once), keeps the keys whose `CustomKeyStoreId` is the store (and,
/// apart, those of the account's other stores), and knows when it is done.
#[derive(Clone, Debug)]
pub struct Scan {
    store_id: String,
    queue: Vec<String>,
    seen: HashSet<String>,
    next: usize,
    in_flight: usize,
    looked_at: usize,
    listing_done: bool,
    aliases_done: bool,
    rows: Vec<KeyRow>,
    /// The keys of the account's other stores: every key is described anyway, so their lists
    /// come free (see [`Scan::every_store`]).
    others: Vec<(String, Vec<KeyRow>)>,
    /// Paging stopped at its limit: keys past it were never seen.
    listing_cut: bool,
    aliases: BTreeMap<String, Vec<String>>,
    /// Keys that could not be described (gone since the list, or another error).
    skipped: Vec<(String, KmsError)>,
    /// Why the aliases are missing (the rows are shown without them).
    aliases_error: Option<KmsError>,
    failed: Option<KmsError>,
}

impl Scan {
    pub fn new(store_id: &str) -> Self {
        Self {
            store_id: store_id.to_string(),
            queue: Vec::new(),
            seen: HashSet::new(),
            next: 0,
            in_flight: 0,
            looked_at: 0,
            listing_done: false,
            aliases_done: false,
            rows: Vec::new(),
            others: Vec::new(),
            listing_cut: false,
            aliases: BTreeMap::new(),
            skipped: Vec::new(),
            aliases_error: None,
            failed: None,
        }
    }

    pub fn store_id(&self) -> &str {
        &self.store_id
    }

    /// The first `ListKeys` request.
    pub fn first_page() -> ListKeysRequest {
        ListKeysRequest {
            limit: Some(LIST_KEYS_PAGE),
            marker: None,
        }
    }

    /// A `ListKeys` page: its keys join the queue; returns the next page's request, if any.
    pub fn on_keys_page(&mut self, page: &ListKeysResponse) -> Option<ListKeysRequest> {
        for k in &page.keys {
            let id = k
                .key_id
                .clone()
                .or_else(|| k.key_arn.as_deref().map(|a| keys::key_id_of(a).to_string()));
            if let Some(id) = id.filter(|i| self.seen.insert(i.clone())) {
                self.queue.push(id);
            }
        }
        let next = page.next().map(|mut r| {
            r.limit = Some(LIST_KEYS_PAGE);
            r
        });
        if next.is_none() {
            self.listing_done = true;
        }
        next
    }

    /// Paging ended: what was listed is all the scan will see (a page limit may have cut it).
    /// Also called after the last page, when it changes nothing.
    pub fn listing_stopped(&mut self) {
        self.listing_cut |= !self.listing_done;
        self.listing_done = true;
    }

    /// `ListAliases` pages, as they come; call [`Scan::aliases_done`] after the last.
    pub fn on_aliases_page(&mut self, page: &[AliasListEntry]) {
        for a in page {
            if let (Some(name), Some(target)) = (&a.alias_name, &a.target_key_id) {
                self.aliases
                    .entry(target.clone())
                    .or_default()
                    .push(name.clone());
            }
        }
        let others = self.others.iter_mut().flat_map(|(_, rows)| rows);
        for r in self.rows.iter_mut().chain(others) {
            r.aliases = self.aliases.get(&r.key_id).cloned().unwrap_or_default();
        }
    }

    pub fn aliases_done(&mut self) {
        self.aliases_done = true;
    }

    /// `ListAliases` failed (for example `kms:ListAliases` is not allowed): the keys are still
    /// listed, without aliases, and the error says why.
    pub fn aliases_failed(&mut self, err: KmsError) {
        self.aliases_error = Some(err);
        self.aliases_done = true;
    }

    pub fn aliases_error(&self) -> Option<&KmsError> {
        self.aliases_error.as_ref()
    }

    /// An error that ends the scan (a `ListKeys` that failed, or `DescribeKey` refused).
    pub fn fail(&mut self, err: KmsError) {
        if self.failed.is_none() {
            self.failed = Some(err);
        }
    }

    pub fn failure(&self) -> Option<&KmsError> {
        self.failed.as_ref()
    }

    /// The next key to describe, if one is waiting and fewer than [`DESCRIBE_IN_FLIGHT`] are
    /// in flight.
    pub fn next_to_describe(&mut self) -> Option<String> {
        if self.failed.is_some()
            || self.in_flight >= DESCRIBE_IN_FLIGHT
            || self.next >= self.queue.len()
        {
            return None;
        }
        let id = self.queue[self.next].clone();
        self.next += 1;
        self.in_flight += 1;
        Some(id)
    }

    /// A `DescribeKey` answer for a key [`Scan::next_to_describe`] handed out.
    pub fn on_described(&mut self, key_id: &str, answer: Result<&KeyMetadata, KmsError>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.looked_at += 1;
        match answer {
            Ok(m) => {
                let Some(store) = m.custom_key_store_id.as_deref() else {
                    return;
                };
                let mut row = KeyRow::from_metadata(m);
                row.aliases = self.aliases.get(&row.key_id).cloned().unwrap_or_default();
                if store == self.store_id {
                    self.rows.push(row);
                } else if let Some((_, rows)) = self.others.iter_mut().find(|(s, _)| s == store) {
                    rows.push(row);
                } else {
                    self.others.push((store.to_string(), vec![row]));
                }
            }
            // Deleted since it was listed: nothing to show.
            Err(e) if e.code == "NotFoundException" => {}
            // Every key would be refused alike: stop and say why.
            Err(e) if matches!(e.kind, ErrorKind::AccessDenied { .. } | ErrorKind::Expired) => {
                self.fail(e)
            }
            Err(e) => self.skipped.push((key_id.to_string(), e)),
        }
    }

    pub fn progress(&self) -> Progress {
        Progress {
            looked_at: self.looked_at,
            listed: self.queue.len(),
            listing_done: self.listing_done,
            found: self.rows.len(),
            skipped: self.skipped.len(),
        }
    }

    /// Every key listed was described and the aliases are in (or the scan failed).
    pub fn is_done(&self) -> bool {
        self.failed.is_some()
            || (self.listing_done
                && self.aliases_done
                && self.in_flight == 0
                && self.next >= self.queue.len())
    }

    /// The store's keys, oldest first.
    pub fn rows(&self) -> Vec<KeyRow> {
        oldest_first(self.rows.clone())
    }

    /// The keys of every store that has keys in the account (this one's included, oldest
    /// first), but only when the scan saw every key and its aliases: not failed, no page limit
    /// reached, no key left undescribed, ListAliases answered. Otherwise `None`: another
    /// store's list could miss keys or aliases, and its page would not say why (only the
    /// scanned store's page shows the scan).
    pub fn every_store(&self) -> Option<Vec<(String, Vec<KeyRow>)>> {
        if !self.is_done()
            || self.failed.is_some()
            || self.listing_cut
            || !self.skipped.is_empty()
            || self.aliases_error.is_some()
        {
            return None;
        }
        let mut all = vec![(self.store_id.clone(), self.rows())];
        for (store, rows) in &self.others {
            all.push((store.clone(), oldest_first(rows.clone())));
        }
        Some(all)
    }

    /// Keys that could not be described, with why.
    pub fn skipped(&self) -> &[(String, KmsError)] {
        &self.skipped
    }
}

fn oldest_first(mut rows: Vec<KeyRow>) -> Vec<KeyRow> {
    rows.sort_by(|a, b| {
        a.creation_date
            .partial_cmp(&b.creation_date)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.key_id.cmp(&b.key_id))
    });
    rows
}

/// Finished scans, remembered for the session (per endpoint and store); Refresh forgets one.
#[derive(Clone, Debug, Default)]
pub struct KeyLists {
    lists: BTreeMap<(String, String), Vec<KeyRow>>,
}

impl KeyLists {
    pub fn get(&self, endpoint: &str, store_id: &str) -> Option<&Vec<KeyRow>> {
        self.lists
            .get(&(endpoint.to_string(), store_id.to_string()))
    }

    pub fn get_mut(&mut self, endpoint: &str, store_id: &str) -> Option<&mut Vec<KeyRow>> {
        self.lists
            .get_mut(&(endpoint.to_string(), store_id.to_string()))
    }

    pub fn put(&mut self, endpoint: &str, store_id: &str, rows: Vec<KeyRow>) {
        self.lists
            .insert((endpoint.to_string(), store_id.to_string()), rows);
    }

    /// Remembers what a finished scan found: every store's keys when it saw every key
    /// ([`Scan::every_store`]; each store of `listed`, the store list, without keys in the
    /// account gets an empty list), else only its own store's.
    pub fn remember(&mut self, endpoint: &str, scan: &Scan, listed: &[&str]) {
        let Some(mut all) = scan.every_store() else {
            self.put(endpoint, scan.store_id(), scan.rows());
            return;
        };
        for id in listed {
            if !all.iter().any(|(s, _)| s == id) {
                all.push((id.to_string(), Vec::new()));
            }
        }
        for (store, rows) in all {
            self.put(endpoint, &store, rows);
        }
    }

    pub fn forget(&mut self, endpoint: &str, store_id: &str) {
        self.lists
            .remove(&(endpoint.to_string(), store_id.to_string()));
    }
}

// ---------------------------------------------------------------------------------------------
// Create a key in the store
// ---------------------------------------------------------------------------------------------

/// The Create key form as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateKeyForm {
    pub description: String,
    pub alias: String,
    /// External key ID (`XksKeyId`), for an external key store.
    pub xks_key_id: String,
}

/// A problem next to a field of the form (`description`, `alias`, `xks_key_id`) or with the
/// store itself (`store`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn field_error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// The requests a valid form makes: `CreateKey`, then (with the new key's ID) `CreateAlias`.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateKeyPlan {
    pub create: CreateKeyRequest,
    pub alias: Option<String>,
}

impl CreateKeyPlan {
    /// The `CreateAlias` request once `CreateKey` answered with the key's ID.
    pub fn alias_request(&self, key_id: &str) -> Option<CreateAliasRequest> {
        self.alias.as_ref().map(|a| CreateAliasRequest {
            alias_name: a.clone(),
            target_key_id: key_id.to_string(),
        })
    }
}

/// An alias as typed → the alias name KMS takes (`alias/` added when missing), or why not.
pub fn normalize_alias(typed: &str) -> Result<Option<String>, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let name = if t.starts_with(keys::ALIAS_PREFIX) {
        t.to_string()
    } else {
        format!("{}{t}", keys::ALIAS_PREFIX)
    };
    if name == keys::ALIAS_PREFIX {
        return Err("needs a name after alias/.".into());
    }
    if name.starts_with(keys::RESERVED_ALIAS_PREFIX) {
        return Err(
            "cannot begin with alias/aws/: that prefix is reserved for AWS managed keys.".into(),
        );
    }
    keys::ALIAS_NAME
        .check("AliasName", &name)
        .map_err(|p| p.message)?;
    Ok(Some(name))
}

/// Whether a CloudHSM key store's cluster can hold a new key, from the pre-flight's
/// `DescribeClusters` answer: KMS needs two ACTIVE HSMs in different Availability Zones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterReadiness {
    Ready,
    /// CreateKey would fail with `CloudHsmClusterInvalidConfigurationException`.
    NotReady(String),
    /// The cluster could not be looked at (no `cloudhsm:DescribeClusters`, not found): KMS
    /// decides; the form is not blocked.
    Unknown(String),
}

pub fn cluster_readiness(cluster: Option<&Cluster>) -> ClusterReadiness {
    let Some(c) = cluster else {
        return ClusterReadiness::Unknown(
            "The cluster's HSMs could not be checked; KMS checks them when it creates the key."
                .into(),
        );
    };
    let active: Vec<&str> = c
        .hsms
        .iter()
        .filter(|h| h.state == Some(HsmState::Active))
        .filter_map(|h| h.availability_zone.as_deref())
        .collect();
    let zones: std::collections::BTreeSet<&str> = active.iter().copied().collect();
    if zones.len() >= 2 {
        ClusterReadiness::Ready
    } else {
        ClusterReadiness::NotReady(format!(
            "The cluster has {} ACTIVE HSM{} in {} Availability Zone{}; KMS creates a key only when it has at least two ACTIVE HSMs in different Availability Zones. Add an HSM in another zone and wait until it is ACTIVE.",
            active.len(),
            if active.len() == 1 { "" } else { "s" },
            zones.len(),
            if zones.len() == 1 { "" } else { "s" },
        ))
    }
}

/// Why a key cannot be created in this store now (the store must be CONNECTED; a CloudHSM
/// store's cluster needs two ACTIVE HSMs in different zones). `cluster` is the pre-flight's
/// answer for the store's cluster, `None` when unknown.
pub fn create_key_precheck(
    store: &CustomKeyStore,
    cluster: Option<&Cluster>,
) -> Result<(), FieldError> {
    let state = store.connection_state.clone();
    if state != Some(ConnectionState::Connected) {
        let now = state.map_or("in an unknown state".to_string(), |s| format!("{s}"));
        return Err(field_error(
            "store",
            format!(
                "The store is {now}: KMS creates keys in a custom key store only while it is CONNECTED. Connect it first."
            ),
        ));
    }
    if store.store_type() == CustomKeyStoreType::AwsCloudHsm
        && let ClusterReadiness::NotReady(why) = cluster_readiness(cluster)
    {
        return Err(field_error("store", why));
    }
    Ok(())
}

/// The form → the requests, or every problem, each named by its field.
pub fn create_key_plan(
    form: &CreateKeyForm,
    store: &CustomKeyStore,
    cluster: Option<&Cluster>,
) -> Result<CreateKeyPlan, Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Err(e) = create_key_precheck(store, cluster) {
        errors.push(e);
    }
    let store_id = store.custom_key_store_id.clone().unwrap_or_default();
    let xks = store.store_type() == CustomKeyStoreType::ExternalKeyStore;
    let description = Some(form.description.trim().to_string()).filter(|d| !d.is_empty());
    if let Some(Err(p)) = description
        .as_deref()
        .map(|d| keys::DESCRIPTION.check("Description", d))
    {
        errors.push(field_error("description", p.message));
    }
    let alias = match normalize_alias(&form.alias) {
        Ok(a) => a,
        Err(m) => {
            errors.push(field_error("alias", m));
            None
        }
    };
    let xks_key_id = form.xks_key_id.trim();
    let xks_key_id = if xks {
        if xks_key_id.is_empty() {
            errors.push(field_error(
                "xks_key_id",
                "is required: the ID of an enabled 256-bit AES key in the external key manager, as the proxy knows it.",
            ));
        } else if let Err(p) = keys::XKS_KEY_ID.check("XksKeyId", xks_key_id) {
            errors.push(field_error("xks_key_id", p.message));
        }
        Some(xks_key_id.to_string())
    } else {
        None
    };
    let create = CreateKeyRequest {
        description,
        key_usage: Some(keys::ENCRYPT_DECRYPT.to_string()),
        key_spec: Some(keys::SYMMETRIC_DEFAULT.to_string()),
        origin: Some(if xks {
            Origin::ExternalKeyStore
        } else {
            Origin::AwsCloudHsm
        }),
        custom_key_store_id: Some(store_id),
        xks_key_id,
    };
    if errors.is_empty() {
        for p in create.problems() {
            errors.push(field_error("store", p.to_string()));
        }
    }
    if errors.is_empty() {
        Ok(CreateKeyPlan { create, alias })
    } else {
        Err(errors)
    }
}

// ---------------------------------------------------------------------------------------------
// Delete a store that still has keys
// ---------------------------------------------------------------------------------------------

/// Whether a failed `DeleteCustomKeyStore` was refused because the store still has keys: then
/// the console lists them and offers to schedule their deletion.
pub fn refused_for_keys(err: &KmsError) -> bool {
    err.code == "CustomKeyStoreHasCMKsException"
}

/// The keys that keep the store from being deleted: every key of the store, pending deletion
/// or not (a key pending deletion still exists until its waiting period ends).
pub fn blocking_keys(rows: &[KeyRow]) -> Vec<&KeyRow> {
    rows.iter().collect()
}

/// The typed name must be the store's name exactly (surrounding spaces aside).
pub fn name_confirmed(typed: &str, store_name: &str) -> bool {
    !store_name.is_empty() && typed.trim() == store_name
}

/// The waiting period as typed: empty is the default (30); KMS takes 7 to 30 days.
pub fn pending_window(typed: &str) -> Result<u16, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(keys::DEFAULT_PENDING_WINDOW_DAYS);
    }
    match t.parse::<u16>() {
        Ok(d) if keys::PENDING_WINDOW_DAYS.contains(&d) => Ok(d),
        _ => Err(format!(
            "The waiting period must be a whole number of days from {} to {}.",
            keys::PENDING_WINDOW_DAYS.start(),
            keys::PENDING_WINDOW_DAYS.end()
        )),
    }
}

/// `ScheduleKeyDeletion` for every blocking key not already pending deletion, once the user
/// typed the store's name; `Err` says what is missing.
pub fn schedule_requests(
    rows: &[KeyRow],
    store_name: &str,
    typed_name: &str,
    typed_days: &str,
) -> Result<Vec<ScheduleKeyDeletionRequest>, String> {
    if !name_confirmed(typed_name, store_name) {
        return Err(format!(
            "Type the store's name ({store_name}) to schedule the deletion of its keys."
        ));
    }
    let days = pending_window(typed_days)?;
    Ok(rows
        .iter()
        .filter(|r| !r.is_pending_deletion())
        .map(|r| ScheduleKeyDeletionRequest {
            key_id: r.key_id.clone(),
            pending_window_in_days: Some(days),
        })
        .collect())
}

/// The row after `ScheduleKeyDeletion` answered: pending deletion until the date KMS gave (or,
/// if it gave none, `now_ms` plus the waiting period).
pub fn scheduled(row: &mut KeyRow, reply: &ScheduleKeyDeletionResponse, days: u16, now_ms: i64) {
    row.key_state = Some(reply.key_state.clone().unwrap_or(KeyState::PendingDeletion));
    row.deletion_date = Some(
        reply
            .deletion_date
            .unwrap_or((now_ms / 1000 + i64::from(days) * 86_400) as f64),
    );
}

/// The row after `CancelKeyDeletion`: KMS leaves the key Disabled.
pub fn cancelled(row: &mut KeyRow) {
    row.key_state = Some(KeyState::Disabled);
    row.deletion_date = None;
}

/// "Deleted after 2026-12-31T10:00:00Z (in 27 days)".
pub fn deletion_text(deletion_date_s: f64, now_ms: i64) -> String {
    let ms = (deletion_date_s * 1000.0) as i64;
    let days = (ms - now_ms).max(0) as f64 / 86_400_000.0;
    format!(
        "Deleted after {} (in {} day{})",
        date::iso_utc(ms),
        days.ceil() as i64,
        if days.ceil() as i64 == 1 { "" } else { "s" }
    )
}

/// When the store can be deleted: after the last key's deletion date (`None` while a key is
/// not scheduled).
pub fn store_deletable_after(rows: &[KeyRow]) -> Option<f64> {
    rows.iter()
        .map(|r| r.deletion_date.filter(|_| r.is_pending_deletion()))
        .try_fold(0.0_f64, |acc, d| d.map(|d| acc.max(d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::cloudhsm::Hsm;

    #[test]
    fn the_announced_progress_moves_by_quarters() {
        let p = |looked_at, listed, listing_done| {
            Progress {
                looked_at,
                listed,
                listing_done,
                found: 0,
                skipped: 0,
            }
            .milestone()
        };
        assert_eq!(p(10, 100, false), "Listing the account's keys…");
        let said: std::collections::BTreeSet<String> =
            (0..=1000).map(|n| p(n, 1000, true)).collect();
        assert_eq!(said.len(), 5, "{said:?}");
        assert_eq!(
            p(249, 1000, true),
            "Looking at the account's keys: 0% done."
        );
        assert_eq!(
            p(250, 1000, true),
            "Looking at the account's keys: 25% done."
        );
        assert_eq!(
            p(1000, 1000, true),
            "Looking at the account's keys: 100% done."
        );
    }
    use crate::aws::keys::KeyListEntry;

    fn page(ids: &[&str], next: Option<&str>) -> ListKeysResponse {
        ListKeysResponse {
            keys: ids
                .iter()
                .map(|i| KeyListEntry {
                    key_id: Some(i.to_string()),
                    key_arn: None,
                })
                .collect(),
            next_marker: next.map(str::to_string),
            truncated: next.is_some(),
        }
    }

    fn meta(id: &str, store: Option<&str>, created: f64) -> KeyMetadata {
        KeyMetadata {
            key_id: id.into(),
            custom_key_store_id: store.map(str::to_string),
            key_state: Some(KeyState::Enabled),
            origin: Some(Origin::AwsCloudHsm),
            creation_date: Some(created),
            ..Default::default()
        }
    }

    #[test]
    fn a_scan_pages_describes_a_few_at_a_time_and_keeps_the_stores_keys() {
        let mut s = Scan::new("cks-1");
        let ids: Vec<String> = (0..10).map(|i| format!("k{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let next = s.on_keys_page(&page(&refs[..8], Some("m")));
        assert_eq!(next.unwrap().marker.as_deref(), Some("m"));
        assert_eq!(
            s.progress().text(),
            "Looked at 0 of 8+ keys listed so far; 0 in this store."
        );
        // At most DESCRIBE_IN_FLIGHT handed out at once.
        let out: Vec<String> = std::iter::from_fn(|| s.next_to_describe()).collect();
        assert_eq!(out.len(), DESCRIBE_IN_FLIGHT);
        s.on_described("k0", Ok(&meta("k0", Some("cks-1"), 2.0)));
        assert_eq!(s.next_to_describe().as_deref(), Some("k6"));
        assert!(s.on_keys_page(&page(&refs[8..], None)).is_none());
        s.on_aliases_page(&[AliasListEntry {
            alias_name: Some("alias/a".into()),
            target_key_id: Some("k3".into()),
            ..Default::default()
        }]);
        s.aliases_done();
        for id in ["k1", "k2", "k3", "k4", "k5", "k6"] {
            let store = if id == "k3" {
                Some("cks-1")
            } else {
                Some("cks-2")
            };
            s.on_described(id, Ok(&meta(id, store, 1.0)));
        }
        while let Some(id) = s.next_to_describe() {
            if id == "k9" {
                s.on_described(
                    &id,
                    Err(KmsError::from_response(
                        500,
                        None,
                        None,
                        r#"{"__type":"KMSInternalException"}"#,
                    )),
                );
            } else if id == "k7" {
                s.on_described(
                    &id,
                    Err(KmsError::from_response(
                        400,
                        None,
                        None,
                        r#"{"__type":"NotFoundException"}"#,
                    )),
                );
            } else {
                s.on_described(&id, Ok(&meta(&id, None, 1.0)));
            }
        }
        assert!(s.is_done());
        let rows = s.rows();
        assert_eq!(
            rows.iter().map(|r| r.key_id.as_str()).collect::<Vec<_>>(),
            vec!["k3", "k0"]
        );
        assert_eq!(rows[0].aliases, vec!["alias/a"]);
        assert_eq!(
            s.progress().text(),
            "Looked at 10 of 10 keys; 2 in this store. 1 could not be read."
        );
        assert_eq!(s.skipped()[0].0, "k9");
        // A key could not be read: it may belong to any store, so only this store's list is
        // known.
        assert!(s.every_store().is_none());
        assert_eq!(thousands(1200), "1,200");
        assert_eq!(thousands(340), "340");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    /// A scan that saw every key of the account knows every store's keys, aliases included;
    /// a scan that did not, none but its own.
    #[test]
    fn a_complete_scan_knows_every_stores_keys() {
        let scan = |cut: bool| {
            let mut s = Scan::new("cks-1");
            // Cut: the last page read still had a next one.
            s.on_keys_page(&page(&["a", "b", "c", "d"], cut.then_some("m")));
            s.listing_stopped();
            s.on_aliases_page(&[AliasListEntry {
                alias_name: Some("alias/b".into()),
                target_key_id: Some("b".into()),
                ..Default::default()
            }]);
            s.aliases_done();
            while let Some(id) = s.next_to_describe() {
                let (store, created) = match id.as_str() {
                    "a" => (Some("cks-1"), 3.0),
                    "b" => (Some("cks-2"), 2.0),
                    "c" => (Some("cks-2"), 1.0),
                    _ => (None, 1.0),
                };
                s.on_described(&id, Ok(&meta(&id, store, created)));
            }
            assert!(s.is_done());
            s
        };
        let all = scan(false).every_store().expect("a complete scan");
        let of = |store: &str| &all.iter().find(|(s, _)| s == store).unwrap().1;
        let ids = |store: &str| {
            of(store)
                .iter()
                .map(|r| r.key_id.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(ids("cks-1"), vec!["a"]);
        // Oldest first, with their aliases (which came before the keys were described).
        assert_eq!(ids("cks-2"), vec!["c", "b"]);
        assert_eq!(of("cks-2")[1].aliases, vec!["alias/b"]);
        // The scanned store's own list is the same either way.
        assert_eq!(&scan(false).rows(), of("cks-1"));
        // Paging stopped at its limit: keys past it were never seen.
        assert!(scan(true).every_store().is_none());
        assert_eq!(&scan(true).rows(), of("cks-1"));
        let denied =
            || KmsError::from_response(400, None, None, r#"{"__type":"AccessDeniedException"}"#);
        // A failed scan knows nothing more than it shows.
        let mut failed = scan(false);
        failed.fail(denied());
        assert!(failed.every_store().is_none());
        // Without aliases the other stores' lists would show none, with no word on why.
        let mut no_aliases = scan(false);
        no_aliases.aliases_failed(denied());
        assert!(no_aliases.every_store().is_none());
    }

    #[test]
    fn finished_scans_are_remembered_per_endpoint_and_store() {
        let mut lists = KeyLists::default();
        let row = KeyRow {
            key_id: "k".into(),
            ..Default::default()
        };
        lists.put("http://127.0.0.1:4599", "cks-1", vec![row.clone()]);
        assert_eq!(
            lists.get("http://127.0.0.1:4599", "cks-1"),
            Some(&vec![row])
        );
        assert_eq!(
            lists.get("https://kms.us-east-1.amazonaws.com", "cks-1"),
            None
        );
        lists
            .get_mut("http://127.0.0.1:4599", "cks-1")
            .unwrap()
            .clear();
        assert_eq!(lists.get("http://127.0.0.1:4599", "cks-1"), Some(&vec![]));
        // Refresh forgets the list, and the next look scans again.
        lists.forget("http://127.0.0.1:4599", "cks-1");
        assert_eq!(lists.get("http://127.0.0.1:4599", "cks-1"), None);
    }

    #[test]
    fn access_denied_ends_the_scan() {
        let mut s = Scan::new("cks-1");
        s.on_keys_page(&page(&["a", "b"], None));
        s.aliases_failed(KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"AccessDeniedException","message":"not authorized to perform: kms:ListAliases"}"#,
        ));
        assert!(s.aliases_error().is_some() && s.failure().is_none());
        let a = s.next_to_describe().unwrap();
        let denied = KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"AccessDeniedException","message":"not authorized to perform: kms:DescribeKey"}"#,
        );
        s.on_described(&a, Err(denied));
        assert!(s.is_done() && s.failure().is_some());
        assert_eq!(s.next_to_describe(), None);
    }

    fn store(state: ConnectionState, t: CustomKeyStoreType) -> CustomKeyStore {
        CustomKeyStore {
            custom_key_store_id: Some("cks-1".into()),
            custom_key_store_name: Some("s".into()),
            connection_state: Some(state),
            custom_key_store_type: Some(t),
            ..Default::default()
        }
    }

    fn cluster(zones: &[(&str, HsmState)]) -> Cluster {
        Cluster {
            hsms: zones
                .iter()
                .map(|(z, st)| Hsm {
                    hsm_id: "h".into(),
                    availability_zone: Some(z.to_string()),
                    state: Some(st.clone()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_create_form_checks_each_field_and_the_store() {
        let xks = store(
            ConnectionState::Connected,
            CustomKeyStoreType::ExternalKeyStore,
        );
        let form = CreateKeyForm {
            description: " payments ".into(),
            alias: "payments/2026".into(),
            xks_key_id: "ext-key-1".into(),
        };
        let plan = create_key_plan(&form, &xks, None).unwrap();
        assert_eq!(plan.alias.as_deref(), Some("alias/payments/2026"));
        assert_eq!(
            crate::aws::kms::to_body(&plan.create),
            r#"{"Description":"payments","KeyUsage":"ENCRYPT_DECRYPT","KeySpec":"SYMMETRIC_DEFAULT","Origin":"EXTERNAL_KEY_STORE","CustomKeyStoreId":"cks-1","XksKeyId":"ext-key-1"}"#
        );
        assert_eq!(plan.alias_request("kid").unwrap().target_key_id, "kid");
        let bad = CreateKeyForm {
            description: "d".repeat(8193),
            alias: "alias/aws/mine".into(),
            xks_key_id: "no spaces".into(),
        };
        let fields: Vec<&str> = create_key_plan(&bad, &xks, None)
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["description", "alias", "xks_key_id"]);
        assert!(normalize_alias("bad name!").is_err());
        assert_eq!(normalize_alias("  ").unwrap(), None);
        assert!(normalize_alias("alias/").is_err());
        // Not connected.
        let down = store(
            ConnectionState::Disconnected,
            CustomKeyStoreType::ExternalKeyStore,
        );
        let e = create_key_plan(&form, &down, None).unwrap_err();
        assert_eq!(e[0].field, "store");
        assert!(e[0].message.contains("CONNECTED"), "{}", e[0].message);
    }

    #[test]
    fn a_cloudhsm_store_needs_two_active_hsms_in_different_zones() {
        let hsm = store(ConnectionState::Connected, CustomKeyStoreType::AwsCloudHsm);
        let form = CreateKeyForm::default();
        let two = cluster(&[
            ("us-east-1a", HsmState::Active),
            ("us-east-1b", HsmState::Active),
        ]);
        let plan = create_key_plan(&form, &hsm, Some(&two)).unwrap();
        assert_eq!(plan.create.origin, Some(Origin::AwsCloudHsm));
        assert_eq!(plan.create.xks_key_id, None);
        for c in [
            cluster(&[
                ("us-east-1a", HsmState::Active),
                ("us-east-1a", HsmState::Active),
            ]),
            cluster(&[
                ("us-east-1a", HsmState::Active),
                ("us-east-1b", HsmState::Degraded),
            ]),
            cluster(&[]),
        ] {
            assert!(matches!(
                cluster_readiness(Some(&c)),
                ClusterReadiness::NotReady(_)
            ));
            assert!(create_key_plan(&form, &hsm, Some(&c)).is_err());
        }
        // Unknown does not block.
        assert!(create_key_plan(&form, &hsm, None).is_ok());
    }

    #[test]
    fn deleting_a_store_with_keys() {
        let rows = vec![
            KeyRow {
                key_id: "a".into(),
                key_state: Some(KeyState::Enabled),
                ..Default::default()
            },
            KeyRow {
                key_id: "b".into(),
                key_state: Some(KeyState::PendingDeletion),
                deletion_date: Some(2_000_000.0),
                ..Default::default()
            },
        ];
        assert_eq!(blocking_keys(&rows).len(), 2);
        assert!(refused_for_keys(&KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"CustomKeyStoreHasCMKsException"}"#
        )));
        assert!(schedule_requests(&rows, "prod", "pro", "").is_err());
        assert!(schedule_requests(&rows, "prod", "prod", "6").is_err());
        assert!(schedule_requests(&rows, "prod", "prod", "31").is_err());
        let r = schedule_requests(&rows, "prod", " prod ", "").unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].pending_window_in_days, Some(30));
        assert_eq!(pending_window("7"), Ok(7));
        assert!(!name_confirmed("", ""));
        assert_eq!(store_deletable_after(&rows), None);
        let mut a = rows[0].clone();
        scheduled(
            &mut a,
            &ScheduleKeyDeletionResponse {
                deletion_date: Some(1_000_000.0 + 7.0 * 86_400.0),
                ..Default::default()
            },
            7,
            1_000_000_000,
        );
        assert!(a.is_pending_deletion());
        assert_eq!(
            deletion_text(a.deletion_date.unwrap(), 1_000_000_000),
            "Deleted after 1970-01-19T13:46:40Z (in 7 days)"
        );
        let both = vec![a.clone(), rows[1].clone()];
        assert_eq!(store_deletable_after(&both), Some(2_000_000.0));
        // Without a date from KMS: now plus the waiting period.
        let mut c = rows[0].clone();
        scheduled(&mut c, &ScheduleKeyDeletionResponse::default(), 10, 0);
        assert_eq!(c.deletion_date, Some(864_000.0));
        cancelled(&mut c);
        assert_eq!(
            (c.key_state, c.deletion_date),
            (Some(KeyState::Disabled), None)
        );
    }
}
