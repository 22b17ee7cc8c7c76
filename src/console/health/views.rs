//! The views of the health section, each one `GetMetricData` call: the AWS console's five graphs
//! of an external key store (Total requests, Reliability, Latency by KMS operation, Top 5
//! exceptions, Certificate days to expire) plus Credential age, External key manager states and
//! Throttling; for a CloudHSM key store, Throttling. A view asks for each stream `ListMetrics`
//! found (no metric math, so any CloudWatch-compatible endpoint answers it) and combines them
//! here: [`plan`] builds the request, [`combine`] reads the results back into series.

use super::discover::{Discovered, ekm_state, is_non_retryable, is_retryable};
use super::range::Range;
use super::{StoreKind, dim, metric};
use crate::aws::cloudwatch::{
    GetMetricDataRequest, GetMetricDataResponse, Metric, MetricDataQuery, MetricStat, ScanBy,
};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViewKind {
    TotalRequests,
    Reliability,
    Latency,
    TopExceptions,
    CertificateDaysToExpire,
    CredentialAge,
    ExternalKeyManagerStates,
    Throttling,
}

impl ViewKind {
    /// The views of a store, in the order shown.
    pub fn for_store(kind: StoreKind) -> &'static [ViewKind] {
        match kind {
            StoreKind::External => &[
                Self::TotalRequests,
                Self::Reliability,
                Self::Latency,
                Self::TopExceptions,
                Self::CertificateDaysToExpire,
                Self::CredentialAge,
                Self::ExternalKeyManagerStates,
                Self::Throttling,
            ],
            StoreKind::CloudHsm => &[Self::Throttling],
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::TotalRequests => "Total requests",
            Self::Reliability => "Reliability",
            Self::Latency => "Latency by KMS operation",
            Self::TopExceptions => "Top 5 exceptions",
            Self::CertificateDaysToExpire => "Certificate days to expire",
            Self::CredentialAge => "Credential age",
            Self::ExternalKeyManagerStates => "External key manager states",
            Self::Throttling => "Throttling",
        }
    }

    /// The unit of the view's values, as shown.
    pub fn unit(self) -> &'static str {
        match self {
            Self::TotalRequests | Self::TopExceptions | Self::Throttling => "requests",
            Self::Reliability => "%",
            Self::Latency => "ms",
            Self::CertificateDaysToExpire | Self::CredentialAge => "days",
            Self::ExternalKeyManagerStates => "key managers",
        }
    }

    /// The metric names the view reads (for the "no data" explanation).
    pub fn metrics(self, kind: StoreKind) -> Vec<&'static str> {
        match self {
            Self::TotalRequests | Self::Latency => vec![metric::LATENCY],
            Self::Reliability => vec![metric::LATENCY, metric::ERRORS],
            Self::TopExceptions => vec![metric::ERRORS],
            Self::CertificateDaysToExpire => vec![metric::CERTIFICATE_DAYS_TO_EXPIRE],
            Self::CredentialAge => vec![metric::CREDENTIAL_AGE],
            Self::ExternalKeyManagerStates => vec![metric::EKM_STATES],
            Self::Throttling => vec![kind.throttle_metric()],
        }
    }
}

/// `unit` as it reads after the number `shown` (as written on the page, rounded): "1 request",
/// "2 requests", "1.5 days" ("%" and "ms" never change).
pub fn unit_for(unit: &'static str, shown: &str) -> &'static str {
    if shown != "1" {
        return unit;
    }
    match unit {
        "requests" => "request",
        "errors" => "error",
        "days" => "day",
        "key managers" => "key manager",
        other => other,
    }
}

/// The Reliability view's series of retryable and non-retryable errors (per period).
pub const RETRYABLE: &str = "Retryable errors";
pub const NON_RETRYABLE: &str = "Non-retryable errors";

/// What a query of the plan stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub id: String,
    pub metric: Metric,
    pub stat: &'static str,
    /// The series this stream belongs to (a KMS operation, an exception, a certificate…).
    pub group: String,
    pub role: Role,
}

/// How a stream enters its view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Requests (`SampleCount` of the latency): summed.
    Requests,
    /// Retryable errors (`Sum`): summed.
    RetryableErrors,
    /// Any other value, summed into its group (errors, throttles).
    Summed,
    /// A value combined by the group's worst (latency, days, age, counts of managers).
    Max,
    Min,
}

