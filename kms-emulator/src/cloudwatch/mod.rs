//! CloudWatch as the console uses it (AWS JSON 1.0, `GraniteServiceVersion20100801.*`, signed
//! for `monitoring`): `ListMetrics`, `GetMetricData`, `DescribeAlarms` and `PutMetricAlarm`
//! over the scenario's scripted series (`series`), with the model's validation. Errors carry
//! CloudWatch's Query codes (`InvalidParameterValue`, `MissingParameter`, `InvalidNextToken`,
//! `LimitExceeded`, ...); `wire::cloudwatch_error` puts the shape name in `__type` and the code
//! in `x-amzn-query-error`, as CloudWatch does. Alarm states are evaluated on the series each
//! time they are read.

pub mod series;

use crate::kms::{KmsFault, fault};
use crate::spec::Scenario;
use serde_json::{Map, Value, json};
use series::{Activity, NAMESPACE, Stream};

pub const OPERATIONS: [&str; 4] = [
    "ListMetrics",
    "GetMetricData",
    "DescribeAlarms",
    "PutMetricAlarm",
];

/// Metrics per `ListMetrics` page (CloudWatch's).
const LIST_PAGE: usize = 500;
/// Data points one `GetMetricData` call may cover.
const MAX_DATAPOINTS: u64 = 100_800;
const MAX_QUERIES: usize = 500;
/// Alarms the emulated account may hold (bounded memory).
pub const MAX_ALARMS: usize = 1000;

const STATISTICS: [&str; 5] = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"];
const COMPARISONS: [&str; 7] = [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
];
const TREAT_MISSING: [&str; 4] = ["breaching", "notBreaching", "ignore", "missing"];
const ALARM_TYPES: [&str; 3] = ["CompositeAlarm", "MetricAlarm", "LogAlarm"];
const STATE_VALUES: [&str; 3] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

fn invalid(message: impl Into<String>) -> KmsFault {
    fault("InvalidParameterValue", message)
}

fn missing(member: &str) -> KmsFault {
    fault(
        "MissingParameter",
        format!("The parameter {member} is required."),
    )
}

pub struct CloudWatch {
    streams: Vec<Stream>,
    activity: Activity,
    /// The `PutMetricAlarm` inputs, by name, with the time each was last written.
    alarms: Vec<(Value, i64)>,
    started_minute: i64,
    region: String,
    account_id: String,
}

/// A JSON object's members, read with CloudWatch's checks.
struct Input<'a>(&'a Map<String, Value>);

impl<'a> Input<'a> {
    fn get(&self, k: &str) -> Option<&'a Value> {
        self.0.get(k).filter(|v| !v.is_null())
    }

    fn str(&self, k: &str, min: usize, max: usize) -> Result<Option<&'a str>, KmsFault> {
        let Some(v) = self.get(k) else {
            return Ok(None);
        };
        let s = v
            .as_str()
            .ok_or_else(|| fault("SerializationException", format!("{k} must be a string.")))?;
        let n = s.chars().count();
        if n < min || n > max {
            return Err(invalid(format!(
                "The value of {k} must have a length from {min} to {max}."
            )));
        }
        Ok(Some(s))
    }

    fn int(&self, k: &str) -> Result<Option<i64>, KmsFault> {
        let Some(v) = self.get(k) else {
            return Ok(None);
        };
        v.as_i64()
            .map(Some)
            .ok_or_else(|| fault("SerializationException", format!("{k} must be an integer.")))
    }

    fn num(&self, k: &str) -> Result<Option<f64>, KmsFault> {
        let Some(v) = self.get(k) else {
            return Ok(None);
        };
        v.as_f64()
            .map(Some)
            .ok_or_else(|| fault("SerializationException", format!("{k} must be a number.")))
    }

    fn list(&self, k: &str, max: usize) -> Result<&'a [Value], KmsFault> {
        let Some(v) = self.get(k) else {
            return Ok(&[]);
        };
        let l = v
            .as_array()
            .ok_or_else(|| fault("SerializationException", format!("{k} must be a list.")))?;
        if l.len() > max {
            return Err(invalid(format!(
                "The collection {k} must not have more than {max} members."
            )));
        }
        Ok(l)
    }

    fn enumeration(&self, k: &str, allowed: &[&str]) -> Result<Option<&'a str>, KmsFault> {
        match self.str(k, 0, usize::MAX)? {
            Some(v) if !allowed.contains(&v) => Err(invalid(format!(
                "The value {v} for parameter {k} is not valid: it must be one of {}.",
                allowed.join(", ")
            ))),
            v => Ok(v),
        }
    }
}

fn object<'a>(v: &'a Value, what: &str) -> Result<Input<'a>, KmsFault> {
    v.as_object().map(Input).ok_or_else(|| {
        fault(
            "SerializationException",
            format!("{what} must be an object."),
        )
    })
}

/// A timestamp: epoch seconds (as botocore sends them for JSON 1.0).
fn timestamp(input: &Input, k: &str) -> Result<i64, KmsFault> {
    let v = input.get(k).ok_or_else(|| missing(k))?;
    v.as_f64()
        .filter(|t| t.is_finite())
        .map(|t| t.floor() as i64)
        .ok_or_else(|| {
            fault(
                "SerializationException",
                format!("{k} must be a timestamp in epoch seconds."),
            )
        })
}

