//! One custom key store and KMS's connection state machine. Transitions are lazy: a store
//! remembers when its CONNECTING or DISCONNECTING ends and settles whenever it is next looked at.

use crate::kms::{ConnectionState, KmsFault, fault};
use crate::spec::{ConnectSpec, ExternalKeySpec, StoreSpec, XksSpec};
use crate::validate::{CLOUDHSM, VPC};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// How emulated time maps onto real time.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// Emulated seconds per real second: 60 runs a 20-minute connect in 20 s.
    pub time_scale: f64,
}

impl Pace {
    pub fn real(&self, emulated_seconds: f64) -> Duration {
        Duration::try_from_secs_f64((emulated_seconds / self.time_scale.max(1e-6)).max(0.0))
            .unwrap_or(Duration::MAX)
    }
}

#[derive(Clone, Debug)]
struct Pending {
    due: Instant,
    state: ConnectionState,
    error_code: Option<String>,
}

/// What KMS knows but never returns.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    pub xks_raw_secret: Option<String>,
    pub kmsuser_password: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub store_type: String,
    pub cluster_id: Option<String>,
    pub related_clusters: Vec<String>,
    pub trust_anchor: Option<String>,
    pub xks: Option<XksSpec>,
    pub secrets: Secrets,
    pub state: ConnectionState,
    pub error_code: Option<String>,
    pub creation_date: f64,
    /// An external key store's external key manager: the keys it holds.
    pub external_keys: Vec<ExternalKeySpec>,
    /// Listing order, and what pagination markers point at.
    pub seq: u64,
    /// Whether Connect follows the cluster's health (stores made by CreateCustomKeyStore, and
    /// scenario stores moved to another cluster) instead of the scenario's script.
    pub follows_cluster: bool,
    connect: ConnectSpec,
    reconnect: Option<ConnectSpec>,
    disconnect_seconds: f64,
    /// Connects that started a connection or failed fast.
    attempts: u32,
    pending: Option<Pending>,
}

/// The external key manager of a store: its scripted keys, and every key its KMS keys name.
fn external_keys(spec: &StoreSpec) -> Vec<ExternalKeySpec> {
    let mut out = spec.external_keys.clone();
    if spec.xks.is_none() {
        return out;
    }
    for (i, k) in spec.keys.keys().iter().enumerate() {
        let id = k
            .xks_key_id
            .clone()
            .unwrap_or_else(|| generated_xks_key_id(&spec.name, i));
        if !out.iter().any(|e| e.id == id) {
            out.push(ExternalKeySpec {
                id,
                spec: "AES_256".into(),
                enabled: true,
            });
        }
    }
    out
}

const PLACEHOLDER_ANCHOR: &str =
    "-----BEGIN CERTIFICATE-----\nMIIEmulatorTrustAnchor\n-----END CERTIFICATE-----";

impl Store {
    pub fn from_spec(spec: &StoreSpec, created_epoch_s: f64, seq: u64) -> Self {
        let cloudhsm = spec.store_type == CLOUDHSM;
        Self {
            id: spec.id.clone(),
            name: spec.name.clone(),
            store_type: spec.store_type.clone(),
            cluster_id: spec.cluster_id.clone(),
            related_clusters: spec.related_clusters.clone(),
            trust_anchor: cloudhsm.then(|| {
                spec.trust_anchor_certificate
                    .clone()
                    .unwrap_or_else(|| PLACEHOLDER_ANCHOR.to_string())
            }),
            xks: spec.xks.clone(),
            secrets: Secrets::default(),
            state: spec.state,
            error_code: spec
                .error_code
                .clone()
                .filter(|_| spec.state == ConnectionState::Failed),
            creation_date: created_epoch_s,
            external_keys: external_keys(spec),
            seq,
            follows_cluster: false,
            connect: spec.connect.clone(),
            reconnect: spec.reconnect.clone(),
            disconnect_seconds: spec.disconnect_seconds,
            attempts: 0,
            pending: None,
        }
    }