/// The request of one view and what each of its queries means.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub kind: ViewKind,
    pub request: GetMetricDataRequest,
    pub parts: Vec<Part>,
    /// Streams left out because one call cannot return more data points.
    pub left_out: usize,
    /// The start (epoch seconds) of the last period when it has not ended yet at the plan's
    /// time: its counts are still growing.
    pub in_progress: Option<i64>,
    /// `(StartTime, EndTime, period)` in seconds.
    pub span: (i64, i64, i64),
}

fn label_of(m: &Metric, dims: &[&str]) -> String {
    let parts: Vec<&str> = dims.iter().filter_map(|d| m.dimension(d)).collect();
    if parts.is_empty() {
        "all".to_string()
    } else {
        parts.join(" / ")
    }
}

/// The `GetMetricData` request of one view over `range` ending near `now_ms`, from what
/// `ListMetrics` found. `None` when the store has none of the view's metrics (the view shows
/// "no data" without a call).
pub fn plan(
    kind: ViewKind,
    store: StoreKind,
    found: &Discovered,
    range: Range,
    now_ms: i64,
) -> Option<Plan> {
    let mut parts: Vec<(Metric, &'static str, String, Role)> = Vec::new();
    let mut add =
        |name: &str, stat: &'static str, role: Role, group: &dyn Fn(&Metric) -> String| {
            for m in found.streams(name) {
                parts.push((m.clone(), stat, group(m), role));
            }
        };
    match kind {
        ViewKind::TotalRequests => add(metric::LATENCY, "SampleCount", Role::Requests, &|_| {
            "Total requests".into()
        }),
        ViewKind::Reliability => {
            add(metric::LATENCY, "SampleCount", Role::Requests, &|_| {
                "Reliability".into()
            });
            for m in found.streams(metric::ERRORS) {
                let t = m.dimension(dim::ERROR_TYPE).unwrap_or("");
                if is_retryable(t) {
                    parts.push((m.clone(), "Sum", RETRYABLE.into(), Role::RetryableErrors));
                } else if is_non_retryable(t) {
                    parts.push((m.clone(), "Sum", NON_RETRYABLE.into(), Role::Summed));
                }
            }
        }
        ViewKind::Latency => add(metric::LATENCY, "Average", Role::Max, &|m| {
            label_of(m, &[dim::KMS_OPERATION, dim::XKS_OPERATION])
        }),
        ViewKind::TopExceptions => add(metric::ERRORS, "Sum", Role::Summed, &|m| {
            m.dimension(dim::EXCEPTION)
                .unwrap_or("(unnamed)")
                .to_string()
        }),
        ViewKind::CertificateDaysToExpire => add(
            metric::CERTIFICATE_DAYS_TO_EXPIRE,
            "Minimum",
            Role::Min,
            &|m| {
                m.dimension(dim::CERTIFICATE)
                    .unwrap_or("certificate")
                    .to_string()
            },
        ),
        ViewKind::CredentialAge => add(metric::CREDENTIAL_AGE, "Maximum", Role::Max, &|_| {
            "Credential age".into()
        }),
        ViewKind::ExternalKeyManagerStates => {
            add(found.ekm_states_name(), "Maximum", Role::Max, &|m| {
                ekm_state(m).unwrap_or("(unknown)").to_string()
            })
        }
        ViewKind::Throttling => add(store.throttle_metric(), "Sum", Role::Summed, &|m| {
            label_of(m, &[dim::KMS_OPERATION])
        }),
    }
    if parts.is_empty() {
        return None;
    }
    let max = range.max_streams();
    let left_out = parts.len().saturating_sub(max);
    parts.truncate(max);
    let period = range.period();
    let (start, end) = range.window(now_ms);
    let parts: Vec<Part> = parts
        .into_iter()
        .enumerate()
        .map(|(i, (metric, stat, group, role))| Part {
            id: format!("m{i}"),
            metric,
            stat,
            group,
            role,
        })
        .collect();
    let queries = parts
        .iter()
        .map(|p| MetricDataQuery {
            id: p.id.clone(),
            metric_stat: Some(MetricStat {
                metric: p.metric.clone(),
                period,
                stat: p.stat.to_string(),
                unit: None,
            }),
            expression: None,
            label: Some(p.group.clone()),
            return_data: Some(true),
            period: None,
        })
        .collect();
    Some(Plan {
        kind,
        request: GetMetricDataRequest {
            metric_data_queries: queries,
            start_time: start,
            end_time: end,
            next_token: None,
            scan_by: Some(ScanBy::TimestampAscending),
            max_datapoints: None,
        },
        parts,
        left_out,
        in_progress: (now_ms < end * 1000).then(|| end - i64::from(period)),
        span: (start, end, i64::from(period)),
    })
}