fn valid_id(id: &str) -> bool {
    let mut c = id.chars();
    id.len() <= 255
        && c.next().is_some_and(|f| f.is_ascii_lowercase())
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

fn valid_data_period(p: i64) -> bool {
    matches!(p, 1 | 5 | 10 | 20 | 30) || (p >= 60 && p % 60 == 0)
}

fn valid_alarm_period(p: i64) -> bool {
    p == 10 || p == 30 || (p >= 60 && p % 60 == 0)
}

/// Dimensions `[{Name, Value}]`, sorted.
fn dimensions(list: &[Value], filters: bool) -> Result<Vec<(String, Option<String>)>, KmsFault> {
    let mut out = Vec::new();
    for d in list {
        let d = object(d, "A dimension")?;
        let name = d
            .str("Name", 1, 255)?
            .ok_or_else(|| missing("Dimensions.member.Name"))?;
        let value = d.str("Value", 1, 1024)?;
        if !filters && value.is_none() {
            return Err(missing("Dimensions.member.Value"));
        }
        out.push((name.to_string(), value.map(str::to_string)));
    }
    out.sort();
    Ok(out)
}

/// A `Metric` (namespace, name, dimensions), checked.
struct MetricRef {
    namespace: String,
    name: String,
    dims: Vec<(String, String)>,
}

fn metric(v: &Value) -> Result<MetricRef, KmsFault> {
    let m = object(v, "Metric")?;
    let namespace = m
        .str("Namespace", 1, 255)?
        .ok_or_else(|| missing("Metric.Namespace"))?;
    if namespace.starts_with(':') {
        return Err(invalid("The value of Namespace must not start with ':'."));
    }
    let name = m
        .str("MetricName", 1, 255)?
        .ok_or_else(|| missing("Metric.MetricName"))?;
    let dims = dimensions(m.list("Dimensions", 30)?, false)?
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    Ok(MetricRef {
        namespace: namespace.to_string(),
        name: name.to_string(),
        dims,
    })
}

/// A checked `MetricStat`: metric, period, stat.
struct Stat {
    metric: MetricRef,
    period: i64,
    stat: String,
}

fn metric_stat(v: &Value, alarm: bool) -> Result<Stat, KmsFault> {
    let s = object(v, "MetricStat")?;
    let metric = metric(
        s.get("Metric")
            .ok_or_else(|| missing("MetricStat.Metric"))?,
    )?;
    let period = s
        .int("Period")?
        .ok_or_else(|| missing("MetricStat.Period"))?;
    let ok = if alarm {
        valid_alarm_period(period)
    } else {
        valid_data_period(period)
    };
    if !ok {
        return Err(invalid(format!(
            "The parameter MetricStat.Period must be 1, 5, 10, 20, 30 or a multiple of 60 (it is {period})."
        )));
    }
    let stat = s
        .str("Stat", 1, 255)?
        .ok_or_else(|| missing("MetricStat.Stat"))?;
    if !STATISTICS.contains(&stat) && !series::is_percentile(stat) {
        return Err(invalid(format!("The statistic {stat} is not valid.")));
    }
    Ok(Stat {
        metric,
        period,
        stat: stat.to_string(),
    })
}

/// Parses a `<kind>-<offset>` token this emulator handed out.
fn token(input: &Input, kind: &str) -> Result<usize, KmsFault> {
    match input.str("NextToken", 0, usize::MAX)? {
        None => Ok(0),
        Some(t) => t
            .strip_prefix(kind)
            .and_then(|n| n.strip_prefix('-'))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| {
                fault(
                    "InvalidNextToken",
                    "The service couldn't process your request because the token is invalid.",
                )
            }),
    }
}

impl CloudWatch {
    /// The scenario's series, without its alarms.
    pub fn bare(scenario: &Scenario, started_ms: i64) -> Self {
        Self {
            streams: series::streams(&scenario.stores),
            activity: Activity::default(),
            alarms: Vec::new(),
            started_minute: started_ms.div_euclid(60_000),
            region: scenario.region.clone(),
            account_id: scenario.account_id.clone(),
        }
    }

    /// The scenario's series and alarms (each checked as `PutMetricAlarm` checks it).
    pub fn new(scenario: &Scenario, started_ms: i64) -> Result<Self, String> {
        let mut cw = Self::bare(scenario, started_ms);
        for a in &scenario.alarms {
            cw.put_metric_alarm(a, started_ms)
                .map_err(|f| format!("alarms: {}: {}", f.code, f.message))?;
        }
        Ok(cw)
    }

    /// The hook for real activity: a request the store served at `now_ms` (counted in its
    /// `XksProxyLatency`).
    pub fn record_request(&mut self, store_id: &str, now_ms: i64) {
        self.activity.record(store_id, now_ms);
    }

    /// The requests recorded for a store in one epoch minute.
    #[cfg(test)]
    pub fn requests_in_minute(&self, store_id: &str, minute: i64) -> u64 {
        self.activity.count(store_id, minute)
    }

    pub fn call(&mut self, op: &str, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        match op {
            "ListMetrics" => self.list_metrics(input),
            "GetMetricData" => self.get_metric_data(input, now_ms),
            "DescribeAlarms" => self.describe_alarms(input, now_ms),
            "PutMetricAlarm" => self.put_metric_alarm(input, now_ms).map(|_| json!({})),
            other => Err(fault(
                "UnknownOperationException",
                format!("The emulator does not implement '{other}'."),
            )),
        }
    }