    /// A store made by CreateCustomKeyStore: DISCONNECTED, connecting as `connect` says.
    pub fn created(
        spec: &StoreSpec,
        secrets: Secrets,
        created_epoch_s: f64,
        seq: u64,
        connect: &ConnectSpec,
    ) -> Self {
        let mut s = Self::from_spec(spec, created_epoch_s, seq);
        s.secrets = secrets;
        // A new external key store's external key manager holds three AES-256 keys.
        if s.xks.is_some() && s.external_keys.is_empty() {
            s.external_keys = (1..=3)
                .map(|i| ExternalKeySpec {
                    id: format!("xks-key-{i}"),
                    spec: "AES_256".into(),
                    enabled: true,
                })
                .collect();
        }
        s.connect = connect.clone();
        s.follows_cluster = s.cluster_id.is_some();
        s
    }

    /// Replaces what every Connect from now on does (for a store that follows its cluster).
    pub fn set_script(&mut self, connect: ConnectSpec) {
        self.connect = connect;
        self.reconnect = None;
    }

    /// Applies a transition whose time has come.
    pub fn settle(&mut self, now: Instant) {
        if let Some(p) = self.pending.take_if(|p| p.due <= now) {
            self.state = p.state;
            self.error_code = p.error_code;
        }
    }

    /// ConnectCustomKeyStore, by KMS's rules.
    pub fn connect(&mut self, now: Instant, pace: Pace) -> Result<(), KmsFault> {
        self.settle(now);
        match self.state {
            ConnectionState::Connected | ConnectionState::Connecting => Ok(()),
            ConnectionState::Disconnected => {
                let spec = match (&self.reconnect, self.attempts) {
                    (Some(r), 1..) => r.clone(),
                    _ => self.connect.clone(),
                };
                self.attempts = self.attempts.saturating_add(1);
                if let Some(code) = &spec.fast_failure {
                    return Err(fault(
                        code,
                        fast_failure_message(code, self.cluster_id.as_deref()),
                    ));
                }
                self.state = ConnectionState::Connecting;
                self.error_code = None;
                let failed = spec.result == ConnectionState::Failed;
                self.pending = Some(Pending {
                    due: later(now, pace.real(spec.delay_seconds)),
                    state: if failed {
                        ConnectionState::Failed
                    } else {
                        ConnectionState::Connected
                    },
                    error_code: failed
                        .then(|| spec.error_code.unwrap_or_else(|| "INTERNAL_ERROR".into())),
                });
                Ok(())
            }
            state => Err(fault(
                "CustomKeyStoreInvalidStateException",
                format!(
                    "Custom key store {} is in the {state} state. You can connect a custom key store only when it is DISCONNECTED; disconnect a FAILED store first.",
                    self.id
                ),
            )),
        }
    }

    /// DisconnectCustomKeyStore: DISCONNECTING, then DISCONNECTED with the error code cleared.
    pub fn disconnect(&mut self, now: Instant, pace: Pace) -> Result<(), KmsFault> {
        self.settle(now);
        match self.state {
            ConnectionState::Disconnected | ConnectionState::Disconnecting => Err(fault(
                "CustomKeyStoreInvalidStateException",
                format!(
                    "Custom key store {} is in the {} state and cannot be disconnected.",
                    self.id, self.state
                ),
            )),
            _ => {
                self.state = ConnectionState::Disconnecting;
                self.error_code = None;
                self.pending = Some(Pending {
                    due: later(now, pace.real(self.disconnect_seconds)),
                    state: ConnectionState::Disconnected,
                    error_code: None,
                });
                Ok(())
            }
        }
    }

