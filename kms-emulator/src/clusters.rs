//! The account's CloudHSM clusters and CloudHSM v2's `DescribeClusters` over them (AWS JSON 1.1,
//! `X-Amz-Target: BaldrApiService.DescribeClusters`): the `clusterIds`, `vpcIds` and `states`
//! filters, `MaxResults` 1–25 with an opaque `NextToken`, CloudHSM's errors. A cluster's health
//! is what KMS's Connect checks: ACTIVE, private subnets in two Availability Zones, and at least
//! one ACTIVE HSM.

use crate::cursor::Cursor;
use crate::kms::{ConnectionState, KmsFault, fault};
use crate::spec::{ClusterSpec, ConnectSpec};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The model's `ClusterState` and `HsmState` (botocore 1.44.8, cloudhsmv2 2017-04-28).
pub const CLUSTER_STATES: &[&str] = &[
    "CREATE_IN_PROGRESS",
    "UNINITIALIZED",
    "INITIALIZE_IN_PROGRESS",
    "INITIALIZED",
    "ACTIVE",
    "UPDATE_IN_PROGRESS",
    "MODIFY_IN_PROGRESS",
    "ROLLBACK_IN_PROGRESS",
    "DELETE_IN_PROGRESS",
    "DELETED",
    "DEGRADED",
];
pub const HSM_STATES: &[&str] = &[
    "CREATE_IN_PROGRESS",
    "ACTIVE",
    "DEGRADED",
    "DELETE_IN_PROGRESS",
    "DELETED",
];
const FILTERS: [&str; 3] = ["clusterIds", "vpcIds", "states"];
const MAX_RESULTS: i64 = 25;
const MAX_FILTERS: usize = 30;
const MAX_TOKEN: usize = 256;
const TOKENS: Cursor = Cursor {
    prefix: "AAEAAgBjbHVzdGVy",
    mask: 0x0c10_d45b_a1d2_c0de,
};

fn suffix_ok(rest: &str) -> bool {
    (11..=16).contains(&rest.len())
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || (b'2'..=b'7').contains(&b))
}

/// `cluster-[2-7a-zA-Z]{11,16}`.
pub fn is_cluster_id(s: &str) -> bool {
    s.strip_prefix("cluster-").is_some_and(suffix_ok)
}

/// `hsm-[2-7a-zA-Z]{11,16}`.
pub fn is_hsm_id(s: &str) -> bool {
    s.strip_prefix("hsm-").is_some_and(suffix_ok)
}

/// `subnet-`, `sg-`, `vpc-`, `eni-` and 8 to 17 hex digits.
pub fn is_hex_id(prefix: &str, s: &str) -> bool {
    s.strip_prefix(prefix)
        .is_some_and(|h| (8..=17).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// FNV-1a: stable made-up ids from names.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn hex_id(prefix: &str, parts: &[&str]) -> String {
    format!("{prefix}0{:016x}", hash(parts))
}

/// What KMS's Connect makes of a cluster, in the order it checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Not ACTIVE: Connect fails at once with CloudHsmClusterNotActiveException.
    NotActive,
    /// Subnets in fewer than two Availability Zones: CloudHsmClusterInvalidConfigurationException.
    InvalidConfiguration,
    /// No ACTIVE HSM: the connect fails with INSUFFICIENT_CLOUDHSM_HSMS.
    NoActiveHsm,
    Ready,
}

impl Health {
    /// The health a scenario store's first connect implies, for a cluster the scenario does
    /// not list.
    pub fn implied_by(connect: &ConnectSpec) -> Self {
        match connect.fast_failure.as_deref() {
            Some("CloudHsmClusterNotActiveException") => Self::NotActive,
            Some("CloudHsmClusterInvalidConfigurationException") => Self::InvalidConfiguration,
            _ if connect.result == ConnectionState::Failed
                && connect.error_code.as_deref() == Some("INSUFFICIENT_CLOUDHSM_HSMS") =>
            {
                Self::NoActiveHsm
            }
            _ => Self::Ready,
        }
    }