    fn list_metrics(&self, input: &Value) -> Result<Value, KmsFault> {
        let i = object(input, "The input")?;
        let namespace = i.str("Namespace", 1, 255)?;
        let name = i.str("MetricName", 1, 255)?;
        let filters = dimensions(i.list("Dimensions", 10)?, true)?;
        i.enumeration("RecentlyActive", &["PT3H"])?;
        i.str("OwningAccount", 1, 255)?;
        let start = token(&i, "lm")?;
        let matching: Vec<&Stream> = self
            .streams
            .iter()
            .filter(|_| namespace.is_none_or(|n| n == NAMESPACE))
            .filter(|s| name.is_none_or(|n| n == s.metric_name))
            .filter(|s| {
                filters.iter().all(|(k, v)| match s.dimension(k) {
                    Some(have) => v.as_deref().is_none_or(|v| v == have),
                    None => false,
                })
            })
            .collect();
        if start > matching.len() {
            return Err(fault(
                "InvalidNextToken",
                "The service couldn't process your request because the token is invalid.",
            ));
        }
        let page: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(LIST_PAGE)
            .map(|s| {
                json!({
                    "Namespace": NAMESPACE,
                    "MetricName": s.metric_name,
                    "Dimensions": s.dimensions.iter().map(|(k, v)| json!({"Name": k, "Value": v})).collect::<Vec<_>>(),
                })
            })
            .collect();
        let mut out = json!({ "Metrics": page });
        if start + LIST_PAGE < matching.len() {
            out["NextToken"] = json!(format!("lm-{}", start + LIST_PAGE));
        }
        Ok(out)
    }

    fn find(&self, m: &MetricRef) -> Option<&Stream> {
        if m.namespace != NAMESPACE {
            return None;
        }
        self.streams
            .iter()
            .find(|s| s.metric_name == m.name && s.dimensions == m.dims)
    }

    /// The value of `stat` of a metric over `[from, to)`.
    fn value(&self, s: &Stat, from: i64, to: i64, now_ms: i64) -> Option<f64> {
        let stream = self.find(&s.metric)?;
        stream
            .window(
                from,
                to,
                self.started_minute,
                now_ms.div_euclid(60_000),
                &self.activity,
            )
            .and_then(|d| d.stat(&s.stat))
    }

    fn get_metric_data(&self, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        let i = object(input, "The input")?;
        let queries = i
            .get("MetricDataQueries")
            .ok_or_else(|| missing("MetricDataQueries"))?;
        let queries = queries.as_array().ok_or_else(|| {
            fault(
                "SerializationException",
                "MetricDataQueries must be a list.",
            )
        })?;
        if queries.is_empty() || queries.len() > MAX_QUERIES {
            return Err(invalid(format!(
                "The collection MetricDataQueries must have 1 to {MAX_QUERIES} members."
            )));
        }
        let start = timestamp(&i, "StartTime")?;
        let end = timestamp(&i, "EndTime")?;
        if end <= start {
            return Err(invalid(
                "The parameter StartTime must be less than the parameter EndTime.",
            ));
        }
        let scan_by = i
            .enumeration("ScanBy", &["TimestampDescending", "TimestampAscending"])?
            .unwrap_or("TimestampDescending");
        let max_points = match i.int("MaxDatapoints")? {
            Some(n) if n < 1 => {
                return Err(invalid("The parameter MaxDatapoints must be at least 1."));
            }
            Some(n) => n as u64,
            None => MAX_DATAPOINTS,
        };
        if let Some(l) = i.get("LabelOptions") {
            object(l, "LabelOptions")?;
        }
        let first = token(&i, "gmd")?;
        // Check every query (ids unique, one of MetricStat / Expression), and count points.
        let mut ids = std::collections::BTreeSet::new();
        let mut parsed = Vec::new();
        let mut total: u64 = 0;
        for q in queries {
            let q = object(q, "A metric data query")?;
            let id = q
                .str("Id", 1, 255)?
                .ok_or_else(|| missing("MetricDataQueries.member.Id"))?;
            if !valid_id(id) {
                return Err(invalid(format!(
                    "The value {id} for parameter MetricDataQueries.member.Id is not valid: it must start with a lower-case letter and contain only letters, numbers and underscores."
                )));
            }
            if !ids.insert(id) {
                return Err(invalid(format!(
                    "The values for parameter id in MetricDataQueries are not unique: {id}."
                )));
            }
            let label = q.str("Label", 0, usize::MAX)?;
            let return_data = q
                .get("ReturnData")
                .map(|v| v.as_bool() != Some(false))
                .unwrap_or(true);
            let stat = match (q.get("MetricStat"), q.str("Expression", 1, 2048)?) {
                (Some(s), None) => Some(metric_stat(s, false)?),
                (None, Some(_)) => None,
                _ => {
                    return Err(fault(
                        "InvalidParameterCombination",
                        format!(
                            "Exactly one of MetricStat and Expression must be set in query {id}."
                        ),
                    ));
                }
            };
            if let Some(s) = &stat {
                total += ((end - start) as u64).div_ceil(s.period as u64);
            }
            parsed.push((id, label, return_data, stat));
        }
        if total > MAX_DATAPOINTS {
            return Err(invalid(format!(
                "The query would return {total} data points; at most {MAX_DATAPOINTS} are allowed."
            )));
        }
        if first > parsed.len() {
            return Err(fault(
                "InvalidNextToken",
                "The service couldn't process your request because the token is invalid.",
            ));
        }
        let mut results = Vec::new();
        let mut used: u64 = 0;
        let mut next = None;
        for (k, (id, label, return_data, stat)) in parsed.iter().enumerate().skip(first) {
            if !return_data {
                continue;
            }
            let Some(s) = stat else {
                results.push(json!({
                    "Id": id, "Label": label.unwrap_or(id), "Timestamps": [], "Values": [],
                    "StatusCode": "InternalError",
                    "Messages": [{"Code": "Unsupported", "Value": "The emulator evaluates MetricStat queries only, not expressions."}],
                }));
                continue;
            };
            let mut points: Vec<(i64, f64)> = Vec::new();
            let mut t = start;
            while t < end {
                let to = (t + s.period).min(end);
                if let Some(v) = self.value(s, t, to, now_ms) {
                    points.push((t, v));
                }
                t += s.period;
            }
            // A page holds whole results up to MaxDatapoints (at least one result).
            if used > 0 && used + points.len() as u64 > max_points {
                next = Some(format!("gmd-{k}"));
                break;
            }
            used += points.len() as u64;
            if scan_by == "TimestampDescending" {
                points.reverse();
            }
            results.push(json!({
                "Id": id,
                "Label": label.map(str::to_string).unwrap_or_else(|| s.metric.name.clone()),
                "Timestamps": points.iter().map(|p| p.0).collect::<Vec<_>>(),
                "Values": points.iter().map(|p| p.1).collect::<Vec<_>>(),
                "StatusCode": "Complete",
            }));
        }
        let mut out = json!({"MetricDataResults": results, "Messages": []});
        if let Some(n) = next {
            out["NextToken"] = json!(n);
        }
        Ok(out)
    }

