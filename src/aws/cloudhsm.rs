//! CloudHSM v2 on the wire: `DescribeClusters` (AWS JSON 1.1, `X-Amz-Target:
//! BaldrApiService.DescribeClusters`, signing name `cloudhsm`), typed after botocore's model
//! (`botocore/data/cloudhsmv2/2017-04-28/service-2.json`), with only the members the pre-flight
//! checks and the store overview need. Enums keep values they do not know, as in `kms`.

use crate::aws::credentials::Credentials;
use crate::aws::endpoint::Endpoint;
use crate::aws::json::{FromJson, Obj, required};
use crate::aws::kms::Validate;
use crate::aws::kms::wire_enum;
use crate::aws::limits::{self, Problem};
use crate::aws::sign::{SignError, SignedRequest, sign_json};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The SigV4 signing name of CloudHSM v2 (the model's `signingName`; its endpoint prefix is
/// `cloudhsmv2`).
pub const SIGNING_NAME: &str = "cloudhsm";
/// The model's `targetPrefix`.
pub const TARGET_PREFIX: &str = "BaldrApiService";
/// `X-Amz-Target` of DescribeClusters.
pub const DESCRIBE_CLUSTERS_TARGET: &str = "BaldrApiService.DescribeClusters";
/// The IAM action DescribeClusters needs.
pub const DESCRIBE_CLUSTERS_ACTION: &str = "cloudhsm:DescribeClusters";
/// The filter of DescribeClusters that selects clusters by id (the others are `vpcIds` and
/// `states`).
pub const FILTER_CLUSTER_IDS: &str = "clusterIds";
/// `MaxResults` of DescribeClusters (the model's `ClustersMaxSize`).
pub const MAX_RESULTS_RANGE: std::ops::RangeInclusive<u8> = 1..=25;
/// The model's limits on `Filters` (entries) and `NextToken` (characters).
pub const MAX_FILTERS: usize = 30;
pub const MAX_NEXT_TOKEN: usize = 256;

wire_enum!(
    /// The model's `ClusterState`.
    ClusterState {
        CreateInProgress = "CREATE_IN_PROGRESS",
        Uninitialized = "UNINITIALIZED",
        InitializeInProgress = "INITIALIZE_IN_PROGRESS",
        Initialized = "INITIALIZED",
        Active = "ACTIVE",
        UpdateInProgress = "UPDATE_IN_PROGRESS",
        ModifyInProgress = "MODIFY_IN_PROGRESS",
        RollbackInProgress = "ROLLBACK_IN_PROGRESS",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        Deleted = "DELETED",
        Degraded = "DEGRADED",
    }
);

wire_enum!(
    /// The model's `HsmState`.
    HsmState {
        CreateInProgress = "CREATE_IN_PROGRESS",
        Active = "ACTIVE",
        Degraded = "DEGRADED",
        DeleteInProgress = "DELETE_IN_PROGRESS",
        Deleted = "DELETED",
    }
);

/// The DescribeClusters request. `Filters` maps a filter name (`clusterIds`, `vpcIds`,
/// `states`) to its values.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeClustersRequest {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub filters: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u8>,
}

impl DescribeClustersRequest {
    /// The request for one cluster: `{"Filters":{"clusterIds":["cluster-..."]}}`.
    pub fn for_cluster(cluster_id: &str) -> Self {
        let mut filters = BTreeMap::new();
        filters.insert(
            FILTER_CLUSTER_IDS.to_string(),
            vec![cluster_id.trim().to_string()],
        );
        Self {
            filters,
            ..Self::default()
        }
    }

    /// The request for the page after `response`, if there is one (same filters and size).
    pub fn next_page(&self, response: &DescribeClustersResponse) -> Option<Self> {
        let token = response.next_token.as_deref().filter(|t| !t.is_empty())?;
        Some(Self {
            next_token: Some(token.to_string()),
            ..self.clone()
        })
    }
}

impl Validate for DescribeClustersRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.filters.len() > MAX_FILTERS {
            out.push(Problem {
                member: "Filters",
                message: format!(
                    "may have at most {MAX_FILTERS} entries (it has {}).",
                    self.filters.len()
                ),
            });
        }
        for (name, values) in &self.filters {
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !name_ok {
                out.push(Problem {
                    member: "Filters",
                    message: "has a filter name that is not letters, digits, _ or -.".into(),
                });
            }
            if name == FILTER_CLUSTER_IDS {
                for v in values {
                    if let Err(p) = limits::CLOUD_HSM_CLUSTER_ID.check("Filters.clusterIds", v) {
                        out.push(p);
                    }
                }
            }
        }
        if let Some(t) = &self.next_token
            && t.chars().count() > MAX_NEXT_TOKEN
        {
            out.push(Problem {
                member: "NextToken",
                message: format!("may have at most {MAX_NEXT_TOKEN} characters."),
            });
        }
        if let Some(m) = self.max_results.filter(|m| !MAX_RESULTS_RANGE.contains(m)) {
            out.push(Problem {
                member: "MaxResults",
                message: format!("must be from 1 to 25 (it is {m})."),
            });
        }
        out
    }
}

/// `Clusters` is required here, as `CustomKeyStores` is for KMS: an empty or cut-off body that
/// still parses must not read as "no such cluster" (which the pre-flight reports as a failure).
#[derive(Clone, Debug, PartialEq)]
pub struct DescribeClustersResponse {
    pub clusters: Vec<Cluster>,
    pub next_token: Option<String>,
}

