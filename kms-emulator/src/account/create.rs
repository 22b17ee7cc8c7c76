//! CreateCustomKeyStore, in KMS's order: the request on its own (the model, then the store
//! type's members), then the account (quota, a unique name, the cluster or proxy free and not
//! rejected), and only then a change: the store, and its cluster if CloudHSM did not list it.

use super::cloudhsm::add_unlisted;
use super::members::{ProxyMembers, VPC_ONLY, other_type_members, present};
use super::{Account, CLOUDHSM, EXTERNAL, PUBLIC, VPC};
use crate::clusters::Health;
use crate::kms::{ConnectionState, KmsFault, fault};
use crate::spec::{StoreSpec, XksSpec};
use crate::stores::{Secrets, Store};
use crate::validate::{self as v, Check};
use serde_json::{Value, json};

/// The members of a CreateCustomKeyStore request, each within the model's constraints.
struct Members<'a> {
    name: &'a str,
    store_type: &'a str,
    cluster: Option<&'a str>,
    anchor: Option<&'a str>,
    password: Option<&'a str>,
    proxy: ProxyMembers<'a>,
}

/// What a new store stands on.
enum Backing<'a> {
    Cluster {
        id: &'a str,
        anchor: &'a str,
        password: Option<&'a str>,
    },
    Proxy {
        xks: XksSpec,
        raw_secret: &'a str,
    },
}

impl<'a> Members<'a> {
    /// The model's constraints, all failures in one ValidationException.
    fn read(input: &'a Value) -> Result<Self, KmsFault> {
        let mut c = Check::new(input);
        let name = c.string(&v::STORE_NAME, true)?;
        let cluster = c.string(&v::CLUSTER_ID, false)?;
        let anchor = c.string(&v::TRUST_ANCHOR, false)?;
        let password = c.string(&v::PASSWORD, false)?;
        let store_type = c.enumeration("CustomKeyStoreType", v::STORE_TYPES)?;
        let proxy = ProxyMembers::read(&mut c, input, false)?;
        c.finish()?;
        Ok(Self {
            name: name.unwrap_or_default(),
            store_type: store_type.unwrap_or(CLOUDHSM),
            cluster,
            anchor,
            password,
            proxy,
        })
    }

    fn external(&self) -> bool {
        self.store_type == EXTERNAL
    }

    /// What this store type needs, then what it must not have.
    fn check_type(&self, input: &Value) -> Result<(), KmsFault> {
        let p = &self.proxy;
        let mut c = Check::new(input);
        if self.external() {
            c.require("XksProxyUriEndpoint", p.endpoint.is_some());
            c.require("XksProxyUriPath", p.path.is_some());
            c.require(v::CREDENTIAL, present(input, v::CREDENTIAL));
            c.require("XksProxyConnectivity", p.connectivity.is_some());
            if p.connectivity == Some(VPC) {
                c.require("XksProxyVpcEndpointServiceName", p.vpc.is_some());
            }
        } else {
            c.require("CloudHsmClusterId", self.cluster.is_some());
            c.require("TrustAnchorCertificate", self.anchor.is_some());
            c.require("KeyStorePassword", self.password.is_some());
        }
        c.finish()?;
        other_type_members(input, self.external(), self.store_type)?;
        if p.connectivity == Some(PUBLIC) && (p.vpc.is_some() || p.owner.is_some()) {
            return Err(fault("ValidationException", VPC_ONLY));
        }
        Ok(())
    }

    fn backing(&self) -> Backing<'a> {
        if !self.external() {
            return Backing::Cluster {
                id: self.cluster.unwrap_or_default(),
                anchor: self.anchor.unwrap_or_default(),
                password: self.password,
            };
        }
        let p = &self.proxy;
        let (key_id, raw_secret) = p.credential.unwrap_or_default();
        let xks = XksSpec {
            connectivity: p.connectivity.unwrap_or(PUBLIC).to_string(),
            uri_endpoint: p.endpoint.unwrap_or_default().to_string(),
            uri_path: p.path.unwrap_or_default().to_string(),
            access_key_id: key_id.to_string(),
            vpc_endpoint_service_name: p.vpc.map(str::to_string),
            vpc_endpoint_service_owner: p.owner.map(str::to_string),
        };
        Backing::Proxy { xks, raw_secret }
    }
}

