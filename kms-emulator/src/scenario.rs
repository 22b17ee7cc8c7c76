//! Scenario files: the account the emulator pretends to be (credentials, stores, CloudHSM
//! clusters, quota), each store's scripted connect outcomes, and the faults to inject. The format is documented in
//! `kms-emulator/README.md`; `Scenario::parse` rejects anything the emulator could not honour.

use crate::clusters::{CLUSTER_STATES, HSM_STATES, is_cluster_id, is_hex_id, is_hsm_id};
use crate::stores::ConnectionState;
use crate::validate::{CLOUDHSM, CONNECTIVITY, EXTERNAL};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

pub const DEFAULT: &str = include_str!("../scenarios/default.json");

/// Operations a fault may name: KMS's six, and CloudHSM's DescribeClusters.
pub const OPERATIONS: [&str; 7] = [
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "DescribeCustomKeyStores",
    "CreateCustomKeyStore",
    "UpdateCustomKeyStore",
    "DeleteCustomKeyStore",
    "DescribeClusters",
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_region")]
    pub region: String,
    /// The account that owns VPC endpoint services when a request names no owner.
    #[serde(default = "default_account")]
    pub account_id: String,
    pub credentials: Vec<CredentialSpec>,
    #[serde(default)]
    pub stores: Vec<StoreSpec>,
    /// The account's CloudHSM clusters, listed by DescribeClusters in this order. A store's
    /// cluster (or related cluster) that is not listed gets one that agrees with its script.
    #[serde(default)]
    pub clusters: Vec<ClusterSpec>,
    /// Most stores the account may hold; CreateCustomKeyStore past it is LimitExceededException.
    #[serde(default = "default_quota")]
    pub store_quota: usize,
    /// What Connect does to stores made by CreateCustomKeyStore.
    #[serde(default)]
    pub new_stores: NewStores,
    /// Member values that Create and Update reject as KMS would after checking the backing
    /// cluster or proxy (cluster not found, proxy unreachable, ...).
    #[serde(default)]
    pub rejects: Vec<RejectSpec>,
    /// Faults for every request (each may be limited to operations).
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

fn default_region() -> String {
    "us-east-1".to_string()
}

fn default_account() -> String {
    "111122223333".to_string()
}

fn default_quota() -> usize {
    100
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialSpec {
    pub access_key_id: String,
    pub secret_access_key: String,
    #[serde(default)]
    pub session_token: Option<String>,
    /// Seconds after start-up at which the credentials expire (negative: already expired).
    #[serde(default)]
    pub expires_in_seconds: Option<i64>,
    /// Served at `GET /_emulator/credentials` (the first such entry).
    #[serde(default)]
    pub demo: bool,
    /// IAM actions this identity may not call, e.g. `cloudhsm:DescribeClusters` or
    /// `kms:ConnectCustomKeyStore`: AccessDeniedException (CloudHsmAccessDeniedException).
    #[serde(default)]
    pub deny: Vec<String>,
}

/// A CloudHSM cluster, as DescribeClusters shows it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub id: String,
    /// A `ClusterState` of the model.
    #[serde(default = "active")]
    pub state: String,
    #[serde(default)]
    pub state_message: Option<String>,
    #[serde(default)]
    pub hsms: Vec<HsmSpec>,
    /// Availability Zone → subnet id; by default the region's zones `a` and `b` and the zones
    /// of the HSMs, with made-up subnet ids.
    #[serde(default)]
    pub subnet_mapping: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub security_group: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub hsm_type: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsmSpec {
    pub id: String,
    /// The Availability Zone, e.g. `us-east-1a`.
    pub az: String,
    /// An `HsmState` of the model.
    #[serde(default = "active")]
    pub state: String,
}

fn active() -> String {
    "ACTIVE".to_string()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSpec {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub store_type: String,
    #[serde(default)]
    pub cluster_id: Option<String>,
    /// Clusters that share this store's backup history (UpdateCustomKeyStore may move to them).
    #[serde(default)]
    pub related_clusters: Vec<String>,
    #[serde(default)]
    pub trust_anchor_certificate: Option<String>,
    #[serde(default)]
    pub xks: Option<XksSpec>,
    #[serde(default = "disconnected")]
    pub state: ConnectionState,
    #[serde(default)]
    pub error_code: Option<String>,
    /// KMS keys in the store (a store with keys cannot be deleted).
    #[serde(default)]
    pub keys: u32,
    /// The first Connect.
    #[serde(default)]
    pub connect: ConnectSpec,
    /// Every later Connect (after a fast failure or a Disconnect); `connect` when absent.
    #[serde(default)]
    pub reconnect: Option<ConnectSpec>,
    /// Emulated seconds DISCONNECTING lasts.
    #[serde(default = "default_disconnect")]
    pub disconnect_seconds: f64,
    /// Faults for requests that name this store (by id, or by name in Describe).
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
}

fn disconnected() -> ConnectionState {
    ConnectionState::Disconnected
}

fn default_disconnect() -> f64 {
    20.0
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XksSpec {
    pub connectivity: String,
    pub uri_endpoint: String,
    pub uri_path: String,
    pub access_key_id: String,
    #[serde(default)]
    pub vpc_endpoint_service_name: Option<String>,
    #[serde(default)]
    pub vpc_endpoint_service_owner: Option<String>,
}

/// What a Connect does to a store.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectSpec {
    /// Emulated seconds from Connect to the final state.
    #[serde(default = "default_delay")]
    pub delay_seconds: f64,
    /// CONNECTED or FAILED.
    #[serde(default = "connected")]
    pub result: ConnectionState,
    #[serde(default)]
    pub error_code: Option<String>,
    /// An exception Connect returns at once, leaving the store DISCONNECTED.
    #[serde(default)]
    pub fast_failure: Option<String>,
}

fn default_delay() -> f64 {
    300.0
}

fn connected() -> ConnectionState {
    ConnectionState::Connected
}

impl Default for ConnectSpec {
    fn default() -> Self {
        Self {
            delay_seconds: default_delay(),
            result: connected(),
            error_code: None,
            fast_failure: None,
        }
    }
}

/// Connect outcomes of created stores, by type: like KMS, about 5 minutes for an external key
/// store and 15 for CloudHSM.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStores {
    #[serde(default = "cloudhsm_connect")]
    pub cloudhsm: ConnectSpec,
    #[serde(default)]
    pub external: ConnectSpec,
}

fn cloudhsm_connect() -> ConnectSpec {
    ConnectSpec {
        delay_seconds: 900.0,
        ..ConnectSpec::default()
    }
}

impl Default for NewStores {
    fn default() -> Self {
        Self {
            cloudhsm: cloudhsm_connect(),
            external: ConnectSpec::default(),
        }
    }
}

/// `member` set to `value` in CreateCustomKeyStore or UpdateCustomKeyStore fails with `error`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectSpec {
    /// A request member, e.g. `CloudHsmClusterId` or `XksProxyAuthenticationCredential.AccessKeyId`.
    pub member: String,
    pub value: String,
    pub error: String,
    #[serde(default)]
    pub message: Option<String>,
}

/// One fault rule; `kind` says which of the other fields apply (see the README).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// throttle, error, latency, hang or malformed.
    pub kind: String,
    /// Probability per matching request (0..=1).
    #[serde(default)]
    pub rate: Option<f64>,
    /// Fires on the first N matching requests.
    #[serde(default)]
    pub first: Option<u64>,
    /// Only these operations (all when empty).
    #[serde(default)]
    pub operations: Vec<String>,
    /// latency: milliseconds added, plus up to `jitter_ms` more.
    #[serde(default)]
    pub ms: Option<u64>,
    #[serde(default)]
    pub jitter_ms: Option<u64>,
    /// error, malformed: the HTTP status.
    #[serde(default)]
    pub status: Option<u16>,
    /// error: json, text or html; malformed: truncated or html.
    #[serde(default)]
    pub body: Option<String>,
    /// error (json body): the `__type` and message.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// hang: seconds before the emulator gives up and answers 504.
    #[serde(default)]
    pub seconds: Option<f64>,
    /// error, hang, malformed: run the operation first, then spoil its response.
    #[serde(default)]
    pub after_operation: bool,
}