impl FromJson for DescribeClustersResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            clusters: required(o.list("Clusters")?, "Clusters")?,
            next_token: o.str("NextToken")?,
        })
    }
}

impl DescribeClustersResponse {
    /// The cluster with this id on this page.
    pub fn find(&self, cluster_id: &str) -> Option<&Cluster> {
        let id = cluster_id.trim();
        self.clusters
            .iter()
            .find(|c| c.cluster_id.as_deref() == Some(id))
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cluster {
    pub cluster_id: Option<String>,
    pub state: Option<ClusterState>,
    pub state_message: Option<String>,
    pub hsms: Vec<Hsm>,
    /// Availability Zone → subnet id.
    pub subnet_mapping: BTreeMap<String, String>,
    pub security_group: Option<String>,
    pub vpc_id: Option<String>,
    pub hsm_type: Option<String>,
    /// Epoch seconds, with a fraction.
    pub create_timestamp: Option<f64>,
    /// `FIPS` or `NON_FIPS` (hsm2m clusters).
    pub mode: Option<String>,
    pub network_type: Option<String>,
    pub source_backup_id: Option<String>,
}

impl FromJson for Cluster {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a cluster")?;
        Ok(Self {
            cluster_id: o.str("ClusterId")?,
            state: o.enumeration("State")?,
            state_message: o.str("StateMessage")?,
            hsms: o.list("Hsms")?.unwrap_or_default(),
            subnet_mapping: o.string_map("SubnetMapping")?,
            security_group: o.str("SecurityGroup")?,
            vpc_id: o.str("VpcId")?,
            hsm_type: o.str("HsmType")?,
            create_timestamp: o.num("CreateTimestamp")?,
            mode: o.str("Mode")?,
            network_type: o.str("NetworkType")?,
            source_backup_id: o.str("SourceBackupId")?,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hsm {
    pub hsm_id: String,
    pub availability_zone: Option<String>,
    pub cluster_id: Option<String>,
    pub subnet_id: Option<String>,
    pub eni_id: Option<String>,
    pub eni_ip: Option<String>,
    pub hsm_type: Option<String>,
    pub state: Option<HsmState>,
    pub state_message: Option<String>,
}

impl FromJson for Hsm {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "an HSM")?;
        Ok(Self {
            hsm_id: o.str("HsmId")?.unwrap_or_default(),
            availability_zone: o.str("AvailabilityZone")?,
            cluster_id: o.str("ClusterId")?,
            subnet_id: o.str("SubnetId")?,
            eni_id: o.str("EniId")?,
            eni_ip: o.str("EniIp")?,
            hsm_type: o.str("HsmType")?,
            state: o.enumeration("State")?,
            state_message: o.str("StateMessage")?,
        })
    }
}

impl Hsm {
    pub fn is_active(&self) -> bool {
        self.state == Some(HsmState::Active)
    }
}

impl Cluster {
    pub fn is_active(&self) -> bool {
        self.state == Some(ClusterState::Active)
    }

    /// The ACTIVE HSMs.
    pub fn active_hsms(&self) -> impl Iterator<Item = &Hsm> {
        self.hsms.iter().filter(|h| h.is_active())
    }

    /// The distinct Availability Zones of the ACTIVE HSMs, sorted.
    pub fn active_zones(&self) -> Vec<&str> {
        let mut zones: Vec<&str> = self
            .active_hsms()
            .filter_map(|h| h.availability_zone.as_deref())
            .collect();
        // A cluster has a handful of HSMs: an insertion sort gives the same order as
        // `sort_unstable` without compiling a quicksort for `&str` (about 1 KB of brotli wasm).
        for i in 1..zones.len() {
            let mut j = i;
            while j > 0 && zones[j - 1] > zones[j] {
                zones.swap(j - 1, j);
                j -= 1;
            }
        }
        zones.dedup();
        zones
    }

    /// The distinct Availability Zones of the cluster's subnets, sorted.
    pub fn subnet_zones(&self) -> Vec<&str> {
        self.subnet_mapping.keys().map(String::as_str).collect()
    }
}

/// For the store overview: (ACTIVE HSMs, all HSMs the cluster lists).
pub fn hsm_count(cluster: &Cluster) -> (usize, usize) {
    (cluster.active_hsms().count(), cluster.hsms.len())
}

/// Parses a DescribeClusters success body.
pub fn parse_describe_clusters(body: &str) -> Result<DescribeClustersResponse, String> {
    crate::aws::json::parse(body)
        .map_err(|e| format!("the response is not the JSON CloudHSM sends ({e})"))
}

/// Signs a DescribeClusters call for `endpoint` (see `endpoint::cloudhsm_endpoint`).
pub fn sign_describe_clusters(
    creds: &Credentials,
    endpoint: &Endpoint,
    request: &DescribeClustersRequest,
    now_ms: i64,
) -> Result<SignedRequest, SignError> {
    sign_json(
        creds,
        SIGNING_NAME,
        &endpoint.signing_region,
        &endpoint.url,
        DESCRIBE_CLUSTERS_TARGET,
        crate::aws::kms::to_body(request),
        now_ms,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_states_are_kept() {
        let c: Cluster = crate::aws::json::parse(
            r#"{"State":"HIBERNATING","Hsms":[{"HsmId":"hsm-1","State":"NEW"}]}"#,
        )
        .unwrap();
        assert_eq!(c.state, Some(ClusterState::Other("HIBERNATING".into())));
        assert_eq!(c.hsms[0].state.as_ref().unwrap().as_str(), "NEW");
        assert_eq!(hsm_count(&c), (0, 1));
    }
}
