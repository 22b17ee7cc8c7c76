//! What needs attention, in words: each item names the metric, its value, what it means and
//! what to do, with AWS's recommended thresholds (KMS developer guide, `xks-monitoring`):
//! certificate below 10 days (expired or below 3 days is urgent); average latency above 200 ms
//! (KMS gives the proxy 250 ms, so at 250 ms requests time out: urgent); more than 5 retryable
//! or 5 non-retryable errors per minute; an external key manager Degraded (Unavailable is
//! urgent); and, as this console's own advice, a proxy credential older than 90 days. "No data"
//! is a state of its own, explained, and never reads as healthy.

use super::discover::Discovered;
use super::range::Range;
use super::views::{NON_RETRYABLE, RETRYABLE, ViewData, ViewKind};
use super::{StoreKind, metric};

pub const CERTIFICATE_ATTENTION_DAYS: f64 = 10.0;
pub const CERTIFICATE_URGENT_DAYS: f64 = 3.0;
pub const LATENCY_ATTENTION_MS: f64 = 200.0;
/// KMS's timeout for a proxy request.
pub const LATENCY_TIMEOUT_MS: f64 = 250.0;
pub const ERRORS_PER_MINUTE: f64 = 5.0;
/// This console's advice, not AWS's.
pub const CREDENTIAL_ADVICE_DAYS: f64 = 90.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Urgent,
    Attention,
    /// This console's own advice.
    Advice,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Self::Urgent => "Urgent",
            Self::Attention => "Needs attention",
            Self::Advice => "Advice",
        }
    }
}

/// One thing that needs attention.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The metric, as CloudWatch names it (`XksProxyCertificateDaysToExpire`).
    pub metric: &'static str,
    /// The value, with its unit and where it applies.
    pub value: String,
    pub severity: Severity,
    pub meaning: String,
    pub action: String,
}

/// Why there is nothing to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoData {
    /// `ListMetrics` found no metric of this store.
    NoMetrics,
    /// Metrics exist, but none has a data point in the selected range.
    NoRecentData,
}

impl NoData {
    pub fn explanation(self) -> &'static str {
        match self {
            Self::NoMetrics => {
                "CloudWatch has no metrics for this custom key store. Either the store has never been used (KMS publishes them only once it sends requests to the store), the metrics do not exist yet (a new metric takes up to 15 minutes to appear, and ListMetrics only lists metrics with data in the past two weeks), or your credentials may not read them (cloudwatch:ListMetrics). This is not a sign of health: nothing is known."
            }
            Self::NoRecentData => {
                "The store's metrics exist, but none has a data point in the selected range: the store was not used in that time, or cloudwatch:GetMetricData is not allowed for these metrics. Choose a longer range. This is not a sign of health: nothing is known."
            }
        }
    }
}

/// The health of a store over a range.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    NoData(NoData),
    /// Data, and nothing urgent or needing attention (advice may remain).
    Healthy,
    NeedsAttention,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    pub verdict: Verdict,
    /// Most severe first.
    pub items: Vec<Item>,
}

fn num(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{}", v.round() as i64)
    } else {
        super::fixed(v, 1)
    }
}

fn view(views: &[ViewData], kind: ViewKind) -> Option<&ViewData> {
    views.iter().find(|v| v.kind == kind)
}

/// Why one view has no data (for the view's own "No data" note).
pub fn view_no_data(kind: ViewKind, store: StoreKind, found: &Discovered) -> String {
    let names = kind.metrics(store);
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| {
            !(found.has(n) || (*n == metric::EKM_STATES && found.has(found.ekm_states_name())))
        })
        .collect();
    let which = names.join(" and ");
    let extra = match kind {
        ViewKind::CertificateDaysToExpire => {
            " The AWS console leaves this graph blank when the proxy's TLS certificate has a wildcard in its common name."
        }
        ViewKind::Throttling => {
            " KMS publishes it only when it throttles a request to this store, so no data here usually means no throttling."
        }
        _ => "",
    };
    if missing.is_empty() {
        format!("No data point of {which} in the selected range.{extra}")
    } else {
        format!(
            "CloudWatch lists no {} for this store: the store has not used it yet, the metric does not exist yet, or your credentials may not read it.{extra}",
            missing.join(" or ")
        )
    }
}

/// What needs attention in the views' data; `range` gives the period (for errors per minute).
pub fn assess(store: StoreKind, found: &Discovered, views: &[ViewData], range: Range) -> Health {
    if found.is_empty() {
        return Health {
            verdict: Verdict::NoData(NoData::NoMetrics),
            items: vec![],
        };
    }
    if views.iter().all(ViewData::is_empty) {
        return Health {
            verdict: Verdict::NoData(NoData::NoRecentData),
            items: vec![],
        };
    }
    let mut items = Vec::new();
    if store == StoreKind::External {
        certificate(views, &mut items);
        latency(views, &mut items);
        errors(views, range, &mut items);
        key_managers(found, views, &mut items);
        credential(views, &mut items);
    }
    throttling(store, views, &mut items);
    items.sort_by_key(|i| i.severity);
    let verdict = if items.iter().any(|i| i.severity < Severity::Advice) {
        Verdict::NeedsAttention
    } else {
        Verdict::Healthy
    };
    Health { verdict, items }
}

