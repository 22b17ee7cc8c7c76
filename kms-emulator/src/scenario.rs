//! Scenario files: the account the emulator pretends to be (credentials, stores, CloudHSM
//! clusters, quota), each store's scripted connect outcomes, and the faults to inject. The format is documented in
//! `kms-emulator/README.md`; `Scenario::parse` rejects anything the emulator could not honour.
//! The types are `spec`'s; this module checks them against the clusters, stores and faults.

use crate::clusters::{CLUSTER_STATES, HSM_STATES, is_cluster_id, is_hex_id, is_hsm_id};
use crate::kms::ConnectionState;
use crate::spec::{ClusterSpec, ConnectSpec, OPERATIONS, Scenario, StoreSpec};
use crate::validate::{CLOUDHSM, CONNECTIVITY, EXTERNAL};
use std::collections::HashSet;

pub const DEFAULT: &str = include_str!("../scenarios/default.json");

impl Scenario {
    pub fn parse(text: &str) -> Result<Self, String> {
        let s: Scenario = serde_json::from_str(text).map_err(|e| format!("scenario: {e}"))?;
        s.check().map_err(|e| format!("scenario: {e}"))?;
        Ok(s)
    }

    fn check(&self) -> Result<(), String> {
        if self.credentials.is_empty() {
            return Err("at least one credential is needed".into());
        }
        for c in &self.credentials {
            if let Some(a) = c.deny.iter().find(|a| {
                let cloudhsm = *a == "cloudhsm:DescribeClusters";
                let cloudwatch = a
                    .strip_prefix("cloudwatch:")
                    .is_some_and(|op| crate::cloudwatch::OPERATIONS.contains(&op));
                let kms = a.strip_prefix("kms:").is_some_and(|op| {
                    op != "DescribeClusters"
                        && !crate::cloudwatch::OPERATIONS.contains(&op)
                        && OPERATIONS.contains(&op)
                });
                !(cloudhsm || kms || cloudwatch)
            }) {
                return Err(format!(
                    "credential {}: deny {a} is not kms:<operation>, cloudhsm:DescribeClusters or cloudwatch:<operation>",
                    c.access_key_id
                ));
            }
        }
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("account_id {} is not 12 digits", self.account_id));
        }
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for st in &self.stores {
            if !ids.insert(st.id.as_str()) {
                return Err(format!("store id {} appears twice", st.id));
            }
            if !names.insert(st.name.as_str()) {
                return Err(format!("store name {} appears twice", st.name));
            }
            st.check()?;
            if let Some(m) = &st.metrics {
                crate::cloudwatch::series::check(m, &st.store_type)
                    .map_err(|e| format!("store {}: {e}", st.id))?;
            }
        }
        crate::cloudwatch::CloudWatch::new(self, 0)?;
        for c in [&self.new_stores.cloudhsm, &self.new_stores.external] {
            c.check("new_stores")?;
        }
        // KMS's Create refuses a cluster that shares a backup history with another store's:
        // a store related to another store's cluster cannot exist.
        for st in &self.stores {
            if let Some(other) = self.stores.iter().find(|o| {
                o.id != st.id
                    && o.cluster_id
                        .as_ref()
                        .is_some_and(|c| st.related_clusters.contains(c))
            }) {
                return Err(format!(
                    "store {}: related cluster {} is the cluster of store {} (KMS never lets two stores share a backup history)",
                    st.id,
                    other.cluster_id.as_deref().unwrap_or(""),
                    other.id
                ));
            }
        }
        let mut clusters = HashSet::new();
        let mut hsms = HashSet::new();
        for c in &self.clusters {
            if !clusters.insert(c.id.as_str()) {
                return Err(format!("cluster {} appears twice", c.id));
            }
            c.check(&self.region, &mut hsms)?;
        }
        for r in &self.rejects {
            if r.member.is_empty() || r.error.is_empty() {
                return Err("a reject needs a member and an error".into());
            }
        }
        for f in &self.faults {
            crate::faults::Rule::from_spec(f, None)?;
        }
        self.check_keys()
    }

    /// Keys: ids and alias names unique in the account, states KMS's, external key IDs only in
    /// external key stores and unique there.
    fn check_keys(&self) -> Result<(), String> {
        let mut ids = HashSet::new();
        let mut aliases = HashSet::new();
        for st in &self.stores {
            let mut xks_ids = HashSet::new();
            for k in st.keys.keys() {
                if let Some(id) = &k.id
                    && !ids.insert(id.clone())
                {
                    return Err(format!("key {id} appears twice"));
                }
                if let Some(state) = k
                    .state
                    .as_deref()
                    .filter(|s| !["Enabled", "Disabled"].contains(s))
                {
                    return Err(format!(
                        "store {}: key state {state} is not Enabled or Disabled",
                        st.id
                    ));
                }
                for a in &k.aliases {
                    if !a.starts_with("alias/")
                        || a.starts_with("alias/aws/")
                        || !aliases.insert(a.clone())
                    {
                        return Err(format!(
                            "store {}: alias {a} is not a new alias/ name",
                            st.id
                        ));
                    }
                }
                if let Some(x) = &k.xks_key_id {
                    if st.xks.is_none() {
                        return Err(format!(
                            "store {}: xks_key_id on a key of a CloudHSM key store",
                            st.id
                        ));
                    }
                    if !xks_ids.insert(x.clone()) {
                        return Err(format!(
                            "store {}: external key {x} is used by two keys",
                            st.id
                        ));
                    }
                }
            }
            if st.xks.is_none() && !st.external_keys.is_empty() {
                return Err(format!(
                    "store {}: external_keys on a CloudHSM key store",
                    st.id
                ));
            }
        }
        if self.key_quota == 0 {
            return Err("key_quota must be at least 1".into());
        }
        Ok(())
    }
}

