//! The scenario file's types, as read: plain data that the clusters, stores and faults are
//! built from. `scenario` checks them; this module depends only on `kms`.

use crate::kms::ConnectionState;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Operations a fault may name: KMS's six custom key store operations, CloudHSM's
/// DescribeClusters, CloudWatch's four, and the ten key operations.
pub const OPERATIONS: [&str; 21] = [
    "ConnectCustomKeyStore",
    "DisconnectCustomKeyStore",
    "DescribeCustomKeyStores",
    "CreateCustomKeyStore",
    "UpdateCustomKeyStore",
    "DeleteCustomKeyStore",
    "DescribeClusters",
    "ListMetrics",
    "GetMetricData",
    "DescribeAlarms",
    "PutMetricAlarm",
    "ListKeys",
    "DescribeKey",
    "CreateKey",
    "Encrypt",
    "Decrypt",
    "GenerateRandom",
    "ListAliases",
    "CreateAlias",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
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
    /// CloudWatch alarms that exist at start-up: `PutMetricAlarm` inputs.
    #[serde(default)]
    pub alarms: Vec<serde_json::Value>,
    /// Fill the account with keys outside any custom key store (Origin AWS_KMS) until it holds
    /// this many KMS keys in all (`--account-keys` overrides it).
    #[serde(default)]
    pub account_keys: Option<usize>,
    /// Most KMS keys the account may hold; CreateKey past it is LimitExceededException.
    #[serde(default = "default_key_quota")]
    pub key_quota: usize,
}

fn default_key_quota() -> usize {
    100_000
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
    /// KMS keys in the store (a store with keys cannot be deleted): a number of plain enabled
    /// keys, or a list of keys.
    #[serde(default)]
    pub keys: KeysSpec,
    /// For an external key store: the keys its external key manager holds (the scripted
    /// manager). Keys that the store's KMS keys name are added when missing.
    #[serde(default)]
    pub external_keys: Vec<ExternalKeySpec>,
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
    /// The store's CloudWatch metrics (none: the store was never used, so there is no data).
    #[serde(default)]
    pub metrics: Option<MetricsSpec>,
}

/// A store's scripted CloudWatch series (namespace `AWS/KMS`), deterministic per minute. Which
/// metrics exist follows the store's type: an external key store has latency, errors,
/// certificate, credential and key manager metrics and `ExternalKeyStoreThrottle`; a CloudHSM
/// key store has `CloudHSMKeyStoreThrottle` only.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// KMS operations with a latency stream each (default Encrypt, Decrypt, GenerateDataKey).
    #[serde(default)]
    pub operations: Vec<String>,
    /// Requests per minute and operation (each varies ±20 %).
    #[serde(default)]
    pub requests_per_minute: f64,
    /// Average proxy latency (each minute varies ±10 %).
    #[serde(default)]
    pub latency_ms: f64,
    /// Days the proxy's certificate has left at start-up (decreases with time).
    #[serde(default)]
    pub certificate_days_to_expire: Option<f64>,
    #[serde(default)]
    pub certificate_name: Option<String>,
    /// Age of the proxy credential at start-up (increases with time).
    #[serde(default)]
    pub credential_age_days: Option<f64>,
    /// External key managers per state (`Active`, `Degraded`, `Unavailable`).
    #[serde(default)]
    pub external_key_managers: BTreeMap<String, f64>,
    #[serde(default)]
    pub retryable_errors: Option<ErrorsSpec>,
    #[serde(default)]
    pub non_retryable_errors: Option<ErrorsSpec>,
    /// Throttled requests per minute.
    #[serde(default)]
    pub throttles_per_minute: f64,
}

/// Errors per minute: a steady rate plus bursts (`burst_minutes` of every
/// `burst_every_minutes`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorsSpec {
    #[serde(default)]
    pub per_minute: f64,
    #[serde(default)]
    pub burst_per_minute: f64,
    #[serde(default)]
    pub burst_every_minutes: u32,
    #[serde(default)]
    pub burst_minutes: u32,
    pub exception: String,
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

/// A store's KMS keys: a count, or each key.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum KeysSpec {
    Count(u32),
    List(Vec<KeySpec>),
}

impl Default for KeysSpec {
    fn default() -> Self {
        Self::Count(0)
    }
}

impl KeysSpec {
    /// Each key: a count becomes that many plain keys.
    pub fn keys(&self) -> Vec<KeySpec> {
        match self {
            Self::Count(n) => (0..*n).map(|_| KeySpec::default()).collect(),
            Self::List(l) => l.clone(),
        }
    }
}

/// One KMS key of a store.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySpec {
    /// The key ID (a UUID); made up when absent.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Enabled (default) or Disabled.
    #[serde(default)]
    pub state: Option<String>,
    /// Alias names (`alias/...`) pointing at the key.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// For an external key store: the external key's ID (made up when absent).
    #[serde(default)]
    pub xks_key_id: Option<String>,
}

/// A key of an external key manager.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalKeySpec {
    pub id: String,
    /// AES_256 (what KMS needs), or anything else, e.g. AES_128 or RSA_2048.
    #[serde(default = "aes_256")]
    pub spec: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn aes_256() -> String {
    "AES_256".to_string()
}

fn yes() -> bool {
    true
}