    fn put_metric_alarm(&mut self, input: &Value, now_ms: i64) -> Result<(), KmsFault> {
        let i = object(input, "The input")?;
        let name = i
            .str("AlarmName", 1, 255)?
            .ok_or_else(|| missing("AlarmName"))?;
        i.str("AlarmDescription", 0, 1024)?;
        if let Some(v) = i.get("ActionsEnabled")
            && !v.is_boolean()
        {
            return Err(fault(
                "SerializationException",
                "ActionsEnabled must be true or false.",
            ));
        }
        for k in ["OKActions", "AlarmActions", "InsufficientDataActions"] {
            for a in i.list(k, 5)? {
                let a = a.as_str().ok_or_else(|| {
                    fault(
                        "SerializationException",
                        format!("{k} must be a list of strings."),
                    )
                })?;
                if a.is_empty()
                    || a.len() > 1024
                    || !a.starts_with("arn:")
                    || a.split(':').count() < 6
                {
                    return Err(invalid(format!("Invalid arn syntax: {a}")));
                }
            }
        }
        let single = i.get("MetricName").is_some() || i.get("Namespace").is_some();
        let metrics = i.list("Metrics", 11)?;
        if single != metrics.is_empty() {
            return Err(fault(
                "InvalidParameterCombination",
                "Exactly one of MetricName (with Namespace) and Metrics must be specified.",
            ));
        }
        let mut periods = Vec::new();
        if single {
            let m = json!({"Namespace": i.get("Namespace"), "MetricName": i.get("MetricName"), "Dimensions": i.get("Dimensions").cloned().unwrap_or(json!([]))});
            metric(&m)?;
            match (
                i.str("Statistic", 0, usize::MAX)?,
                i.str("ExtendedStatistic", 1, 255)?,
            ) {
                (Some(s), None) if STATISTICS.contains(&s) => {}
                (Some(s), None) => {
                    return Err(invalid(format!(
                        "The value {s} for parameter Statistic is not valid."
                    )));
                }
                (None, Some(p)) if series::is_percentile(p) => {}
                (None, Some(p)) => {
                    return Err(invalid(format!(
                        "The value {p} for parameter ExtendedStatistic is not valid."
                    )));
                }
                (None, None) => return Err(missing("Statistic")),
                (Some(_), Some(_)) => {
                    return Err(fault(
                        "InvalidParameterCombination",
                        "Statistic and ExtendedStatistic must not both be specified.",
                    ));
                }
            }
            let p = i.int("Period")?.ok_or_else(|| missing("Period"))?;
            if !valid_alarm_period(p) {
                return Err(invalid(format!(
                    "The parameter Period must be 10, 30 or a multiple of 60 (it is {p})."
                )));
            }
            periods.push(p);
        } else {
            let mut returned = 0;
            for q in metrics {
                let q = object(q, "A metric data query")?;
                let id = q
                    .str("Id", 1, 255)?
                    .ok_or_else(|| missing("Metrics.member.Id"))?;
                if !valid_id(id) {
                    return Err(invalid(format!(
                        "The value {id} for parameter Metrics.member.Id is not valid."
                    )));
                }
                if q.get("ReturnData")
                    .map(|v| v.as_bool() != Some(false))
                    .unwrap_or(true)
                {
                    returned += 1;
                }
                match (q.get("MetricStat"), q.str("Expression", 1, 2048)?) {
                    (Some(s), None) => periods.push(metric_stat(s, true)?.period),
                    (None, Some(_)) => {}
                    _ => {
                        return Err(fault(
                            "InvalidParameterCombination",
                            format!(
                                "Exactly one of MetricStat and Expression must be set in query {id}."
                            ),
                        ));
                    }
                }
            }
            if returned != 1 {
                return Err(invalid(
                    "Exactly one element of the Metrics list must return data (ReturnData true).",
                ));
            }
        }
        let evaluation = i
            .int("EvaluationPeriods")?
            .ok_or_else(|| missing("EvaluationPeriods"))?;
        if evaluation < 1 {
            return Err(invalid(
                "The parameter EvaluationPeriods must be at least 1.",
            ));
        }
        if periods.iter().max().copied().unwrap_or(0) * evaluation > 86_400 {
            return Err(invalid(
                "The evaluation period (Period × EvaluationPeriods) must not exceed one day.",
            ));
        }
        if let Some(d) = i.int("DatapointsToAlarm")?
            && (d < 1 || d > evaluation)
        {
            return Err(invalid(
                "DatapointsToAlarm must be from 1 to EvaluationPeriods.",
            ));
        }
        i.enumeration("ComparisonOperator", &COMPARISONS)?
            .ok_or_else(|| missing("ComparisonOperator"))?;
        i.num("Threshold")?.ok_or_else(|| missing("Threshold"))?;
        i.enumeration("TreatMissingData", &TREAT_MISSING)?;
        for t in i.list("Tags", 50)? {
            let t = object(t, "A tag")?;
            t.str("Key", 1, 128)?
                .ok_or_else(|| missing("Tags.member.Key"))?;
            t.str("Value", 0, 256)?
                .ok_or_else(|| missing("Tags.member.Value"))?;
        }
        let pos = self.alarms.iter().position(|(a, _)| a["AlarmName"] == name);
        match pos {
            Some(p) => self.alarms[p] = (input.clone(), now_ms),
            None if self.alarms.len() >= MAX_ALARMS => {
                return Err(fault(
                    "LimitExceeded",
                    format!("The maximum number of alarms ({MAX_ALARMS}) has been reached."),
                ));
            }
            None => self.alarms.push((input.clone(), now_ms)),
        }
        Ok(())
    }