impl Scenario {
    pub fn parse(text: &str) -> Result<Self, String> {
        let s: Scenario = serde_json::from_str(text).map_err(|e| format!("scenario: {e}"))?;
        s.check().map_err(|e| format!("scenario: {e}"))?;
        Ok(s)
    }

    fn check(&self) -> Result<(), String> {
        if self.credentials.is_empty() {
            return Err("at least one credential is needed".into());
        }
        for c in &self.credentials {
            if let Some(a) = c.deny.iter().find(|a| {
                let cloudhsm = *a == "cloudhsm:DescribeClusters";
                let kms = a
                    .strip_prefix("kms:")
                    .is_some_and(|op| op != "DescribeClusters" && OPERATIONS.contains(&op));
                !(cloudhsm || kms)
            }) {
                return Err(format!(
                    "credential {}: deny {a} is not kms:<operation> or cloudhsm:DescribeClusters",
                    c.access_key_id
                ));
            }
        }
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("account_id {} is not 12 digits", self.account_id));
        }
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for st in &self.stores {
            if !ids.insert(st.id.as_str()) {
                return Err(format!("store id {} appears twice", st.id));
            }
            if !names.insert(st.name.as_str()) {
                return Err(format!("store name {} appears twice", st.name));
            }
            st.check()?;
        }
        for c in [&self.new_stores.cloudhsm, &self.new_stores.external] {
            c.check("new_stores")?;
        }
        // KMS's Create refuses a cluster that shares a backup history with another store's:
        // a store related to another store's cluster cannot exist.
        for st in &self.stores {
            if let Some(other) = self.stores.iter().find(|o| {
                o.id != st.id
                    && o.cluster_id
                        .as_ref()
                        .is_some_and(|c| st.related_clusters.contains(c))
            }) {
                return Err(format!(
                    "store {}: related cluster {} is the cluster of store {} (KMS never lets two stores share a backup history)",
                    st.id,
                    other.cluster_id.as_deref().unwrap_or(""),
                    other.id
                ));
            }
        }
        let mut clusters = HashSet::new();
        let mut hsms = HashSet::new();
        for c in &self.clusters {
            if !clusters.insert(c.id.as_str()) {
                return Err(format!("cluster {} appears twice", c.id));
            }
            c.check(&self.region, &mut hsms)?;
        }
        for r in &self.rejects {
            if r.member.is_empty() || r.error.is_empty() {
                return Err("a reject needs a member and an error".into());
            }
        }
        for f in &self.faults {
            crate::faults::Rule::from_spec(f, None)?;
        }
        Ok(())
    }
}