    /// What Connect does to a store on a cluster in this health; `ready` is the script of a
    /// healthy cluster (the scenario's `new_stores.cloudhsm`).
    pub fn connect(self, ready: &ConnectSpec) -> ConnectSpec {
        let fast = |code: &str| ConnectSpec {
            fast_failure: Some(code.to_string()),
            ..ready.clone()
        };
        match self {
            Self::NotActive => fast("CloudHsmClusterNotActiveException"),
            Self::InvalidConfiguration => fast("CloudHsmClusterInvalidConfigurationException"),
            Self::NoActiveHsm => failed(ready.delay_seconds, "INSUFFICIENT_CLOUDHSM_HSMS"),
            Self::Ready => ready.clone(),
        }
    }
}

/// A connect that ends FAILED with `code` after `delay` emulated seconds.
pub fn failed(delay: f64, code: &str) -> ConnectSpec {
    ConnectSpec {
        delay_seconds: delay,
        result: ConnectionState::Failed,
        error_code: Some(code.into()),
        fast_failure: None,
    }
}

#[derive(Clone, Debug)]
pub struct Hsm {
    pub id: String,
    pub az: String,
    pub state: String,
    pub subnet_id: String,
    pub eni_id: String,
    pub eni_ip: String,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub id: String,
    pub state: String,
    pub state_message: Option<String>,
    pub hsms: Vec<Hsm>,
    /// Availability Zone → subnet id.
    pub subnets: BTreeMap<String, String>,
    pub security_group: String,
    pub vpc_id: String,
    pub hsm_type: String,
    pub created: f64,
    /// Listing order, and what tokens point at.
    pub seq: u64,
}

impl Cluster {
    /// A cluster from the scenario; `created` is epoch seconds.
    pub fn from_spec(spec: &ClusterSpec, region: &str, created: f64, seq: u64) -> Self {
        let subnets = spec.subnet_mapping.clone().unwrap_or_else(|| {
            let mut zones: Vec<String> = vec![format!("{region}a"), format!("{region}b")];
            zones.extend(spec.hsms.iter().map(|h| h.az.clone()));
            zones
                .into_iter()
                .map(|az| {
                    let subnet = hex_id("subnet-", &[&spec.id, &az]);
                    (az, subnet)
                })
                .collect()
        });
        let hsms = spec
            .hsms
            .iter()
            .enumerate()
            .map(|(i, h)| Self::hsm(&spec.id, &h.id, &h.az, &h.state, &subnets, i))
            .collect();
        Self {
            id: spec.id.clone(),
            state: spec.state.clone(),
            state_message: spec.state_message.clone(),
            hsms,
            security_group: spec
                .security_group
                .clone()
                .unwrap_or_else(|| hex_id("sg-", &[&spec.id])),
            vpc_id: spec
                .vpc_id
                .clone()
                .unwrap_or_else(|| hex_id("vpc-", &[&spec.id])),
            hsm_type: spec
                .hsm_type
                .clone()
                .unwrap_or_else(|| "hsm2m.medium".into()),
            subnets,
            created,
            seq,
        }
    }

    /// A cluster the scenario does not list, in the given health.
    pub fn implicit(id: &str, health: Health, region: &str, created: f64, seq: u64) -> Self {
        let (state, zones, hsms): (&str, &[&str], &[&str]) = match health {
            Health::Ready => ("ACTIVE", &["a", "b"], &["a", "b"]),
            Health::NoActiveHsm => ("ACTIVE", &["a", "b"], &[]),
            Health::NotActive => ("INITIALIZED", &["a", "b"], &["a"]),
            Health::InvalidConfiguration => ("ACTIVE", &["a"], &["a"]),
        };
        let spec = ClusterSpec {
            id: id.to_string(),
            state: state.to_string(),
            state_message: None,
            hsms: hsms
                .iter()
                .enumerate()
                .map(|(i, z)| crate::spec::HsmSpec {
                    id: Self::hsm_id(id, i),
                    az: format!("{region}{z}"),
                    state: "ACTIVE".into(),
                })
                .collect(),
            subnet_mapping: Some(
                zones
                    .iter()
                    .map(|z| {
                        let az = format!("{region}{z}");
                        let subnet = hex_id("subnet-", &[id, &az]);
                        (az, subnet)
                    })
                    .collect(),
            ),
            security_group: None,
            vpc_id: None,
            hsm_type: None,
        };
        Self::from_spec(&spec, region, created, seq)
    }

