//! UpdateCustomKeyStore, in KMS's order: the request on its own, the store's type and state,
//! a unique new name, the new settings on a copy of the store (which must hold together and
//! leave the proxy unique), the scenario's rejects, and only then the change.

use super::members::{ProxyMembers, VPC_ONLY, other_type_members, present};
use super::{Account, VPC, invalid_state};
use crate::kms::{ConnectionState, KmsFault, fault};
use crate::spec::XksSpec;
use crate::stores::{Secrets, Store};
use crate::validate::{self as v, Check};
use serde_json::{Value, json};

/// The members of an UpdateCustomKeyStore request, each within the model's constraints.
struct Changes<'a> {
    id: &'a str,
    new_name: Option<&'a str>,
    password: Option<&'a str>,
    cluster: Option<&'a str>,
    proxy: ProxyMembers<'a>,
}

impl<'a> Changes<'a> {
    /// The model's constraints, all failures in one ValidationException.
    fn read(input: &'a Value) -> Result<Self, KmsFault> {
        let mut c = Check::new(input);
        let id = c.string(&v::STORE_ID, true)?;
        let new_name = c.string(&v::NEW_STORE_NAME, false)?;
        let password = c.string(&v::PASSWORD, false)?;
        let cluster = c.string(&v::CLUSTER_ID, false)?;
        // An empty service name is how a caller drops it when moving to PUBLIC_ENDPOINT.
        let proxy = ProxyMembers::read(&mut c, input, true)?;
        c.finish()?;
        Ok(Self {
            id: id.unwrap_or_default(),
            new_name,
            password,
            cluster,
            proxy,
        })
    }

    /// The store as the update leaves it, if its new settings hold together.
    fn apply(&self, store: &Store) -> Result<Store, KmsFault> {
        let mut next = store.clone();
        if let Some(n) = self.new_name {
            next.name = n.to_string();
        }
        if let Some(x) = next.xks.as_mut() {
            apply_proxy(&self.proxy, x, &mut next.secrets)?;
        } else if let Some(c) = self.cluster {
            move_cluster(&mut next, c)?;
        }
        if let Some(p) = self.password {
            next.secrets.kmsuser_password = Some(p.to_string());
        }
        Ok(next)
    }
}

impl Account {
    pub(super) fn update(&mut self, input: &Value) -> Result<Value, KmsFault> {
        let changes = Changes::read(input)?;
        let i = self.find(changes.id)?;
        let store = &self.stores[i];
        let external = store.xks.is_some();
        other_type_members(input, external, &store.store_type)?;
        check_state(store, &offline_members(input, external))?;
        if let Some(n) = changes.new_name {
            self.name_in_use(n, Some(i))?;
        }
        let next = changes.apply(store)?;
        if let Some(x) = &next.xks {
            self.proxy_in_use(x, Some(i))?;
        }
        self.rejected(input)?;
        self.stores[i] = next;
        Ok(json!({}))
    }
}

/// The members of the request that need a DISCONNECTED store.
fn offline_members(input: &Value, external: bool) -> Vec<&'static str> {
    let members: &[&'static str] = if external {
        &[
            "XksProxyUriEndpoint",
            "XksProxyVpcEndpointServiceName",
            "XksProxyVpcEndpointServiceOwner",
            "XksProxyConnectivity",
        ]
    } else {
        &["KeyStorePassword", "CloudHsmClusterId"]
    };
    members
        .iter()
        .copied()
        .filter(|m| present(input, m))
        .collect()
}

/// The model: a CloudHSM store's name, and an external store's name, credential and URI path
/// may change while CONNECTED; everything else (`offline`) needs DISCONNECTED.
fn check_state(store: &Store, offline: &[&str]) -> Result<(), KmsFault> {
    match (store.state, offline.is_empty()) {
        (ConnectionState::Disconnected, _) | (ConnectionState::Connected, true) => Ok(()),
        (state, true) => Err(invalid_state(format!(
            "Custom key store {} is in the {state} state. You can update it only when it is CONNECTED or DISCONNECTED.",
            store.id
        ))),
        (state, false) => Err(invalid_state(format!(
            "Custom key store {} is in the {state} state. Disconnect it before you change {}.",
            store.id,
            offline.join(", ")
        ))),
    }
}

/// Moves a CloudHSM store to a cluster that shares its backup history; from then on its
/// connects follow that cluster.
fn move_cluster(next: &mut Store, c: &str) -> Result<(), KmsFault> {
    // No other store can hold a related cluster (the scenario refuses it, as KMS's Create
    // does), so Update has no CloudHsmClusterInUseException: the model lists none for it.
    if Some(c) != next.cluster_id.as_deref() && !next.related_clusters.iter().any(|r| r == c) {
        return Err(fault(
            "CloudHsmClusterNotRelatedException",
            format!(
                "The AWS CloudHSM cluster {c} does not share a backup history with the cluster of custom key store {}.",
                next.id
            ),
        ));
    }
    if next.cluster_id.as_deref() != Some(c) {
        next.follows_cluster = true;
    }
    next.cluster_id = Some(c.to_string());
    Ok(())
}

