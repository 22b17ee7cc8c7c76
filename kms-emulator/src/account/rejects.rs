//! The scenario's `rejects`: member values that Create and Update refuse as KMS would once it
//! has asked the backing cluster or proxy (not found, unreachable, wrong credential, ...).

use super::Account;
use crate::kms::{KmsFault, fault};
use serde_json::Value;

impl Account {
    /// Values the scenario says the backing cluster or proxy rejects.
    pub(super) fn rejected(&self, input: &Value) -> Result<(), KmsFault> {
        for r in &self.rejects {
            let value = r
                .member
                .split('.')
                .try_fold(input, |at, key| at.get(key))
                .and_then(Value::as_str);
            if value == Some(r.value.as_str()) {
                let message = r
                    .message
                    .clone()
                    .unwrap_or_else(|| reject_message(&r.error).to_string());
                return Err(fault(&r.error, message));
            }
        }
        Ok(())
    }
}

/// The model's wording for the errors a scenario may script with `rejects`.
fn reject_message(code: &str) -> &'static str {
    match code {
        "CloudHsmClusterNotFoundException" => {
            "KMS cannot find the AWS CloudHSM cluster with the specified cluster ID. Retry the request with a different cluster ID."
        }
        "CloudHsmClusterNotActiveException" => {
            "The AWS CloudHSM cluster is not active. Initialize and activate the cluster and try the command again."
        }
        "CloudHsmClusterInvalidConfigurationException" => {
            "The AWS CloudHSM cluster does not meet the configuration requirements for a custom key store."
        }
        "IncorrectTrustAnchorException" => {
            "The trust anchor certificate is not the trust anchor certificate for the specified AWS CloudHSM cluster."
        }
        "XksProxyUriUnreachableException" => {
            "KMS was unable to reach the specified XksProxyUriPath. The path must be reachable before you create the external key store or update its settings."
        }
        "XksProxyIncorrectAuthenticationCredentialException" => {
            "The proxy credentials failed to authenticate to the specified external key store proxy."
        }
        "XksProxyInvalidResponseException" => {
            "KMS cannot interpret the response it received from the external key store proxy."
        }
        "XksProxyInvalidConfigurationException" => {
            "The external key store proxy is not configured correctly."
        }
        "XksProxyVpcEndpointServiceNotFoundException" => {
            "KMS could not find the specified VPC endpoint service."
        }
        "XksProxyVpcEndpointServiceInvalidConfigurationException" => {
            "The Amazon VPC endpoint service configuration does not fulfill the requirements for an external key store."
        }
        _ => "The request was rejected.",
    }
}
