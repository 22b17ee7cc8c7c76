//! Pre-flight checks before Connect: what KMS will need, checked first so that a user learns in
//! seconds what a failed connect would say minutes later.
//!
//! For a CloudHSM key store the input is the outcome of CloudHSM's `DescribeClusters` for the
//! store's cluster: KMS needs the cluster ACTIVE with at least one ACTIVE HSM, and recommends two
//! in different Availability Zones. A failed lookup (no `cloudhsm:DescribeClusters` permission,
//! no network path to CloudHSM) makes the verdict `Unknown`, which never stands in the way of a
//! Connect. For an external key store only the shape of the configuration can be checked: KMS
//! tests the proxy itself during the connect.

use crate::aws::cloudhsm::{Cluster, ClusterState, HsmState, hsm_count};
use crate::aws::error::{ErrorKind, KmsError};
use crate::aws::kms::{CustomKeyStore, XksProxyConnectivity};
use crate::aws::limits;

/// How a check (or the whole verdict) came out, from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// As KMS needs it.
    Ok,
    /// KMS connects, but something is below its recommendation.
    Warn,
    /// Could not be checked; never a reason to hold back a Connect.
    Unknown,
    /// KMS is expected to refuse the connect (or fail it).
    Fail,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warning",
            Self::Unknown => "unknown",
            Self::Fail => "fail",
        }
    }
}

/// Which check a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckId {
    /// CloudHSM knows the cluster.
    ClusterFound,
    ClusterState,
    /// At least one ACTIVE HSM (Fail), at least two (Warn).
    ActiveHsms,
    /// The ACTIVE HSMs span two or more Availability Zones.
    HsmZones,
    /// The cluster's subnets span two or more Availability Zones.
    Subnets,
    SecurityGroup,
    /// `cloudhsm:DescribeClusters` was denied.
    Permission,
    /// DescribeClusters failed otherwise.
    Lookup,
    XksConnectivity,
    XksEndpoint,
    XksPath,
    XksVpcService,
    XksVpcOwner,
}

impl CheckId {
    /// A short label for the panel.
    pub fn label(self) -> &'static str {
        match self {
            Self::ClusterFound => "Cluster",
            Self::ClusterState => "Cluster state",
            Self::ActiveHsms => "Active HSMs",
            Self::HsmZones => "HSM Availability Zones",
            Self::Subnets => "Subnets",
            Self::SecurityGroup => "Security group",
            Self::Permission => "Permission",
            Self::Lookup => "Cluster lookup",
            Self::XksConnectivity => "Connectivity",
            Self::XksEndpoint => "Proxy URI endpoint",
            Self::XksPath => "Proxy URI path",
            Self::XksVpcService => "VPC endpoint service",
            Self::XksVpcOwner => "VPC endpoint service owner",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub id: CheckId,
    pub level: Level,
    /// What was found, in plain words.
    pub line: String,
    /// What to do, for a check that is not Ok.
    pub fix: Option<String>,
    /// What KMS is expected to report if connected as is: an exception Connect returns at once
    /// (`CloudHsmClusterNotActiveException`) or the `ConnectionErrorCode` of a FAILED store.
    pub kms_reports: Option<&'static str>,
}

impl Check {
    fn ok(id: CheckId, line: String) -> Self {
        Self {
            id,
            level: Level::Ok,
            line,
            fix: None,
            kms_reports: None,
        }
    }

    fn not_ok(id: CheckId, level: Level, line: String, fix: impl Into<String>) -> Self {
        Self {
            id,
            level,
            line,
            fix: Some(fix.into()),
            kms_reports: None,
        }
    }