impl Backing<'_> {
    /// The new store as a scenario would describe it (DISCONNECTED, no keys), and its secrets.
    fn into_spec(self, id: String, name: &str, store_type: &str) -> (StoreSpec, Secrets) {
        let mut spec = StoreSpec {
            id,
            name: name.to_string(),
            store_type: store_type.to_string(),
            cluster_id: None,
            related_clusters: Vec::new(),
            trust_anchor_certificate: None,
            xks: None,
            state: ConnectionState::Disconnected,
            error_code: None,
            keys: Default::default(),
            external_keys: Vec::new(),
            connect: Default::default(),
            reconnect: None,
            disconnect_seconds: 20.0,
            faults: Vec::new(),
            metrics: None,
        };
        let mut secrets = Secrets::default();
        match self {
            Backing::Proxy { xks, raw_secret } => {
                spec.xks = Some(xks);
                secrets.xks_raw_secret = Some(raw_secret.to_string());
            }
            Backing::Cluster {
                id,
                anchor,
                password,
            } => {
                spec.cluster_id = Some(id.to_string());
                spec.trust_anchor_certificate = Some(anchor.to_string());
                secrets.kmsuser_password = password.map(str::to_string);
            }
        }
        (spec, secrets)
    }
}

impl Account {
    pub(super) fn create(&mut self, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        let m = Members::read(input)?;
        m.check_type(input)?;
        let backing = m.backing();
        self.within_quota()?;
        self.name_in_use(m.name, None)?;
        // Drawn before the checks below, as it always was: seeded runs keep their ids.
        let id = self.new_id();
        self.check_backing(&backing, input)?;
        Ok(self.add(id, &m, backing, now_ms))
    }

    fn within_quota(&self) -> Result<(), KmsFault> {
        if self.stores.len() < self.quota {
            return Ok(());
        }
        Err(fault(
            "LimitExceededException",
            format!(
                "You have reached the quota of {} custom key stores in this account and region.",
                self.quota
            ),
        ))
    }

    fn new_id(&self) -> String {
        loop {
            let id = format!(
                "cks-{:x}{:016x}",
                self.ids.next_u64() & 0xf,
                self.ids.next_u64()
            );
            if !self.stores.iter().any(|s| s.id == id) {
                return id;
            }
        }
    }

    /// The cluster or proxy: no other store's, not rejected, and for a cluster the trust
    /// anchor at least a certificate.
    fn check_backing(&self, backing: &Backing, input: &Value) -> Result<(), KmsFault> {
        match backing {
            Backing::Proxy { xks, .. } => {
                self.proxy_in_use(xks, None)?;
                self.rejected(input)
            }
            Backing::Cluster { id, anchor, .. } => {
                self.cluster_in_use(id, None)?;
                self.rejected(input)?;
                if anchor.contains("-----BEGIN CERTIFICATE-----") {
                    return Ok(());
                }
                Err(fault(
                    "IncorrectTrustAnchorException",
                    format!(
                        "The trust anchor certificate is not the trust anchor certificate of the AWS CloudHSM cluster {id}."
                    ),
                ))
            }
        }
    }

    fn add(&mut self, id: String, m: &Members, backing: Backing, now_ms: i64) -> Value {
        if let Backing::Cluster { id: cluster, .. } = &backing {
            // A cluster CloudHSM does not list yet (and no reject refuses) is a healthy one.
            let created = (now_ms as f64 / 1000.0 - 86_400.0).floor();
            add_unlisted(
                &mut self.clusters,
                cluster,
                Health::Ready,
                &self.region,
                |_| created,
            );
        }
        let (spec, secrets) = backing.into_spec(id, m.name, m.store_type);
        let connect = if m.external() {
            &self.new_stores.external
        } else {
            &self.new_stores.cloudhsm
        };
        let created = now_ms as f64 / 1000.0;
        let store = Store::created(&spec, secrets, created, self.next_seq, connect);
        self.next_seq += 1;
        self.stores.push(store);
        json!({"CustomKeyStoreId": spec.id})
    }
}

#[cfg(test)]
mod tests {
    use crate::account::testing::*;
    use serde_json::json;

    #[test]
    fn create_validates_per_type() {
        let mut t = T::new();
        let m = t
            .err("CreateCustomKeyStore", json!({"CustomKeyStoreName": "x"}))
            .message;
        assert!(
            m.starts_with("3 validation errors detected: Value null at 'cloudHsmClusterId'"),
            "{m}"
        );
        let m = t.err("CreateCustomKeyStore", json!({"CustomKeyStoreName": "x", "CustomKeyStoreType": "EXTERNAL_KEY_STORE", "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE"})).message;
        assert!(
            m.starts_with("4 validation errors detected: Value null at 'xksProxyUriEndpoint'"),
            "{m}"
        );
        assert!(m.contains("'xksProxyVpcEndpointServiceName'"), "{m}");
        let mut bad = xks_create("x", "http://xks.example.com", "/kms/xks/v1/extra");
        bad["XksProxyAuthenticationCredential"]["RawSecretAccessKey"] = json!("short");
        let m = t.err("CreateCustomKeyStore", bad).message;
        assert!(m.starts_with("3 validation errors detected:"), "{m}");
        assert!(m.contains("Value at 'xksProxyAuthenticationCredential.rawSecretAccessKey' failed to satisfy constraint: Member must have length greater than or equal to 43"), "{m}");
        assert!(!m.contains("short"), "{m}");
        let mut mixed = hsm_create("x", "cluster-6aaaaaaaaaaa");
        mixed["XksProxyUriPath"] = json!("/kms/xks/v1");
        assert_eq!(
            t.err("CreateCustomKeyStore", mixed).message,
            "XksProxyUriPath is not valid for a custom key store of type AWS_CLOUDHSM."
        );
        let mut public_with_vpc = xks_create("x", "https://xks.n.example.com", "/kms/xks/v1");
        public_with_vpc["XksProxyVpcEndpointServiceName"] =
            json!("com.amazonaws.vpce.us-east-1.vpce-svc-0b");
        assert_eq!(
            t.code("CreateCustomKeyStore", public_with_vpc),
            "ValidationException"
        );
        let mut no_pem = hsm_create("x", "cluster-6aaaaaaaaaaa");
        no_pem["TrustAnchorCertificate"] = json!("not a certificate");
        assert_eq!(
            t.code("CreateCustomKeyStore", no_pem),
            "IncorrectTrustAnchorException"
        );
    }

