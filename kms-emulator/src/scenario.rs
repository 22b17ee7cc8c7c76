//! Scenario files: the credentials the emulator accepts and the stores it starts with, each with
//! its scripted connect outcome.

use serde::Deserialize;

pub const DEFAULT: &str = include_str!("../scenarios/default.json");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_region")]
    pub region: String,
    pub credentials: Vec<CredentialSpec>,
    #[serde(default)]
    pub stores: Vec<StoreSpec>,
}

fn default_region() -> String {
    "us-east-1".to_string()
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
    #[serde(default)]
    pub xks: Option<XksSpec>,
    #[serde(default = "disconnected")]
    pub state: String,
    #[serde(default)]
    pub error_code: Option<String>,
    /// KMS keys in the store (a store with keys cannot be deleted).
    #[serde(default)]
    pub keys: u32,
    #[serde(default)]
    pub connect: ConnectSpec,
}

fn disconnected() -> String {
    "DISCONNECTED".to_string()
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

/// What a Connect does to this store.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectSpec {
    /// Emulated seconds from Connect to the final state.
    #[serde(default = "default_delay")]
    pub delay_seconds: f64,
    /// CONNECTED or FAILED.
    #[serde(default = "connected")]
    pub result: String,
    #[serde(default)]
    pub error_code: Option<String>,
    /// An exception Connect returns at once, leaving the store DISCONNECTED.
    #[serde(default)]
    pub fast_failure: Option<String>,
}

fn default_delay() -> f64 {
    300.0
}

fn connected() -> String {
    "CONNECTED".to_string()
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

impl Scenario {
    pub fn parse(text: &str) -> Result<Self, String> {
        let s: Scenario = serde_json::from_str(text).map_err(|e| format!("scenario: {e}"))?;
        if s.credentials.is_empty() {
            return Err("scenario: at least one credential is needed".into());
        }
        for st in &s.stores {
            if !["DISCONNECTED", "CONNECTED", "FAILED"].contains(&st.state.as_str()) {
                return Err(format!(
                    "scenario: store {} starts in {}, which is not a resting state",
                    st.id, st.state
                ));
            }
            if !["CONNECTED", "FAILED"].contains(&st.connect.result.as_str()) {
                return Err(format!(
                    "scenario: store {} connects to {}, not CONNECTED or FAILED",
                    st.id, st.connect.result
                ));
            }
        }
        Ok(s)
    }
}