fn certificate(views: &[ViewData], items: &mut Vec<Item>) {
    let Some(v) = view(views, ViewKind::CertificateDaysToExpire) else {
        return;
    };
    for s in &v.series {
        let Some(sum) = s.summary() else { continue };
        let days = sum.latest;
        let severity = if days < CERTIFICATE_URGENT_DAYS {
            Severity::Urgent
        } else if days < CERTIFICATE_ATTENTION_DAYS {
            Severity::Attention
        } else {
            continue;
        };
        let (value, meaning) = if days <= 0.0 {
            (
                format!("expired ({} days), certificate {}", num(days), s.label),
                "The TLS certificate of the external key store proxy has expired: KMS cannot connect to the proxy, and every request to keys in this store fails.".to_string(),
            )
        } else {
            (
                format!("{} days, certificate {}", num(days), s.label),
                format!(
                    "The TLS certificate of the external key store proxy expires in {} days. When it expires, KMS can no longer reach the proxy and every request to keys in this store fails. AWS recommends acting below {} days.",
                    num(days),
                    num(CERTIFICATE_ATTENTION_DAYS)
                ),
            )
        };
        items.push(Item {
            metric: metric::CERTIFICATE_DAYS_TO_EXPIRE,
            value,
            severity,
            meaning,
            action: "Renew the proxy's TLS certificate (issued by a public CA KMS trusts, for the proxy's URI endpoint host) and install it on the proxy or its load balancer before it expires.".into(),
        });
    }
}

fn latency(views: &[ViewData], items: &mut Vec<Item>) {
    let Some(v) = view(views, ViewKind::Latency) else {
        return;
    };
    let worst = v
        .series
        .iter()
        .filter_map(|s| s.summary().map(|sum| (s, sum)))
        .max_by(|a, b| a.1.latest.total_cmp(&b.1.latest));
    let Some((s, sum)) = worst else { return };
    if sum.latest <= LATENCY_ATTENTION_MS {
        return;
    }
    let severity = if sum.latest >= LATENCY_TIMEOUT_MS {
        Severity::Urgent
    } else {
        Severity::Attention
    };
    items.push(Item {
        metric: metric::LATENCY,
        value: format!("{} ms average, {}", num(sum.latest), s.label),
        severity,
        meaning: format!(
            "The proxy answers KMS slowly. KMS waits {} ms for a proxy answer and then fails the request; AWS recommends acting when the average latency is above {} ms.",
            num(LATENCY_TIMEOUT_MS),
            num(LATENCY_ATTENTION_MS)
        ),
        action: "Check the proxy's and the external key manager's load and the network between KMS and the proxy (for VPC connectivity, the endpoint service and its load balancer); scale the proxy or move it closer to the region.".into(),
    });
}

fn errors(views: &[ViewData], range: Range, items: &mut Vec<Item>) {
    let Some(v) = view(views, ViewKind::Reliability) else {
        return;
    };
    let minutes = f64::from(range.period()) / 60.0;
    for (label, retryable) in [(RETRYABLE, true), (NON_RETRYABLE, false)] {
        let Some(sum) = v
            .series
            .iter()
            .find(|s| s.label == label)
            .and_then(|s| s.summary())
        else {
            continue;
        };
        let per_minute = sum.max / minutes;
        if per_minute <= ERRORS_PER_MINUTE {
            continue;
        }
        let (meaning, action) = if retryable {
            (
                "Requests to the proxy fail with errors KMS may retry (timeouts, throttling, an unavailable external key manager): callers see failures or slow answers.",
                "Look at Top 5 exceptions for the cause; check the proxy's capacity and its external key manager, and the network path from KMS.",
            )
        } else {
            (
                "Requests to the proxy fail with errors that retrying does not fix (an invalid request or response, authentication, a missing or disabled external key).",
                "Look at Top 5 exceptions for the cause; check the proxy's configuration, its credential and the external keys the KMS keys name.",
            )
        };
        items.push(Item {
            metric: metric::ERRORS,
            value: format!(
                "{} {} per minute at the peak ({} in {} minutes)",
                num(per_minute),
                label.to_ascii_lowercase(),
                num(sum.max),
                num(minutes)
            ),
            severity: Severity::Attention,
            meaning: format!(
                "{meaning} AWS recommends acting above {} per minute.",
                num(ERRORS_PER_MINUTE)
            ),
            action: action.into(),
        });
    }
}

