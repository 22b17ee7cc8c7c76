//! The account the emulator plays: its stores and CloudHSM clusters, and the six operations with
//! KMS's rules. One file per operation, each in KMS's order of checks, since that order decides
//! which error a client sees; what Create and Update share (uniqueness, scripted rejections) has
//! a file of its own so that both apply it alike.

mod cloudhsm;
mod connect;
mod create;
mod crypto;
mod delete;
mod describe;
mod keys;
mod members;
mod rejects;
mod uniqueness;
mod update;

#[cfg(test)]
mod testing;

use crate::cloudwatch::CloudWatch;
pub use keys::Alias;

use crate::clusters::{self, Cluster};
use crate::keyring::Key;
use crate::kms::{KmsFault, fault};
use crate::rng::Rng;
use crate::spec::Scenario;
use crate::spec::{NewStores, RejectSpec};
use crate::stores::{Pace, Store};
use crate::validate::{self as v, CLOUDHSM, Check, EXTERNAL, PUBLIC, VPC};
use serde_json::Value;
use std::time::Instant;

pub struct Account {
    stores: Vec<Store>,
    clusters: Vec<Cluster>,
    region: String,
    next_seq: u64,
    quota: usize,
    account_id: String,
    rejects: Vec<RejectSpec>,
    new_stores: NewStores,
    pace: Pace,
    ids: Rng,
    /// CloudWatch's metrics and alarms for the account's stores.
    cloudwatch: CloudWatch,
    // The account's KMS keys and aliases (`keys`, `crypto`).
    keys: Vec<Key>,
    aliases: Vec<Alias>,
    next_key_seq: u64,
    next_alias_seq: u64,
    key_quota: usize,
    nonce_counter: u64,
}

fn invalid_state(message: String) -> KmsFault {
    fault("CustomKeyStoreInvalidStateException", message)
}

/// `what` is a store id or name.
fn not_found(what: &str) -> KmsFault {
    fault(
        "CustomKeyStoreNotFoundException",
        format!("Custom key store '{what}' does not exist in this account and region."),
    )
}

/// The scenario's stores, "created" over the last days, oldest first.
fn scenario_stores(scenario: &Scenario, started_ms: i64) -> Vec<Store> {
    let n = scenario.stores.len() as f64;
    scenario
        .stores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let created = (started_ms as f64 / 1000.0 - (n - i as f64) * 86_400.0 / 3.0).floor();
            Store::from_spec(s, created, i as u64)
        })
        .collect()
}

impl Account {
    /// `started_ms` is the emulator's clock at start-up; `seed` makes new ids repeatable.
    pub fn new(scenario: &Scenario, pace: Pace, started_ms: i64, seed: u64) -> Self {
        let stores = scenario_stores(scenario, started_ms);
        let (keys, aliases) =
            keys::scenario_keys(scenario, started_ms, &Rng::new(seed ^ 0x6b65_7973));
        Self {
            next_key_seq: keys.len() as u64,
            next_alias_seq: aliases.len() as u64,
            keys,
            aliases,
            key_quota: scenario.key_quota,
            nonce_counter: 0,
            next_seq: stores.len() as u64,
            stores,
            clusters: cloudhsm::scenario_clusters(scenario, started_ms),
            region: scenario.region.clone(),
            quota: scenario.store_quota,
            account_id: scenario.account_id.clone(),
            rejects: scenario.rejects.clone(),
            new_stores: scenario.new_stores.clone(),
            pace,
            ids: Rng::new(seed ^ 0x05ee_d1d5),
            // The scenario's check has already run the alarms through PutMetricAlarm.
            cloudwatch: CloudWatch::new(scenario, started_ms)
                .unwrap_or_else(|_| CloudWatch::bare(scenario, started_ms)),
        }
    }

    pub fn len(&self) -> usize {
        self.stores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stores.is_empty()
    }

    pub fn cluster_count(&self) -> usize {
        self.clusters.len()
    }

    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The id of the store a request names (for per-store faults): by id, by name, or through
    /// the key (or ciphertext) of a key operation.
    pub fn store_named(&self, input: &Value) -> Option<String> {
        if let Some(id) = input.get("CustomKeyStoreId").and_then(Value::as_str) {
            return Some(id.to_string());
        }
        if let Some(store) = self.store_of_key_request(input) {
            return Some(store);
        }
        let name = input.get("CustomKeyStoreName").and_then(Value::as_str)?;
        self.stores
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.id.clone())
    }

    /// Runs one operation. `now_ms` is the emulator's (skewed) clock, for creation dates.
    pub fn call(
        &mut self,
        op: &str,
        input: &Value,
        now: Instant,
        now_ms: i64,
    ) -> Result<Value, KmsFault> {
        for s in &mut self.stores {
            s.settle(now);
        }
        self.purge_deleted_keys(now);
        match op {
            "DescribeCustomKeyStores" => self.describe(input),
            "ConnectCustomKeyStore" => self.connect(input, now),
            "DisconnectCustomKeyStore" => self.disconnect(input, now),
            "CreateCustomKeyStore" => self.create(input, now_ms),
            "UpdateCustomKeyStore" => self.update(input),
            "DeleteCustomKeyStore" => self.delete(input),
            "DescribeClusters" => clusters::describe(&self.clusters, input),
            op if crate::cloudwatch::OPERATIONS.contains(&op) => {
                self.cloudwatch.call(op, input, now_ms)
            }
            "ListKeys" => self.list_keys(input),
            "DescribeKey" => self.describe_key(input),
            "CreateKey" => self.create_key(input, now_ms),
            "Encrypt" => self.encrypt(input, now_ms),
            "Decrypt" => self.decrypt(input, now_ms),
            "GenerateRandom" => self.generate_random(input, now_ms),
            "ListAliases" => self.list_aliases(input),
            "CreateAlias" => self.create_alias(input, now_ms),
            "ScheduleKeyDeletion" => self.schedule_key_deletion(input, now, now_ms),
            "CancelKeyDeletion" => self.cancel_key_deletion(input),
            other => Err(fault(
                "UnknownOperationException",
                format!("The emulator does not implement '{other}'."),
            )),
        }
    }

    /// The hook for real activity: a request a store served (each successful Encrypt, Decrypt
    /// and GenerateRandom of the store calls it), counted in the store's CloudWatch
    /// `XksProxyLatency`.
    pub fn record_request(&mut self, store_id: &str, now_ms: i64) {
        self.cloudwatch.record_request(store_id, now_ms);
    }

    fn find(&self, id: &str) -> Result<usize, KmsFault> {
        self.stores
            .iter()
            .position(|s| s.id == id)
            .ok_or_else(|| not_found(id))
    }

    /// The store of a request whose only member is `CustomKeyStoreId`.
    fn target(&self, input: &Value) -> Result<usize, KmsFault> {
        let mut c = Check::new(input);
        let id = c.string(&v::STORE_ID, true)?;
        c.finish()?;
        self.find(id.unwrap_or_default())
    }
}