impl StoreSpec {
    fn check(&self) -> Result<(), String> {
        let id = &self.id;
        if !self.state.is_resting() {
            return Err(format!(
                "store {id} starts in {}, which is not a resting state",
                self.state
            ));
        }
        match (self.store_type.as_str(), &self.cluster_id, &self.xks) {
            (CLOUDHSM, Some(_), None) | (EXTERNAL, None, Some(_)) => {}
            (CLOUDHSM, _, _) => {
                return Err(format!(
                    "store {id}: AWS_CLOUDHSM needs cluster_id and no xks"
                ));
            }
            (EXTERNAL, _, _) => {
                return Err(format!(
                    "store {id}: EXTERNAL_KEY_STORE needs xks and no cluster_id"
                ));
            }
            (other, _, _) => return Err(format!("store {id}: unknown type {other}")),
        }
        if let Some(x) = &self.xks
            && !CONNECTIVITY.contains(&x.connectivity.as_str())
        {
            return Err(format!(
                "store {id}: unknown connectivity {}",
                x.connectivity
            ));
        }
        if !(self.disconnect_seconds >= 0.0 && self.disconnect_seconds.is_finite()) {
            return Err(format!("store {id}: disconnect_seconds must be >= 0"));
        }
        self.connect.check(id)?;
        if let Some(r) = &self.reconnect {
            r.check(id)?;
        }
        for f in &self.faults {
            crate::faults::Rule::from_spec(f, Some(id))?;
        }
        Ok(())
    }
}

impl ClusterSpec {
    fn check<'a>(&'a self, region: &str, hsm_ids: &mut HashSet<&'a str>) -> Result<(), String> {
        let id = &self.id;
        if !is_cluster_id(id) {
            return Err(format!(
                "cluster {id}: the id must be cluster- and 11 to 16 letters or digits 2-7"
            ));
        }
        if !CLUSTER_STATES.contains(&self.state.as_str()) {
            return Err(format!("cluster {id}: unknown state {}", self.state));
        }
        let zone = |az: &str| {
            az.strip_prefix(region)
                .is_some_and(|l| l.len() == 1 && l.bytes().all(|b| b.is_ascii_lowercase()))
        };
        if let Some(m) = &self.subnet_mapping {
            for (az, subnet) in m {
                if !zone(az) {
                    return Err(format!(
                        "cluster {id}: {az} is not an Availability Zone of {region}"
                    ));
                }
                if !is_hex_id("subnet-", subnet) {
                    return Err(format!("cluster {id}: {subnet} is not a subnet id"));
                }
            }
        }
        for (what, value, prefix) in [
            ("security_group", &self.security_group, "sg-"),
            ("vpc_id", &self.vpc_id, "vpc-"),
        ] {
            if let Some(v) = value
                && !is_hex_id(prefix, v)
            {
                return Err(format!(
                    "cluster {id}: {what} {v} is not {prefix} and hex digits"
                ));
            }
        }
        for h in &self.hsms {
            if !is_hsm_id(&h.id) {
                return Err(format!(
                    "cluster {id}: HSM id {} must be hsm- and 11 to 16 letters or digits 2-7",
                    h.id
                ));
            }
            if !hsm_ids.insert(h.id.as_str()) {
                return Err(format!("HSM {} appears twice", h.id));
            }
            if !HSM_STATES.contains(&h.state.as_str()) {
                return Err(format!("HSM {}: unknown state {}", h.id, h.state));
            }
            if !zone(&h.az) {
                return Err(format!(
                    "HSM {}: {} is not an Availability Zone of {region}",
                    h.id, h.az
                ));
            }
            if self
                .subnet_mapping
                .as_ref()
                .is_some_and(|m| !m.contains_key(&h.az))
            {
                return Err(format!(
                    "HSM {}: the cluster has no subnet in {}",
                    h.id, h.az
                ));
            }
        }
        Ok(())
    }
}