    fn reports(mut self, what: &'static str) -> Self {
        self.kms_reports = Some(what);
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The worst level of the checks (`Ok` when there are none).
    pub overall: Level,
    /// One sentence for the top of the panel.
    pub headline: String,
    pub checks: Vec<Check>,
    /// What the checks cannot tell (KMS tests it during the connect).
    pub notes: Vec<String>,
    /// (ACTIVE HSMs, all HSMs) when the cluster was found.
    pub hsms: Option<(usize, usize)>,
}

impl Verdict {
    fn new(checks: Vec<Check>, notes: Vec<String>, hsms: Option<(usize, usize)>) -> Self {
        let overall = checks.iter().map(|c| c.level).max().unwrap_or(Level::Ok);
        let first = |level: Level| {
            checks
                .iter()
                .find(|c| c.level == level)
                .map(|c| c.line.clone())
                .unwrap_or_default()
        };
        let headline = match overall {
            Level::Ok => "Ready: KMS has what it needs to start connecting.".to_string(),
            Level::Warn => format!("KMS can connect, but: {}", first(Level::Warn)),
            Level::Unknown => format!(
                "Not checked: {} Connect is not blocked.",
                first(Level::Unknown)
            ),
            Level::Fail => format!("Connect is expected to fail: {}", first(Level::Fail)),
        };
        Self {
            overall,
            headline,
            checks,
            notes,
            hsms,
        }
    }

    /// Whether KMS is expected to refuse or fail the connect. `Unknown` never is.
    pub fn expect_failure(&self) -> bool {
        self.overall == Level::Fail
    }

    /// What KMS is expected to report (from the first failing check).
    pub fn expected_report(&self) -> Option<&'static str> {
        self.checks
            .iter()
            .find(|c| c.level == Level::Fail)
            .and_then(|c| c.kms_reports)
    }

