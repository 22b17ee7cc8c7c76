//! Request members that Create and Update read alike, so that both refuse the same things in
//! the same words.

use crate::kms::{KmsFault, fault};
use crate::validate::{self as v, Check};
use serde_json::Value;

/// Create's and Update's answer to VPC settings on a PUBLIC_ENDPOINT store.
pub(super) const VPC_ONLY: &str = "XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.";

/// Request members that only one store type takes.
const CLOUDHSM_MEMBERS: [&str; 3] = [
    "CloudHsmClusterId",
    "TrustAnchorCertificate",
    "KeyStorePassword",
];
const XKS_MEMBERS: [&str; 6] = [
    "XksProxyUriEndpoint",
    "XksProxyUriPath",
    "XksProxyVpcEndpointServiceName",
    "XksProxyVpcEndpointServiceOwner",
    v::CREDENTIAL,
    "XksProxyConnectivity",
];

pub(super) fn present(input: &Value, member: &str) -> bool {
    input.get(member).is_some_and(|x| !x.is_null())
}

/// Refuses a member of the other store type (Create and Update alike).
pub(super) fn other_type_members(
    input: &Value,
    external: bool,
    store_type: &str,
) -> Result<(), KmsFault> {
    let foreign: &[&str] = if external {
        &CLOUDHSM_MEMBERS
    } else {
        &XKS_MEMBERS
    };
    match foreign.iter().find(|m| present(input, m)) {
        Some(m) => Err(fault(
            "ValidationException",
            format!("{m} is not valid for a custom key store of type {store_type}."),
        )),
        None => Ok(()),
    }
}

/// An external key store's proxy settings, as Create and Update take them.
pub(super) struct ProxyMembers<'a> {
    pub(super) endpoint: Option<&'a str>,
    pub(super) path: Option<&'a str>,
    /// In Update, `Some("")` drops the service name (when moving to PUBLIC_ENDPOINT).
    pub(super) vpc: Option<&'a str>,
    pub(super) owner: Option<&'a str>,
    pub(super) credential: Option<(&'a str, &'a str)>,
    pub(super) connectivity: Option<&'a str>,
}

impl<'a> ProxyMembers<'a> {
    /// Checks them into `c`, after the members before them; `empty_vpc` lets an empty service
    /// name through (Update).
    pub(super) fn read(
        c: &mut Check<'a>,
        input: &'a Value,
        empty_vpc: bool,
    ) -> Result<Self, KmsFault> {
        let endpoint = c.string(&v::URI_ENDPOINT, false)?;
        let path = c.string(&v::URI_PATH, false)?;
        let vpc = match input.get(v::VPC_SERVICE.member) {
            Some(Value::String(s)) if empty_vpc && s.is_empty() => Some(""),
            _ => c.string(&v::VPC_SERVICE, false)?,
        };
        let owner = c.string(&v::VPC_OWNER, false)?;
        let credential = c.credential()?;
        let connectivity = c.enumeration("XksProxyConnectivity", v::CONNECTIVITY)?;
        Ok(Self {
            endpoint,
            path,
            vpc,
            owner,
            credential,
            connectivity,
        })
    }
}
