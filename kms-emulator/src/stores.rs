//! The custom key stores and KMS's rules for them. Transitions are lazy: a store remembers when
//! its CONNECTING or DISCONNECTING ends and settles whenever it is next looked at.

use crate::scenario::{ConnectSpec, StoreSpec, XksSpec};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A KMS error: code and message (status 400, or 500 for KMSInternalException).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsFault {
    pub code: String,
    pub message: String,
}

pub fn fault(code: &str, message: impl Into<String>) -> KmsFault {
    KmsFault {
        code: code.to_string(),
        message: message.into(),
    }
}

#[derive(Clone, Debug)]
struct Pending {
    due: Instant,
    state: &'static str,
    error_code: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub store_type: String,
    pub cluster_id: Option<String>,
    pub xks: Option<XksSpec>,
    pub state: String,
    pub error_code: Option<String>,
    pub creation_date: f64,
    pub keys: u32,
    connect: ConnectSpec,
    pending: Option<Pending>,
}

/// How emulated time maps onto real time.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// Emulated seconds per real second: 60 runs a 20-minute connect in 20 s.
    pub time_scale: f64,
}

impl Pace {
    pub fn real(&self, emulated_seconds: f64) -> Duration {
        Duration::from_secs_f64((emulated_seconds / self.time_scale.max(1e-6)).max(0.0))
    }
}

/// Disconnecting takes this long (emulated seconds).
const DISCONNECT_SECONDS: f64 = 20.0;

impl Store {
    pub fn from_spec(spec: &StoreSpec, created_epoch_s: f64) -> Self {
        Self {
            id: spec.id.clone(),
            name: spec.name.clone(),
            store_type: spec.store_type.clone(),
            cluster_id: spec.cluster_id.clone(),
            xks: spec.xks.clone(),
            state: spec.state.clone(),
            error_code: spec.error_code.clone().filter(|_| spec.state == "FAILED"),
            creation_date: created_epoch_s,
            keys: spec.keys,
            connect: spec.connect.clone(),
            pending: None,
        }
    }

    /// Applies a transition whose time has come.
    pub fn settle(&mut self, now: Instant) {
        if let Some(p) = self.pending.take_if(|p| p.due <= now) {
            self.state = p.state.to_string();
            self.error_code = p.error_code;
        }
    }

    /// ConnectCustomKeyStore, by KMS's rules.
    pub fn connect(&mut self, now: Instant, pace: Pace) -> Result<(), KmsFault> {
        self.settle(now);
        match self.state.as_str() {
            "CONNECTED" | "CONNECTING" => Ok(()),
            "DISCONNECTED" => {
                if let Some(code) = &self.connect.fast_failure {
                    return Err(fault(
                        code,
                        fast_failure_message(code, self.cluster_id.as_deref()),
                    ));
                }
                self.state = "CONNECTING".into();
                self.error_code = None;
                let failed = self.connect.result == "FAILED";
                self.pending = Some(Pending {
                    due: now + pace.real(self.connect.delay_seconds),
                    state: if failed { "FAILED" } else { "CONNECTED" },
                    error_code: if failed {
                        Some(
                            self.connect
                                .error_code
                                .clone()
                                .unwrap_or_else(|| "INTERNAL_ERROR".into()),
                        )
                    } else {
                        None
                    },
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
        match self.state.as_str() {
            "DISCONNECTED" | "DISCONNECTING" => Err(fault(
                "CustomKeyStoreInvalidStateException",
                format!(
                    "Custom key store {} is in the {} state and cannot be disconnected.",
                    self.id, self.state
                ),
            )),
            _ => {
                self.state = "DISCONNECTING".into();
                self.error_code = None;
                self.pending = Some(Pending {
                    due: now + pace.real(DISCONNECT_SECONDS),
                    state: "DISCONNECTED",
                    error_code: None,
                });
                Ok(())
            }
        }
    }

    /// The `CustomKeyStoresListEntry` KMS returns.
    pub fn entry(&self) -> Value {
        let mut e = json!({
            "CustomKeyStoreId": self.id,
            "CustomKeyStoreName": self.name,
            "CustomKeyStoreType": self.store_type,
            "ConnectionState": self.state,
            "CreationDate": self.creation_date,
        });
        if let Some(code) = &self.error_code {
            e["ConnectionErrorCode"] = json!(code);
        }
        if let Some(c) = &self.cluster_id {
            e["CloudHsmClusterId"] = json!(c);
            e["TrustAnchorCertificate"] = json!(
                "-----BEGIN CERTIFICATE-----\nMIIEmulatorTrustAnchor\n-----END CERTIFICATE-----"
            );
        }
        if let Some(x) = &self.xks {
            let mut cfg = json!({
                "Connectivity": x.connectivity,
                "AccessKeyId": x.access_key_id,
                "UriEndpoint": x.uri_endpoint,
                "UriPath": x.uri_path,
            });
            if let Some(v) = &x.vpc_endpoint_service_name {
                cfg["VpcEndpointServiceName"] = json!(v);
            }
            if let Some(v) = &x.vpc_endpoint_service_owner {
                cfg["VpcEndpointServiceOwner"] = json!(v);
            }
            e["XksProxyConfiguration"] = cfg;
        }
        e
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn store(name: &str) -> Store {
        let s = Scenario::parse(crate::scenario::DEFAULT).unwrap();
        Store::from_spec(s.stores.iter().find(|st| st.name == name).unwrap(), 1.7e9)
    }

    #[test]
    fn connect_then_settle_and_the_state_rules() {
        let pace = Pace { time_scale: 1.0 };
        let t0 = Instant::now();
        let mut s = store("payments-xks");
        s.connect(t0, pace).unwrap();
        assert_eq!(s.state, "CONNECTING");
        s.connect(t0, pace).unwrap(); // a no-op while connecting
        s.settle(t0 + Duration::from_secs(299));
        assert_eq!(s.state, "CONNECTING");
        s.settle(t0 + Duration::from_secs(300));
        assert_eq!(s.state, "CONNECTED");
        s.disconnect(t0 + Duration::from_secs(301), pace).unwrap();
        assert_eq!(s.state, "DISCONNECTING");
        assert_eq!(
            s.connect(t0 + Duration::from_secs(302), pace)
                .unwrap_err()
                .code,
            "CustomKeyStoreInvalidStateException"
        );
        s.settle(t0 + Duration::from_secs(400));
        assert_eq!(s.state, "DISCONNECTED");
        assert_eq!(
            s.disconnect(t0 + Duration::from_secs(401), pace)
                .unwrap_err()
                .code,
            "CustomKeyStoreInvalidStateException"
        );
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
        assert_eq!(s.state, "DISCONNECTED");
        let mut s = store("xks-proxy-down");
        s.connect(t0, pace).unwrap();
        s.settle(t0 + Duration::from_secs(2));
        assert_eq!(
            (s.state.as_str(), s.error_code.as_deref()),
            ("FAILED", Some("XKS_PROXY_NOT_REACHABLE"))
        );
        assert_eq!(
            s.connect(t0, pace).unwrap_err().code,
            "CustomKeyStoreInvalidStateException"
        );
        s.disconnect(t0 + Duration::from_secs(3), pace).unwrap();
        assert_eq!(s.error_code, None);
    }
}