    /// The check with this id.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

const KMSUSER_NOTE: &str = "KMS also logs in as the kmsuser crypto user with the store's password (it must exist and not be logged in or locked out); only the connect tests that.";

fn denied(err: &KmsError) -> bool {
    matches!(err.kind, ErrorKind::AccessDenied { .. })
        || matches!(
            err.code.as_str(),
            "CloudHsmAccessDeniedException" | "AccessDeniedException" | "AccessDenied"
        )
}

/// The pre-flight of a CloudHSM key store whose cluster is `cluster_id`, from the outcome of
/// `DescribeClusters` filtered by that id: `Ok(None)` when CloudHSM does not list it.
pub fn cloudhsm_preflight(
    cluster_id: &str,
    outcome: &Result<Option<Cluster>, KmsError>,
) -> Verdict {
    let id = cluster_id.trim();
    let not_found = || {
        Check::not_ok(
            CheckId::ClusterFound,
            Level::Fail,
            format!("CloudHSM has no cluster {id} in this account and region."),
            "Check the store's cluster ID and the region. If the cluster was deleted, create one from a backup of it and set its ID on the store (Update, while disconnected).",
        )
        .reports("CLUSTER_NOT_FOUND")
    };
    let cluster = match outcome {
        Ok(Some(c)) => c,
        Ok(None) => return Verdict::new(vec![not_found()], Vec::new(), None),
        Err(e) if e.code == "CloudHsmResourceNotFoundException" => {
            return Verdict::new(vec![not_found()], Vec::new(), None);
        }
        Err(e) if denied(e) => {
            // The explanation names cloudhsm:DescribeClusters and says Connect does not need it.
            let x = crate::console::explain::cloudhsm_error(e);
            let check = Check::not_ok(CheckId::Permission, Level::Unknown, x.meaning, x.fix);
            return Verdict::new(vec![check], Vec::new(), None);
        }
        Err(e) => {
            let check = Check::not_ok(
                CheckId::Lookup,
                Level::Unknown,
                format!("Could not check the cluster ({}: {}).", e.code, e.message),
                crate::console::explain::cloudhsm_error(e).fix,
            );
            return Verdict::new(vec![check], Vec::new(), None);
        }
    };
    let mut checks = vec![state_check(id, cluster)];
    checks.extend(hsm_checks(cluster));
    if let Some(c) = subnet_check(cluster) {
        checks.push(c);
    }
    checks.push(match &cluster.security_group {
        Some(sg) => Check::ok(
            CheckId::SecurityGroup,
            format!("Security group {sg}: KMS needs its default rules (TCP 2223-2225 within the group)."),
        ),
        None => Check::not_ok(
            CheckId::SecurityGroup,
            Level::Warn,
            "CloudHSM reports no security group for the cluster.".into(),
            "KMS reaches the HSMs through the cluster's security group (cloudhsm-cluster-<id>-sg): check the cluster in the CloudHSM console.",
        ),
    });
    Verdict::new(
        checks,
        vec![KMSUSER_NOTE.to_string()],
        Some(hsm_count(cluster)),
    )
}

fn state_check(id: &str, cluster: &Cluster) -> Check {
    use ClusterState as S;
    let Some(state) = &cluster.state else {
        return Check::not_ok(
            CheckId::ClusterState,
            Level::Unknown,
            format!("CloudHSM did not report the state of cluster {id}."),
            "Check the cluster in the CloudHSM console: KMS needs it ACTIVE.",
        );
    };
    let message = cluster
        .state_message
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        .map(|m| format!(" CloudHSM says: {m}"))
        .unwrap_or_default();
    if *state == S::Active {
        let vpc = cluster
            .vpc_id
            .as_deref()
            .map(|v| format!(" (in {v})"))
            .unwrap_or_default();
        return Check::ok(
            CheckId::ClusterState,
            format!("Cluster {id}{vpc} is ACTIVE."),
        );
    }
    let (what, fix) = match state {
        S::CreateInProgress => (
            "is still being created",
            "Wait until it is created, then initialize and activate it.",
        ),
        S::Uninitialized => (
            "is not initialized",
            "Initialize the cluster (sign its certificate signing request and upload the certificates), then activate it.",
        ),
        S::InitializeInProgress => (
            "is being initialized",
            "Wait until it is INITIALIZED, then activate it.",
        ),
        S::Initialized => (
            "is initialized but not activated",
            "Activate the cluster: connect to it with the CloudHSM CLI and set the admin password. Then check again.",
        ),
        S::UpdateInProgress | S::ModifyInProgress | S::RollbackInProgress => (
            "is being changed",
            "Wait until it is ACTIVE again, then check again.",
        ),
        S::DeleteInProgress | S::Deleted => (
            "is being deleted or was deleted",
            "Create a cluster from a backup of this one and set its ID on the store (Update, while disconnected).",
        ),
        S::Degraded => (
            "is DEGRADED",
            "Look at the cluster and its HSMs in the CloudHSM console and wait until it is ACTIVE again.",
        ),
        S::Active | S::Other(_) => (
            "is in a state this console does not know",
            "Check the cluster in the CloudHSM console: KMS needs it ACTIVE.",
        ),
    };
    Check::not_ok(
        CheckId::ClusterState,
        Level::Fail,
        format!(
            "Cluster {id} {what} ({state}), and KMS connects only to an ACTIVE cluster.{message}"
        ),
        fix,
    )
    .reports("CloudHsmClusterNotActiveException")
}

fn hsm_checks(cluster: &Cluster) -> Vec<Check> {
    let (active, total) = hsm_count(cluster);
    let mut out = Vec::new();
    match active {
        0 => {
            let line = if total == 0 {
                "The cluster has no HSM, and KMS needs at least one ACTIVE HSM.".to_string()
            } else {
                let states: Vec<String> = cluster
                    .hsms
                    .iter()
                    .map(|h| {
                        let s = h.state.as_ref().map_or("no state", |s| s.as_str());
                        format!("{} {s}", h.hsm_id)
                    })
                    .collect();
                format!(
                    "None of the cluster's {total} HSMs is ACTIVE ({}), and KMS needs at least one.",
                    states.join(", ")
                )
            };
            let creating = cluster
                .hsms
                .iter()
                .any(|h| h.state == Some(HsmState::CreateInProgress));
            let fix = if creating {
                "Wait until the HSM being created is ACTIVE, then check again."
            } else {
                "Create an HSM in the cluster (CloudHSM console or CreateHsm), better two in different Availability Zones, and wait until it is ACTIVE."
            };
            out.push(
                Check::not_ok(CheckId::ActiveHsms, Level::Fail, line, fix)
                    .reports("INSUFFICIENT_CLOUDHSM_HSMS"),
            );
            return out;
        }
        1 => out.push(Check::not_ok(
            CheckId::ActiveHsms,
            Level::Warn,
            format!("Only one ACTIVE HSM (of {total}). KMS connects with one, but recommends two in different Availability Zones, and needs two to create KMS keys in the store."),
            "Add an HSM in another Availability Zone.",
        )),
        n => out.push(Check::ok(
            CheckId::ActiveHsms,
            format!("{n} ACTIVE HSMs (of {total})."),
        )),
    }
    let zones = cluster.active_zones();
    match zones.len() {
        0 => {}
        1 => out.push(Check::not_ok(
            CheckId::HsmZones,
            Level::Warn,
            format!(
                "All ACTIVE HSMs are in one Availability Zone ({}).",
                zones[0]
            ),
            "Add an HSM in another Availability Zone: KMS recommends HSMs in at least two, and needs them there to create KMS keys.",
        )),
        n => out.push(Check::ok(
            CheckId::HsmZones,
            format!(
                "ACTIVE HSMs in {n} Availability Zones ({}).",
                zones.join(", ")
            ),
        )),
    }
    out
}

fn subnet_check(cluster: &Cluster) -> Option<Check> {
    let zones = cluster.subnet_zones();
    match zones.len() {
        0 => None,
        1 => Some(
            Check::not_ok(
                CheckId::Subnets,
                Level::Fail,
                format!(
                    "The cluster has subnets in one Availability Zone only ({}); KMS requires private subnets in at least two.",
                    zones[0]
                ),
                "A cluster's subnets are chosen when it is created: create a cluster from a backup of this one with private subnets in two or more Availability Zones, and set its ID on the store (Update, while disconnected).",
            )
            .reports("CloudHsmClusterInvalidConfigurationException"),
        ),
        n => Some(Check::ok(
            CheckId::Subnets,
            format!("Subnets in {n} Availability Zones ({}).", zones.join(", ")),
        )),
    }
}

const XKS_NOTE: &str = "KMS tests the proxy itself during the connect: that it answers at this endpoint and path, its TLS certificate, the proxy credential and its external key manager. The console does not contact the proxy, so those results show only in the connect's outcome.";
const XKS_VPC_NOTE: &str = "With VPC endpoint service connectivity KMS also checks the endpoint service during the connect: it must allow the principal cks.kms.<region>.amazonaws.com, not require acceptance, and have a verified private DNS name that matches the proxy URI endpoint.";

/// The pre-flight of an external key store: what can be known without the proxy's help (its
/// connectivity, the shape of its endpoint, path and VPC endpoint service name).
pub fn xks_preflight(store: &CustomKeyStore) -> Verdict {
    let update = "Fix it with Update (while the store is disconnected).";
    let Some(cfg) = &store.xks_proxy_configuration else {
        let check = Check::not_ok(
            CheckId::XksConnectivity,
            Level::Unknown,
            "KMS reported no proxy configuration for this store.".into(),
            "Refresh the store list; if it persists, look at the store in the KMS console.",
        );
        return Verdict::new(vec![check], vec![XKS_NOTE.to_string()], None);
    };
    let mut checks = Vec::new();
    let endpoint = cfg.uri_endpoint.as_deref().unwrap_or("");
    let vpc = cfg.connectivity == Some(XksProxyConnectivity::VpcEndpointService);
    checks.push(match &cfg.connectivity {
        Some(XksProxyConnectivity::PublicEndpoint) => Check::ok(
            CheckId::XksConnectivity,
            "Public endpoint connectivity: KMS reaches the proxy over the internet.".into(),
        ),
        Some(XksProxyConnectivity::VpcEndpointService) => Check::ok(
            CheckId::XksConnectivity,
            "VPC endpoint service connectivity: KMS reaches the proxy through your VPC endpoint service.".into(),
        ),
        Some(XksProxyConnectivity::Other(c)) => Check::not_ok(
            CheckId::XksConnectivity,
            Level::Unknown,
            format!("Connectivity {c} is new to this console."),
            "Read the KMS documentation for this connectivity type.",
        ),
        None => Check::not_ok(
            CheckId::XksConnectivity,
            Level::Unknown,
            "KMS reported no proxy connectivity for this store.".into(),
            "Look at the store in the KMS console.",
        ),
    });
    checks.push(
        match limits::XKS_PROXY_URI_ENDPOINT.check("XksProxyUriEndpoint", endpoint) {
            Ok(()) => Check::ok(
                CheckId::XksEndpoint,
                format!("Proxy URI endpoint {endpoint} has the form KMS expects."),
            ),
            Err(p) => Check::not_ok(
                CheckId::XksEndpoint,
                Level::Fail,
                format!("The proxy URI endpoint {}", p.message),
                update,
            ),
        },
    );
    let path = cfg.uri_path.as_deref().unwrap_or("");
    checks.push(
        match limits::XKS_PROXY_URI_PATH.check("XksProxyUriPath", path) {
            Ok(()) => Check::ok(
                CheckId::XksPath,
                format!("Proxy URI path {path} has the form KMS expects."),
            ),
            Err(p) => Check::not_ok(
                CheckId::XksPath,
                Level::Fail,
                format!("The proxy URI path {}", p.message),
                update,
            )
            .reports("XKS_PROXY_INVALID_CONFIGURATION"),
        },
    );
    if vpc {
        let name = cfg.vpc_endpoint_service_name.as_deref().unwrap_or("");
        checks.push(if name.is_empty() {
            Check::not_ok(
                CheckId::XksVpcService,
                Level::Fail,
                "The store has VPC endpoint service connectivity but no VPC endpoint service name."
                    .into(),
                update,
            )
            .reports("XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND")
        } else {
            match limits::XKS_PROXY_VPC_ENDPOINT_SERVICE_NAME
                .check("XksProxyVpcEndpointServiceName", name)
            {
                Ok(()) => Check::ok(
                    CheckId::XksVpcService,
                    format!("VPC endpoint service {name} has the form KMS expects."),
                ),
                Err(p) => Check::not_ok(
                    CheckId::XksVpcService,
                    Level::Fail,
                    format!("The VPC endpoint service name {}", p.message),
                    update,
                )
                .reports("XKS_VPC_ENDPOINT_SERVICE_NOT_FOUND"),
            }
        });
        if let Some(owner) = cfg.vpc_endpoint_service_owner.as_deref() {
            checks.push(
                match limits::ACCOUNT_ID.check("XksProxyVpcEndpointServiceOwner", owner) {
                    Ok(()) => Check::ok(
                        CheckId::XksVpcOwner,
                        format!("The VPC endpoint service belongs to account {owner}."),
                    ),
                    Err(p) => Check::not_ok(
                        CheckId::XksVpcOwner,
                        Level::Fail,
                        format!("The VPC endpoint service owner {}", p.message),
                        update,
                    ),
                },
            );
        }
    }
    let mut notes = vec![XKS_NOTE.to_string()];
    if vpc {
        notes.push(XKS_VPC_NOTE.to_string());
    }
    let mut v = Verdict::new(checks, notes, None);
    if v.overall == Level::Ok {
        v.headline =
            "The configuration has the form KMS expects; KMS tests the proxy during the connect."
                .to_string();
    }
    v
}
