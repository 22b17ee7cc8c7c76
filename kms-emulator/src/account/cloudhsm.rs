//! The account's CloudHSM clusters: the scenario's, and those its stores or a Create name that
//! the scenario does not list, made in the health the store's script implies (healthy for a
//! Create), so that DescribeClusters agrees with what Connect does.

use crate::clusters::{Cluster, Health};
use crate::spec::Scenario;

/// The scenario's clusters (made a month ago), then one for every store's cluster and related
/// cluster the scenario does not list.
pub(super) fn scenario_clusters(scenario: &Scenario, started_ms: i64) -> Vec<Cluster> {
    let region = scenario.region.as_str();
    let month_ago = (started_ms as f64 / 1000.0 - 30.0 * 86_400.0).floor();
    let mut clusters: Vec<Cluster> = scenario
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| Cluster::from_spec(c, region, month_ago + i as f64 * 3600.0, i as u64))
        .collect();
    for s in &scenario.stores {
        let own = s
            .cluster_id
            .iter()
            .map(|c| (c, Health::implied_by(&s.connect)));
        let related = s.related_clusters.iter().map(|c| (c, Health::Ready));
        for (id, health) in own.chain(related) {
            add_unlisted(&mut clusters, id, health, region, |seq| {
                month_ago + seq as f64 * 3600.0
            });
        }
    }
    clusters
}

/// Adds cluster `id` in `health` unless it is listed; `created` (epoch seconds) is given its
/// listing position.
pub(super) fn add_unlisted(
    clusters: &mut Vec<Cluster>,
    id: &str,
    health: Health,
    region: &str,
    created: impl FnOnce(u64) -> f64,
) {
    if clusters.iter().any(|c| c.id == id) {
        return;
    }
    let seq = clusters.len() as u64;
    clusters.push(Cluster::implicit(id, health, region, created(seq), seq));
}

#[cfg(test)]
mod tests {
    use crate::account::testing::*;
    use crate::account::{Account, CLOUDHSM};
    use crate::clusters::Health;
    use crate::spec::Scenario;
    use crate::stores::Pace;
    use serde_json::{Value, json};

    fn cluster(t: &mut T, id: &str) -> Value {
        let out = t.ok("DescribeClusters", json!({"Filters": {"clusterIds": [id]}}));
        assert_eq!(out["Clusters"].as_array().unwrap().len(), 1, "{out}");
        out["Clusters"][0].clone()
    }

    #[test]
    fn the_default_scenarios_clusters_agree_with_its_scripts() {
        let s = Scenario::parse(crate::scenario::DEFAULT).unwrap();
        let a = Account::new(&s, Pace { time_scale: 1.0 }, 1_700_000_000_000, 1);
        assert_eq!(
            a.cluster_count(),
            s.clusters.len(),
            "every cluster is listed"
        );
        for st in s.stores.iter().filter(|st| st.store_type == CLOUDHSM) {
            let id = st.cluster_id.as_deref().unwrap();
            let c = a.clusters.iter().find(|c| c.id == id).unwrap();
            assert_eq!(c.health(), Health::implied_by(&st.connect), "{}", st.name);
            for r in &st.related_clusters {
                assert!(a.clusters.iter().any(|c| &c.id == r), "{r}");
            }
        }
        let health = |id: &str| a.clusters.iter().find(|c| c.id == id).unwrap();
        assert_eq!(health("cluster-234abcdefgh").active_hsms(), 2);
        assert_eq!(health("cluster-345bcdefghi").health(), Health::NoActiveHsm);
        assert_eq!(health("cluster-567defghijk").state, "INITIALIZED");
        assert_eq!(health("cluster-672efghijkl").subnets.len(), 1);
        assert_eq!(health("cluster-723fghijklm").active_hsms(), 3);
    }

