//! The account's custom key stores and the six operations on them, with KMS's rules: what may
//! change in which state, unique names, clusters, proxy URIs and VPC endpoint services, the
//! store quota, and pagination markers. Also the account's CloudHSM clusters, which CloudHSM's
//! DescribeClusters lists and whose health decides the connects of stores that follow them.

use crate::clusters::{self, Cluster, Health};
use crate::rng::Rng;
use crate::scenario::{NewStores, RejectSpec, Scenario, StoreSpec, XksSpec};
use crate::stores::{ConnectionState, KmsFault, Pace, Secrets, Store, fault};
use crate::validate::{self as v, Check};
use serde_json::{Value, json};
use std::time::Instant;

pub struct Account {
    stores: Vec<Store>,
    clusters: Vec<Cluster>,
    region: String,
    next_seq: u64,
    quota: usize,
    account_id: String,
    rejects: Vec<RejectSpec>,
    new_stores: NewStores,
    pace: Pace,
    ids: Rng,
}

const VPC: &str = "VPC_ENDPOINT_SERVICE";
const PUBLIC: &str = "PUBLIC_ENDPOINT";
const EXTERNAL: &str = "EXTERNAL_KEY_STORE";
const CLOUDHSM: &str = "AWS_CLOUDHSM";

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

/// Markers are opaque to clients; this one hides the sequence number of the next store.
const MARKER_PREFIX: &str = "AQICAHg";
const MARKER_MASK: u64 = 0x6b6d_7365_6d75_6c61;

fn invalid_state(message: String) -> KmsFault {
    fault("CustomKeyStoreInvalidStateException", message)
}

fn present(input: &Value, member: &str) -> bool {
    input.get(member).is_some_and(|x| !x.is_null())
}

