//! The scripted metric streams of the scenario's stores, and their data: each stream gives one
//! datum (sum, count, min, max) per minute, a pure function of the minute (and of the requests
//! the store really served, through `Activity`), so every call sees the same series.

use crate::spec::{ErrorsSpec, MetricsSpec, StoreSpec};
use std::collections::BTreeMap;

pub const NAMESPACE: &str = "AWS/KMS";
/// How far back the scripted data goes (the console's longest range is a week).
pub const HISTORY_MINUTES: i64 = 8 * 24 * 60;

/// One minute's data of a stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Datum {
    pub sum: f64,
    pub count: f64,
    pub min: f64,
    pub max: f64,
}

impl Datum {
    fn one(v: f64) -> Self {
        Self {
            sum: v,
            count: 1.0,
            min: v,
            max: v,
        }
    }

    fn merge(&mut self, o: &Datum) {
        self.sum += o.sum;
        self.count += o.count;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
    }

    /// A statistic of the data: `SampleCount`, `Sum`, `Average`, `Minimum`, `Maximum`; a
    /// percentile (`p99`) reads as the average (the emulator keeps no distribution).
    pub fn stat(&self, stat: &str) -> Option<f64> {
        match stat {
            "SampleCount" => Some(self.count),
            "Sum" => Some(self.sum),
            "Minimum" => Some(self.min),
            "Maximum" => Some(self.max),
            "Average" => Some(self.sum / self.count.max(1.0)),
            p if is_percentile(p) => Some(self.sum / self.count.max(1.0)),
            _ => None,
        }
    }
}

/// `p0` to `p100`, with an optional fraction (`p99.9`).
pub fn is_percentile(stat: &str) -> bool {
    stat.strip_prefix('p')
        .and_then(|n| n.parse::<f64>().ok())
        .is_some_and(|n| (0.0..=100.0).contains(&n))
}

#[derive(Clone, Debug)]
enum Kind {
    /// Latency samples: one per request.
    Latency {
        first: bool,
        rpm: f64,
        ms: f64,
    },
    Errors(ErrorsSpec),
    Throttle(f64),
    /// A value that changes by `per_day` each day from `at_start` (certificate days, credential
    /// age), at least 0, in whole days. Rounded, not floored: the scenario's figure holds for
    /// half a day either side of the start, so a store said to have 6 days left shows 6, not 5
    /// one minute after the start.
    Drift {
        at_start: f64,
        per_day: f64,
    },
    Constant(f64),
}

/// One metric stream: a metric name and one set of dimension values.
#[derive(Clone, Debug)]
pub struct Stream {
    pub store_id: String,
    pub metric_name: String,
    /// Sorted by name.
    pub dimensions: Vec<(String, String)>,
    seed: u64,
    kind: Kind,
}

fn default_operations() -> Vec<String> {
    ["Encrypt", "Decrypt", "GenerateDataKey"]
        .map(String::from)
        .to_vec()
}

/// The XKS operation a KMS operation calls.
fn xks_operation(op: &str) -> &'static str {
    match op {
        "Decrypt" => "Decrypt",
        "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" | "Encrypt" | "ReEncrypt" => {
            "Encrypt"
        }
        _ => "GetKeyMetadata",
    }
}