/// One line of a graph: points `(epoch seconds, value)`, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(i64, f64)>,
}

/// Latest, lowest and highest value of a series, and when the latest and the highest were.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub latest: f64,
    pub latest_at: i64,
    pub min: f64,
    pub max: f64,
    pub max_at: i64,
    pub total: f64,
}

impl Series {
    pub fn summary(&self) -> Option<Summary> {
        let &(latest_at, latest) = self.points.last()?;
        let mut s = Summary {
            latest,
            latest_at,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            max_at: latest_at,
            total: 0.0,
        };
        for &(t, v) in &self.points {
            s.min = s.min.min(v);
            if v > s.max {
                s.max = v;
                s.max_at = t;
            }
            s.total += v;
        }
        Some(s)
    }
}

/// A view's data: its series (each with points), and the streams that returned something
/// other than `Complete`.
#[derive(Clone, Debug, PartialEq)]
pub struct ViewData {
    pub kind: ViewKind,
    pub series: Vec<Series>,
    /// `(label, status code, message)` of results that are not complete.
    pub incomplete: Vec<(String, String, String)>,
    pub left_out: usize,
    /// The start of a period that had not ended when it was read (`Plan::in_progress`).
    pub in_progress: Option<i64>,
    /// `(StartTime, EndTime, period)` of the call (`Plan::span`); `None` when not known.
    pub span: Option<(i64, i64, i64)>,
}

impl ViewData {
    /// No data point at all in the range.
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.points.is_empty())
    }

    /// The summary of series `s` as the graph tells it. A count (`count`: requests, errors,
    /// throttles) has no data point for a period in which nothing happened: such a period
    /// counts as 0, so a sparse count's minimum is 0 and its latest value is that of the last
    /// period, 0 when it has no point.
    pub fn summary(&self, s: &Series, count: bool) -> Option<Summary> {
        let mut sum = s.summary()?;
        if !count {
            return Some(sum);
        }
        // A period still running is low only because it has not ended: never the minimum,
        // with a point or without one.
        let running = |t: i64| self.in_progress == Some(t);
        let complete: Vec<f64> = s
            .points
            .iter()
            .filter(|p| !running(p.0))
            .map(|p| p.1)
            .collect();
        if !complete.is_empty() {
            sum.min = complete.iter().fold(f64::INFINITY, |m, v| m.min(*v));
        }
        if let Some((start, end, period)) = self.span {
            let periods = (end - start) / period.max(1) - i64::from(self.in_progress.is_some());
            if (complete.len() as i64) < periods {
                sum.min = sum.min.min(0.0);
            }
            let last = end - period;
            if sum.latest_at < last {
                sum.latest = 0.0;
                sum.latest_at = last;
            }
        }
        Some(sum)
    }
}

/// The label of the Reliability view's percentage series (its other series are error counts).
pub const RELIABILITY: &str = "Reliability";