    /// `hsm-` and 11 letters or digits 2-7, made up from the cluster id.
    fn hsm_id(cluster: &str, i: usize) -> String {
        const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
        let mut h = hash(&[cluster, &i.to_string()]);
        let mut out = String::from("hsm-");
        for _ in 0..11 {
            out.push(ALPHABET[(h & 31) as usize] as char);
            h >>= 5;
        }
        out
    }

    fn hsm(
        cluster: &str,
        id: &str,
        az: &str,
        state: &str,
        subnets: &BTreeMap<String, String>,
        i: usize,
    ) -> Hsm {
        let zone = subnets.keys().position(|z| z == az).unwrap_or(0);
        Hsm {
            id: id.to_string(),
            az: az.to_string(),
            state: state.to_string(),
            subnet_id: subnets
                .get(az)
                .cloned()
                .unwrap_or_else(|| hex_id("subnet-", &[cluster, az])),
            eni_id: hex_id("eni-", &[cluster, id]),
            eni_ip: format!("10.{}.{}.{}", hash(&[cluster]) % 250, zone * 16 + 1, 10 + i),
        }
    }

    pub fn active_hsms(&self) -> usize {
        self.hsms.iter().filter(|h| h.state == "ACTIVE").count()
    }

    pub fn health(&self) -> Health {
        if self.state != "ACTIVE" {
            Health::NotActive
        } else if self.subnets.len() < 2 {
            Health::InvalidConfiguration
        } else if self.active_hsms() == 0 {
            Health::NoActiveHsm
        } else {
            Health::Ready
        }
    }

    /// The model's `Cluster`, with the members a real cluster shows.
    pub fn entry(&self) -> Value {
        let hsms: Vec<Value> = self
            .hsms
            .iter()
            .map(|h| {
                json!({
                    "AvailabilityZone": h.az,
                    "ClusterId": self.id,
                    "SubnetId": h.subnet_id,
                    "EniId": h.eni_id,
                    "EniIp": h.eni_ip,
                    "HsmId": h.id,
                    "HsmType": self.hsm_type,
                    "State": h.state,
                    "StateMessage": hsm_message(&h.state),
                })
            })
            .collect();
        let mut e = json!({
            "BackupPolicy": "DEFAULT",
            "BackupRetentionPolicy": {"Type": "DAYS", "Value": "90"},
            "ClusterId": self.id,
            "CreateTimestamp": self.created,
            "Hsms": hsms,
            "HsmType": self.hsm_type,
            "SecurityGroup": self.security_group,
            "State": self.state,
            "SubnetMapping": self.subnets,
            "VpcId": self.vpc_id,
            "NetworkType": "IPV4",
            "Mode": "FIPS",
        });
        if let Some(m) = &self.state_message {
            e["StateMessage"] = json!(m);
        }
        e
    }
}

fn hsm_message(state: &str) -> &'static str {
    match state {
        "ACTIVE" => "HSM created.",
        "CREATE_IN_PROGRESS" => "HSM creation in progress.",
        "DEGRADED" => "HSM is degraded.",
        "DELETE_IN_PROGRESS" => "HSM deletion in progress.",
        "DELETED" => "HSM deleted.",
        _ => "",
    }
}

fn invalid(message: impl Into<String>) -> KmsFault {
    fault("CloudHsmInvalidRequestException", message)
}

