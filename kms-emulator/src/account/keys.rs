//! The account's KMS keys and aliases: ListKeys, DescribeKey, CreateKey (only in a CONNECTED
//! store; a CloudHSM store's cluster needs two ACTIVE HSMs in different zones; an external key
//! store's external key must exist, be an enabled AES-256 key and not be used by another key of
//! the store), ListAliases, CreateAlias, ScheduleKeyDeletion (7 to 30 days, then the key is
//! gone, under --time-scale) and CancelKeyDeletion (the key is left Disabled).

use super::Account;
use crate::cursor::Cursor;
use crate::keyring::{Key, Pending};
use crate::kms::{ConnectionState, KmsFault, fault};
use crate::rng::Rng;
use crate::spec::Scenario;
use crate::validate::{self as v, CLOUDHSM, Check, EXTERNAL};
use serde_json::{Value, json};
use std::time::Instant;

const KEY_MARKERS: Cursor = Cursor {
    prefix: "AQIDAHk",
    mask: 0x6b65_7973_6b65_7973,
};
const ALIAS_MARKERS: Cursor = Cursor {
    prefix: "AQIDAHa",
    mask: 0x616c_6961_7365_7321,
};
/// KMS's resource quota of aliases per key.
pub const ALIASES_PER_KEY: usize = 50;

#[derive(Clone, Debug)]
pub struct Alias {
    pub name: String,
    pub target: String,
    pub created: f64,
    pub seq: u64,
}

/// A key ID in the UUID form KMS uses.
pub fn uuid(rng: &Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        (a >> 32) as u32,
        (a >> 16) as u16,
        a & 0xfff,
        ((b >> 48) as u16 & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

pub fn material(rng: &Rng) -> [u8; 32] {
    let mut m = [0u8; 32];
    for chunk in m.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    m
}

/// The scenario's keys (each store's, spread among the account's filler keys when
/// `account_keys` asks for more) and their aliases.
pub fn scenario_keys(scenario: &Scenario, started_ms: i64, rng: &Rng) -> (Vec<Key>, Vec<Alias>) {
    struct Own<'a> {
        store: &'a crate::spec::StoreSpec,
        index: usize,
        spec: crate::spec::KeySpec,
    }
    let own: Vec<Own> = scenario
        .stores
        .iter()
        .flat_map(|st| {
            st.keys
                .keys()
                .into_iter()
                .enumerate()
                .map(move |(index, spec)| Own {
                    store: st,
                    index,
                    spec,
                })
        })
        .collect();
    let total = scenario.account_keys.unwrap_or(0).max(own.len());
    let fillers = total - own.len();
    // Where each own key sits among the fillers: evenly spread.
    let mut slots: Vec<usize> = (0..own.len())
        .map(|i| (i + 1) * total / (own.len() + 1))
        .collect();
    slots.dedup();
    let mut keys = Vec::with_capacity(total);
    let mut aliases = Vec::new();
    let mut own_iter = own.into_iter();
    let now_s = (started_ms / 1000) as f64;
    let mut filler_n = 0;
    for seq in 0..total as u64 {
        let created = now_s - (total as f64 - seq as f64) * 60.0;
        let next_own = (slots.contains(&(seq as usize)) || filler_n >= fillers)
            .then(|| own_iter.next())
            .flatten();
        match next_own {
            Some(o) => {
                let id = o.spec.id.clone().unwrap_or_else(|| uuid(rng));
                let xks = o.store.xks.is_some();
                let mut k = Key::new(
                    id.clone(),
                    created,
                    o.spec.description.clone().unwrap_or_default(),
                    if xks { EXTERNAL } else { CLOUDHSM },
                    Some(o.store.id.clone()),
                    o.store.cluster_id.clone(),
                    xks.then(|| {
                        o.spec.xks_key_id.clone().unwrap_or_else(|| {
                            crate::stores::generated_xks_key_id(&o.store.name, o.index)
                        })
                    }),
                    seq,
                    material(rng),
                );
                k.enabled = o.spec.state.as_deref() != Some("Disabled");
                for a in &o.spec.aliases {
                    aliases.push(Alias {
                        name: a.clone(),
                        target: id.clone(),
                        created,
                        seq: aliases.len() as u64,
                    });
                }
                keys.push(k);
            }
            None => {
                filler_n += 1;
                keys.push(Key::new(
                    uuid(rng),
                    created,
                    format!("filler key {filler_n}"),
                    "AWS_KMS",
                    None,
                    None,
                    None,
                    seq,
                    material(rng),
                ));
            }
        }
    }
    (keys, aliases)
}

fn not_found(what: &str) -> KmsFault {
    fault("NotFoundException", format!("Key '{what}' does not exist"))
}

fn invalid_state(message: String) -> KmsFault {
    fault("KMSInvalidStateException", message)
}

/// What a `KeyId` may name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Names {
    /// Key ID, key ARN, alias name or alias ARN.
    KeyOrAlias,
    /// Key ID or key ARN only.
    KeyOnly,
}