impl StoreSpec {
    fn check(&self) -> Result<(), String> {
        let id = &self.id;
        if !self.state.is_resting() {
            return Err(format!(
                "store {id} starts in {}, which is not a resting state",
                self.state
            ));
        }
        match (self.store_type.as_str(), &self.cluster_id, &self.xks) {
            (CLOUDHSM, Some(_), None) | (EXTERNAL, None, Some(_)) => {}
            (CLOUDHSM, _, _) => {
                return Err(format!(
                    "store {id}: AWS_CLOUDHSM needs cluster_id and no xks"
                ));
            }
            (EXTERNAL, _, _) => {
                return Err(format!(
                    "store {id}: EXTERNAL_KEY_STORE needs xks and no cluster_id"
                ));
            }
            (other, _, _) => return Err(format!("store {id}: unknown type {other}")),
        }
        if let Some(x) = &self.xks
            && !CONNECTIVITY.contains(&x.connectivity.as_str())
        {
            return Err(format!(
                "store {id}: unknown connectivity {}",
                x.connectivity
            ));
        }
        if !(self.disconnect_seconds >= 0.0 && self.disconnect_seconds.is_finite()) {
            return Err(format!("store {id}: disconnect_seconds must be >= 0"));
        }
        self.connect.check(id)?;
        if let Some(r) = &self.reconnect {
            r.check(id)?;
        }
        for f in &self.faults {
            crate::faults::Rule::from_spec(f, Some(id))?;
        }
        Ok(())
    }
}