impl Account {
    /// `started_ms` is the emulator's clock at start-up; `seed` makes new ids repeatable.
    pub fn new(scenario: &Scenario, pace: Pace, started_ms: i64, seed: u64) -> Self {
        // Scenario stores were "created" over the last days, oldest first.
        let n = scenario.stores.len() as f64;
        let stores: Vec<Store> = scenario
            .stores
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let created =
                    (started_ms as f64 / 1000.0 - (n - i as f64) * 86_400.0 / 3.0).floor();
                Store::from_spec(s, created, i as u64)
            })
            .collect();
        // The scenario's clusters (made a month ago), then one for every store's cluster and
        // related cluster the scenario does not list, in the health the store's script implies.
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
                if !clusters.iter().any(|c| &c.id == id) {
                    let seq = clusters.len() as u64;
                    let created = month_ago + seq as f64 * 3600.0;
                    clusters.push(Cluster::implicit(id, health, region, created, seq));
                }
            }
        }
        Self {
            next_seq: stores.len() as u64,
            stores,
            clusters,
            region: scenario.region.clone(),
            quota: scenario.store_quota,
            account_id: scenario.account_id.clone(),
            rejects: scenario.rejects.clone(),
            new_stores: scenario.new_stores.clone(),
            pace,
            ids: Rng::new(seed ^ 0x05ee_d1d5),
        }
    }

    pub fn len(&self) -> usize {
        self.stores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stores.is_empty()
    }

    pub fn cluster_count(&self) -> usize {
        self.clusters.len()
    }

    /// What Connect does next to a store that follows its cluster.
    fn follow_cluster(&mut self, i: usize) {
        let s = &self.stores[i];
        if !s.follows_cluster {
            return;
        }
        let ready = &self.new_stores.cloudhsm;
        let script = match self
            .clusters
            .iter()
            .find(|c| Some(&c.id) == s.cluster_id.as_ref())
        {
            Some(c) => c.health().connect(ready),
            None => clusters::failed(ready.delay_seconds, "CLUSTER_NOT_FOUND"),
        };
        self.stores[i].set_script(script);
    }

    /// The id of the store a request names (for per-store faults).
    pub fn store_named(&self, input: &Value) -> Option<String> {
        if let Some(id) = input.get("CustomKeyStoreId").and_then(Value::as_str) {
            return Some(id.to_string());
        }
        let name = input.get("CustomKeyStoreName").and_then(Value::as_str)?;
        self.stores
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.id.clone())
    }

    /// Runs one operation. `now_ms` is the emulator's (skewed) clock, for creation dates.
    pub fn call(
        &mut self,
        op: &str,
        input: &Value,
        now: Instant,
        now_ms: i64,
    ) -> Result<Value, KmsFault> {
        for s in &mut self.stores {
            s.settle(now);
        }
        let pace = self.pace;
        match op {
            "DescribeCustomKeyStores" => self.describe(input),
            "ConnectCustomKeyStore" => {
                let i = self.target(input)?;
                self.follow_cluster(i);
                self.stores[i].connect(now, pace).map(|_| json!({}))
            }
            "DisconnectCustomKeyStore" => {
                let i = self.target(input)?;
                self.stores[i].disconnect(now, pace).map(|_| json!({}))
            }
            "CreateCustomKeyStore" => self.create(input, now_ms),
            "UpdateCustomKeyStore" => self.update(input),
            "DeleteCustomKeyStore" => self.delete(input),
            "DescribeClusters" => clusters::describe(&self.clusters, input),
            other => Err(fault(
                "UnknownOperationException",
                format!("The emulator does not implement '{other}'."),
            )),
        }
    }

    fn find(&self, id: &str) -> Result<usize, KmsFault> {
        self.stores.iter().position(|s| s.id == id).ok_or_else(|| {
            fault(
                "CustomKeyStoreNotFoundException",
                format!("Custom key store '{id}' does not exist in this account and region."),
            )
        })
    }

    /// The store of a request whose only member is `CustomKeyStoreId`.
    fn target(&self, input: &Value) -> Result<usize, KmsFault> {
        let mut c = Check::new(input);
        let id = c.string(&v::STORE_ID, true)?;
        c.finish()?;
        self.find(id.unwrap_or_default())
    }

    fn describe(&self, input: &Value) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let id = c.string(&v::STORE_ID, false)?;
        let name = c.string(&v::STORE_NAME, false)?;
        let limit = c.integer("Limit", 1, 1000)?.unwrap_or(1000).max(1) as usize;
        let marker = c.string(&v::MARKER, false)?;
        c.finish()?;
        if id.is_some() && name.is_some() {
            return Err(fault(
                "ValidationException",
                "Specify either CustomKeyStoreId or CustomKeyStoreName, not both.",
            ));
        }
        let from = match marker {
            None => 0,
            Some(m) => self.decode_marker(m).ok_or_else(|| {
                fault(
                    "InvalidMarkerException",
                    "The request was rejected because the marker that specifies where pagination should next begin is not valid.",
                )
            })?,
        };
        let selected: Vec<&Store> = self
            .stores
            .iter()
            .filter(|s| id.is_none_or(|i| s.id == i) && name.is_none_or(|n| s.name == n))
            .collect();
        if selected.is_empty()
            && let Some(what) = id.or(name)
        {
            return Err(fault(
                "CustomKeyStoreNotFoundException",
                format!("Custom key store '{what}' does not exist in this account and region."),
            ));
        }
        let rest: Vec<&Store> = selected.into_iter().filter(|s| s.seq >= from).collect();
        let page = &rest[..limit.min(rest.len())];
        let mut out = json!({
            "CustomKeyStores": page.iter().map(|s| s.entry(&self.account_id)).collect::<Vec<_>>(),
            "Truncated": rest.len() > page.len(),
        });
        if let Some(next) = rest.get(page.len()) {
            out["NextMarker"] = json!(format!("{MARKER_PREFIX}{:016x}", next.seq ^ MARKER_MASK));
        }
        Ok(out)
    }

    fn decode_marker(&self, m: &str) -> Option<u64> {
        let hex = m.strip_prefix(MARKER_PREFIX)?;
        if hex.len() != 16 {
            return None;
        }
        let seq = u64::from_str_radix(hex, 16).ok()? ^ MARKER_MASK;
        (seq <= self.next_seq).then_some(seq)
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

    /// Values the scenario says the backing cluster or proxy rejects.
    fn rejected(&self, input: &Value) -> Result<(), KmsFault> {
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

    fn name_in_use(&self, name: &str, except: Option<usize>) -> Result<(), KmsFault> {
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

    fn cluster_in_use(&self, cluster: &str, except: Option<usize>) -> Result<(), KmsFault> {
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

    /// KMS's uniqueness rules for external key stores in a region.
    fn proxy_in_use(&self, x: &XksSpec, except: Option<usize>) -> Result<(), KmsFault> {
        let others: Vec<(&Store, &XksSpec)> = self
            .stores
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != except)
            .filter_map(|(_, s)| s.xks.as_ref().map(|o| (s, o)))
            .collect();
        let same_host = |o: &XksSpec| o.uri_endpoint.eq_ignore_ascii_case(&x.uri_endpoint);
        if let Some((s, _)) = others
            .iter()
            .find(|(_, o)| same_host(o) && o.uri_path == x.uri_path)
        {
            return Err(fault(
                "XksProxyUriInUseException",
                format!(
                    "The proxy URI {}{} is already used by external key store {}.",
                    x.uri_endpoint, x.uri_path, s.id
                ),
            ));
        }
        // A VPC endpoint service's private DNS name belongs to one store.
        if let Some((s, _)) = others
            .iter()
            .find(|(_, o)| same_host(o) && (o.connectivity == VPC || x.connectivity == VPC))
        {
            return Err(fault(
                "XksProxyUriEndpointInUseException",
                format!(
                    "The proxy URI endpoint {} is already used by external key store {}.",
                    x.uri_endpoint, s.id
                ),
            ));
        }
        if let Some(name) = x.vpc_endpoint_service_name.as_deref()
            && let Some((s, _)) = others
                .iter()
                .find(|(_, o)| o.vpc_endpoint_service_name.as_deref() == Some(name))
        {
            return Err(fault(
                "XksProxyVpcEndpointServiceInUseException",
                format!(
                    "The VPC endpoint service {name} is already associated with external key store {}.",
                    s.id
                ),
            ));
        }
        Ok(())
    }

    fn create(&mut self, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let name = c.string(&v::STORE_NAME, true)?;
        let cluster = c.string(&v::CLUSTER_ID, false)?;
        let anchor = c.string(&v::TRUST_ANCHOR, false)?;
        let password = c.string(&v::PASSWORD, false)?;
        let store_type = c.enumeration("CustomKeyStoreType", v::STORE_TYPES)?;
        let endpoint = c.string(&v::URI_ENDPOINT, false)?;
        let path = c.string(&v::URI_PATH, false)?;
        let vpc = c.string(&v::VPC_SERVICE, false)?;
        let owner = c.string(&v::VPC_OWNER, false)?;
        let credential = c.credential()?;
        let connectivity = c.enumeration("XksProxyConnectivity", v::CONNECTIVITY)?;
        c.finish()?;
        let name = name.unwrap_or_default();
        let store_type = store_type.unwrap_or(CLOUDHSM);
        let external = store_type == EXTERNAL;

        // What this store type needs, then what it must not have.
        let mut c = Check::new(input);
        if external {
            c.require("XksProxyUriEndpoint", endpoint.is_some());
            c.require("XksProxyUriPath", path.is_some());
            c.require(v::CREDENTIAL, present(input, v::CREDENTIAL));
            c.require("XksProxyConnectivity", connectivity.is_some());
            if connectivity == Some(VPC) {
                c.require("XksProxyVpcEndpointServiceName", vpc.is_some());
            }
        } else {
            c.require("CloudHsmClusterId", cluster.is_some());
            c.require("TrustAnchorCertificate", anchor.is_some());
            c.require("KeyStorePassword", password.is_some());
        }
        c.finish()?;
        let foreign: &[&str] = if external {
            &CLOUDHSM_MEMBERS
        } else {
            &XKS_MEMBERS
        };
        if let Some(m) = foreign.iter().find(|m| present(input, m)) {
            return Err(fault(
                "ValidationException",
                format!("{m} is not valid for a custom key store of type {store_type}."),
            ));
        }
        if connectivity == Some(PUBLIC) && (vpc.is_some() || owner.is_some()) {
            return Err(fault(
                "ValidationException",
                "XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.",
            ));
        }

        if self.stores.len() >= self.quota {
            return Err(fault(
                "LimitExceededException",
                format!(
                    "You have reached the quota of {} custom key stores in this account and region.",
                    self.quota
                ),
            ));
        }
        self.name_in_use(name, None)?;
        let mut spec = StoreSpec {
            id: self.new_id(),
            name: name.to_string(),
            store_type: store_type.to_string(),
            cluster_id: None,
            related_clusters: Vec::new(),
            trust_anchor_certificate: None,
            xks: None,
            state: ConnectionState::Disconnected,
            error_code: None,
            keys: 0,
            connect: Default::default(),
            reconnect: None,
            disconnect_seconds: 20.0,
            faults: Vec::new(),
        };
        let mut secrets = Secrets::default();
        if external {
            let (key_id, raw) = credential.unwrap_or_default();
            let x = XksSpec {
                connectivity: connectivity.unwrap_or(PUBLIC).to_string(),
                uri_endpoint: endpoint.unwrap_or_default().to_string(),
                uri_path: path.unwrap_or_default().to_string(),
                access_key_id: key_id.to_string(),
                vpc_endpoint_service_name: vpc.map(str::to_string),
                vpc_endpoint_service_owner: owner.map(str::to_string),
            };
            self.proxy_in_use(&x, None)?;
            self.rejected(input)?;
            spec.xks = Some(x);
            secrets.xks_raw_secret = Some(raw.to_string());
        } else {
            let cluster = cluster.unwrap_or_default();
            let anchor = anchor.unwrap_or_default();
            self.cluster_in_use(cluster, None)?;
            self.rejected(input)?;
            if !anchor.contains("-----BEGIN CERTIFICATE-----") {
                return Err(fault(
                    "IncorrectTrustAnchorException",
                    format!(
                        "The trust anchor certificate is not the trust anchor certificate of the AWS CloudHSM cluster {cluster}."
                    ),
                ));
            }
            // A cluster CloudHSM does not list yet (and no reject refuses) is a healthy one.
            if !self.clusters.iter().any(|c| c.id == cluster) {
                let seq = self.clusters.len() as u64;
                let created = (now_ms as f64 / 1000.0 - 86_400.0).floor();
                self.clusters.push(Cluster::implicit(
                    cluster,
                    Health::Ready,
                    &self.region,
                    created,
                    seq,
                ));
            }
            spec.cluster_id = Some(cluster.to_string());
            spec.trust_anchor_certificate = Some(anchor.to_string());
            secrets.kmsuser_password = password.map(str::to_string);
        }
        let connect = if external {
            &self.new_stores.external
        } else {
            &self.new_stores.cloudhsm
        };
        let store = Store::created(
            &spec,
            secrets,
            now_ms as f64 / 1000.0,
            self.next_seq,
            connect,
        );
        self.next_seq += 1;
        self.stores.push(store);
        Ok(json!({"CustomKeyStoreId": spec.id}))
    }

    fn update(&mut self, input: &Value) -> Result<Value, KmsFault> {
        let mut c = Check::new(input);
        let id = c.string(&v::STORE_ID, true)?;
        let new_name = c.string(&v::NEW_STORE_NAME, false)?;
        let password = c.string(&v::PASSWORD, false)?;
        let cluster = c.string(&v::CLUSTER_ID, false)?;
        let endpoint = c.string(&v::URI_ENDPOINT, false)?;
        let path = c.string(&v::URI_PATH, false)?;
        // An empty service name is how a caller drops it when moving to PUBLIC_ENDPOINT.
        let vpc = match input.get(v::VPC_SERVICE.member) {
            Some(Value::String(s)) if s.is_empty() => Some(""),
            _ => c.string(&v::VPC_SERVICE, false)?,
        };
        let owner = c.string(&v::VPC_OWNER, false)?;
        let credential = c.credential()?;
        let connectivity = c.enumeration("XksProxyConnectivity", v::CONNECTIVITY)?;
        c.finish()?;
        let i = self.find(id.unwrap_or_default())?;
        let store = &self.stores[i];
        let external = store.xks.is_some();

        let foreign: &[&str] = if external {
            &CLOUDHSM_MEMBERS
        } else {
            &XKS_MEMBERS
        };
        if let Some(m) = foreign.iter().find(|m| present(input, m)) {
            return Err(fault(
                "ValidationException",
                format!(
                    "{m} is not valid for a custom key store of type {}.",
                    store.store_type
                ),
            ));
        }
        // The model: a CloudHSM store's name, and an external store's name, credential and URI
        // path may change while CONNECTED; everything else needs DISCONNECTED.
        let offline: Vec<&str> = if external {
            [
                "XksProxyUriEndpoint",
                "XksProxyVpcEndpointServiceName",
                "XksProxyVpcEndpointServiceOwner",
                "XksProxyConnectivity",
            ]
            .into_iter()
            .filter(|m| present(input, m))
            .collect()
        } else {
            ["KeyStorePassword", "CloudHsmClusterId"]
                .into_iter()
                .filter(|m| present(input, m))
                .collect()
        };
        match (store.state, offline.is_empty()) {
            (ConnectionState::Disconnected, _) | (ConnectionState::Connected, true) => {}
            (state, true) => {
                return Err(invalid_state(format!(
                    "Custom key store {} is in the {state} state. You can update it only when it is CONNECTED or DISCONNECTED.",
                    store.id
                )));
            }
            (state, false) => {
                return Err(invalid_state(format!(
                    "Custom key store {} is in the {state} state. Disconnect it before you change {}.",
                    store.id,
                    offline.join(", ")
                )));
            }
        }
        if let Some(n) = new_name {
            self.name_in_use(n, Some(i))?;
        }

        let mut next = store.clone();
        if let Some(n) = new_name {
            next.name = n.to_string();
        }
        if let Some(x) = next.xks.as_mut() {
            let was = x.clone();
            if let Some(c) = connectivity {
                x.connectivity = c.to_string();
            }
            if let Some(e) = endpoint {
                x.uri_endpoint = e.to_string();
            }
            if let Some(p) = path {
                x.uri_path = p.to_string();
            }
            if let Some((key_id, raw)) = credential {
                x.access_key_id = key_id.to_string();
                next.secrets.xks_raw_secret = Some(raw.to_string());
            }
            match vpc {
                Some("") => x.vpc_endpoint_service_name = None,
                Some(s) => x.vpc_endpoint_service_name = Some(s.to_string()),
                None => {}
            }
            if let Some(o) = owner {
                x.vpc_endpoint_service_owner = Some(o.to_string());
            }
            connectivity_rules(&was, x, endpoint, vpc, owner)?;
            self.proxy_in_use(x, Some(i))?;
        } else if let Some(c) = cluster {
            // No other store can hold a related cluster (the scenario refuses it, as KMS's
            // Create does), so Update has no CloudHsmClusterInUseException: the model lists
            // none for it.
            if Some(c) != store.cluster_id.as_deref()
                && !store.related_clusters.iter().any(|r| r == c)
            {
                return Err(fault(
                    "CloudHsmClusterNotRelatedException",
                    format!(
                        "The AWS CloudHSM cluster {c} does not share a backup history with the cluster of custom key store {}.",
                        store.id
                    ),
                ));
            }
            if next.cluster_id.as_deref() != Some(c) {
                next.follows_cluster = true;
            }
            next.cluster_id = Some(c.to_string());
        }
        if let Some(p) = password {
            next.secrets.kmsuser_password = Some(p.to_string());
        }
        self.rejected(input)?;
        self.stores[i] = next;
        Ok(json!({}))
    }

    fn delete(&mut self, input: &Value) -> Result<Value, KmsFault> {
        let i = self.target(input)?;
        let s = &self.stores[i];
        if s.keys > 0 {
            return Err(fault(
                "CustomKeyStoreHasCMKsException",
                format!(
                    "Custom key store {} contains {} KMS keys. Delete them (ScheduleKeyDeletion) before you delete the custom key store.",
                    s.id, s.keys
                ),
            ));
        }
        if s.state != ConnectionState::Disconnected {
            return Err(invalid_state(format!(
                "Custom key store {} is in the {} state. Disconnect it before you delete it.",
                s.id, s.state
            )));
        }
        self.stores.remove(i);
        Ok(json!({}))
    }
}

/// UpdateCustomKeyStore's rules for moving between PUBLIC_ENDPOINT and VPC_ENDPOINT_SERVICE;
/// `x` is the configuration after the update (its VPC fields are cleared for a public store).
fn connectivity_rules(
    was: &XksSpec,
    x: &mut XksSpec,
    endpoint: Option<&str>,
    vpc: Option<&str>,
    owner: Option<&str>,
) -> Result<(), KmsFault> {
    let invalid = |m: &str| Err(fault("ValidationException", m));
    let new_endpoint = endpoint.is_some_and(|e| !e.eq_ignore_ascii_case(&was.uri_endpoint));
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
        if vpc.is_some_and(|s| !s.is_empty()) || owner.is_some() {
            return invalid(
                "XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.",
            );
        }
        x.vpc_endpoint_service_name = None;
        x.vpc_endpoint_service_owner = None;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const XKS: &str = "cks-7e570000000000001";
    const VPC_STORE: &str = "cks-7e570000000000002";
    const HSM: &str = "cks-7e570000000000003";
    const HSM_CONNECTED: &str = "cks-7e570000000000004";
    const XKS_CONNECTED: &str = "cks-7e570000000000005";
    const WITH_KEYS: &str = "cks-7e570000000000006";
    const SLOW: &str = "cks-7e570000000000007";
    const FAILED: &str = "cks-7e57000000000000a";

    struct T {
        a: Account,
        t0: Instant,
        secs: u64,
    }

    impl T {
        fn new() -> Self {
            let s = Scenario::parse(include_str!("../scenarios/testing.json")).unwrap();
            Self {
                a: Account::new(&s, Pace { time_scale: 1.0 }, 1_700_000_000_000, 1),
                t0: Instant::now(),
                secs: 0,
            }
        }
        fn call(&mut self, op: &str, input: Value) -> Result<Value, KmsFault> {
            self.a.call(
                op,
                &input,
                self.t0 + Duration::from_secs(self.secs),
                1_700_000_000_000,
            )
        }
        fn ok(&mut self, op: &str, input: Value) -> Value {
            self.call(op, input.clone())
                .unwrap_or_else(|e| panic!("{op} {input}: {e:?}"))
        }
        fn err(&mut self, op: &str, input: Value) -> KmsFault {
            self.call(op, input.clone())
                .expect_err(&format!("{op} {input} should fail"))
        }
        fn code(&mut self, op: &str, input: Value) -> String {
            self.err(op, input).code
        }
        fn store(&mut self, id: &str) -> Value {
            self.ok("DescribeCustomKeyStores", json!({"CustomKeyStoreId": id}))["CustomKeyStores"]
                [0]
            .clone()
        }
        fn wait(&mut self, s: u64) {
            self.secs += s;
        }
    }

    fn xks_create(name: &str, endpoint: &str, path: &str) -> Value {
        json!({
            "CustomKeyStoreName": name,
            "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
            "XksProxyUriEndpoint": endpoint,
            "XksProxyUriPath": path,
            "XksProxyConnectivity": "PUBLIC_ENDPOINT",
            "XksProxyAuthenticationCredential": {
                "AccessKeyId": "NEWKEYIDNEWKEYIDNEW2",
                "RawSecretAccessKey": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
            }
        })
    }

    fn hsm_create(name: &str, cluster: &str) -> Value {
        json!({
            "CustomKeyStoreName": name,
            "CloudHsmClusterId": cluster,
            "TrustAnchorCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "KeyStorePassword": "kmsPswd1",
        })
    }

    #[test]
    fn describe_pages_with_markers_that_survive_deletes() {
        let mut t = T::new();
        let all = t.ok("DescribeCustomKeyStores", json!({}));
        let total = all["CustomKeyStores"].as_array().unwrap().len();
        assert_eq!((total, all["Truncated"].clone()), (13, json!(false)));
        assert!(all.get("NextMarker").is_none());
        let first = t.ok("DescribeCustomKeyStores", json!({"Limit": 5}));
        assert_eq!(first["Truncated"], true);
        let marker = first["NextMarker"].as_str().unwrap().to_string();
        // The next page's first store goes away: the marker still works.
        let next_id = all["CustomKeyStores"][5]["CustomKeyStoreId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(next_id, WITH_KEYS);
        t.a.stores.retain(|s| s.id != next_id);
        let second = t.ok(
            "DescribeCustomKeyStores",
            json!({"Limit": 5, "Marker": marker}),
        );
        assert_eq!(second["CustomKeyStores"][0]["CustomKeyStoreId"], SLOW);
        let mut ids = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut req = json!({"Limit": 4});
            if let Some(m) = &marker {
                req["Marker"] = json!(m);
            }
            let page = t.ok("DescribeCustomKeyStores", req);
            ids.extend(
                page["CustomKeyStores"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["CustomKeyStoreId"].clone()),
            );
            if page["Truncated"] == false {
                break;
            }
            marker = page["NextMarker"].as_str().map(str::to_string);
        }
        assert_eq!(ids.len(), 12);
        for bad in ["nope", "AQICAHg0000000000000000", "AQICAHgffffffffffffffff"] {
            assert_eq!(
                t.code("DescribeCustomKeyStores", json!({"Marker": bad})),
                "InvalidMarkerException"
            );
        }
        assert_eq!(
            t.code("DescribeCustomKeyStores", json!({"Marker": ""})),
            "ValidationException"
        );
        assert_eq!(
            t.code("DescribeCustomKeyStores", json!({"Limit": 1001})),
            "ValidationException"
        );
        let by_name = t.ok(
            "DescribeCustomKeyStores",
            json!({"CustomKeyStoreName": "t-hsm"}),
        );
        assert_eq!(by_name["CustomKeyStores"][0]["CustomKeyStoreId"], HSM);
        for missing in [
            json!({"CustomKeyStoreId": "cks-00000000000000000"}),
            json!({"CustomKeyStoreName": "nope"}),
        ] {
            assert_eq!(
                t.code("DescribeCustomKeyStores", missing),
                "CustomKeyStoreNotFoundException"
            );
        }
    }

    #[test]
    fn connect_and_disconnect_rules() {
        let mut t = T::new();
        assert_eq!(
            t.code("ConnectCustomKeyStore", json!({})),
            "ValidationException"
        );
        assert_eq!(
            t.code(
                "ConnectCustomKeyStore",
                json!({"CustomKeyStoreId": "cks-00000000000000000"})
            ),
            "CustomKeyStoreNotFoundException"
        );
        assert_eq!(
            t.code("ConnectCustomKeyStore", json!({"CustomKeyStoreId": FAILED})),
            "CustomKeyStoreInvalidStateException"
        );
        assert_eq!(
            t.code("DisconnectCustomKeyStore", json!({"CustomKeyStoreId": XKS})),
            "CustomKeyStoreInvalidStateException"
        );
        t.ok("ConnectCustomKeyStore", json!({"CustomKeyStoreId": XKS}));
        assert_eq!(t.store(XKS)["ConnectionState"], "CONNECTING");
        t.wait(30);
        assert_eq!(t.store(XKS)["ConnectionState"], "CONNECTED");
        t.ok("DisconnectCustomKeyStore", json!({"CustomKeyStoreId": XKS}));
        assert_eq!(
            t.code("ConnectCustomKeyStore", json!({"CustomKeyStoreId": XKS})),
            "CustomKeyStoreInvalidStateException"
        );
        assert_eq!(
            t.code("DisconnectCustomKeyStore", json!({"CustomKeyStoreId": XKS})),
            "CustomKeyStoreInvalidStateException"
        );
        t.wait(30);
        assert_eq!(t.store(XKS)["ConnectionState"], "DISCONNECTED");
        t.ok(
            "DisconnectCustomKeyStore",
            json!({"CustomKeyStoreId": FAILED}),
        );
        t.wait(30);
        let s = t.store(FAILED);
        assert_eq!(s["ConnectionState"], "DISCONNECTED");
        assert!(s.get("ConnectionErrorCode").is_none());
    }

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

    #[test]
    fn delete_rules() {
        let mut t = T::new();
        assert_eq!(
            t.code(
                "DeleteCustomKeyStore",
                json!({"CustomKeyStoreId": WITH_KEYS})
            ),
            "CustomKeyStoreHasCMKsException"
        );
        for id in [HSM_CONNECTED, FAILED] {
            assert_eq!(
                t.code("DeleteCustomKeyStore", json!({"CustomKeyStoreId": id})),
                "CustomKeyStoreInvalidStateException"
            );
        }
        t.ok("DeleteCustomKeyStore", json!({"CustomKeyStoreId": HSM}));
        assert_eq!(
            t.code("DescribeCustomKeyStores", json!({"CustomKeyStoreId": HSM})),
            "CustomKeyStoreNotFoundException"
        );
        assert_eq!(
            t.code("DeleteCustomKeyStore", json!({"CustomKeyStoreId": HSM})),
            "CustomKeyStoreNotFoundException"
        );
        // Its cluster and name are free again.
        t.ok(
            "CreateCustomKeyStore",
            hsm_create("t-hsm", "cluster-2aaaaaaaaaaa"),
        );
    }

    #[test]
    fn default_scenario_ids_and_describe_shape() {
        let s = Scenario::parse(crate::scenario::DEFAULT).unwrap();
        let mut a = Account::new(&s, Pace { time_scale: 1.0 }, 1_700_000_000_000, 1);
        let out = a
            .call("DescribeCustomKeyStores", &json!({}), Instant::now(), 0)
            .unwrap();
        let stores = out["CustomKeyStores"].as_array().unwrap();
        let ids: Vec<&str> = stores
            .iter()
            .map(|s| s["CustomKeyStoreId"].as_str().unwrap())
            .collect();
        for i in 1..=12 {
            assert_eq!(ids[i - 1], format!("cks-0a1b2c3d4e5f6000{i:x}"));
        }
        assert_eq!(stores[0]["CustomKeyStoreName"], "payments-xks");
        assert_eq!(stores[11]["ConnectionState"], "CONNECTED");
        assert_eq!(stores[10]["ConnectionErrorCode"], "NETWORK_ERRORS");
        assert!(
            stores
                .iter()
                .all(|s| s["CreationDate"].as_f64().unwrap() < 1.7e9)
        );
        assert_eq!(
            a.call("ListKeys", &json!({}), Instant::now(), 0)
                .unwrap_err()
                .code,
            "UnknownOperationException"
        );
    }

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