impl ConnectSpec {
    fn check(&self, whose: &str) -> Result<(), String> {
        if !matches!(
            self.result,
            ConnectionState::Connected | ConnectionState::Failed
        ) {
            return Err(format!(
                "{whose} connects to {}, not CONNECTED or FAILED",
                self.result
            ));
        }
        if !(self.delay_seconds >= 0.0 && self.delay_seconds.is_finite()) {
            return Err(format!("{whose}: delay_seconds must be >= 0"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_scenarios_parse() {
        let d = Scenario::parse(DEFAULT).unwrap();
        assert!(d.stores.len() >= 12);
        assert_eq!(d.store_quota, 100);
        assert!(d.faults.is_empty(), "the demo scenario injects no faults");
        let t = Scenario::parse(include_str!("../scenarios/testing.json")).unwrap();
        assert!(
            t.credentials
                .iter()
                .any(|c| c.expires_in_seconds.is_some_and(|e| e < 0))
        );
    }

    #[test]
    fn bad_scenarios_are_refused() {
        let base =
            r#"{"credentials":[{"access_key_id":"A","secret_access_key":"B"}],"stores":[STORE]}"#;
        for (store, words) in [
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","state":"CONNECTING"}"#,
                "resting",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM"}"#,
                "cluster_id",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","connect":{"result":"MAYBE"}}"#,
                "MAYBE",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","faults":[{"kind":"boom"}]}"#,
                "boom",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","faults":[{"kind":"throttle","rate":2}]}"#,
                "rate",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","faults":[{"kind":"error","operations":["GenerateDataKey"]}]}"#,
                "GenerateDataKey",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","keys":[{"state":"PendingImport"}]}"#,
                "PendingImport",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","keys":[{"xks_key_id":"x"}]}"#,
                "xks_key_id",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","keys":[{"aliases":["alias/aws/x"]}]}"#,
                "alias/aws/x",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","external_keys":[{"id":"x"}]}"#,
                "external_keys",
            ),
            (
                r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c","colour":"red"}"#,
                "colour",
            ),
        ] {
            let err = Scenario::parse(&base.replace("STORE", store)).unwrap_err();
            assert!(err.contains(words), "{err}");
        }
        let two = base.replace(
            "STORE",
            r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"c"},{"id":"a","name":"m","type":"AWS_CLOUDHSM","cluster_id":"d"}"#,
        );
        assert!(Scenario::parse(&two).unwrap_err().contains("twice"));
        let shared = base.replace(
            "STORE",
            r#"{"id":"a","name":"n","type":"AWS_CLOUDHSM","cluster_id":"cluster-2aaaaaaaaaaa","related_clusters":["cluster-2bbbbbbbbbbb"]},{"id":"b","name":"m","type":"AWS_CLOUDHSM","cluster_id":"cluster-2bbbbbbbbbbb"}"#,
        );
        assert!(
            Scenario::parse(&shared)
                .unwrap_err()
                .contains("backup history")
        );
        assert!(Scenario::parse(r#"{"credentials":[]}"#).is_err());
    }

    #[test]
    fn bad_clusters_and_denials_are_refused() {
        let base = r#"{"credentials":[{"access_key_id":"A","secret_access_key":"B"}],"clusters":[CLUSTER]}"#;
        for (cluster, words) in [
            (r#"{"id":"cluster-1"}"#, "cluster- and 11 to 16"),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","state":"SLEEPING"}"#,
                "SLEEPING",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","hsms":[{"id":"hsm-2aaaaaaaaaaa","az":"eu-west-1a"}]}"#,
                "not an Availability Zone of us-east-1",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","hsms":[{"id":"hsm-2aaaaaaaaaaa","az":"us-east-1a","state":"ON"}]}"#,
                "unknown state ON",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","hsms":[{"id":"hsm-1","az":"us-east-1a"}]}"#,
                "hsm- and",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","subnet_mapping":{"us-east-1a":"subnet-0123456789"},"hsms":[{"id":"hsm-2aaaaaaaaaaa","az":"us-east-1b"}]}"#,
                "no subnet in us-east-1b",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","subnet_mapping":{"us-east-1a":"net-1"}}"#,
                "not a subnet id",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa","security_group":"sg-xyz"}"#,
                "security_group",
            ),
            (
                r#"{"id":"cluster-2aaaaaaaaaaa"},{"id":"cluster-2aaaaaaaaaaa"}"#,
                "appears twice",
            ),
            (r#"{"id":"cluster-2aaaaaaaaaaa","size":3}"#, "size"),
        ] {
            let err = Scenario::parse(&base.replace("CLUSTER", cluster)).unwrap_err();
            assert!(err.contains(words), "{err}");
        }
        let ok = base.replace(
            "CLUSTER",
            r#"{"id":"cluster-2aaaaaaaaaaa","hsms":[{"id":"hsm-2aaaaaaaaaaa","az":"us-east-1c"}]}"#,
        );
        assert_eq!(Scenario::parse(&ok).unwrap().clusters[0].state, "ACTIVE");
        for deny in [
            "cloudhsm:CreateHsm",
            "kms:DescribeClusters",
            "DescribeClusters",
        ] {
            let s = format!(
                r#"{{"credentials":[{{"access_key_id":"A","secret_access_key":"B","deny":["{deny}"]}}]}}"#
            );
            assert!(Scenario::parse(&s).unwrap_err().contains(deny), "{deny}");
        }
    }
}