impl ClusterSpec {
    fn check<'a>(&'a self, region: &str, hsm_ids: &mut HashSet<&'a str>) -> Result<(), String> {
        let id = &self.id;
        if !is_cluster_id(id) {
            return Err(format!(
                "cluster {id}: the id must be cluster- and 11 to 16 letters or digits 2-7"
            ));
        }
        if !CLUSTER_STATES.contains(&self.state.as_str()) {
            return Err(format!("cluster {id}: unknown state {}", self.state));
        }
        let zone = |az: &str| {
            az.strip_prefix(region)
                .is_some_and(|l| l.len() == 1 && l.bytes().all(|b| b.is_ascii_lowercase()))
        };
        if let Some(m) = &self.subnet_mapping {
            for (az, subnet) in m {
                if !zone(az) {
                    return Err(format!(
                        "cluster {id}: {az} is not an Availability Zone of {region}"
                    ));
                }
                if !is_hex_id("subnet-", subnet) {
                    return Err(format!("cluster {id}: {subnet} is not a subnet id"));
                }
            }
        }
        for (what, value, prefix) in [
            ("security_group", &self.security_group, "sg-"),
            ("vpc_id", &self.vpc_id, "vpc-"),
        ] {
            if let Some(v) = value
                && !is_hex_id(prefix, v)
            {
                return Err(format!(
                    "cluster {id}: {what} {v} is not {prefix} and hex digits"
                ));
            }
        }
        for h in &self.hsms {
            if !is_hsm_id(&h.id) {
                return Err(format!(
                    "cluster {id}: HSM id {} must be hsm- and 11 to 16 letters or digits 2-7",
                    h.id
                ));
            }
            if !hsm_ids.insert(h.id.as_str()) {
                return Err(format!("HSM {} appears twice", h.id));
            }
            if !HSM_STATES.contains(&h.state.as_str()) {
                return Err(format!("HSM {}: unknown state {}", h.id, h.state));
            }
            if !zone(&h.az) {
                return Err(format!(
                    "HSM {}: {} is not an Availability Zone of {region}",
                    h.id, h.az
                ));
            }
            if self
                .subnet_mapping
                .as_ref()
                .is_some_and(|m| !m.contains_key(&h.az))
            {
                return Err(format!(
                    "HSM {}: the cluster has no subnet in {}",
                    h.id, h.az
                ));
            }
        }
        Ok(())
    }
}