/// Reads the replies of a plan's call (all pages, in order) into the view's series.
pub fn combine(plan: &Plan, pages: &[GetMetricDataResponse]) -> ViewData {
    // Per part: timestamp → value, pages appended.
    let mut per_part: BTreeMap<&str, BTreeMap<i64, f64>> = BTreeMap::new();
    let mut incomplete = Vec::new();
    for r in pages.iter().flat_map(|p| &p.results) {
        let Some(part) = plan.parts.iter().find(|p| p.id == r.id) else {
            continue;
        };
        let entry = per_part.entry(part.id.as_str()).or_default();
        for (t, v) in r.timestamps.iter().zip(&r.values) {
            if v.is_finite() && t.is_finite() {
                entry.insert(*t as i64, *v);
            }
        }
        if let Some(code) = r
            .status_code
            .as_ref()
            .filter(|c| c.as_str() != "Complete" && c.as_str() != "PartialData")
        {
            let message = r
                .messages
                .iter()
                .filter_map(|m| m.value.clone())
                .collect::<Vec<_>>()
                .join(" ");
            incomplete.push((part.group.clone(), code.as_str().to_string(), message));
        }
    }
    let mut groups: BTreeMap<&str, BTreeMap<i64, f64>> = BTreeMap::new();
    // Reliability: requests and retryable errors per timestamp.
    let mut requests: BTreeMap<i64, f64> = BTreeMap::new();
    let mut retryable: BTreeMap<i64, f64> = BTreeMap::new();
    for part in &plan.parts {
        let Some(points) = per_part.get(part.id.as_str()) else {
            continue;
        };
        let g = groups.entry(part.group.as_str()).or_default();
        for (&t, &v) in points {
            match part.role {
                Role::Requests => *requests.entry(t).or_default() += v,
                Role::RetryableErrors => {
                    *retryable.entry(t).or_default() += v;
                    *g.entry(t).or_default() += v;
                }
                Role::Summed => *g.entry(t).or_default() += v,
                Role::Max => {
                    let e = g.entry(t).or_insert(v);
                    *e = e.max(v);
                }
                Role::Min => {
                    let e = g.entry(t).or_insert(v);
                    *e = e.min(v);
                }
            }
        }
    }
    let mut series: Vec<Series> = match plan.kind {
        ViewKind::TotalRequests => vec![Series {
            label: "Total requests".into(),
            points: requests.into_iter().collect(),
        }],
        // Reliability (drops only on retryable errors, as in the AWS console), then the errors
        // of each type per period.
        ViewKind::Reliability => {
            let mut out = vec![Series {
                label: RELIABILITY.into(),
                points: requests
                    .into_iter()
                    .filter(|(_, n)| *n > 0.0)
                    .map(|(t, n)| {
                        let bad = retryable.get(&t).copied().unwrap_or(0.0).min(n);
                        (t, 100.0 * (1.0 - bad / n))
                    })
                    .collect(),
            }];
            for label in [RETRYABLE, NON_RETRYABLE] {
                out.push(Series {
                    label: label.into(),
                    points: groups
                        .remove(label)
                        .unwrap_or_default()
                        .into_iter()
                        .collect(),
                });
            }
            out
        }
        _ => groups
            .into_iter()
            .map(|(label, points)| Series {
                label: label.to_string(),
                points: points.into_iter().collect(),
            })
            .collect(),
    };
    if plan.kind == ViewKind::TopExceptions {
        let total = |s: &Series| s.points.iter().map(|p| p.1).sum::<f64>();
        series.retain(|s| total(s) > 0.0);
        series.sort_by(|a, b| total(b).total_cmp(&total(a)).then(a.label.cmp(&b.label)));
        series.truncate(5);
    }
    ViewData {
        kind: plan.kind,
        series,
        incomplete,
        left_out: plan.left_out,
        in_progress: plan.in_progress,
        span: Some(plan.span),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_count_of_one_reads_in_the_singular() {
        assert_eq!(unit_for("requests", "1"), "request");
        assert_eq!(unit_for("requests", "2"), "requests");
        assert_eq!(unit_for("requests", "0"), "requests");
        assert_eq!(unit_for("days", "1.5"), "days");
        assert_eq!(unit_for("days", "0.9"), "days");
        assert_eq!(unit_for("errors", "1"), "error");
        assert_eq!(unit_for("days", "1"), "day");
        assert_eq!(unit_for("key managers", "1"), "key manager");
        assert_eq!(unit_for("%", "1"), "%");
        assert_eq!(unit_for("ms", "1"), "ms");
        // Every view's unit is one the rule knows, or one that has no plural.
        for k in ViewKind::for_store(StoreKind::External) {
            let u = k.unit();
            assert!(u == "%" || u == "ms" || unit_for(u, "1") != u, "{u}");
        }
    }

    use super::super::discover::tests::m;
    use super::*;
    use crate::aws::cloudwatch::{MetricDataResult, StatusCode};
    use crate::aws::kms::Validate;

    const S: &str = "cks-1";

    fn found() -> Discovered {
        let lat = |op: &str| {
            m(
                metric::LATENCY,
                &[
                    (dim::STORE, S),
                    (dim::KMS_OPERATION, op),
                    (dim::XKS_OPERATION, op),
                    (dim::KEY_SPEC, "AES_256"),
                ],
            )
        };
        let err = |t: &str, e: &str| {
            m(
                metric::ERRORS,
                &[
                    (dim::STORE, S),
                    (dim::KMS_OPERATION, "Encrypt"),
                    (dim::ERROR_TYPE, t),
                    (dim::EXCEPTION, e),
                ],
            )
        };
        Discovered::new(
            S,
            [
                lat("Encrypt"),
                lat("Decrypt"),
                err("Retryable", "XksProxyTimedOut"),
                err("Non-retryable", "XksProxyInvalidResponse"),
                m(
                    metric::CERTIFICATE_DAYS_TO_EXPIRE,
                    &[(dim::STORE, S), (dim::CERTIFICATE, "proxy.example.com")],
                ),
            ],
        )
    }

    fn result(id: &str, points: &[(i64, f64)]) -> MetricDataResult {
        MetricDataResult {
            id: id.into(),
            label: None,
            timestamps: points.iter().map(|p| p.0 as f64).collect(),
            values: points.iter().map(|p| p.1).collect(),
            status_code: Some(StatusCode::Complete),
            messages: vec![],
        }
    }

    #[test]
    fn each_view_asks_for_its_streams_in_one_valid_call() {
        let f = found();
        let now = 1_700_000_000_000;
        for kind in ViewKind::for_store(StoreKind::External) {
            let p = plan(*kind, StoreKind::External, &f, Range::DEFAULT, now);
            match kind {
                ViewKind::CredentialAge
                | ViewKind::ExternalKeyManagerStates
                | ViewKind::Throttling => {
                    assert!(p.is_none(), "{kind:?}")
                }
                _ => {
                    let p = p.unwrap();
                    assert!(
                        p.request.problems().is_empty(),
                        "{kind:?}: {:?}",
                        p.request.problems()
                    );
                    assert!(
                        p.request.metric_data_queries.iter().all(|q| q
                            .metric_stat
                            .as_ref()
                            .unwrap()
                            .period
                            == 300)
                    );
                }
            }
        }
        let r = plan(
            ViewKind::Reliability,
            StoreKind::External,
            &f,
            Range::H1,
            now,
        )
        .unwrap();
        // Two request streams and the two error streams.
        assert_eq!(r.parts.len(), 4);
        // At the plan's time the last period has not ended: its counts still grow.
        let (end, period) = (r.request.end_time, i64::from(Range::H1.period()));
        assert!(end > 1_700_000_000 && end % period == 0);
        assert_eq!(r.in_progress, Some(end - period));
        let p = plan(
            ViewKind::TotalRequests,
            StoreKind::External,
            &f,
            Range::H1,
            end * 1000,
        );
        assert_eq!(
            p.unwrap().in_progress,
            None,
            "a period that just ended is complete"
        );
        assert_eq!(
            ViewKind::for_store(StoreKind::CloudHsm),
            &[ViewKind::Throttling]
        );
        assert_eq!(
            ViewKind::Throttling.metrics(StoreKind::CloudHsm),
            vec![metric::HSM_THROTTLE]
        );
    }

    #[test]
    fn results_combine_into_series() {
        let f = found();
        let p = plan(ViewKind::Reliability, StoreKind::External, &f, Range::H1, 0).unwrap();
        let page = GetMetricDataResponse {
            results: vec![
                result("m0", &[(60, 50.0), (120, 40.0)]),
                result("m1", &[(60, 50.0), (120, 60.0)]),
                // Sorted streams: the non-retryable one (m2) before the retryable one (m3).
                result("m2", &[(120, 3.0)]),
                result("m3", &[(60, 10.0)]),
            ],
            ..Default::default()
        };
        let v = combine(&p, &[page]);
        assert_eq!(v.series[0].points, vec![(60, 90.0), (120, 100.0)]);
        assert_eq!(v.series[1].label, RETRYABLE);
        assert_eq!(v.series[1].points, vec![(60, 10.0)]);
        assert_eq!(v.series[2].points, vec![(120, 3.0)]);
        let s = v.series[0].summary().unwrap();
        assert_eq!(
            (s.latest, s.min, s.max, s.latest_at),
            (100.0, 90.0, 100.0, 120)
        );

        let p = plan(
            ViewKind::TotalRequests,
            StoreKind::External,
            &f,
            Range::H1,
            0,
        )
        .unwrap();
        let v = combine(
            &p,
            &[
                GetMetricDataResponse {
                    results: vec![result("m0", &[(60, 5.0)])],
                    next_token: Some("t".into()),
                    ..Default::default()
                },
                GetMetricDataResponse {
                    results: vec![result("m0", &[(120, 7.0)]), result("m1", &[(60, 1.0)])],
                    ..Default::default()
                },
            ],
        );
        assert_eq!(v.series[0].points, vec![(60, 6.0), (120, 7.0)]);

        let p = plan(
            ViewKind::TopExceptions,
            StoreKind::External,
            &f,
            Range::H1,
            0,
        )
        .unwrap();
        let mut forbidden = result("m1", &[]);
        forbidden.status_code = Some(StatusCode::Forbidden);
        let v = combine(
            &p,
            &[GetMetricDataResponse {
                results: vec![result("m0", &[(60, 0.0)]), forbidden],
                ..Default::default()
            }],
        );
        assert!(v.series.is_empty() && v.is_empty());
        assert_eq!(v.incomplete.len(), 1);
        assert_eq!(Series::default().summary(), None);
        // A count without a point in some periods: those periods were 0.
        let sparse = Series {
            label: "Encrypt".into(),
            points: vec![(600, 7.0), (900, 3.0)],
        };
        let d = ViewData {
            kind: ViewKind::TotalRequests,
            series: vec![sparse.clone()],
            incomplete: vec![],
            left_out: 0,
            in_progress: None,
            span: Some((0, 1800, 300)),
        };
        let count = d.summary(&sparse, true).unwrap();
        assert_eq!((count.min, count.max, count.total), (0.0, 7.0, 10.0));
        assert_eq!((count.latest, count.latest_at), (0.0, 1500));
        // A level (a latency) is what its points say.
        let level = d.summary(&sparse, false).unwrap();
        assert_eq!((level.min, level.latest, level.latest_at), (3.0, 3.0, 900));
        // Every period has a point: nothing added.
        let full = Series {
            label: "Encrypt".into(),
            points: (0..6).map(|k| (k * 300, 2.0)).collect(),
        };
        let all = d.summary(&full, true).unwrap();
        assert_eq!((all.min, all.latest, all.latest_at), (2.0, 2.0, 1500));
        // The last period still running: its count is the latest, not the minimum.
        let mut running = full.clone();
        running.points[5].1 = 0.5;
        let d = ViewData {
            in_progress: Some(1500),
            ..d
        };
        let r = d.summary(&running, true).unwrap();
        assert_eq!((r.min, r.latest), (2.0, 0.5));
        // The running period has no point yet, every complete one has: no minimum of 0.
        let mut early = full.clone();
        early.points.pop();
        let e = d.summary(&early, true).unwrap();
        assert_eq!((e.min, e.latest, e.latest_at), (2.0, 0.0, 1500));
    }

    #[test]
    fn top_five_by_total() {
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let f = Discovered::new(
            S,
            names
                .iter()
                .map(|e| m(metric::ERRORS, &[(dim::STORE, S), (dim::EXCEPTION, e)])),
        );
        let p = plan(
            ViewKind::TopExceptions,
            StoreKind::External,
            &f,
            Range::H1,
            0,
        )
        .unwrap();
        let results = p
            .parts
            .iter()
            .enumerate()
            .map(|(i, part)| result(&part.id, &[(60, i as f64 + 1.0)]))
            .collect();
        let v = combine(
            &p,
            &[GetMetricDataResponse {
                results,
                ..Default::default()
            }],
        );
        let labels: Vec<&str> = v.series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["g", "f", "e", "d", "c"]);
    }
}