/// Applies the proxy settings of a request to `x`, the store's configuration.
fn apply_proxy(p: &ProxyMembers, x: &mut XksSpec, secrets: &mut Secrets) -> Result<(), KmsFault> {
    let was = x.clone();
    if let Some(c) = p.connectivity {
        x.connectivity = c.to_string();
    }
    if let Some(e) = p.endpoint {
        x.uri_endpoint = e.to_string();
    }
    if let Some(p) = p.path {
        x.uri_path = p.to_string();
    }
    if let Some((key_id, raw)) = p.credential {
        x.access_key_id = key_id.to_string();
        secrets.xks_raw_secret = Some(raw.to_string());
    }
    match p.vpc {
        Some("") => x.vpc_endpoint_service_name = None,
        Some(s) => x.vpc_endpoint_service_name = Some(s.to_string()),
        None => {}
    }
    if let Some(o) = p.owner {
        x.vpc_endpoint_service_owner = Some(o.to_string());
    }
    connectivity_rules(&was, x, p)
}

/// UpdateCustomKeyStore's rules for moving between PUBLIC_ENDPOINT and VPC_ENDPOINT_SERVICE;
/// `x` is the configuration after the update (its VPC fields are cleared for a public store).
fn connectivity_rules(was: &XksSpec, x: &mut XksSpec, p: &ProxyMembers) -> Result<(), KmsFault> {
    let invalid = |m: &str| Err(fault("ValidationException", m));
    let new_endpoint = p
        .endpoint
        .is_some_and(|e| !e.eq_ignore_ascii_case(&was.uri_endpoint));
    if x.connectivity == VPC {
        if was.connectivity != VPC && !new_endpoint {
            return invalid(
                "When you change XksProxyConnectivity to VPC_ENDPOINT_SERVICE, you must also change XksProxyUriEndpoint.",
            );
        }
        if x.vpc_endpoint_service_name.is_none() {
            return invalid(
                "An external key store with VPC_ENDPOINT_SERVICE connectivity needs an XksProxyVpcEndpointServiceName.",
            );
        }
    } else {
        if was.connectivity == VPC && !new_endpoint {
            return invalid(
                "When you change XksProxyConnectivity to PUBLIC_ENDPOINT, you must also change XksProxyUriEndpoint.",
            );
        }
        if p.vpc.is_some_and(|s| !s.is_empty()) || p.owner.is_some() {
            return invalid(VPC_ONLY);
        }
        x.vpc_endpoint_service_name = None;
        x.vpc_endpoint_service_owner = None;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::account::testing::*;
    use serde_json::json;

    #[test]
    fn update_follows_the_models_state_rules() {
        let mut t = T::new();
        // Connected CloudHSM: only the name.
        t.ok(
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": HSM_CONNECTED, "NewCustomKeyStoreName": "renamed"}),
        );
        assert_eq!(t.store(HSM_CONNECTED)["CustomKeyStoreName"], "renamed");
        assert_eq!(
            t.code(
                "UpdateCustomKeyStore",
                json!({"CustomKeyStoreId": HSM_CONNECTED, "KeyStorePassword": "newPassword"})
            ),
            "CustomKeyStoreInvalidStateException"
        );
        // Connected external store: name, credential and path, not the endpoint.
        t.ok("UpdateCustomKeyStore", json!({
            "CustomKeyStoreId": XKS_CONNECTED, "NewCustomKeyStoreName": "renamed-xks", "XksProxyUriPath": "/new/kms/xks/v1",
            "XksProxyAuthenticationCredential": {"AccessKeyId": "ROTATEDKEYIDROTATED2", "RawSecretAccessKey": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}
        }));
        let x = t.store(XKS_CONNECTED);
        assert_eq!(
            (
                x["CustomKeyStoreName"].as_str(),
                x["XksProxyConfiguration"]["UriPath"].as_str()
            ),
            (Some("renamed-xks"), Some("/new/kms/xks/v1"))
        );
        assert_eq!(
            x["XksProxyConfiguration"]["AccessKeyId"],
            "ROTATEDKEYIDROTATED2"
        );
        assert_eq!(t.code("UpdateCustomKeyStore", json!({"CustomKeyStoreId": XKS_CONNECTED, "XksProxyUriEndpoint": "https://xks.moved.example.com"})), "CustomKeyStoreInvalidStateException");
        // Neither while CONNECTING or FAILED, not even the name.
        t.ok("ConnectCustomKeyStore", json!({"CustomKeyStoreId": SLOW}));
        for id in [SLOW, FAILED] {
            assert_eq!(
                t.code(
                    "UpdateCustomKeyStore",
                    json!({"CustomKeyStoreId": id, "NewCustomKeyStoreName": "n"})
                ),
                "CustomKeyStoreInvalidStateException"
            );
        }
        // Names stay unique; members of the other type are refused.
        assert_eq!(
            t.code(
                "UpdateCustomKeyStore",
                json!({"CustomKeyStoreId": XKS, "NewCustomKeyStoreName": "t-hsm"})
            ),
            "CustomKeyStoreNameInUseException"
        );
        t.ok(
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": XKS, "NewCustomKeyStoreName": "t-xks"}),
        );
        assert_eq!(
            t.code(
                "UpdateCustomKeyStore",
                json!({"CustomKeyStoreId": XKS, "KeyStorePassword": "newPassword"})
            ),
            "ValidationException"
        );
        assert_eq!(
            t.code(
                "UpdateCustomKeyStore",
                json!({"CustomKeyStoreId": HSM, "XksProxyUriPath": "/kms/xks/v2"})
            ),
            "ValidationException"
        );
        // Clusters: related ones only, and not one in use.
        assert_eq!(
            t.code(
                "UpdateCustomKeyStore",
                json!({"CustomKeyStoreId": HSM, "CloudHsmClusterId": "cluster-6aaaaaaaaaaa"})
            ),
            "CloudHsmClusterNotRelatedException"
        );
        t.ok("UpdateCustomKeyStore", json!({"CustomKeyStoreId": HSM, "CloudHsmClusterId": "cluster-2bbbbbbbbbbb", "KeyStorePassword": "newPassword"}));
        assert_eq!(t.store(HSM)["CloudHsmClusterId"], "cluster-2bbbbbbbbbbb");
        // Uniqueness on update.
        assert_eq!(t.code("UpdateCustomKeyStore", json!({"CustomKeyStoreId": XKS, "XksProxyUriEndpoint": "https://xks.t6.example.com"})), "XksProxyUriInUseException");
        assert_eq!(t.code("UpdateCustomKeyStore", json!({"CustomKeyStoreId": XKS, "XksProxyUriEndpoint": "https://xks.unreachable.example.com"})), "XksProxyUriUnreachableException");
        assert_eq!(
            t.code(
                "UpdateCustomKeyStore",
                json!({"CustomKeyStoreId": "cks-00000000000000000"})
            ),
            "CustomKeyStoreNotFoundException"
        );
    }

    #[test]
    fn update_moves_between_public_and_vpc() {
        let mut t = T::new();
        let svc = "com.amazonaws.vpce.us-east-1.vpce-svc-0ccc";
        assert_eq!(t.code("UpdateCustomKeyStore", json!({"CustomKeyStoreId": XKS, "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE", "XksProxyVpcEndpointServiceName": svc})), "ValidationException");
        assert_eq!(t.code("UpdateCustomKeyStore", json!({"CustomKeyStoreId": XKS, "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE", "XksProxyUriEndpoint": "https://xks.private.example.com"})), "ValidationException");
        assert_eq!(
            t.code(
                "UpdateCustomKeyStore",
                json!({"CustomKeyStoreId": XKS, "XksProxyVpcEndpointServiceName": svc})
            ),
            "ValidationException"
        );
        t.ok("UpdateCustomKeyStore", json!({"CustomKeyStoreId": XKS, "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE", "XksProxyUriEndpoint": "https://xks.private.example.com", "XksProxyVpcEndpointServiceName": svc}));
        let c = t.store(XKS)["XksProxyConfiguration"].clone();
        assert_eq!(
            (
                c["Connectivity"].as_str(),
                c["VpcEndpointServiceName"].as_str(),
                c["VpcEndpointServiceOwner"].as_str()
            ),
            (
                Some("VPC_ENDPOINT_SERVICE"),
                Some(svc),
                Some("123456789012")
            )
        );
        assert_eq!(t.code("UpdateCustomKeyStore", json!({"CustomKeyStoreId": XKS, "XksProxyConnectivity": "PUBLIC_ENDPOINT", "XksProxyVpcEndpointServiceName": ""})), "ValidationException");
        t.ok("UpdateCustomKeyStore", json!({"CustomKeyStoreId": XKS, "XksProxyConnectivity": "PUBLIC_ENDPOINT", "XksProxyUriEndpoint": "https://xks.public.example.com", "XksProxyVpcEndpointServiceName": ""}));
        let c = t.store(XKS)["XksProxyConfiguration"].clone();
        assert_eq!(c["Connectivity"], "PUBLIC_ENDPOINT");
        assert!(
            c.get("VpcEndpointServiceName").is_none() && c.get("VpcEndpointServiceOwner").is_none()
        );
        assert_eq!(
            t.code(
                "UpdateCustomKeyStore",
                json!({"CustomKeyStoreId": VPC_STORE, "XksProxyVpcEndpointServiceName": ""})
            ),
            "ValidationException"
        );
    }
}