impl ConnectSpec {
    fn check(&self, whose: &str) -> Result<(), String> {
        if !matches!(
            self.result,
            ConnectionState::Connected | ConnectionState::Failed
        ) {
            return Err(format!(
                "{whose} connects to {}, not CONNECTED or FAILED",
                self.result
            ));
        }
        if !(self.delay_seconds >= 0.0 && self.delay_seconds.is_finite()) {
            return Err(format!("{whose}: delay_seconds must be >= 0"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_scenarios_parse() {
        let d = Scenario::parse(DEFAULT).unwrap();
        assert!(d.stores.len() >= 12);
        assert_eq!(d.store_quota, 100);
        assert!(d.faults.is_empty(), "the demo scenario injects no faults");
        let t = Scenario::parse(include_str!("../scenarios/testing.json")).unwrap();
        assert!(
            t.credentials
                .iter()
                .any(|c| c.expires_in_seconds.is_some_and(|e| e < 0))
        );
    }

    #[test]
    fn bad_scenarios_are_refused() {
        let base =
            r#"{"credentials":[{"access_key_id":"A","secret_access_key":"B"}],"stores":[STORE]}"#;
        for (store, words) in [
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","state":"CONNECTING"}"#,
                "resting",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM"}"#,
                "cluster_id",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","connect":{"result":"MAYBE"}}"#,
                "MAYBE",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","faults":[{"kind":"boom"}]}"#,
                "boom",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","faults":[{"kind":"throttle","rate":2}]}"#,
                "rate",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","faults":[{"kind":"error","operations":["ListKeys"]}]}"#,
                "ListKeys",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","colour":"red"}"#,
                "colour",
            ),
        ] {
            let err = Scenario::parse(&base.replace("STORE", store)).unwrap_err();
            assert!(err.contains(words), "{err}");
        }
        let two = base.replace(
            "STORE",
            r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c"},{"id":"a","name":"m","type":"AWS_CLOUDHSM","cluster_id":"d"}"#,
        );
        assert!(Scenario::parse(&two).unwrap_err().contains("twice"));
        let shared = base.replace(
            "STORE",
            r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"cluster-2aaaaaaaaaaa","related_clusters":["cluster-2bbbbbbbbbbb"]},{"id":"b","name":"m","type":"AWS_CLOUDHSM","cluster_id":"cluster-2bbbbbbbbbbb"}"#,
        );
        assert!(
            Scenario::parse(&shared)
                .unwrap_err()
                .contains("backup history")
        );
        assert!(Scenario::parse(r#"{"credentials":[]}"#).is_err());
    }

    #[test]
    fn bad_clusters_and_denials_are_refused() {
        let base = r#"{"credentials":[{"access_key_id":"A","secret_access_key":"B"}],"clusters":[CLUSTER]}"#;
        for (cluster, words) in [
            (r#"{"id":"cluster-1"}"#, "cluster- and 11 to 16"),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","state":"SLEEPING"}"#,
                "SLEEPING",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","hsms":[{"id":"hsm-2aaaaaaaaaaa","az":"eu-west-1a"}]}"#,
                "not an Availability Zone of us-east-1",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","hsms":[{"id":"hsm-2aaaaaaaaaaa","az":"us-east-1a","state":"ON"}]}"#,
                "unknown state ON",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","hsms":[{"id":"hsm-1","az":"us-east-1a"}]}"#,
                "hsm- and",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","subnet_mapping":{"us-east-1a":"subnet-0123456789"},"hsms":[{"id":"hsm-2aaaaaaaaaaa","az":"us-east-1b"}]}"#,
                "no subnet in us-east-1b",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","subnet_mapping":{"us-east-1a":"net-1"}}"#,
                "not a subnet id",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","security_group":"sg-xyz"}"#,
                "security_group",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa"},{"id":"cluster-2aaaaaaaaaaa"}"#,
                "appears twice",
            ),
            (r#"{"id":"cluster-2aaaaaaaaaaa","size":3}"#, "size"),
        ] {
            let err = Scenario::parse(&base.replace("CLUSTER", cluster)).unwrap_err();
            assert!(err.contains(words), "{err}");
        }
        let ok = base.replace(
            "CLUSTER",
            r#"{"id":"cluster-2aaaaaaaaaaa","hsms":[{"id":"hsm-2aaaaaaaaaaa","az":"us-east-1c"}]}"#,
        );
        assert_eq!(Scenario::parse(&ok).unwrap().clusters[0].state, "ACTIVE");
        for deny in [
            "cloudhsm:CreateHsm",
            "kms:DescribeClusters",
            "DescribeClusters",
        ] {
            let s = format!(
                r#"{{"credentials":[{{"access_key_id":"A","secret_access_key":"B","deny":["{deny}"]}}]}}"#
            );
            assert!(Scenario::parse(&s).unwrap_err().contains(deny), "{deny}");
        }
    }
}