impl Account {
    pub fn key_arn(&self, id: &str) -> String {
        format!("arn:aws:kms:{}:{}:key/{id}", self.region, self.account_id)
    }

    fn alias_arn(&self, name: &str) -> String {
        format!("arn:aws:kms:{}:{}:{name}", self.region, self.account_id)
    }

    /// KMS keys of a store, in any state.
    pub(super) fn keys_in_store(&self, store_id: &str) -> usize {
        self.keys
            .iter()
            .filter(|k| k.store_id.as_deref() == Some(store_id))
            .count()
    }

    /// Removes keys whose waiting period has ended, and their aliases.
    pub(super) fn purge_deleted_keys(&mut self, now: Instant) {
        let gone: Vec<String> = self
            .keys
            .iter()
            .filter(|k| k.pending.as_ref().is_some_and(|p| p.due <= now))
            .map(|k| k.id.clone())
            .collect();
        if gone.is_empty() {
            return;
        }
        self.keys.retain(|k| !gone.contains(&k.id));
        self.aliases.retain(|a| !gone.contains(&a.target));
    }

    /// The index of the key `key_id` names.
    pub(super) fn resolve_key(&self, key_id: &str, names: Names) -> Result<usize, KmsFault> {
        let id = if let Some(rest) = key_id.strip_prefix("arn:") {
            // arn:partition:kms:region:account:key/ID or ...:alias/NAME
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            if parts.len() != 5 || parts[1] != "kms" || parts[4].is_empty() {
                return Err(fault(
                    "InvalidArnException",
                    format!("ARN {key_id} is not a valid KMS key or alias ARN."),
                ));
            }
            if parts[2] != self.region || parts[3] != self.account_id {
                return Err(not_found(key_id));
            }
            parts[4].to_string()
        } else {
            key_id.to_string()
        };
        let id = if id.starts_with("alias/") {
            if names == Names::KeyOnly {
                return Err(not_found(key_id));
            }
            match self.aliases.iter().find(|a| a.name == id) {
                Some(a) => a.target.clone(),
                None => {
                    return Err(fault(
                        "NotFoundException",
                        format!("Alias {} is not found.", self.alias_arn(&id)),
                    ));
                }
            }
        } else if let Some(rest) = id.strip_prefix("key/") {
            rest.to_string()
        } else {
            id
        };
        self.keys
            .iter()
            .position(|k| k.id == id)
            .ok_or_else(|| not_found(&self.key_arn(&id)))
    }