    #[test]
    fn create_enforces_uniqueness_rejects_and_the_quota() {
        let mut t = T::new();
        for (input, code) in [
            (
                hsm_create("t-hsm", "cluster-6aaaaaaaaaaa"),
                "CustomKeyStoreNameInUseException",
            ),
            (
                hsm_create("n1", "cluster-2aaaaaaaaaaa"),
                "CloudHsmClusterInUseException",
            ),
            (
                hsm_create("n1", "cluster-nonexistent"),
                "CloudHsmClusterNotFoundException",
            ),
            (
                xks_create("n1", "https://xks.t1.example.com", "/kms/xks/v1"),
                "XksProxyUriInUseException",
            ),
            (
                xks_create("n1", "https://XKS.T1.example.com", "/kms/xks/v1"),
                "XksProxyUriInUseException",
            ),
            (
                xks_create(
                    "n1",
                    "https://xks.t2.internal.example.com",
                    "/other/kms/xks/v1",
                ),
                "XksProxyUriEndpointInUseException",
            ),
            (
                xks_create("n1", "https://xks.unreachable.example.com", "/kms/xks/v1"),
                "XksProxyUriUnreachableException",
            ),
        ] {
            assert_eq!(
                t.code("CreateCustomKeyStore", input.clone()),
                code,
                "{input}"
            );
        }
        let mut vpc = xks_create("n1", "https://xks.new.internal.example.com", "/kms/xks/v1");
        vpc["XksProxyConnectivity"] = json!("VPC_ENDPOINT_SERVICE");
        vpc["XksProxyVpcEndpointServiceName"] =
            json!("com.amazonaws.vpce.us-east-1.vpce-svc-0aaaaaaaaaaaaaaa1");
        assert_eq!(
            t.code("CreateCustomKeyStore", vpc),
            "XksProxyVpcEndpointServiceInUseException"
        );
        let mut wrong = xks_create("n1", "https://xks.n.example.com", "/kms/xks/v1");
        wrong["XksProxyAuthenticationCredential"]["AccessKeyId"] = json!("WRONGCREDENTIALKEYID");
        assert_eq!(
            t.err("CreateCustomKeyStore", wrong).message,
            "The proxy rejected the credential."
        );
        // The same endpoint with another path is fine for two public stores.
        let made = t.ok(
            "CreateCustomKeyStore",
            xks_create("n1", "https://xks.t1.example.com", "/two/kms/xks/v1"),
        );
        let id = made["CustomKeyStoreId"].as_str().unwrap().to_string();
        assert!(
            id.len() == 21
                && id.starts_with("cks-")
                && id[4..].bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
        let s = t.store(&id);
        assert_eq!(s["ConnectionState"], "DISCONNECTED");
        assert_eq!(
            s["XksProxyConfiguration"]["AccessKeyId"],
            "NEWKEYIDNEWKEYIDNEW2"
        );
        assert!(!s.to_string().contains("c2VjcmV0"), "no secret in {s}");
        let h = t.ok(
            "CreateCustomKeyStore",
            hsm_create("n2", "cluster-6aaaaaaaaaaa"),
        );
        let h = h["CustomKeyStoreId"].as_str().unwrap().to_string();
        assert_eq!(t.store(&h)["CustomKeyStoreType"], "AWS_CLOUDHSM");
        assert!(!t.store(&h).to_string().contains("kmsPswd1"));
        assert_eq!(t.a.len(), 15);
        assert_eq!(
            t.code(
                "CreateCustomKeyStore",
                hsm_create("n3", "cluster-7aaaaaaaaaaa")
            ),
            "LimitExceededException"
        );
        // A created store connects as `new_stores` says.
        t.ok("ConnectCustomKeyStore", json!({"CustomKeyStoreId": h}));
        t.wait(30);
        assert_eq!(t.store(&h)["ConnectionState"], "CONNECTED");
    }
}