    /// The `CustomKeyStoresListEntry` KMS returns: never a secret.
    pub fn entry(&self, account_id: &str) -> Value {
        let mut e = json!({
            "CustomKeyStoreId": self.id,
            "CustomKeyStoreName": self.name,
            "CustomKeyStoreType": self.store_type,
            "ConnectionState": self.state.as_str(),
            "CreationDate": self.creation_date,
        });
        if let Some(code) = &self.error_code {
            e["ConnectionErrorCode"] = json!(code);
        }
        if let Some(c) = &self.cluster_id {
            e["CloudHsmClusterId"] = json!(c);
        }
        if let Some(t) = &self.trust_anchor {
            e["TrustAnchorCertificate"] = json!(t);
        }
        if let Some(x) = &self.xks {
            let mut cfg = json!({
                "Connectivity": x.connectivity,
                "AccessKeyId": x.access_key_id,
                "UriEndpoint": x.uri_endpoint,
                "UriPath": x.uri_path,
            });
            if x.connectivity == VPC {
                if let Some(v) = &x.vpc_endpoint_service_name {
                    cfg["VpcEndpointServiceName"] = json!(v);
                }
                cfg["VpcEndpointServiceOwner"] = json!(
                    x.vpc_endpoint_service_owner
                        .as_deref()
                        .unwrap_or(account_id)
                );
            }
            e["XksProxyConfiguration"] = cfg;
        }
        e
    }
}

/// `now + d`, saturating far in the future instead of overflowing.
fn later(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(now)
}

fn fast_failure_message(code: &str, cluster: Option<&str>) -> String {
    let cluster = cluster.unwrap_or("the cluster");
    match code {
        "CloudHsmClusterNotActiveException" => format!(
            "The AWS CloudHSM cluster {cluster} is not active. Initialize and activate the cluster and try the command again."
        ),
        "CloudHsmClusterInvalidConfigurationException" => format!(
            "The AWS CloudHSM cluster {cluster} does not meet the configuration requirements for a custom key store."
        ),
        _ => format!("The connect failed with {code}."),
    }
}