    /// The KeyState KMS reports: a key in a custom key store is Unavailable while its store is
    /// not CONNECTED.
    pub(super) fn key_state(&self, k: &Key) -> &'static str {
        if k.pending.is_some() {
            return "PendingDeletion";
        }
        if let Some(store) = &k.store_id
            && self
                .stores
                .iter()
                .find(|s| &s.id == store)
                .is_none_or(|s| s.state != ConnectionState::Connected)
        {
            return "Unavailable";
        }
        if k.enabled { "Enabled" } else { "Disabled" }
    }

    pub(super) fn key_metadata(&self, k: &Key) -> Value {
        let mut m = json!({
            "AWSAccountId": self.account_id,
            "KeyId": k.id,
            "Arn": self.key_arn(&k.id),
            "CreationDate": k.created,
            "Enabled": k.enabled && k.pending.is_none(),
            "Description": k.description,
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": self.key_state(k),
            "Origin": k.origin,
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": false,
        });
        if let Some(s) = &k.store_id {
            m["CustomKeyStoreId"] = json!(s);
        }
        if let Some(c) = &k.cluster_id {
            m["CloudHsmClusterId"] = json!(c);
        }
        if let Some(x) = &k.xks_key_id {
            m["XksKeyConfiguration"] = json!({ "Id": x });
        }
        if let Some(p) = &k.pending {
            m["DeletionDate"] = json!(p.date);
            m["PendingDeletionWindowInDays"] = json!(p.days);
        }
        m
    }

    fn marker(cursor: &Cursor, m: Option<&str>, max: u64) -> Result<u64, KmsFault> {
        match m {
            None => Ok(0),
            Some(m) => cursor.decode(m).filter(|&s| s <= max).ok_or_else(|| {
                fault(
                    "InvalidMarkerException",
                    "The request was rejected because the marker that specifies where pagination should next begin is not valid.",
                )
            }),
        }
    }

    pub(super) fn list_keys(&self, input: &Value) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let limit = c.integer("Limit", 1, 1000)?.unwrap_or(100) as usize;
        let marker = c.string(&v::MARKER, false)?;
        let owners = c.list("ResourceOwners")?;
        c.finish()?;
        let _ = owners;
        let from = Self::marker(&KEY_MARKERS, marker, self.next_key_seq)?;
        let mut page: Vec<&Key> = self.keys.iter().filter(|k| k.seq >= from).collect();
        page.sort_by_key(|k| k.seq);
        let truncated = page.len() > limit;
        page.truncate(limit);
        let mut out = json!({
            "Keys": page.iter().map(|k| json!({"KeyId": k.id, "KeyArn": self.key_arn(&k.id)})).collect::<Vec<_>>(),
            "Truncated": truncated,
        });
        if truncated && let Some(last) = page.last() {
            out["NextMarker"] = json!(KEY_MARKERS.encode(last.seq + 1));
        }
        Ok(out)
    }

    pub(super) fn describe_key(&self, input: &Value) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let key_id = c.string(&v::KEY_ID, true)?;
        let _ = c.list("GrantTokens")?;
        c.finish()?;
        let i = self.resolve_key(key_id.unwrap_or_default(), Names::KeyOrAlias)?;
        Ok(json!({ "KeyMetadata": self.key_metadata(&self.keys[i]) }))
    }

    pub(super) fn create_key(&mut self, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let policy = c.string(&v::POLICY, false)?;
        let description = c.string(&v::DESCRIPTION, false)?;
        let usage = c.enumeration("KeyUsage", v::KEY_USAGES)?;
        let cmk_spec = c.enumeration("CustomerMasterKeySpec", v::KEY_SPECS)?;
        let key_spec = c.enumeration("KeySpec", v::KEY_SPECS)?;
        let origin = c.enumeration("Origin", v::ORIGINS)?.unwrap_or("AWS_KMS");
        let store_id = c.string(&v::KEY_STORE_ID, false)?;
        let _ = c.boolean("BypassPolicyLockoutSafetyCheck")?;
        let tags = c.list("Tags")?;
        let multi_region = c.boolean("MultiRegion")?.unwrap_or(false);
        let xks_key_id = c.string(&v::XKS_KEY, false)?;
        c.finish()?;
        if let Some(p) = policy
            && !serde_json::from_str::<Value>(p).is_ok_and(|v| v.is_object())
        {
            return Err(fault(
                "MalformedPolicyDocumentException",
                "The key policy is not valid JSON.",
            ));
        }
        for t in tags {
            let key = t.get("TagKey").and_then(Value::as_str).unwrap_or("");
            if key.is_empty() || key.starts_with("aws:") {
                return Err(fault(
                    "TagException",
                    "Tag keys must be 1 to 128 characters and must not begin with aws:.",
                ));
            }
        }
        let spec = key_spec.or(cmk_spec).unwrap_or("SYMMETRIC_DEFAULT");
        let custom = origin == CLOUDHSM || origin == EXTERNAL;
        if custom && store_id.is_none() {
            return Err(fault(
                "ValidationException",
                format!("CustomKeyStoreId is required when Origin is {origin}."),
            ));
        }
        if !custom && store_id.is_some() {
            return Err(fault(
                "ValidationException",
                "CustomKeyStoreId is allowed only when Origin is AWS_CLOUDHSM or EXTERNAL_KEY_STORE.",
            ));
        }
        if xks_key_id.is_some() != (origin == EXTERNAL) {
            return Err(fault(
                "ValidationException",
                "XksKeyId is required when Origin is EXTERNAL_KEY_STORE, and allowed only then.",
            ));
        }
        if custom
            && (spec != "SYMMETRIC_DEFAULT"
                || usage.is_some_and(|u| u != "ENCRYPT_DECRYPT")
                || multi_region)
        {
            return Err(fault(
                "UnsupportedOperationException",
                "A KMS key in a custom key store must be a single-Region symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT).",
            ));
        }
        if origin == "EXTERNAL" || (!custom && spec != "SYMMETRIC_DEFAULT") {
            return Err(fault(
                "UnsupportedOperationException",
                "This emulator creates symmetric encryption keys only (and no keys for imported key material).",
            ));
        }
        let mut cluster_id = None;
        if let Some(sid) = store_id {
            let store = self.stores.iter().find(|s| s.id == sid).ok_or_else(|| {
                fault(
                    "CustomKeyStoreNotFoundException",
                    format!("Custom key store '{sid}' does not exist in this account and region."),
                )
            })?;
            if store.store_type != origin {
                return Err(fault(
                    "UnsupportedOperationException",
                    format!(
                        "Origin {origin} does not match the custom key store's type {}.",
                        store.store_type
                    ),
                ));
            }
            if store.state != ConnectionState::Connected {
                return Err(fault(
                    "CustomKeyStoreInvalidStateException",
                    format!(
                        "Custom key store {sid} is in the {} state. You can create KMS keys in a custom key store only when it is CONNECTED.",
                        store.state
                    ),
                ));
            }
            if origin == CLOUDHSM {
                let cid = store.cluster_id.clone().unwrap_or_default();
                let zones: std::collections::BTreeSet<&str> = self
                    .clusters
                    .iter()
                    .find(|c| c.id == cid)
                    .map(|c| {
                        c.hsms
                            .iter()
                            .filter(|h| h.state == "ACTIVE")
                            .map(|h| h.az.as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                if zones.len() < 2 {
                    return Err(fault(
                        "CloudHsmClusterInvalidConfigurationException",
                        format!(
                            "The AWS CloudHSM cluster {cid} must have at least two active HSMs, each in a different Availability Zone, to create a KMS key."
                        ),
                    ));
                }
                cluster_id = Some(cid);
            } else {
                let xid = xks_key_id.unwrap_or_default();
                let ext = store.external_keys.iter().find(|e| e.id == xid).ok_or_else(|| {
                    fault(
                        "XksKeyNotFoundException",
                        format!("The external key store proxy could not find an external key with ID {xid}."),
                    )
                })?;
                if ext.spec != "AES_256" || !ext.enabled {
                    return Err(fault(
                        "XksKeyInvalidConfigurationException",
                        format!(
                            "The external key {xid} must be an enabled 256-bit AES key (it is {}, {}).",
                            ext.spec,
                            if ext.enabled { "enabled" } else { "disabled" }
                        ),
                    ));
                }
                if self.keys.iter().any(|k| {
                    k.store_id.as_deref() == Some(sid) && k.xks_key_id.as_deref() == Some(xid)
                }) {
                    return Err(fault(
                        "XksKeyAlreadyInUseException",
                        format!(
                            "The external key {xid} is already associated with a KMS key in this external key store."
                        ),
                    ));
                }
            }
        }
        if self.keys.len() >= self.key_quota {
            return Err(fault(
                "LimitExceededException",
                format!(
                    "This account has reached its limit of {} KMS keys in this region.",
                    self.key_quota
                ),
            ));
        }
        let key = Key::new(
            uuid(&self.ids),
            (now_ms as f64 / 1000.0).floor(),
            description.unwrap_or_default().to_string(),
            origin,
            store_id.map(str::to_string),
            cluster_id,
            xks_key_id.map(str::to_string),
            self.next_key_seq,
            material(&self.ids),
        );
        self.next_key_seq += 1;
        let out = json!({ "KeyMetadata": self.key_metadata(&key) });
        self.keys.push(key);
        Ok(out)
    }

    pub(super) fn list_aliases(&self, input: &Value) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let key_id = c.string(&v::KEY_ID, false)?;
        let limit = c.integer("Limit", 1, 1000)?.unwrap_or(50) as usize;
        let marker = c.string(&v::MARKER, false)?;
        c.finish()?;
        if limit > 100 {
            return Err(fault(
                "ValidationException",
                "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
            ));
        }
        let target = match key_id {
            Some(k) => Some(self.keys[self.resolve_key(k, Names::KeyOnly)?].id.clone()),
            None => None,
        };
        let from = Self::marker(&ALIAS_MARKERS, marker, self.next_alias_seq)?;
        let mut page: Vec<&Alias> = self
            .aliases
            .iter()
            .filter(|a| a.seq >= from && target.as_ref().is_none_or(|t| &a.target == t))
            .collect();
        page.sort_by_key(|a| a.seq);
        let truncated = page.len() > limit;
        page.truncate(limit);
        let mut out = json!({
            "Aliases": page.iter().map(|a| json!({
                "AliasName": a.name,
                "AliasArn": self.alias_arn(&a.name),
                "TargetKeyId": a.target,
                "CreationDate": a.created,
                "LastUpdatedDate": a.created,
            })).collect::<Vec<_>>(),
            "Truncated": truncated,
        });
        if truncated && let Some(last) = page.last() {
            out["NextMarker"] = json!(ALIAS_MARKERS.encode(last.seq + 1));
        }
        Ok(out)
    }

    pub(super) fn create_alias(&mut self, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let name = c.string(&v::ALIAS_NAME, true)?.unwrap_or_default();
        let target = c.string(&v::TARGET_KEY_ID, true)?.unwrap_or_default();
        c.finish()?;
        if !name.starts_with("alias/") || name.len() == "alias/".len() {
            return Err(fault(
                "InvalidAliasNameException",
                format!("Alias {name} must begin with alias/ followed by a name."),
            ));
        }
        if name.starts_with("alias/aws/") {
            return Err(fault(
                "InvalidAliasNameException",
                format!(
                    "Alias {name} cannot begin with alias/aws/: that prefix is reserved for AWS managed keys."
                ),
            ));
        }
        if self.aliases.iter().any(|a| a.name == name) {
            return Err(fault(
                "AlreadyExistsException",
                format!(
                    "An alias with the name {} already exists",
                    self.alias_arn(name)
                ),
            ));
        }
        let i = self.resolve_key(target, Names::KeyOnly)?;
        let k = &self.keys[i];
        if k.pending.is_some() {
            return Err(invalid_state(format!(
                "{} is pending deletion.",
                self.key_arn(&k.id)
            )));
        }
        if self.aliases.iter().filter(|a| a.target == k.id).count() >= ALIASES_PER_KEY {
            return Err(fault(
                "LimitExceededException",
                format!("Key {} already has {ALIASES_PER_KEY} aliases.", k.id),
            ));
        }
        self.aliases.push(Alias {
            name: name.to_string(),
            target: k.id.clone(),
            created: (now_ms as f64 / 1000.0).floor(),
            seq: self.next_alias_seq,
        });
        self.next_alias_seq += 1;
        Ok(json!({}))
    }

    pub(super) fn schedule_key_deletion(
        &mut self,
        input: &Value,
        now: Instant,
        now_ms: i64,
    ) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let key_id = c.string(&v::KEY_ID, true)?;
        let days = c.integer("PendingWindowInDays", 1, 365)?.unwrap_or(30);
        c.finish()?;
        if !(7..=30).contains(&days) {
            return Err(fault(
                "ValidationException",
                format!("PendingWindowInDays must be between 7 and 30 (it is {days})."),
            ));
        }
        let i = self.resolve_key(key_id.unwrap_or_default(), Names::KeyOnly)?;
        let arn = self.key_arn(&self.keys[i].id);
        if self.keys[i].pending.is_some() {
            return Err(invalid_state(format!("{arn} is pending deletion.")));
        }
        let date = (now_ms / 1000 + days * 86_400) as f64;
        let due = now
            .checked_add(self.pace.real(days as f64 * 86_400.0))
            .unwrap_or(now + std::time::Duration::from_secs(86_400 * 365 * 30));
        self.keys[i].pending = Some(Pending {
            due,
            date,
            days: days as u32,
        });
        Ok(json!({
            "KeyId": arn,
            "DeletionDate": date,
            "KeyState": "PendingDeletion",
            "PendingWindowInDays": days,
        }))
    }

    pub(super) fn cancel_key_deletion(&mut self, input: &Value) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let key_id = c.string(&v::KEY_ID, true)?;
        c.finish()?;
        let i = self.resolve_key(key_id.unwrap_or_default(), Names::KeyOnly)?;
        let arn = self.key_arn(&self.keys[i].id);
        let k = &mut self.keys[i];
        if k.pending.is_none() {
            return Err(invalid_state(format!("{arn} is not pending deletion.")));
        }
        k.pending = None;
        k.enabled = false;
        Ok(json!({ "KeyId": arn }))
    }
}