fn key_managers(found: &Discovered, views: &[ViewData], items: &mut Vec<Item>) {
    let Some(v) = view(views, ViewKind::ExternalKeyManagerStates) else {
        return;
    };
    for s in &v.series {
        let Some(sum) = s.summary() else { continue };
        if sum.latest <= 0.0 {
            continue;
        }
        let (severity, meaning) = match s.label.to_ascii_lowercase().as_str() {
            "unavailable" => (
                Severity::Urgent,
                "The proxy reports external key managers it cannot use at all: requests that need them fail.",
            ),
            "degraded" => (
                Severity::Attention,
                "The proxy reports external key managers that work only partly: requests may be slow or fail.",
            ),
            _ => continue,
        };
        items.push(Item {
            metric: if found.has(metric::EKM_STATES) || !found.has(metric::EKM_STATES_ALT) {
                metric::EKM_STATES
            } else {
                metric::EKM_STATES_ALT
            },
            value: format!("{} {}", num(sum.latest), s.label),
            severity,
            meaning: meaning.into(),
            action: "Check the external key manager's health and its connection to the proxy, with its vendor's tools.".into(),
        });
    }
}

fn credential(views: &[ViewData], items: &mut Vec<Item>) {
    let Some(sum) = view(views, ViewKind::CredentialAge)
        .and_then(|v| v.series.first())
        .and_then(|s| s.summary())
    else {
        return;
    };
    if sum.latest <= CREDENTIAL_ADVICE_DAYS {
        return;
    }
    items.push(Item {
        metric: metric::CREDENTIAL_AGE,
        value: format!("{} days", num(sum.latest)),
        severity: Severity::Advice,
        meaning: format!(
            "The proxy authentication credential is older than {} days. This is this console's advice, not an AWS threshold: a long-lived secret is worth rotating.",
            num(CREDENTIAL_ADVICE_DAYS)
        ),
        action: "Create a new credential on the proxy, then update the store's XksProxyAuthenticationCredential (Update, with the store connected or not), then retire the old one on the proxy.".into(),
    });
}

fn throttling(store: StoreKind, views: &[ViewData], items: &mut Vec<Item>) {
    let Some(v) = view(views, ViewKind::Throttling) else {
        return;
    };
    let total: f64 = v
        .series
        .iter()
        .filter_map(|s| s.summary())
        .map(|s| s.total)
        .sum();
    if total <= 0.0 {
        return;
    }
    items.push(Item {
        metric: store.throttle_metric(),
        value: format!("{} requests throttled in the range", num(total)),
        severity: Severity::Attention,
        meaning: "KMS refused requests to keys in this store because they exceeded the store's request quota: callers saw ThrottlingException.".into(),
        action: "Spread the load over time, cache data keys, or ask AWS for a higher custom key store request quota (Service Quotas, AWS KMS).".into(),
    });
}

#[cfg(test)]
mod tests {
    use super::super::discover::tests::m;
    use super::super::{dim, views::Series};
    use super::*;

    const S: &str = "cks-1";

    fn found() -> Discovered {
        Discovered::new(S, [m(metric::LATENCY, &[(dim::STORE, S)])])
    }