fn strings<'a>(v: &'a Value, what: &str) -> Result<Vec<&'a str>, KmsFault> {
    let Value::Array(items) = v else {
        return Err(fault(
            "SerializationException",
            format!("{what}: expected a list of strings."),
        ));
    };
    items
        .iter()
        .map(|i| {
            i.as_str().ok_or_else(|| {
                fault(
                    "SerializationException",
                    format!("{what}: expected a list of strings."),
                )
            })
        })
        .collect()
}

/// DescribeClusters over `clusters` (in listing order).
pub fn describe(clusters: &[Cluster], input: &Value) -> Result<Value, KmsFault> {
    let mut filters: Vec<(&str, Vec<&str>)> = Vec::new();
    match input.get("Filters") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            if map.len() > MAX_FILTERS {
                return Err(invalid(format!(
                    "Filters may have at most {MAX_FILTERS} entries."
                )));
            }
            for (k, v) in map {
                let values = strings(v, &format!("Filters.{k}"))?;
                if !FILTERS.contains(&k.as_str()) {
                    return Err(invalid(format!(
                        "Invalid filter key '{k}'. Valid filter keys are clusterIds, vpcIds and states."
                    )));
                }
                if values.is_empty() {
                    return Err(invalid(format!("Filter '{k}' needs at least one value.")));
                }
                for x in &values {
                    let ok = match k.as_str() {
                        "clusterIds" => is_cluster_id(x),
                        "states" => CLUSTER_STATES.contains(x),
                        _ => true,
                    };
                    if !ok {
                        return Err(invalid(format!("Invalid value '{x}' for filter '{k}'.")));
                    }
                }
                filters.push((k.as_str(), values));
            }
        }
        Some(_) => {
            return Err(fault(
                "SerializationException",
                "Filters: expected a map of filter names to lists of strings.",
            ));
        }
    }
    let max = match input.get("MaxResults") {
        None | Some(Value::Null) => MAX_RESULTS,
        Some(Value::Number(n)) => {
            let m = n.as_i64().unwrap_or(i64::MAX);
            if !(1..=MAX_RESULTS).contains(&m) {
                return Err(invalid(format!(
                    "MaxResults must be from 1 to {MAX_RESULTS} (it is {n})."
                )));
            }
            m
        }
        Some(_) => {
            return Err(fault(
                "SerializationException",
                "MaxResults: expected an integer.",
            ));
        }
    } as usize;
    let from = match input.get("NextToken") {
        None | Some(Value::Null) => 0,
        Some(Value::String(t)) => TOKENS
            .decode(t)
            .filter(|seq| t.len() <= MAX_TOKEN && clusters.iter().any(|c| c.seq == *seq))
            .ok_or_else(|| invalid("The NextToken is not valid."))?,
        Some(_) => {
            return Err(fault(
                "SerializationException",
                "NextToken: expected a string.",
            ));
        }
    };
    let selected: Vec<&Cluster> = clusters
        .iter()
        .filter(|c| c.seq >= from)
        .filter(|c| {
            filters.iter().all(|(k, values)| {
                let v = match *k {
                    "clusterIds" => c.id.as_str(),
                    "vpcIds" => c.vpc_id.as_str(),
                    _ => c.state.as_str(),
                };
                values.contains(&v)
            })
        })
        .collect();
    let page = &selected[..max.min(selected.len())];
    let mut out = Map::new();
    out.insert(
        "Clusters".into(),
        Value::Array(page.iter().map(|c| c.entry()).collect()),
    );
    if let Some(next) = selected.get(page.len()) {
        out.insert("NextToken".into(), json!(TOKENS.encode(next.seq)));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Scenario;

    fn clusters() -> Vec<Cluster> {
        let s = Scenario::parse(crate::scenario::DEFAULT).unwrap();
        s.clusters
            .iter()
            .enumerate()
            .map(|(i, c)| Cluster::from_spec(c, &s.region, 1.7e9, i as u64))
            .collect()
    }

    #[test]
    fn ids_and_entries_fit_the_model() {
        for h in [
            Health::Ready,
            Health::NoActiveHsm,
            Health::NotActive,
            Health::InvalidConfiguration,
        ] {
            let c = Cluster::implicit("cluster-2aaaaaaaaaaa", h, "eu-west-1", 1.7e9, 0);
            assert_eq!(c.health(), h);
            for hsm in &c.hsms {
                assert!(is_hsm_id(&hsm.id), "{}", hsm.id);
                assert!(is_hex_id("eni-", &hsm.eni_id) && is_hex_id("subnet-", &hsm.subnet_id));
                assert_eq!(c.subnets.get(&hsm.az), Some(&hsm.subnet_id));
            }
            assert!(is_hex_id("sg-", &c.security_group) && is_hex_id("vpc-", &c.vpc_id));
            let e = c.entry();
            assert_eq!(e["ClusterId"], "cluster-2aaaaaaaaaaa");
            assert!(
                e["SubnetMapping"]["eu-west-1a"]
                    .as_str()
                    .unwrap()
                    .starts_with("subnet-")
            );
        }
        let a = Cluster::implicit("cluster-2aaaaaaaaaaa", Health::Ready, "us-east-1", 0.0, 0);
        assert_ne!(a.hsms[0].id, a.hsms[1].id);
        assert_ne!(a.hsms[0].az, a.hsms[1].az);
    }

    #[test]
    fn filters_pages_and_errors() {
        let all = clusters();
        let out = describe(&all, &json!({})).unwrap();
        assert_eq!(out["Clusters"].as_array().unwrap().len(), all.len());
        assert!(out.get("NextToken").is_none());
        let one = describe(
            &all,
            &json!({"Filters": {"clusterIds": ["cluster-234abcdefgh"]}}),
        )
        .unwrap();
        assert_eq!(one["Clusters"][0]["ClusterId"], "cluster-234abcdefgh");
        assert_eq!(one["Clusters"].as_array().unwrap().len(), 1);
        let none = describe(
            &all,
            &json!({"Filters": {"clusterIds": ["cluster-777777777777"]}}),
        )
        .unwrap();
        assert_eq!(none["Clusters"], json!([]));
        let inactive = describe(
            &all,
            &json!({"Filters": {"states": ["INITIALIZED", "UNINITIALIZED"]}}),
        )
        .unwrap();
        assert!(
            inactive["Clusters"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["State"] != "ACTIVE")
        );
        // Pages of two, following the token, see every cluster once.
        let mut seen = Vec::new();
        let mut input = json!({"MaxResults": 2});
        loop {
            let page = describe(&all, &input).unwrap();
            seen.extend(
                page["Clusters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["ClusterId"].clone()),
            );
            match page.get("NextToken") {
                Some(t) => input["NextToken"] = t.clone(),
                None => break,
            }
        }
        assert_eq!(seen.len(), all.len());
        for (input, code) in [
            (
                json!({"NextToken": "nope"}),
                "CloudHsmInvalidRequestException",
            ),
            (json!({"MaxResults": 26}), "CloudHsmInvalidRequestException"),
            (json!({"MaxResults": 0}), "CloudHsmInvalidRequestException"),
            (
                json!({"Filters": {"colour": ["red"]}}),
                "CloudHsmInvalidRequestException",
            ),
            (
                json!({"Filters": {"clusterIds": ["cluster-1"]}}),
                "CloudHsmInvalidRequestException",
            ),
            (
                json!({"Filters": {"clusterIds": []}}),
                "CloudHsmInvalidRequestException",
            ),
            (
                json!({"Filters": {"states": ["SLEEPY"]}}),
                "CloudHsmInvalidRequestException",
            ),
            (
                json!({"Filters": {"clusterIds": "cluster-234abcdefgh"}}),
                "SerializationException",
            ),
            (json!({"Filters": []}), "SerializationException"),
            (json!({"MaxResults": "2"}), "SerializationException"),
            (json!({"NextToken": 3}), "SerializationException"),
        ] {
            assert_eq!(describe(&all, &input).unwrap_err().code, code, "{input}");
        }
    }
}