#[cfg(test)]
mod tests {
    use crate::account::testing::*;
    use serde_json::json;

    #[test]
    fn keys_are_listed_in_pages_and_described() {
        let mut t = T::new();
        let mut ids = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut req = json!({"Limit": 2});
            if let Some(m) = &marker {
                req["Marker"] = json!(m);
            }
            let page = t.ok("ListKeys", req);
            for k in page["Keys"].as_array().unwrap() {
                ids.push(k["KeyId"].as_str().unwrap().to_string());
            }
            if page["Truncated"] != true {
                assert!(page.get("NextMarker").is_none());
                break;
            }
            marker = Some(page["NextMarker"].as_str().unwrap().to_string());
        }
        assert_eq!(ids.len(), t.a.keys.len());
        let in_store: Vec<_> = ids
            .iter()
            .filter(|id| {
                t.ok("DescribeKey", json!({"KeyId": id}))["KeyMetadata"]["CustomKeyStoreId"]
                    == WITH_KEYS
            })
            .collect();
        assert_eq!(in_store.len(), 2);
        assert_eq!(
            t.code("ListKeys", json!({"Marker": "nope"})),
            "InvalidMarkerException"
        );
        assert_eq!(
            t.code("ListKeys", json!({"Limit": 0})),
            "ValidationException"
        );
        assert_eq!(
            t.code("DescribeKey", json!({"KeyId": "0000"})),
            "NotFoundException"
        );
        assert_eq!(
            t.code("DescribeKey", json!({"KeyId": "arn:aws:s3:::bucket"})),
            "InvalidArnException"
        );
    }

    #[test]
    fn create_key_rules() {
        let mut t = T::new();
        let hsm = |store: &str| json!({"CustomKeyStoreId": store, "Origin": "AWS_CLOUDHSM"});
        assert_eq!(
            t.code("CreateKey", hsm(HSM)),
            "CustomKeyStoreInvalidStateException"
        );
        assert_eq!(
            t.code("CreateKey", hsm("cks-nope")),
            "CustomKeyStoreNotFoundException"
        );
        let made = t.ok("CreateKey", hsm(HSM_CONNECTED));
        assert_eq!(made["KeyMetadata"]["KeyState"], "Enabled");
        assert_eq!(made["KeyMetadata"]["Origin"], "AWS_CLOUDHSM");
        let mut wrong = hsm(HSM_CONNECTED);
        wrong["KeySpec"] = json!("RSA_2048");
        assert_eq!(t.code("CreateKey", wrong), "UnsupportedOperationException");
        let xks = |id: &str| json!({"CustomKeyStoreId": XKS_CONNECTED, "Origin": "EXTERNAL_KEY_STORE", "XksKeyId": id});
        assert_eq!(
            t.code("CreateKey", xks("missing")),
            "XksKeyNotFoundException"
        );
        assert_eq!(
            t.code("CreateKey", xks("t-aes128")),
            "XksKeyInvalidConfigurationException"
        );
        assert_eq!(
            t.code("CreateKey", xks("t-disabled")),
            "XksKeyInvalidConfigurationException"
        );
        let k = t.ok("CreateKey", xks("t-free"));
        assert_eq!(k["KeyMetadata"]["XksKeyConfiguration"]["Id"], "t-free");
        assert_eq!(
            t.code("CreateKey", xks("t-free")),
            "XksKeyAlreadyInUseException"
        );
        assert_eq!(t.code("CreateKey", xks("bad id!")), "ValidationException");
        assert_eq!(
            t.code("CreateKey", json!({"Policy": "{not json"})),
            "MalformedPolicyDocumentException"
        );
        assert_eq!(
            t.code(
                "CreateKey",
                json!({"Tags": [{"TagKey": "aws:x", "TagValue": "v"}]})
            ),
            "TagException"
        );
    }

    #[test]
    fn aliases_and_deletion() {
        let mut t = T::new();
        let made = t.ok(
            "CreateKey",
            json!({"CustomKeyStoreId": HSM_CONNECTED, "Origin": "AWS_CLOUDHSM"}),
        );
        let id = made["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
        t.ok(
            "CreateAlias",
            json!({"AliasName": "alias/t1", "TargetKeyId": id}),
        );
        assert_eq!(
            t.code(
                "CreateAlias",
                json!({"AliasName": "alias/t1", "TargetKeyId": id})
            ),
            "AlreadyExistsException"
        );
        for bad in ["t1", "alias/aws/t1"] {
            assert_eq!(
                t.code("CreateAlias", json!({"AliasName": bad, "TargetKeyId": id})),
                "InvalidAliasNameException"
            );
        }
        let by_alias = t.ok("DescribeKey", json!({"KeyId": "alias/t1"}));
        assert_eq!(by_alias["KeyMetadata"]["KeyId"], id.as_str());
        let listed = t.ok("ListAliases", json!({"KeyId": id}));
        assert_eq!(listed["Aliases"][0]["AliasName"], "alias/t1");
        assert_eq!(
            t.code(
                "ScheduleKeyDeletion",
                json!({"KeyId": id, "PendingWindowInDays": 6})
            ),
            "ValidationException"
        );
        let s = t.ok(
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": 7}),
        );
        assert_eq!(s["KeyState"], "PendingDeletion");
        assert_eq!(
            s["DeletionDate"],
            json!((1_700_000_000 + 7 * 86_400) as f64)
        );
        assert_eq!(
            t.code("ScheduleKeyDeletion", json!({"KeyId": id})),
            "KMSInvalidStateException"
        );
        assert_eq!(
            t.code(
                "CreateAlias",
                json!({"AliasName": "alias/t2", "TargetKeyId": id})
            ),
            "KMSInvalidStateException"
        );
        t.ok("CancelKeyDeletion", json!({"KeyId": id}));
        assert_eq!(
            t.ok("DescribeKey", json!({"KeyId": id}))["KeyMetadata"]["KeyState"],
            "Disabled"
        );
        assert_eq!(
            t.code("CancelKeyDeletion", json!({"KeyId": id})),
            "KMSInvalidStateException"
        );
        // Scheduled again, the key is gone once its waiting period ends (time scale 1).
        t.ok(
            "ScheduleKeyDeletion",
            json!({"KeyId": id, "PendingWindowInDays": 7}),
        );
        t.wait(7 * 86_400 - 10);
        t.ok("DescribeKey", json!({"KeyId": id}));
        t.wait(20);
        assert_eq!(
            t.code("DescribeKey", json!({"KeyId": id})),
            "NotFoundException"
        );
        assert_eq!(
            t.code("DescribeKey", json!({"KeyId": "alias/t1"})),
            "NotFoundException"
        );
    }

    #[test]
    fn a_store_with_keys_is_deleted_only_once_they_are_gone() {
        let mut t = T::new();
        assert_eq!(
            t.code(
                "DeleteCustomKeyStore",
                json!({"CustomKeyStoreId": WITH_KEYS})
            ),
            "CustomKeyStoreHasCMKsException"
        );
        let keys: Vec<String> =
            t.a.keys
                .iter()
                .filter(|k| k.store_id.as_deref() == Some(WITH_KEYS))
                .map(|k| k.id.clone())
                .collect();
        for k in &keys {
            // Keys of a DISCONNECTED store are Unavailable, and may be scheduled.
            assert_eq!(
                t.ok("DescribeKey", json!({"KeyId": k}))["KeyMetadata"]["KeyState"],
                "Unavailable"
            );
            t.ok(
                "ScheduleKeyDeletion",
                json!({"KeyId": k, "PendingWindowInDays": 7}),
            );
        }
        // Pending deletion still blocks.
        assert_eq!(
            t.code(
                "DeleteCustomKeyStore",
                json!({"CustomKeyStoreId": WITH_KEYS})
            ),
            "CustomKeyStoreHasCMKsException"
        );
        t.wait(7 * 86_400 + 1);
        t.ok(
            "DeleteCustomKeyStore",
            json!({"CustomKeyStoreId": WITH_KEYS}),
        );
    }
}
