//! A connected store's health, from CloudWatch (namespace `AWS/KMS`): the time ranges and their
//! periods, the refresh intervals, what `ListMetrics` found for the store, the views (one
//! `GetMetricData` call each), the summaries, what needs attention (AWS's recommended
//! thresholds, in words), the "no data" state, and the recommended alarms. Pure: time comes in
//! as an argument (epoch milliseconds or seconds, as named), no I/O.

pub mod alarms;
pub mod attention;
pub mod discover;
pub mod range;
pub mod views;

/// The namespace of KMS's metrics.
pub use crate::aws::cloudwatch::KMS_NAMESPACE as NAMESPACE;

/// The metric names (KMS developer guide, `monitoring-cloudwatch` and `xks-monitoring`).
pub mod metric {
    pub const CERTIFICATE_DAYS_TO_EXPIRE: &str = "XksProxyCertificateDaysToExpire";
    pub const CREDENTIAL_AGE: &str = "XksProxyCredentialAge";
    pub const ERRORS: &str = "XksProxyErrors";
    pub const EKM_STATES: &str = "XksExternalKeyManagerStates";
    /// The name one example of the developer guide uses for the same metric.
    pub const EKM_STATES_ALT: &str = "XksProxyHsmStates";
    pub const LATENCY: &str = "XksProxyLatency";
    pub const XKS_THROTTLE: &str = "ExternalKeyStoreThrottle";
    pub const HSM_THROTTLE: &str = "CloudHSMKeyStoreThrottle";
}

/// The dimension names.
pub mod dim {
    pub const STORE: &str = "CustomKeyStoreId";
    pub const KMS_OPERATION: &str = "KmsOperation";
    pub const XKS_OPERATION: &str = "XksOperation";
    pub const KEY_SPEC: &str = "KeySpec";
    pub const ERROR_TYPE: &str = "ErrorType";
    pub const EXCEPTION: &str = "ExceptionName";
    pub const CERTIFICATE: &str = "CertificateName";
    pub const EKM_STATE: &str = "XksExternalKeyManagerState";
}

/// The two kinds of store, as far as their metrics go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    External,
    CloudHsm,
}

impl StoreKind {
    /// From the store's `CustomKeyStoreType` (`EXTERNAL_KEY_STORE`, `AWS_CLOUDHSM`).
    pub fn from_type(store_type: &str) -> Option<Self> {
        match store_type {
            "EXTERNAL_KEY_STORE" => Some(Self::External),
            "AWS_CLOUDHSM" => Some(Self::CloudHsm),
            _ => None,
        }
    }

    /// The store's throttling metric.
    pub fn throttle_metric(self) -> &'static str {
        match self {
            Self::External => metric::XKS_THROTTLE,
            Self::CloudHsm => metric::HSM_THROTTLE,
        }
    }
}