    fn describe_alarms(&self, input: &Value, now_ms: i64) -> Result<Value, KmsFault> {
        let i = object(input, "The input")?;
        let names: Vec<&str> = i
            .list("AlarmNames", 100)?
            .iter()
            .map(|n| {
                n.as_str()
                    .ok_or_else(|| fault("SerializationException", "AlarmNames must be strings."))
            })
            .collect::<Result<_, _>>()?;
        let prefix = i.str("AlarmNamePrefix", 1, 255)?;
        if !names.is_empty() && prefix.is_some() {
            return Err(fault(
                "InvalidParameterCombination",
                "AlarmNames and AlarmNamePrefix must not both be specified.",
            ));
        }
        let types: Vec<&str> = i
            .list("AlarmTypes", 3)?
            .iter()
            .map(|t| match t.as_str() {
                Some(t) if ALARM_TYPES.contains(&t) => Ok(t),
                _ => Err(invalid(
                    "AlarmTypes must be CompositeAlarm, MetricAlarm or LogAlarm.",
                )),
            })
            .collect::<Result<_, _>>()?;
        let state = i.enumeration("StateValue", &STATE_VALUES)?;
        let action_prefix = i.str("ActionPrefix", 1, 1024)?;
        i.str("ChildrenOfAlarmName", 1, 255)?;
        i.str("ParentsOfAlarmName", 1, 255)?;
        let max = match i.int("MaxRecords")? {
            Some(n) if !(1..=100).contains(&n) => {
                return Err(invalid("The parameter MaxRecords must be from 1 to 100."));
            }
            Some(n) => n as usize,
            None => 50,
        };
        let start = token(&i, "da")?;
        let metric_alarms = types.is_empty() || types.contains(&"MetricAlarm");
        let matching: Vec<Value> = if metric_alarms {
            self.alarms
                .iter()
                .filter(|(a, _)| {
                    let n = a["AlarmName"].as_str().unwrap_or("");
                    (names.is_empty() || names.contains(&n))
                        && prefix.is_none_or(|p| n.starts_with(p))
                })
                .filter(|(a, _)| {
                    action_prefix.is_none_or(|p| {
                        ["OKActions", "AlarmActions", "InsufficientDataActions"]
                            .iter()
                            .any(|k| {
                                a[*k].as_array().is_some_and(|l| {
                                    l.iter()
                                        .any(|x| x.as_str().is_some_and(|x| x.starts_with(p)))
                                })
                            })
                    })
                })
                .map(|(a, at)| self.describe(a, *at, now_ms))
                .filter(|a| state.is_none_or(|s| a["StateValue"] == s))
                .collect()
        } else {
            Vec::new()
        };
        if start > matching.len() {
            return Err(fault(
                "InvalidNextToken",
                "The service couldn't process your request because the token is invalid.",
            ));
        }
        let page: Vec<Value> = matching.iter().skip(start).take(max).cloned().collect();
        let mut out = json!({"MetricAlarms": page, "CompositeAlarms": []});
        if start + max < matching.len() {
            out["NextToken"] = json!(format!("da-{}", start + max));
        }
        Ok(out)
    }

    /// An alarm as `DescribeAlarms` lists it, with its state evaluated now.
    fn describe(&self, a: &Value, written_ms: i64, now_ms: i64) -> Value {
        let mut out = a.clone();
        let name = a["AlarmName"].as_str().unwrap_or("");
        let (state, reason) = self.evaluate(a, now_ms);
        let o = out.as_object_mut().expect("an alarm is an object");
        o.remove("Tags");
        o.insert(
            "AlarmArn".into(),
            json!(format!(
                "arn:aws:cloudwatch:{}:{}:alarm:{name}",
                self.region, self.account_id
            )),
        );
        o.insert(
            "AlarmConfigurationUpdatedTimestamp".into(),
            json!(written_ms as f64 / 1000.0),
        );
        o.entry("ActionsEnabled").or_insert(json!(true));
        for k in ["OKActions", "AlarmActions", "InsufficientDataActions"] {
            o.entry(k).or_insert(json!([]));
        }
        o.insert("StateValue".into(), json!(state));
        o.insert("StateReason".into(), json!(reason));
        o.insert(
            "StateUpdatedTimestamp".into(),
            json!(now_ms.div_euclid(60_000) * 60),
        );
        o.insert(
            "StateTransitionedTimestamp".into(),
            json!(now_ms.div_euclid(60_000) * 60),
        );
        out
    }

