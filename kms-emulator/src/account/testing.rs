//! The test scenario's account, driven through `call` on an emulated clock.

use super::Account;
use crate::kms::KmsFault;
use crate::spec::Scenario;
use crate::stores::Pace;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub(super) const XKS: &str = "cks-7e570000000000001";
pub(super) const VPC_STORE: &str = "cks-7e570000000000002";
pub(super) const HSM: &str = "cks-7e570000000000003";
pub(super) const HSM_CONNECTED: &str = "cks-7e570000000000004";
pub(super) const XKS_CONNECTED: &str = "cks-7e570000000000005";
pub(super) const WITH_KEYS: &str = "cks-7e570000000000006";
pub(super) const SLOW: &str = "cks-7e570000000000007";
pub(super) const FAILED: &str = "cks-7e57000000000000a";

pub(super) struct T {
    pub(super) a: Account,
    t0: Instant,
    secs: u64,
}

impl T {
    pub(super) fn new() -> Self {
        let s = Scenario::parse(include_str!("../../scenarios/testing.json")).unwrap();
        Self {
            a: Account::new(&s, Pace { time_scale: 1.0 }, 1_700_000_000_000, 1),
            t0: Instant::now(),
            secs: 0,
        }
    }
    pub(super) fn call(&mut self, op: &str, input: Value) -> Result<Value, KmsFault> {
        self.a.call(
            op,
            &input,
            self.t0 + Duration::from_secs(self.secs),
            1_700_000_000_000,
        )
    }
    pub(super) fn ok(&mut self, op: &str, input: Value) -> Value {
        self.call(op, input.clone())
            .unwrap_or_else(|e| panic!("{op} {input}: {e:?}"))
    }
    pub(super) fn err(&mut self, op: &str, input: Value) -> KmsFault {
        self.call(op, input.clone())
            .expect_err(&format!("{op} {input} should fail"))
    }
    pub(super) fn code(&mut self, op: &str, input: Value) -> String {
        self.err(op, input).code
    }
    pub(super) fn store(&mut self, id: &str) -> Value {
        self.ok("DescribeCustomKeyStores", json!({"CustomKeyStoreId": id}))["CustomKeyStores"][0]
            .clone()
    }
    pub(super) fn wait(&mut self, s: u64) {
        self.secs += s;
    }
}

pub(super) fn xks_create(name: &str, endpoint: &str, path: &str) -> Value {
    json!({
        "CustomKeyStoreName": name,
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyUriEndpoint": endpoint,
        "XksProxyUriPath": path,
        "XksProxyConnectivity": "PUBLIC_ENDPOINT",
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": "NEWKEYIDNEWKEYIDNEW2",
            "RawSecretAccessKey": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
        }
    })
}

pub(super) fn hsm_create(name: &str, cluster: &str) -> Value {
    json!({
        "CustomKeyStoreName": name,
        "CloudHsmClusterId": cluster,
        "TrustAnchorCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        "KeyStorePassword": "kmsPswd1",
    })
}
