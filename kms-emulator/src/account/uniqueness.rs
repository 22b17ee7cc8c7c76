//! What must be unique among an account's stores in a region: names, CloudHSM clusters, proxy
//! URIs (endpoint and path), a VPC endpoint service's endpoint, and VPC endpoint services.
//! `except` is the store being updated, which may keep its own.

use super::{Account, VPC};
use crate::kms::{KmsFault, fault};
use crate::spec::XksSpec;
use crate::stores::Store;

/// The external key stores other than the one being updated, with their proxies.
type Proxies<'a> = [(&'a Store, &'a XksSpec)];

impl Account {
    pub(super) fn name_in_use(&self, name: &str, except: Option<usize>) -> Result<(), KmsFault> {
        if self
            .stores
            .iter()
            .enumerate()
            .any(|(i, s)| s.name == name && Some(i) != except)
        {
            return Err(fault(
                "CustomKeyStoreNameInUseException",
                format!(
                    "A custom key store named '{name}' already exists in this account and region."
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn cluster_in_use(
        &self,
        cluster: &str,
        except: Option<usize>,
    ) -> Result<(), KmsFault> {
        if let Some(s) = self
            .stores
            .iter()
            .enumerate()
            .find(|(i, s)| s.cluster_id.as_deref() == Some(cluster) && Some(*i) != except)
        {
            return Err(fault(
                "CloudHsmClusterInUseException",
                format!(
                    "The AWS CloudHSM cluster {cluster} is already associated with custom key store {}.",
                    s.1.id
                ),
            ));
        }
        Ok(())
    }

    /// KMS's uniqueness rules for external key stores in a region, in the order it checks them.
    pub(super) fn proxy_in_use(&self, x: &XksSpec, except: Option<usize>) -> Result<(), KmsFault> {
        let others: Vec<(&Store, &XksSpec)> = self
            .stores
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != except)
            .filter_map(|(_, s)| s.xks.as_ref().map(|o| (s, o)))
            .collect();
        uri_in_use(&others, x)?;
        endpoint_in_use(&others, x)?;
        vpc_service_in_use(&others, x)
    }
}

fn same_host(a: &XksSpec, b: &XksSpec) -> bool {
    a.uri_endpoint.eq_ignore_ascii_case(&b.uri_endpoint)
}

fn uri_in_use(others: &Proxies, x: &XksSpec) -> Result<(), KmsFault> {
    match others
        .iter()
        .find(|(_, o)| same_host(o, x) && o.uri_path == x.uri_path)
    {
        Some((s, _)) => Err(fault(
            "XksProxyUriInUseException",
            format!(
                "The proxy URI {}{} is already used by external key store {}.",
                x.uri_endpoint, x.uri_path, s.id
            ),
        )),
        None => Ok(()),
    }
}

/// A VPC endpoint service's private DNS name belongs to one store.
fn endpoint_in_use(others: &Proxies, x: &XksSpec) -> Result<(), KmsFault> {
    match others
        .iter()
        .find(|(_, o)| same_host(o, x) && (o.connectivity == VPC || x.connectivity == VPC))
    {
        Some((s, _)) => Err(fault(
            "XksProxyUriEndpointInUseException",
            format!(
                "The proxy URI endpoint {} is already used by external key store {}.",
                x.uri_endpoint, s.id
            ),
        )),
        None => Ok(()),
    }
}

fn vpc_service_in_use(others: &Proxies, x: &XksSpec) -> Result<(), KmsFault> {
    let Some(name) = x.vpc_endpoint_service_name.as_deref() else {
        return Ok(());
    };
    match others
        .iter()
        .find(|(_, o)| o.vpc_endpoint_service_name.as_deref() == Some(name))
    {
        Some((s, _)) => Err(fault(
            "XksProxyVpcEndpointServiceInUseException",
            format!(
                "The VPC endpoint service {name} is already associated with external key store {}.",
                s.id
            ),
        )),
        None => Ok(()),
    }
}