    /// The alarm's state over its last evaluation periods (ending at the last whole period).
    fn evaluate(&self, a: &Value, now_ms: i64) -> (&'static str, String) {
        let Ok(i) = object(a, "alarm") else {
            return ("INSUFFICIENT_DATA", "Not an alarm.".into());
        };
        let evaluation = i
            .int("EvaluationPeriods")
            .ok()
            .flatten()
            .unwrap_or(1)
            .max(1);
        let to_alarm = i
            .int("DatapointsToAlarm")
            .ok()
            .flatten()
            .unwrap_or(evaluation);
        let threshold = i.num("Threshold").ok().flatten().unwrap_or(0.0);
        let comparison = i
            .str("ComparisonOperator", 0, usize::MAX)
            .ok()
            .flatten()
            .unwrap_or("");
        let treat = i
            .str("TreatMissingData", 0, usize::MAX)
            .ok()
            .flatten()
            .unwrap_or("missing");
        // One value per period: a closure over (from, to).
        let (period, value): (i64, PeriodValue<'_>) = if let Some(metrics) =
            a["Metrics"].as_array().filter(|m| !m.is_empty())
        {
            let mut stats: Vec<(String, Stat)> = Vec::new();
            let mut expression = None;
            for q in metrics {
                let id = q["Id"].as_str().unwrap_or("").to_string();
                if let Some(s) = q.get("MetricStat").and_then(|s| metric_stat(s, true).ok()) {
                    stats.push((id, s));
                } else if let Some(e) = q["Expression"].as_str() {
                    expression = Some(e.to_string());
                }
            }
            let period = stats.iter().map(|(_, s)| s.period).max().unwrap_or(60);
            let Some((function, ids)) = expression.as_deref().and_then(parse_expression) else {
                return (
                    "INSUFFICIENT_DATA",
                    "The emulator evaluates only MIN, MAX and SUM of metrics.".into(),
                );
            };
            (
                period,
                Box::new(move |from, to| {
                    let values: Vec<f64> = ids
                        .iter()
                        .filter_map(|id| stats.iter().find(|(i, _)| i == id))
                        .filter_map(|(_, s)| self.value(s, from, to, now_ms))
                        .collect();
                    if values.is_empty() {
                        return None;
                    }
                    Some(match function {
                        "MIN" => values.iter().copied().fold(f64::INFINITY, f64::min),
                        "MAX" => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                        _ => values.iter().sum(),
                    })
                }),
            )
        } else {
            let m = json!({"Namespace": a["Namespace"], "MetricName": a["MetricName"], "Dimensions": a.get("Dimensions").cloned().unwrap_or(json!([]))});
            let Ok(metric) = metric(&m) else {
                return ("INSUFFICIENT_DATA", "No metric.".into());
            };
            let stat = a["Statistic"]
                .as_str()
                .or(a["ExtendedStatistic"].as_str())
                .unwrap_or("Average")
                .to_string();
            let period = a["Period"].as_i64().unwrap_or(60).max(10);
            let s = Stat {
                metric,
                period,
                stat,
            };
            (
                period,
                Box::new(move |from, to| self.value(&s, from, to, now_ms)),
            )
        };
        let end = now_ms.div_euclid(1000).div_euclid(period) * period;
        let values: Vec<Option<f64>> = (0..evaluation)
            .map(|k| value(end - (k + 1) * period, end - k * period))
            .collect();
        let breaches = |v: f64| match comparison {
            "GreaterThanOrEqualToThreshold" => v >= threshold,
            "GreaterThanThreshold" => v > threshold,
            "LessThanThreshold" => v < threshold,
            "LessThanOrEqualToThreshold" => v <= threshold,
            _ => false,
        };
        if values.iter().all(Option::is_none) {
            return match treat {
                "breaching" => ("ALARM", "No data points, treated as breaching.".into()),
                "notBreaching" => ("OK", "No data points, treated as not breaching.".into()),
                _ => (
                    "INSUFFICIENT_DATA",
                    format!("Insufficient Data: {evaluation} datapoints were unknown."),
                ),
            };
        }
        let breaching = values.iter().flatten().filter(|v| breaches(**v)).count() as i64;
        let shown: Vec<String> = values.iter().flatten().map(|v| format!("{v}")).collect();
        if breaching >= to_alarm {
            (
                "ALARM",
                format!(
                    "Threshold Crossed: {breaching} out of the last {evaluation} datapoints [{}] crossed the threshold ({threshold}).",
                    shown.join(", ")
                ),
            )
        } else {
            (
                "OK",
                format!(
                    "Threshold Crossed: {breaching} out of the last {evaluation} datapoints [{}] crossed the threshold ({threshold}).",
                    shown.join(", ")
                ),
            )
        }
    }
}

/// An alarm's value over one period `[from, to)` (epoch seconds).
type PeriodValue<'a> = Box<dyn Fn(i64, i64) -> Option<f64> + 'a>;

/// `SUM([m0,m1])`, `MIN([…])`, `MAX([…])`, or a bare id (`m0`, as a SUM of one).
fn parse_expression(e: &str) -> Option<(&'static str, Vec<String>)> {
    let e = e.trim();
    if valid_id(e) {
        return Some(("SUM", vec![e.to_string()]));
    }
    for f in ["SUM", "MIN", "MAX"] {
        if let Some(inner) = e
            .strip_prefix(f)
            .map(str::trim)
            .and_then(|r| r.strip_prefix("(["))
            .and_then(|r| r.strip_suffix("])"))
        {
            let ids: Vec<String> = inner.split(',').map(|s| s.trim().to_string()).collect();
            if ids.iter().all(|i| valid_id(i)) {
                return Some((f, ids));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    fn cw() -> CloudWatch {
        let s = Scenario::parse(include_str!("../../scenarios/default.json")).unwrap();
        CloudWatch::new(&s, T0).unwrap()
    }

    fn call(c: &mut CloudWatch, op: &str, input: Value) -> Result<Value, KmsFault> {
        c.call(op, &input, T0)
    }

    #[test]
    fn list_metrics_filters_and_pages() {
        let mut c = cw();
        let all = call(&mut c, "ListMetrics", json!({"Namespace": "AWS/KMS"})).unwrap();
        let n = all["Metrics"].as_array().unwrap().len();
        assert!(n > 10, "{n}");
        let one = call(&mut c, "ListMetrics", json!({"Namespace": "AWS/KMS", "Dimensions": [{"Name": "CustomKeyStoreId", "Value": "cks-0a1b2c3d4e5f60001"}]})).unwrap();
        assert!(one["Metrics"].as_array().unwrap().iter().all(|m| {
            m["Dimensions"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["Value"] == "cks-0a1b2c3d4e5f60001")
        }));
        let none = call(
            &mut c,
            "ListMetrics",
            json!({"Dimensions": [{"Name": "CustomKeyStoreId", "Value": "cks-0a1b2c3d4e5f60005"}]}),
        )
        .unwrap();
        assert_eq!(none["Metrics"], json!([]));
        assert_eq!(
            call(&mut c, "ListMetrics", json!({"NextToken": "nope"}))
                .unwrap_err()
                .code,
            "InvalidNextToken"
        );
        assert_eq!(
            call(&mut c, "ListMetrics", json!({"Namespace": ""}))
                .unwrap_err()
                .code,
            "InvalidParameterValue"
        );
    }

    #[test]
    fn certificate_days_hold_the_scenarios_figure_for_half_a_day() {
        let mut c = cw();
        let mut days_at = |ms: i64| {
            let q = json!({
                "MetricDataQueries": [{"Id": "c", "MetricStat": {"Metric": {"Namespace": "AWS/KMS", "MetricName": "XksProxyCertificateDaysToExpire",
                    "Dimensions": [{"Name": "CustomKeyStoreId", "Value": "cks-0a1b2c3d4e5f60002"}, {"Name": "CertificateName", "Value": "ledger-xks.example.com"}]}, "Period": 300, "Stat": "Minimum"}}],
                "StartTime": ms / 1000 - 600, "EndTime": ms / 1000});
            let a = c.call("GetMetricData", &q, ms).unwrap();
            a["MetricDataResults"][0]["Values"][0].as_f64()
        };
        // A test run that starts a minute (or hours) after the emulator still reads 6.
        assert_eq!(days_at(T0 + 60_000), Some(6.0));
        assert_eq!(days_at(T0 + 11 * 3_600_000), Some(6.0));
        assert_eq!(days_at(T0 + 36 * 3_600_000), Some(5.0));
    }

    #[test]
    fn get_metric_data_is_deterministic_and_validated() {
        let mut c = cw();
        let q = |stat: &str, period: i64| {
            json!({
            "MetricDataQueries": [{"Id": "c", "MetricStat": {"Metric": {"Namespace": "AWS/KMS", "MetricName": "XksProxyCertificateDaysToExpire",
                "Dimensions": [{"Name": "CustomKeyStoreId", "Value": "cks-0a1b2c3d4e5f60002"}, {"Name": "CertificateName", "Value": "ledger-xks.example.com"}]}, "Period": period, "Stat": stat}}],
            "StartTime": T0 / 1000 - 3 * 3600, "EndTime": T0 / 1000, "ScanBy": "TimestampAscending"})
        };
        let a = call(&mut c, "GetMetricData", q("Minimum", 300)).unwrap();
        assert_eq!(a, call(&mut c, "GetMetricData", q("Minimum", 300)).unwrap());
        let r = &a["MetricDataResults"][0];
        assert_eq!(r["StatusCode"], "Complete");
        assert_eq!(r["Values"].as_array().unwrap().len(), 36);
        assert_eq!(
            r["Values"].as_array().unwrap().last().unwrap().as_f64(),
            Some(6.0)
        );
        for (bad, code) in [
            (
                json!({"MetricDataQueries": [], "StartTime": 1, "EndTime": 2}),
                "InvalidParameterValue",
            ),
            (
                json!({"MetricDataQueries": [{"Id": "x"}], "StartTime": 1}),
                "MissingParameter",
            ),
            (q("Median", 300), "InvalidParameterValue"),
            (q("Minimum", 45), "InvalidParameterValue"),
            (
                json!({"MetricDataQueries": [{"Id": "A", "Expression": "SUM(x)"}], "StartTime": 1, "EndTime": 2}),
                "InvalidParameterValue",
            ),
            (
                json!({"MetricDataQueries": [{"Id": "a"}], "StartTime": 1, "EndTime": 2}),
                "InvalidParameterCombination",
            ),
            (
                json!({"MetricDataQueries": [{"Id": "a", "Expression": "m"}], "StartTime": 2, "EndTime": 1}),
                "InvalidParameterValue",
            ),
        ] {
            assert_eq!(
                call(&mut c, "GetMetricData", bad.clone()).unwrap_err().code,
                code,
                "{bad}"
            );
        }
    }

    #[test]
    fn activity_counts_in_the_latency_series() {
        let mut c = cw();
        let q = json!({"MetricDataQueries": [{"Id": "n", "MetricStat": {"Metric": {"Namespace": "AWS/KMS", "MetricName": "XksProxyLatency",
            "Dimensions": [{"Name": "CustomKeyStoreId", "Value": "cks-0a1b2c3d4e5f60001"}, {"Name": "KmsOperation", "Value": "Encrypt"}, {"Name": "XksOperation", "Value": "Encrypt"}, {"Name": "KeySpec", "Value": "AES_256"}]}, "Period": 60, "Stat": "SampleCount"}}],
            "StartTime": T0 / 1000 / 60 * 60, "EndTime": T0 / 1000 / 60 * 60 + 60});
        let before =
            call(&mut c, "GetMetricData", q.clone()).unwrap()["MetricDataResults"][0]["Values"][0]
                .as_f64()
                .unwrap();
        for _ in 0..7 {
            c.record_request("cks-0a1b2c3d4e5f60001", T0);
        }
        let after = call(&mut c, "GetMetricData", q).unwrap()["MetricDataResults"][0]["Values"][0]
            .as_f64()
            .unwrap();
        assert_eq!(after, before + 7.0);
    }

    #[test]
    fn alarms_are_validated_stored_and_evaluated() {
        let mut c = cw();
        let alarm = json!({"AlarmName": "cert", "Namespace": "AWS/KMS", "MetricName": "XksProxyCertificateDaysToExpire", "Statistic": "Minimum",
            "Dimensions": [{"Name": "CustomKeyStoreId", "Value": "cks-0a1b2c3d4e5f60002"}, {"Name": "CertificateName", "Value": "ledger-xks.example.com"}],
            "Period": 300, "EvaluationPeriods": 1, "Threshold": 10, "ComparisonOperator": "LessThanThreshold"});
        call(&mut c, "PutMetricAlarm", alarm.clone()).unwrap();
        let d = call(&mut c, "DescribeAlarms", json!({"AlarmNames": ["cert"]})).unwrap();
        assert_eq!(d["MetricAlarms"][0]["StateValue"], "ALARM");
        assert!(
            d["MetricAlarms"][0]["AlarmArn"]
                .as_str()
                .unwrap()
                .ends_with(":alarm:cert")
        );
        let math = json!({"AlarmName": "errors", "Metrics": [
            {"Id": "m0", "MetricStat": {"Metric": {"Namespace": "AWS/KMS", "MetricName": "XksProxyLatency", "Dimensions": [{"Name": "CustomKeyStoreId", "Value": "cks-0a1b2c3d4e5f60001"}]}, "Period": 60, "Stat": "Sum"}, "ReturnData": false},
            {"Id": "e1", "Expression": "SUM([m0])"}],
            "EvaluationPeriods": 1, "Threshold": 5, "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"});
        call(&mut c, "PutMetricAlarm", math).unwrap();
        let d = call(&mut c, "DescribeAlarms", json!({"AlarmNamePrefix": "err"})).unwrap();
        assert_eq!(d["MetricAlarms"][0]["StateValue"], "OK");
        let mut bad = alarm.clone();
        bad["Period"] = json!(45);
        assert_eq!(
            call(&mut c, "PutMetricAlarm", bad).unwrap_err().code,
            "InvalidParameterValue"
        );
        let mut both = alarm.clone();
        both["Metrics"] = json!([{"Id": "e1", "Expression": "m0"}]);
        assert_eq!(
            call(&mut c, "PutMetricAlarm", both).unwrap_err().code,
            "InvalidParameterCombination"
        );
        let mut none = alarm.clone();
        none.as_object_mut().unwrap().remove("EvaluationPeriods");
        assert_eq!(
            call(&mut c, "PutMetricAlarm", none).unwrap_err().code,
            "MissingParameter"
        );
        assert_eq!(
            call(&mut c, "DescribeAlarms", json!({"MaxRecords": 0}))
                .unwrap_err()
                .code,
            "InvalidParameterValue"
        );
        assert_eq!(
            call(
                &mut c,
                "DescribeAlarms",
                json!({"AlarmTypes": ["CompositeAlarm"]})
            )
            .unwrap()["MetricAlarms"],
            json!([])
        );
        let paged = call(&mut c, "DescribeAlarms", json!({"MaxRecords": 1})).unwrap();
        assert_eq!(paged["MetricAlarms"].as_array().unwrap().len(), 1);
        let token = paged["NextToken"].as_str().unwrap().to_string();
        assert!(
            call(
                &mut c,
                "DescribeAlarms",
                json!({"MaxRecords": 1, "NextToken": token})
            )
            .is_ok()
        );
        for k in 0..MAX_ALARMS {
            let mut a = alarm.clone();
            a["AlarmName"] = json!(format!("a{k}"));
            if let Err(f) = call(&mut c, "PutMetricAlarm", a) {
                assert_eq!(f.code, "LimitExceeded");
                return;
            }
        }
        panic!("no limit");
    }

    #[test]
    fn expressions() {
        assert_eq!(
            parse_expression("SUM([m0, m1])"),
            Some(("SUM", vec!["m0".into(), "m1".into()]))
        );
        assert_eq!(parse_expression("m0").unwrap().1, ["m0"]);
        assert_eq!(parse_expression("AVG([m0])"), None);
    }
}
