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

/// `v` with `decimals` (0 to 3) digits after the point: the text `format!("{v:.N}")` gives (the
/// exact binary value, rounded half to even), in integer arithmetic (u64: no u128 division or
/// formatting either), so that the page does not link Rust's float formatter. Magnitudes from
/// 2^64 up print as 2^64 − 1.
pub fn fixed(v: f64, decimals: u32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v.is_infinite() {
        return format!("{sign}inf");
    }
    let scale = 10u64.pow(decimals);
    let a = v.abs();
    let scaled = if a >= 9_007_199_254_740_992.0 {
        // From 2^53 every f64 is an integer (`as` saturates from 2^64).
        let int = a as u64;
        return if decimals == 0 {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{:0width$}", 0, width = decimals as usize)
        };
    } else {
        let bits = a.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1 << 52) - 1);
        // a = m × 2^e exactly, m < 2^53 (so m × 1000 < 2^63), and e < 0 below 2^53.
        let (m, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1 << 52), exp - 1075)
        };
        let n = m * scale;
        if e >= 0 {
            n << e
        } else {
            let s = (-e) as u32;
            if s >= 64 {
                0
            } else {
                let (q, rem, half) = (n >> s, n & ((1 << s) - 1), 1u64 << (s - 1));
                q + u64::from(rem > half || (rem == half && q & 1 == 1))
            }
        }
    };
    let (int, fraction) = (scaled / scale, scaled % scale);
    if decimals == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{fraction:0width$}", width = decimals as usize)
    }
}

#[cfg(test)]
mod fixed_tests {
    use super::fixed;

    /// The same text as Rust's own formatter, on the values the charts and texts show, the ties
    /// (0.25, 2.5…) and their neighbours, and the edges.
    #[test]
    fn fixed_matches_the_float_formatter() {
        let mut values = vec![
            0.0,
            -0.0,
            0.05,
            -0.04,
            0.25,
            0.35,
            2.5,
            3.5,
            -2.5,
            1e-300,
            5e-324,
            123_456_789.987_654_3,
            9_007_199_254_740_991.5,
            9_007_199_254_740_992.0,
            1e18,
            2f64.powi(63),
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for k in 0..20_000 {
            values.push(f64::from(k) / 1000.0);
            values.push(f64::from(k) / 40.0);
            values.push(f64::from(k) * 0.1);
            values.push(f64::from(k) / 3.0 - 3000.0);
            values.push(f64::from(k).sqrt() * 1.7);
            let t = f64::from(k) / 8.0;
            values.push(t);
            values.push(f64::from_bits(t.to_bits() + 1));
            values.push(f64::from_bits(t.to_bits().saturating_sub(1)));
        }
        for v in values {
            assert_eq!(fixed(v, 0), format!("{v:.0}"), "{v:e}");
            assert_eq!(fixed(v, 1), format!("{v:.1}"), "{v:e}");
            assert_eq!(fixed(v, 2), format!("{v:.2}"), "{v:e}");
            assert_eq!(fixed(v, 3), format!("{v:.3}"), "{v:e}");
        }
    }
}
