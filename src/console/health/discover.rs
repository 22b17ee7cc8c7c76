//! What `ListMetrics` found for one store: the metric streams (a metric name with one set of
//! dimension values) of `AWS/KMS` whose `CustomKeyStoreId` is the store. The developer guide
//! disagrees with itself on names in places, so the views read what exists instead of assuming.

use super::{NAMESPACE, dim, metric};
use crate::aws::cloudwatch::Metric;
use std::collections::{BTreeMap, BTreeSet};

/// The store's metric streams, by metric name, each list sorted and without duplicates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Discovered {
    pub store_id: String,
    by_name: BTreeMap<String, Vec<Metric>>,
}

impl Discovered {
    /// Keeps the metrics of `store_id` in `AWS/KMS` from all pages of `ListMetrics`.
    pub fn new(store_id: &str, metrics: impl IntoIterator<Item = Metric>) -> Self {
        let store_id = store_id.trim();
        let mut by_name: BTreeMap<String, BTreeSet<Metric>> = BTreeMap::new();
        for m in metrics {
            if m.namespace == NAMESPACE && m.dimension(dim::STORE) == Some(store_id) {
                let mut m = m;
                m.dimensions.sort();
                by_name.entry(m.metric_name.clone()).or_default().insert(m);
            }
        }
        Self {
            store_id: store_id.to_string(),
            by_name: by_name
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().collect()))
                .collect(),
        }
    }

    /// Nothing at all for this store.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The metric names found, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    pub fn has(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The streams of one metric.
    pub fn streams(&self, name: &str) -> &[Metric] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The external key manager states metric under whichever name exists.
    pub fn ekm_states_name(&self) -> &'static str {
        if !self.has(metric::EKM_STATES) && self.has(metric::EKM_STATES_ALT) {
            metric::EKM_STATES_ALT
        } else {
            metric::EKM_STATES
        }
    }

    /// The values one dimension takes across a metric's streams, sorted.
    pub fn values(&self, name: &str, dimension: &str) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .streams(name)
            .iter()
            .filter_map(|m| m.dimension(dimension))
            .collect();
        set.into_iter().map(str::to_string).collect()
    }
}

/// Whether an `ErrorType` value means retryable (`Retryable`, `retryable`); non-retryable
/// spellings (`Non-retryable`, `NonRetryable`, `non_retryable`) are not.
pub fn is_retryable(error_type: &str) -> bool {
    let t: String = error_type
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    t == "retryable"
}

/// Whether an `ErrorType` value means non-retryable.
pub fn is_non_retryable(error_type: &str) -> bool {
    let t: String = error_type
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    t == "nonretryable"
}

/// The state an external key manager stream counts: its state dimension (whatever its exact
/// name), if the stream has one besides the store's.
pub fn ekm_state(m: &Metric) -> Option<&str> {
    m.dimension(dim::EKM_STATE).or_else(|| {
        m.dimensions
            .iter()
            .find(|d| d.name != dim::STORE)
            .map(|d| d.value.as_str())
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::aws::cloudwatch::Dimension;

    pub fn m(name: &str, dims: &[(&str, &str)]) -> Metric {
        Metric {
            namespace: NAMESPACE.into(),
            metric_name: name.into(),
            dimensions: dims.iter().map(|(k, v)| Dimension::new(k, v)).collect(),
        }
    }

    #[test]
    fn keeps_only_this_stores_kms_metrics() {
        let s = "cks-1";
        let d = Discovered::new(
            s,
            [
                m(
                    metric::LATENCY,
                    &[(dim::STORE, s), (dim::KMS_OPERATION, "Encrypt")],
                ),
                m(
                    metric::LATENCY,
                    &[(dim::KMS_OPERATION, "Encrypt"), (dim::STORE, s)],
                ),
                m(
                    metric::LATENCY,
                    &[(dim::STORE, s), (dim::KMS_OPERATION, "Decrypt")],
                ),
                m(metric::LATENCY, &[(dim::STORE, "cks-2")]),
                m(
                    metric::EKM_STATES_ALT,
                    &[(dim::STORE, s), ("State", "Active")],
                ),
                Metric {
                    namespace: "AWS/EC2".into(),
                    ..m(metric::LATENCY, &[(dim::STORE, s)])
                },
            ],
        );
        assert_eq!(d.streams(metric::LATENCY).len(), 2);
        assert_eq!(
            d.values(metric::LATENCY, dim::KMS_OPERATION),
            ["Decrypt", "Encrypt"]
        );
        assert_eq!(d.ekm_states_name(), metric::EKM_STATES_ALT);
        assert_eq!(
            ekm_state(&d.streams(metric::EKM_STATES_ALT)[0]),
            Some("Active")
        );
        assert!(!d.is_empty() && Discovered::new(s, []).is_empty());
    }

    #[test]
    fn error_types() {
        for r in ["Retryable", "retryable", "RETRYABLE"] {
            assert!(is_retryable(r) && !is_non_retryable(r));
        }
        for n in ["Non-retryable", "NonRetryable", "non_retryable"] {
            assert!(is_non_retryable(n) && !is_retryable(n));
        }
    }
}