/// The external key ID of the `i`th key of a store that names none.
pub fn generated_xks_key_id(store_name: &str, i: usize) -> String {
    let clean: String = store_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{clean}-key-{}", i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Scenario;

    fn store(name: &str) -> Store {
        let s = Scenario::parse(crate::scenario::DEFAULT).unwrap();
        Store::from_spec(
            s.stores.iter().find(|st| st.name == name).unwrap(),
            1.7e9,
            0,
        )
    }

    #[test]
    fn connection_states_read_as_they_are_written() {
        for c in ConnectionState::ALL {
            assert_eq!(c.as_str().parse(), Ok(c));
            assert_eq!(
                serde_json::from_value::<ConnectionState>(json!(c.as_str())).unwrap(),
                c
            );
        }
        assert!("connected".parse::<ConnectionState>().is_err());
        let resting: Vec<_> = ConnectionState::ALL
            .into_iter()
            .filter(|c| c.is_resting())
            .collect();
        assert_eq!(resting.len(), 3);
    }

    #[test]
    fn connect_then_settle_and_the_state_rules() {
        let pace = Pace { time_scale: 1.0 };
        let t0 = Instant::now();
        let mut s = store("payments-xks");
        s.connect(t0, pace).unwrap();
        assert_eq!(s.state, ConnectionState::Connecting);
        s.connect(t0, pace).unwrap(); // a no-op while connecting
        s.settle(t0 + Duration::from_secs(299));
        assert_eq!(s.state, ConnectionState::Connecting);
        s.settle(t0 + Duration::from_secs(300));
        assert_eq!(s.state, ConnectionState::Connected);
        s.connect(t0 + Duration::from_secs(300), pace).unwrap(); // a no-op when connected
        s.disconnect(t0 + Duration::from_secs(301), pace).unwrap();
        assert_eq!(s.state, ConnectionState::Disconnecting);
        assert_eq!(
            s.connect(t0 + Duration::from_secs(302), pace)
                .unwrap_err()
                .code,
            "CustomKeyStoreInvalidStateException"
        );
        assert_eq!(
            s.disconnect(t0 + Duration::from_secs(302), pace)
                .unwrap_err()
                .code,
            "CustomKeyStoreInvalidStateException"
        );
        // payments-xks takes 180 s to disconnect (the scenario's `disconnect_seconds`).
        s.settle(t0 + Duration::from_secs(480));
        assert_eq!(s.state, ConnectionState::Disconnecting);
        s.settle(t0 + Duration::from_secs(481));
        assert_eq!(s.state, ConnectionState::Disconnected);
        assert_eq!(
            s.disconnect(t0 + Duration::from_secs(482), pace)
                .unwrap_err()
                .code,
            "CustomKeyStoreInvalidStateException"
        );
    }

    #[test]
    fn disconnect_while_connecting_cancels_the_connect() {
        let pace = Pace { time_scale: 1.0 };
        let t0 = Instant::now();
        let mut s = store("payments-xks");
        s.connect(t0, pace).unwrap();
        s.disconnect(t0 + Duration::from_secs(1), pace).unwrap();
        s.settle(t0 + Duration::from_secs(600));
        assert_eq!(s.state, ConnectionState::Disconnected);
    }

    #[test]
    fn failures_fast_and_slow() {
        let pace = Pace { time_scale: 60.0 };
        let t0 = Instant::now();
        let mut s = store("hsm-cluster-inactive");
        assert_eq!(
            s.connect(t0, pace).unwrap_err().code,
            "CloudHsmClusterNotActiveException"
        );
        assert_eq!(s.state, ConnectionState::Disconnected);
        let mut s = store("xks-proxy-down");
        s.connect(t0, pace).unwrap();
        s.settle(t0 + Duration::from_secs(2));
        assert_eq!(
            (s.state, s.error_code.as_deref()),
            (ConnectionState::Failed, Some("XKS_PROXY_NOT_REACHABLE"))
        );
        assert_eq!(
            s.connect(t0, pace).unwrap_err().code,
            "CustomKeyStoreInvalidStateException"
        );
        s.disconnect(t0 + Duration::from_secs(3), pace).unwrap();
        assert_eq!(s.error_code, None);
    }

    #[test]
    fn a_reconnect_follows_its_own_script() {
        let pace = Pace { time_scale: 1.0 };
        let t0 = Instant::now();
        let mut s = store("xks-timeout-then-ok");
        s.connect(t0, pace).unwrap();
        s.settle(t0 + Duration::from_secs(3600));
        assert_eq!(s.error_code.as_deref(), Some("XKS_PROXY_TIMED_OUT"));
        s.disconnect(t0 + Duration::from_secs(3600), pace).unwrap();
        s.settle(t0 + Duration::from_secs(7200));
        s.connect(t0 + Duration::from_secs(7200), pace).unwrap();
        s.settle(t0 + Duration::from_secs(10_800));
        assert_eq!((s.state, s.error_code), (ConnectionState::Connected, None));
    }

    #[test]
    fn entries_never_hold_secrets() {
        let mut s = store("ledger-xks-vpc");
        s.secrets = Secrets {
            xks_raw_secret: Some("TOPSECRETTOPSECRETTOPSECRETTOPSECRETTOPSECRET".into()),
            kmsuser_password: Some("hunter22".into()),
        };
        let e = s.entry("111122223333").to_string();
        assert!(!e.contains("TOPSECRET") && !e.contains("hunter22"), "{e}");
        assert!(
            e.contains(r#""VpcEndpointServiceOwner":"111122223333""#),
            "{e}"
        );
        let h = store("hsm-primary").entry("111122223333");
        assert!(
            h["TrustAnchorCertificate"]
                .as_str()
                .unwrap()
                .contains("BEGIN CERTIFICATE")
        );
        assert!(h.get("XksProxyConfiguration").is_none());
    }
}