fn hash(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform number in [0, 1) for a stream and a minute.
fn noise(seed: u64, minute: i64) -> f64 {
    (hash(seed ^ hash(minute as u64)) >> 11) as f64 / (1u64 << 53) as f64
}

/// The streams of every scenario store with metrics.
pub fn streams(stores: &[StoreSpec]) -> Vec<Stream> {
    let mut out = Vec::new();
    for (i, st) in stores.iter().enumerate() {
        let Some(m) = &st.metrics else { continue };
        let external = st.store_type == "EXTERNAL_KEY_STORE";
        let mut add = |name: &str, dims: &[(&str, &str)], kind: Kind| {
            let mut dimensions: Vec<(String, String)> = dims
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            dimensions.push(("CustomKeyStoreId".into(), st.id.clone()));
            dimensions.sort();
            let seed = hash((i as u64) << 32 | out.len() as u64);
            out.push(Stream {
                store_id: st.id.clone(),
                metric_name: name.to_string(),
                dimensions,
                seed,
                kind,
            });
        };
        let ops = if m.operations.is_empty() {
            default_operations()
        } else {
            m.operations.clone()
        };
        if external {
            for (k, op) in ops.iter().enumerate() {
                if m.requests_per_minute > 0.0 {
                    add(
                        "XksProxyLatency",
                        &[
                            ("KmsOperation", op),
                            ("XksOperation", xks_operation(op)),
                            ("KeySpec", "AES_256"),
                        ],
                        Kind::Latency {
                            first: k == 0,
                            rpm: m.requests_per_minute,
                            ms: m.latency_ms,
                        },
                    );
                }
            }
            let first = ops.first().map(String::as_str).unwrap_or("Encrypt");
            for (kind, spec) in [
                ("Retryable", &m.retryable_errors),
                ("Non-retryable", &m.non_retryable_errors),
            ] {
                if let Some(e) = spec {
                    add(
                        "XksProxyErrors",
                        &[
                            ("KmsOperation", first),
                            ("XksOperation", xks_operation(first)),
                            ("KeySpec", "AES_256"),
                            ("ErrorType", kind),
                            ("ExceptionName", &e.exception),
                        ],
                        Kind::Errors(e.clone()),
                    );
                }
            }
            if let Some(days) = m.certificate_days_to_expire {
                let name = m
                    .certificate_name
                    .as_deref()
                    .unwrap_or("xks-proxy.example.com");
                add(
                    "XksProxyCertificateDaysToExpire",
                    &[("CertificateName", name)],
                    Kind::Drift {
                        at_start: days,
                        per_day: -1.0,
                    },
                );
            }
            if let Some(age) = m.credential_age_days {
                add(
                    "XksProxyCredentialAge",
                    &[],
                    Kind::Drift {
                        at_start: age,
                        per_day: 1.0,
                    },
                );
            }
            for (state, n) in &m.external_key_managers {
                add(
                    "XksExternalKeyManagerStates",
                    &[("XksExternalKeyManagerState", state)],
                    Kind::Constant(*n),
                );
            }
        }
        if m.throttles_per_minute > 0.0 {
            let name = if external {
                "ExternalKeyStoreThrottle"
            } else {
                "CloudHSMKeyStoreThrottle"
            };
            add(
                name,
                &[
                    (
                        "KmsOperation",
                        ops.first().map(String::as_str).unwrap_or("Encrypt"),
                    ),
                    ("KeySpec", "AES_256"),
                ],
                Kind::Throttle(m.throttles_per_minute),
            );
        }
    }
    out
}

/// Requests each store really served, per minute: the hook through which a later Encrypt or
/// Decrypt of the emulator counts in the store's `XksProxyLatency` (its first operation's
/// stream). Bounded: minutes older than the history are dropped.
#[derive(Clone, Debug, Default)]
pub struct Activity {
    per_store: BTreeMap<String, BTreeMap<i64, u64>>,
}

impl Activity {
    pub fn record(&mut self, store_id: &str, now_ms: i64) {
        let minute = now_ms.div_euclid(60_000);
        let m = self.per_store.entry(store_id.to_string()).or_default();
        *m.entry(minute).or_default() += 1;
        while m.len() > HISTORY_MINUTES as usize {
            m.pop_first();
        }
    }

    pub fn count(&self, store_id: &str, minute: i64) -> u64 {
        self.per_store
            .get(store_id)
            .and_then(|m| m.get(&minute))
            .copied()
            .unwrap_or(0)
    }
}

impl Stream {
    /// The datum of `minute` (epoch minutes), if the stream has one: nothing before the
    /// history starts or after `now_minute`; minutes without a request or an error have none.
    pub fn datum(
        &self,
        minute: i64,
        started_minute: i64,
        now_minute: i64,
        activity: &Activity,
    ) -> Option<Datum> {
        if minute > now_minute || minute < started_minute - HISTORY_MINUTES {
            return None;
        }
        let u = noise(self.seed, minute);
        match &self.kind {
            Kind::Latency { first, rpm, ms } => {
                let mut n = (rpm * (0.8 + 0.4 * u)).round();
                if *first {
                    n += activity.count(&self.store_id, minute) as f64;
                }
                if n <= 0.0 {
                    return None;
                }
                let avg = ms * (0.9 + 0.2 * noise(self.seed ^ 1, minute));
                Some(Datum {
                    sum: avg * n,
                    count: n,
                    min: avg * 0.6,
                    max: avg * 1.5,
                })
            }
            Kind::Errors(e) => {
                let burst = e.burst_every_minutes > 0
                    && minute.rem_euclid(i64::from(e.burst_every_minutes))
                        < i64::from(e.burst_minutes);
                let rate = e.per_minute + if burst { e.burst_per_minute } else { 0.0 };
                // A fractional rate rounds up in that share of minutes.
                let n = (rate * (0.9 + 0.2 * u) + noise(self.seed ^ 2, minute)).floor();
                (n > 0.0).then_some(Datum {
                    sum: n,
                    count: n,
                    min: 1.0,
                    max: 1.0,
                })
            }
            Kind::Throttle(rate) => {
                let n = (rate + u).floor();
                (n > 0.0).then_some(Datum {
                    sum: n,
                    count: n,
                    min: 1.0,
                    max: 1.0,
                })
            }
            Kind::Drift { at_start, per_day } => {
                let days = (minute - started_minute) as f64 / 1440.0;
                Some(Datum::one((at_start + per_day * days).max(0.0).round()))
            }
            Kind::Constant(v) => Some(Datum::one(*v)),
        }
    }

    /// The data of `[from, to)` (epoch seconds) combined, if any minute has some.
    pub fn window(
        &self,
        from: i64,
        to: i64,
        started_minute: i64,
        now_minute: i64,
        activity: &Activity,
    ) -> Option<Datum> {
        let mut acc: Option<Datum> = None;
        let first = from.div_euclid(60);
        let last = (to - 1).div_euclid(60);
        for minute in first..=last {
            if let Some(d) = self.datum(minute, started_minute, now_minute, activity) {
                match &mut acc {
                    Some(a) => a.merge(&d),
                    None => acc = Some(d),
                }
            }
        }
        acc
    }

    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Checks a store's metrics spec (scenario loading).
pub fn check(spec: &MetricsSpec, store_type: &str) -> Result<(), String> {
    let nonneg = |what: &str, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(())
        } else {
            Err(format!("metrics.{what} must be a number of at least 0"))
        }
    };
    nonneg("requests_per_minute", spec.requests_per_minute)?;
    nonneg("latency_ms", spec.latency_ms)?;
    nonneg("throttles_per_minute", spec.throttles_per_minute)?;
    for (state, n) in &spec.external_key_managers {
        if !["Active", "Degraded", "Unavailable"].contains(&state.as_str()) {
            return Err(format!(
                "metrics.external_key_managers: {state} is not Active, Degraded or Unavailable"
            ));
        }
        nonneg("external_key_managers", *n)?;
    }
    for e in [&spec.retryable_errors, &spec.non_retryable_errors]
        .into_iter()
        .flatten()
    {
        nonneg("errors.per_minute", e.per_minute)?;
        nonneg("errors.burst_per_minute", e.burst_per_minute)?;
        if e.exception.is_empty() {
            return Err("metrics errors need an exception name".into());
        }
    }
    if store_type != "EXTERNAL_KEY_STORE"
        && (spec.requests_per_minute > 0.0
            || spec.certificate_days_to_expire.is_some()
            || spec.credential_age_days.is_some()
            || !spec.external_key_managers.is_empty()
            || spec.retryable_errors.is_some()
            || spec.non_retryable_errors.is_some())
    {
        return Err(
            "a CloudHSM key store has only throttling metrics (metrics.throttles_per_minute)"
                .into(),
        );
    }
    Ok(())
}