    fn data(kind: ViewKind, series: &[(&str, &[f64])]) -> ViewData {
        ViewData {
            kind,
            series: series
                .iter()
                .map(|(label, values)| Series {
                    label: label.to_string(),
                    points: values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (i as i64 * 300, *v))
                        .collect(),
                })
                .collect(),
            incomplete: vec![],
            left_out: 0,
            in_progress: None,
            span: None,
        }
    }

    fn assess_one(views: &[ViewData]) -> Health {
        assess(StoreKind::External, &found(), views, Range::H3)
    }

    #[test]
    fn no_data_is_never_healthy() {
        let h = assess(StoreKind::External, &Discovered::new(S, []), &[], Range::H3);
        assert_eq!(h.verdict, Verdict::NoData(NoData::NoMetrics));
        let h = assess_one(&[data(ViewKind::Latency, &[("Encrypt", &[])])]);
        assert_eq!(h.verdict, Verdict::NoData(NoData::NoRecentData));
        for n in [NoData::NoMetrics, NoData::NoRecentData] {
            assert!(n.explanation().contains("not a sign of health"));
        }
        assert!(NoData::NoMetrics.explanation().contains("never been used"));
        assert!(
            NoData::NoMetrics
                .explanation()
                .contains("cloudwatch:ListMetrics")
        );
        let why = view_no_data(
            ViewKind::CertificateDaysToExpire,
            StoreKind::External,
            &found(),
        );
        assert!(why.contains(metric::CERTIFICATE_DAYS_TO_EXPIRE) && why.contains("wildcard"));
    }

    #[test]
    fn certificate_thresholds() {
        let sev = |days: f64| {
            assess_one(&[data(
                ViewKind::CertificateDaysToExpire,
                &[("proxy", &[30.0, days])],
            )])
            .items
            .first()
            .map(|i| i.severity)
        };
        assert_eq!(sev(10.0), None);
        assert_eq!(sev(9.9), Some(Severity::Attention));
        assert_eq!(sev(6.0), Some(Severity::Attention));
        assert_eq!(sev(3.0), Some(Severity::Attention));
        assert_eq!(sev(2.9), Some(Severity::Urgent));
        assert_eq!(sev(0.0), Some(Severity::Urgent));
        let h = assess_one(&[data(
            ViewKind::CertificateDaysToExpire,
            &[("proxy", &[6.0])],
        )]);
        assert_eq!(h.verdict, Verdict::NeedsAttention);
        let i = &h.items[0];
        assert_eq!(i.metric, "XksProxyCertificateDaysToExpire");
        assert!(i.value.starts_with("6 days"), "{}", i.value);
        assert!(i.action.contains("Renew"));
        let h = assess_one(&[data(
            ViewKind::CertificateDaysToExpire,
            &[("proxy", &[-1.0])],
        )]);
        assert!(h.items[0].value.starts_with("expired"));
    }

    #[test]
    fn latency_thresholds() {
        let sev = |ms: f64| {
            assess_one(&[data(
                ViewKind::Latency,
                &[("Encrypt", &[ms]), ("Decrypt", &[20.0])],
            )])
            .items
            .first()
            .map(|i| (i.severity, i.value.clone()))
        };
        assert_eq!(sev(200.0), None);
        let (s, v) = sev(230.0).unwrap();
        assert_eq!(s, Severity::Attention);
        assert_eq!(v, "230 ms average, Encrypt");
        assert_eq!(sev(250.0).unwrap().0, Severity::Urgent);
    }

    #[test]
    fn errors_per_minute_at_the_period() {
        // 3 h at 5-minute periods: 25 in a period is 5 per minute (not above), 30 is 6.
        let h = |r: f64, n: f64| {
            assess_one(&[data(
                ViewKind::Reliability,
                &[
                    ("Reliability", &[99.0]),
                    (RETRYABLE, &[0.0, r]),
                    (NON_RETRYABLE, &[n]),
                ],
            )])
        };
        assert!(h(25.0, 25.0).items.is_empty());
        assert_eq!(h(25.0, 25.0).verdict, Verdict::Healthy);
        let items = h(30.0, 26.0).items;
        assert_eq!(items.len(), 2);
        assert!(
            items[0].value.starts_with("6 retryable errors per minute"),
            "{}",
            items[0].value
        );
        assert!(
            items[1].value.contains("non-retryable"),
            "{}",
            items[1].value
        );
        assert!(items.iter().all(|i| i.metric == "XksProxyErrors"));
        // At 1 minute, 6 in a period is above.
        let h1 = assess(
            StoreKind::External,
            &found(),
            &[data(ViewKind::Reliability, &[(RETRYABLE, &[6.0])])],
            Range::H1,
        );
        assert_eq!(h1.items.len(), 1);
    }

    #[test]
    fn key_managers_and_credential_and_throttling() {
        let h = assess_one(&[
            data(
                ViewKind::ExternalKeyManagerStates,
                &[
                    ("Active", &[2.0]),
                    ("Degraded", &[1.0]),
                    ("Unavailable", &[1.0, 0.0]),
                ],
            ),
            data(ViewKind::CredentialAge, &[("Credential age", &[91.0])]),
        ]);
        assert_eq!(h.items.len(), 2);
        assert_eq!(h.items[0].severity, Severity::Attention);
        assert_eq!(h.items[0].value, "1 Degraded");
        assert_eq!(h.items[1].severity, Severity::Advice);
        assert_eq!(h.items[1].metric, "XksProxyCredentialAge");
        assert!(h.items[1].meaning.contains("this console's advice"));
        let h = assess_one(&[data(
            ViewKind::ExternalKeyManagerStates,
            &[("Unavailable", &[1.0])],
        )]);
        assert_eq!(h.items[0].severity, Severity::Urgent);
        // Advice alone is still healthy.
        let h = assess_one(&[data(
            ViewKind::CredentialAge,
            &[("Credential age", &[120.0])],
        )]);
        assert_eq!(h.verdict, Verdict::Healthy);
        let h = assess(
            StoreKind::CloudHsm,
            &found(),
            &[data(ViewKind::Throttling, &[("Encrypt", &[0.0, 4.0])])],
            Range::H3,
        );
        assert_eq!(h.items[0].metric, "CloudHSMKeyStoreThrottle");
        assert_eq!(h.items[0].value, "4 requests throttled in the range");
    }
}