    #[test]
    fn implicit_clusters_follow_the_store_scripts() {
        let mut t = T::new();
        // t-hsm-inactive's script fails fast as not active: its cluster is INITIALIZED.
        assert_eq!(
            cluster(&mut t, "cluster-4aaaaaaaaaaa")["State"],
            "INITIALIZED"
        );
        let healthy = cluster(&mut t, "cluster-2aaaaaaaaaaa");
        assert_eq!(healthy["State"], "ACTIVE");
        assert_eq!(healthy["Hsms"].as_array().unwrap().len(), 2);
        assert_eq!(cluster(&mut t, "cluster-2bbbbbbbbbbb")["State"], "ACTIVE");
        assert_eq!(
            t.code("DescribeClusters", json!({"NextToken": "x"})),
            "CloudHsmInvalidRequestException"
        );
    }

    #[test]
    fn created_stores_connect_as_their_cluster_allows() {
        let mut t = T::new();
        let made = |t: &mut T, name: &str, cluster: &str| {
            t.ok("CreateCustomKeyStore", hsm_create(name, cluster))["CustomKeyStoreId"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let no_hsm = made(&mut t, "n1", "cluster-6nohsmaaaaaa");
        t.ok("ConnectCustomKeyStore", json!({"CustomKeyStoreId": no_hsm}));
        let inactive = made(&mut t, "n2", "cluster-6inactiveaaaa");
        assert_eq!(
            t.code(
                "ConnectCustomKeyStore",
                json!({"CustomKeyStoreId": inactive})
            ),
            "CloudHsmClusterNotActiveException"
        );
        assert_eq!(t.store(&inactive)["ConnectionState"], "DISCONNECTED");
        // Removing a store frees quota for the next.
        t.ok(
            "DeleteCustomKeyStore",
            json!({"CustomKeyStoreId": inactive}),
        );
        let one_zone = made(&mut t, "n3", "cluster-6onezoneaaaa");
        let e = t.err(
            "ConnectCustomKeyStore",
            json!({"CustomKeyStoreId": one_zone}),
        );
        assert_eq!(e.code, "CloudHsmClusterInvalidConfigurationException");
        assert!(e.message.contains("cluster-6onezoneaaaa"), "{}", e.message);
        t.wait(31);
        let s = t.store(&no_hsm);
        assert_eq!(
            (
                s["ConnectionState"].as_str(),
                s["ConnectionErrorCode"].as_str()
            ),
            (Some("FAILED"), Some("INSUFFICIENT_CLOUDHSM_HSMS"))
        );
    }

    #[test]
    fn a_new_cluster_id_is_a_healthy_cluster_and_moves_follow_the_new_cluster() {
        let mut t = T::new();
        assert_eq!(
            t.ok(
                "DescribeClusters",
                json!({"Filters": {"clusterIds": ["cluster-7bbbbbbbbbbb"]}})
            )["Clusters"],
            json!([])
        );
        let id = t.ok(
            "CreateCustomKeyStore",
            hsm_create("n1", "cluster-7bbbbbbbbbbb"),
        )["CustomKeyStoreId"]
            .as_str()
            .unwrap()
            .to_string();
        let c = cluster(&mut t, "cluster-7bbbbbbbbbbb");
        assert_eq!(c["State"], "ACTIVE");
        assert_eq!(c["Hsms"][1]["State"], "ACTIVE");
        assert_eq!(
            t.code(
                "CreateCustomKeyStore",
                hsm_create("n2", "cluster-nonexistent")
            ),
            "CloudHsmClusterNotFoundException"
        );
        t.ok("ConnectCustomKeyStore", json!({"CustomKeyStoreId": id}));
        t.wait(30);
        assert_eq!(t.store(&id)["ConnectionState"], "CONNECTED");
        // A scenario store moved to another cluster follows that cluster from then on.
        t.ok(
            "UpdateCustomKeyStore",
            json!({"CustomKeyStoreId": HSM, "CloudHsmClusterId": "cluster-2bbbbbbbbbbb"}),
        );
        let i = t.a.find(HSM).unwrap();
        assert!(t.a.stores[i].follows_cluster);
        t.ok("ConnectCustomKeyStore", json!({"CustomKeyStoreId": HSM}));
        t.wait(30);
        assert_eq!(t.store(HSM)["ConnectionState"], "CONNECTED");
    }
}
