//! CloudWatch on the wire: `ListMetrics`, `GetMetricData`, `DescribeAlarms` and
//! `PutMetricAlarm` in AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`,
//! `Content-Type: application/x-amz-json-1.0`, signing name `monitoring`), typed after botocore's
//! model (`data/cloudwatch.json`, trimmed to these four operations) with only the members the
//! health view needs. Timestamps are epoch seconds on the wire, as botocore writes and reads
//! them for the JSON protocols. Enums keep values they do not know, as in `kms`.
//!
//! Errors: CloudWatch is `awsQueryCompatible`. Over JSON it names an error by its shape in
//! `__type` (`InvalidParameterValueException`) and by its old Query code in the
//! `x-amzn-query-error` header (`InvalidParameterValue;Sender`), which botocore prefers; the
//! client does the same, and [`query_code`] maps a shape name to its code when the header is
//! not readable (CORS).

use crate::aws::credentials::Credentials;
use crate::aws::endpoint::Endpoint;
use crate::aws::error::KmsError;
use crate::aws::json::{FromJson, Obj};
use crate::aws::kms::{Validate, wire_enum};
use crate::aws::limits::Problem;
use crate::aws::sign::{SignError, SignedRequest, sign_json_with};
use serde::Serialize;
use serde_json::Value;

/// The SigV4 signing name and endpoint prefix.
pub const SIGNING_NAME: &str = "monitoring";
/// The model's `targetPrefix`.
pub const TARGET_PREFIX: &str = "GraniteServiceVersion20100801";
/// AWS JSON 1.0 (the model's `jsonVersion`).
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";
/// KMS's metrics namespace.
pub const KMS_NAMESPACE: &str = "AWS/KMS";

/// The model's limits (and the documented ones the model does not carry).
pub const MAX_DIMENSIONS: usize = 30;
pub const MAX_DIMENSION_FILTERS: usize = 10;
pub const MAX_ALARM_NAMES: usize = 100;
pub const MAX_RECORDS: std::ops::RangeInclusive<u32> = 1..=100;
pub const MAX_ACTIONS: usize = 5;
/// GetMetricData: at most 500 queries and 100,800 data points per call (the operation's
/// documentation).
pub const MAX_QUERIES: usize = 500;
pub const MAX_DATAPOINTS_PER_CALL: u64 = 100_800;

/// The four operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CwOperation {
    ListMetrics,
    GetMetricData,
    DescribeAlarms,
    PutMetricAlarm,
}

impl CwOperation {
    pub const ALL: [CwOperation; 4] = [
        Self::ListMetrics,
        Self::GetMetricData,
        Self::DescribeAlarms,
        Self::PutMetricAlarm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::ListMetrics => "ListMetrics",
            Self::GetMetricData => "GetMetricData",
            Self::DescribeAlarms => "DescribeAlarms",
            Self::PutMetricAlarm => "PutMetricAlarm",
        }
    }

    /// `X-Amz-Target`.
    pub fn target(self) -> String {
        format!("{TARGET_PREFIX}.{}", self.name())
    }

    /// The IAM action the caller needs.
    pub fn iam_action(self) -> String {
        format!("cloudwatch:{}", self.name())
    }
}

wire_enum!(
    /// The model's `StateValue`.
    StateValue {
        Ok = "OK",
        Alarm = "ALARM",
        InsufficientData = "INSUFFICIENT_DATA",
    }
);

wire_enum!(
    /// The model's `Statistic`.
    Statistic {
        SampleCount = "SampleCount",
        Average = "Average",
        Sum = "Sum",
        Minimum = "Minimum",
        Maximum = "Maximum",
    }
);

wire_enum!(
    /// The model's `ComparisonOperator`.
    ComparisonOperator {
        GreaterThanOrEqualToThreshold = "GreaterThanOrEqualToThreshold",
        GreaterThanThreshold = "GreaterThanThreshold",
        LessThanThreshold = "LessThanThreshold",
        LessThanOrEqualToThreshold = "LessThanOrEqualToThreshold",
        LessThanLowerOrGreaterThanUpperThreshold = "LessThanLowerOrGreaterThanUpperThreshold",
        LessThanLowerThreshold = "LessThanLowerThreshold",
        GreaterThanUpperThreshold = "GreaterThanUpperThreshold",
    }
);

wire_enum!(
    /// The model's `StatusCode` of a `MetricDataResult`.
    StatusCode {
        Complete = "Complete",
        InternalError = "InternalError",
        PartialData = "PartialData",
        Forbidden = "Forbidden",
    }
);

wire_enum!(
    /// The model's `ScanBy`.
    ScanBy {
        TimestampDescending = "TimestampDescending",
        TimestampAscending = "TimestampAscending",
    }
);

/// The model's `AlarmType` values.
pub const ALARM_TYPES: [&str; 3] = ["CompositeAlarm", "MetricAlarm", "LogAlarm"];

/// The model's modeled errors: (shape name, Query code, HTTP status).
pub const MODELED_ERRORS: [(&str, &str, u16); 4] = [
    ("InvalidNextToken", "InvalidNextToken", 400),
    (
        "InvalidParameterValueException",
        "InvalidParameterValue",
        400,
    ),
    ("LimitExceededFault", "LimitExceeded", 400),
    ("InternalServiceFault", "InternalServiceError", 500),
];

/// The Query code of an error named by its shape (`InvalidParameterValueException` →
/// `InvalidParameterValue`); other codes unchanged.
pub fn query_code(code: &str) -> &str {
    MODELED_ERRORS
        .iter()
        .find(|(shape, _, _)| *shape == code)
        .map(|(_, q, _)| *q)
        .unwrap_or(code)
}

/// A CloudWatch error as the explanations know it: the code the `x-amzn-query-error` header
/// named (the client already put it in `code`), or the shape name mapped to its Query code.
pub fn normalize_error(mut e: KmsError) -> KmsError {
    let q = query_code(&e.code);
    if q != e.code {
        e.code = q.to_string();
    }
    e
}

fn problem(out: &mut Vec<Problem>, member: &'static str, message: String) {
    out.push(Problem { member, message });
}

fn check_len(out: &mut Vec<Problem>, member: &'static str, v: &str, min: usize, max: usize) {
    let n = v.chars().count();
    if n < min || n > max {
        problem(
            out,
            member,
            format!("must have {min} to {max} characters (it has {n})."),
        );
    }
}

/// A metric dimension (both members required).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Dimension {
    pub name: String,
    pub value: String,
}

impl Dimension {
    pub fn new(name: &str, value: &str) -> Self {
        Self {
            name: name.to_string(),
            value: value.to_string(),
        }
    }
}

impl FromJson for Dimension {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a dimension")?;
        Ok(Self {
            name: o.str("Name")?.unwrap_or_default(),
            value: o.str("Value")?.unwrap_or_default(),
        })
    }
}

fn check_dimensions(out: &mut Vec<Problem>, member: &'static str, dims: &[Dimension]) {
    if dims.len() > MAX_DIMENSIONS {
        problem(
            out,
            member,
            format!("may have at most {MAX_DIMENSIONS} entries."),
        );
    }
    for d in dims {
        check_len(out, member, &d.name, 1, 255);
        check_len(out, member, &d.value, 1, 1024);
    }
}

/// A `ListMetrics` dimension filter (`Value` optional: any value).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DimensionFilter {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// A metric: namespace, name and dimensions.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Metric {
    pub namespace: String,
    pub metric_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
}

impl Metric {
    /// The value of a dimension, if the metric has it.
    pub fn dimension(&self, name: &str) -> Option<&str> {
        self.dimensions
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_str())
    }
}

impl FromJson for Metric {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a metric")?;
        Ok(Self {
            namespace: o.str("Namespace")?.unwrap_or_default(),
            metric_name: o.str("MetricName")?.unwrap_or_default(),
            dimensions: o.list("Dimensions")?.unwrap_or_default(),
        })
    }
}

fn check_metric(out: &mut Vec<Problem>, m: &Metric) {
    check_len(out, "Namespace", &m.namespace, 1, 255);
    if m.namespace.starts_with(':') {
        problem(out, "Namespace", "must not start with ':'.".into());
    }
    check_len(out, "MetricName", &m.metric_name, 1, 255);
    check_dimensions(out, "Dimensions", &m.dimensions);
}

/// The `ListMetrics` request.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMetricsRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<DimensionFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    /// Only `PT3H` (the model's `RecentlyActive`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recently_active: Option<String>,
}

impl ListMetricsRequest {
    /// Every `AWS/KMS` metric of one custom key store.
    pub fn for_store(store_id: &str) -> Self {
        Self {
            namespace: Some(KMS_NAMESPACE.to_string()),
            dimensions: vec![DimensionFilter {
                name: "CustomKeyStoreId".to_string(),
                value: Some(store_id.trim().to_string()),
            }],
            ..Self::default()
        }
    }

    /// The same request for the page after `response`, if there is one.
    pub fn next_page(&self, response: &ListMetricsResponse) -> Option<Self> {
        let token = response.next_token.as_deref().filter(|t| !t.is_empty())?;
        Some(Self {
            next_token: Some(token.to_string()),
            ..self.clone()
        })
    }
}

impl Validate for ListMetricsRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Some(n) = &self.namespace {
            check_len(&mut out, "Namespace", n, 1, 255);
            if n.starts_with(':') {
                problem(&mut out, "Namespace", "must not start with ':'.".into());
            }
        }
        if let Some(n) = &self.metric_name {
            check_len(&mut out, "MetricName", n, 1, 255);
        }
        if self.dimensions.len() > MAX_DIMENSION_FILTERS {
            problem(
                &mut out,
                "Dimensions",
                format!("may have at most {MAX_DIMENSION_FILTERS} filters."),
            );
        }
        for d in &self.dimensions {
            check_len(&mut out, "Dimensions", &d.name, 1, 255);
            if let Some(v) = &d.value {
                check_len(&mut out, "Dimensions", v, 1, 1024);
            }
        }
        if let Some(r) = self.recently_active.as_deref().filter(|r| *r != "PT3H") {
            problem(
                &mut out,
                "RecentlyActive",
                format!("must be PT3H (it is {r})."),
            );
        }
        out
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListMetricsResponse {
    pub metrics: Vec<Metric>,
    pub next_token: Option<String>,
}

impl FromJson for ListMetricsResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            metrics: o.list("Metrics")?.unwrap_or_default(),
            next_token: o.str("NextToken")?,
        })
    }
}

/// A metric, a period (seconds) and a statistic.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricStat {
    pub metric: Metric,
    pub period: u32,
    pub stat: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// Whether CloudWatch accepts `period` for a metric's data: 1, 5, 10, 20, 30, or a multiple
/// of 60 (the `Period` documentation; the model only says at least 1).
pub fn valid_period(period: u32) -> bool {
    matches!(period, 1 | 5 | 10 | 20 | 30) || (period >= 60 && period.is_multiple_of(60))
}

/// One query of `GetMetricData`: a metric (`MetricStat`) or an expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetricDataQuery {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_data: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
}

impl FromJson for MetricStat {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a metric stat")?;
        Ok(Self {
            metric: o.object("Metric")?.unwrap_or_default(),
            period: o.num("Period")?.unwrap_or(0.0) as u32,
            stat: o.str("Stat")?.unwrap_or_default(),
            unit: o.str("Unit")?,
        })
    }
}

impl FromJson for MetricDataQuery {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a metric data query")?;
        Ok(Self {
            id: o.str("Id")?.unwrap_or_default(),
            metric_stat: o.object("MetricStat")?,
            expression: o.str("Expression")?,
            label: o.str("Label")?,
            return_data: o.bool("ReturnData")?,
            period: o.num("Period")?.map(|p| p as u32),
        })
    }
}

/// A query id: starts with a lower-case letter, then letters, digits and `_` (the
/// `MetricDataQuery.Id` documentation), 1 to 255 characters (the model).
pub fn valid_query_id(id: &str) -> bool {
    let mut chars = id.chars();
    id.len() <= 255
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The `GetMetricData` request. `StartTime` and `EndTime` are epoch seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetMetricDataRequest {
    pub metric_data_queries: Vec<MetricDataQuery>,
    pub start_time: i64,
    pub end_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scan_by: Option<ScanBy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_datapoints: Option<u32>,
}

impl GetMetricDataRequest {
    /// The same request for the page after `response`, if there is one.
    pub fn next_page(&self, response: &GetMetricDataResponse) -> Option<Self> {
        let token = response.next_token.as_deref().filter(|t| !t.is_empty())?;
        Some(Self {
            next_token: Some(token.to_string()),
            ..self.clone()
        })
    }

    /// The data points the request can return at most: for each returned metric query,
    /// (end − start) / period.
    pub fn datapoints(&self) -> u64 {
        let span = (self.end_time - self.start_time).max(0) as u64;
        self.metric_data_queries
            .iter()
            .filter_map(|q| q.metric_stat.as_ref())
            .map(|s| span.div_ceil(u64::from(s.period.max(1))))
            .sum()
    }
}

impl Validate for GetMetricDataRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let n = self.metric_data_queries.len();
        if n == 0 || n > MAX_QUERIES {
            problem(
                &mut out,
                "MetricDataQueries",
                format!("must have 1 to {MAX_QUERIES} queries (it has {n})."),
            );
        }
        let mut ids = std::collections::BTreeSet::new();
        for q in &self.metric_data_queries {
            if !valid_query_id(&q.id) {
                problem(
                    &mut out,
                    "MetricDataQueries.Id",
                    format!(
                        "must start with a lower-case letter, then letters, digits or _ ({}).",
                        q.id
                    ),
                );
            }
            if !ids.insert(q.id.as_str()) {
                problem(
                    &mut out,
                    "MetricDataQueries.Id",
                    format!("must be unique ({} appears twice).", q.id),
                );
            }
            match (&q.metric_stat, &q.expression) {
                (Some(s), None) => {
                    check_metric(&mut out, &s.metric);
                    if !valid_period(s.period) {
                        problem(
                            &mut out,
                            "MetricStat.Period",
                            format!(
                                "must be 1, 5, 10, 20, 30 or a multiple of 60 (it is {}).",
                                s.period
                            ),
                        );
                    }
                    if s.stat.is_empty() {
                        problem(&mut out, "MetricStat.Stat", "is required.".into());
                    }
                }
                (None, Some(e)) => check_len(&mut out, "Expression", e, 1, 2048),
                _ => problem(
                    &mut out,
                    "MetricDataQueries",
                    format!(
                        "query {} must have exactly one of MetricStat and Expression.",
                        q.id
                    ),
                ),
            }
        }
        if self.end_time <= self.start_time {
            problem(&mut out, "EndTime", "must be later than StartTime.".into());
        }
        if self.datapoints() > MAX_DATAPOINTS_PER_CALL {
            problem(
                &mut out,
                "MetricDataQueries",
                format!(
                    "would return {} data points; one call returns at most {MAX_DATAPOINTS_PER_CALL}.",
                    self.datapoints()
                ),
            );
        }
        out
    }
}

/// A message CloudWatch attaches to a result or a reply.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageData {
    pub code: Option<String>,
    pub value: Option<String>,
}

impl FromJson for MessageData {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a message")?;
        Ok(Self {
            code: o.str("Code")?,
            value: o.str("Value")?,
        })
    }
}

/// A list of JSON numbers.
struct Numbers(Vec<f64>);

impl FromJson for Numbers {
    fn from_json(v: &Value) -> Result<Self, String> {
        v.as_array()
            .ok_or("a list of numbers is not a list")?
            .iter()
            .map(|n| {
                n.as_f64()
                    .ok_or_else(|| "a value is not a number".to_string())
            })
            .collect::<Result<_, _>>()
            .map(Numbers)
    }
}

/// One series: `timestamps` (epoch seconds) and `values`, in the order asked (`ScanBy`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricDataResult {
    pub id: String,
    pub label: Option<String>,
    pub timestamps: Vec<f64>,
    pub values: Vec<f64>,
    pub status_code: Option<StatusCode>,
    pub messages: Vec<MessageData>,
}

impl FromJson for MetricDataResult {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "a metric data result")?;
        let timestamps = o
            .object::<Numbers>("Timestamps")?
            .map(|n| n.0)
            .unwrap_or_default();
        let values = o
            .object::<Numbers>("Values")?
            .map(|n| n.0)
            .unwrap_or_default();
        if timestamps.len() != values.len() {
            return Err(format!(
                "a result has {} timestamps but {} values",
                timestamps.len(),
                values.len()
            ));
        }
        Ok(Self {
            id: o.str("Id")?.unwrap_or_default(),
            label: o.str("Label")?,
            timestamps,
            values,
            status_code: o.enumeration("StatusCode")?,
            messages: o.list("Messages")?.unwrap_or_default(),
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetMetricDataResponse {
    pub results: Vec<MetricDataResult>,
    pub next_token: Option<String>,
    pub messages: Vec<MessageData>,
}

impl FromJson for GetMetricDataResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            results: o.list("MetricDataResults")?.unwrap_or_default(),
            next_token: o.str("NextToken")?,
            messages: o.list("Messages")?.unwrap_or_default(),
        })
    }
}

/// The `DescribeAlarms` request.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmsRequest {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alarm_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_name_prefix: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alarm_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_value: Option<StateValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_records: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

impl DescribeAlarmsRequest {
    pub fn next_page(&self, response: &DescribeAlarmsResponse) -> Option<Self> {
        let token = response.next_token.as_deref().filter(|t| !t.is_empty())?;
        Some(Self {
            next_token: Some(token.to_string()),
            ..self.clone()
        })
    }
}

impl Validate for DescribeAlarmsRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.alarm_names.len() > MAX_ALARM_NAMES {
            problem(
                &mut out,
                "AlarmNames",
                format!("may have at most {MAX_ALARM_NAMES} names."),
            );
        }
        for n in &self.alarm_names {
            check_len(&mut out, "AlarmNames", n, 1, 255);
        }
        if let Some(p) = &self.alarm_name_prefix {
            check_len(&mut out, "AlarmNamePrefix", p, 1, 255);
        }
        for t in &self.alarm_types {
            if !ALARM_TYPES.contains(&t.as_str()) {
                problem(
                    &mut out,
                    "AlarmTypes",
                    format!("must be CompositeAlarm, MetricAlarm or LogAlarm (not {t})."),
                );
            }
        }
        if let Some(m) = self.max_records.filter(|m| !MAX_RECORDS.contains(m)) {
            problem(
                &mut out,
                "MaxRecords",
                format!("must be from 1 to 100 (it is {m})."),
            );
        }
        out
    }
}

/// A metric alarm, as `DescribeAlarms` lists it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricAlarm {
    pub alarm_name: String,
    pub alarm_arn: Option<String>,
    pub alarm_description: Option<String>,
    pub state_value: Option<StateValue>,
    pub state_reason: Option<String>,
    /// Epoch seconds.
    pub state_updated_timestamp: Option<f64>,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub statistic: Option<Statistic>,
    pub extended_statistic: Option<String>,
    pub dimensions: Vec<Dimension>,
    pub period: Option<f64>,
    pub evaluation_periods: Option<f64>,
    pub datapoints_to_alarm: Option<f64>,
    pub threshold: Option<f64>,
    pub comparison_operator: Option<ComparisonOperator>,
    pub treat_missing_data: Option<String>,
    pub actions_enabled: Option<bool>,
    pub alarm_actions: Vec<String>,
    /// A metric-math alarm's queries.
    pub metrics: Vec<MetricDataQuery>,
}

impl MetricAlarm {
    /// Every metric the alarm watches: its own, or those of its math.
    pub fn watched(&self) -> Vec<Metric> {
        let mut out: Vec<Metric> = self
            .metrics
            .iter()
            .filter_map(|q| q.metric_stat.as_ref().map(|s| s.metric.clone()))
            .collect();
        if let Some(name) = &self.metric_name {
            out.push(Metric {
                namespace: self.namespace.clone().unwrap_or_default(),
                metric_name: name.clone(),
                dimensions: self.dimensions.clone(),
            });
        }
        out
    }
}

struct Strings(Vec<String>);

impl FromJson for Strings {
    fn from_json(v: &Value) -> Result<Self, String> {
        v.as_array()
            .ok_or("a list of strings is not a list")?
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| "a value is not a string".to_string())
            })
            .collect::<Result<_, _>>()
            .map(Strings)
    }
}

impl FromJson for MetricAlarm {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "an alarm")?;
        Ok(Self {
            alarm_name: o.str("AlarmName")?.unwrap_or_default(),
            alarm_arn: o.str("AlarmArn")?,
            alarm_description: o.str("AlarmDescription")?,
            state_value: o.enumeration("StateValue")?,
            state_reason: o.str("StateReason")?,
            state_updated_timestamp: o.num("StateUpdatedTimestamp")?,
            namespace: o.str("Namespace")?,
            metric_name: o.str("MetricName")?,
            statistic: o.enumeration("Statistic")?,
            extended_statistic: o.str("ExtendedStatistic")?,
            dimensions: o.list("Dimensions")?.unwrap_or_default(),
            period: o.num("Period")?,
            evaluation_periods: o.num("EvaluationPeriods")?,
            datapoints_to_alarm: o.num("DatapointsToAlarm")?,
            threshold: o.num("Threshold")?,
            comparison_operator: o.enumeration("ComparisonOperator")?,
            treat_missing_data: o.str("TreatMissingData")?,
            actions_enabled: o.bool("ActionsEnabled")?,
            alarm_actions: o
                .object::<Strings>("AlarmActions")?
                .map(|s| s.0)
                .unwrap_or_default(),
            metrics: o.list("Metrics")?.unwrap_or_default(),
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DescribeAlarmsResponse {
    pub metric_alarms: Vec<MetricAlarm>,
    pub next_token: Option<String>,
}

impl FromJson for DescribeAlarmsResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        let o = Obj::of(v, "the reply")?;
        Ok(Self {
            metric_alarms: o.list("MetricAlarms")?.unwrap_or_default(),
            next_token: o.str("NextToken")?,
        })
    }
}

/// The `PutMetricAlarm` request for an alarm on one metric (no math, no anomaly band). This is
/// also the definition shown to the user to confirm and to copy.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutMetricAlarmRequest {
    pub alarm_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarm_description: Option<String>,
    pub actions_enabled: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<String>,
    #[serde(rename = "OKActions", skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    /// A single-metric alarm: `Namespace`, `MetricName`, `Statistic`, `Dimensions`, `Period`;
    /// a metric-math alarm: `Metrics` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic: Option<Statistic>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<Dimension>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricDataQuery>,
    pub evaluation_periods: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datapoints_to_alarm: Option<u32>,
    pub threshold: f64,
    pub comparison_operator: ComparisonOperator,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub treat_missing_data: Option<String>,
}

/// Most queries in a metric-math alarm: 10 metrics (CloudWatch's limit for an alarm) and the
/// expression.
pub const MAX_ALARM_METRICS: usize = 11;

/// `TreatMissingData` values CloudWatch accepts.
pub const TREAT_MISSING_DATA: [&str; 4] = ["breaching", "notBreaching", "ignore", "missing"];

/// An SNS topic ARN: `arn:<partition>:sns:<region>:<12 digits>:<name>`, the name 1 to 256
/// letters, digits, `-` or `_` (a FIFO topic ends in `.fifo`).
pub fn valid_sns_topic_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    let [scheme, partition, service, region, account, name] = parts.as_slice() else {
        return false;
    };
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    *scheme == "arn"
        && partition.starts_with("aws")
        && *service == "sns"
        && !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && (1..=256).contains(&base.len())
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Validate for PutMetricAlarmRequest {
    fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        check_len(&mut out, "AlarmName", &self.alarm_name, 1, 255);
        if let Some(d) = &self.alarm_description {
            check_len(&mut out, "AlarmDescription", d, 0, 1024);
        }
        for (member, list) in [
            ("AlarmActions", &self.alarm_actions),
            ("OKActions", &self.ok_actions),
        ] {
            if list.len() > MAX_ACTIONS {
                problem(
                    &mut out,
                    member,
                    format!("may have at most {MAX_ACTIONS} actions."),
                );
            }
            for a in list {
                check_len(&mut out, member, a, 1, 1024);
                if !valid_sns_topic_arn(a) {
                    problem(
                        &mut out,
                        member,
                        format!(
                            "{a} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)."
                        ),
                    );
                }
            }
        }
        let single = self.metric_name.is_some() || self.namespace.is_some();
        let alarm_period = |p: u32| p == 10 || p == 30 || (p >= 60 && p.is_multiple_of(60));
        let mut periods = Vec::new();
        if single != self.metrics.is_empty() {
            problem(
                &mut out,
                "Metrics",
                "an alarm watches either one metric (MetricName, Namespace) or Metrics, not both or neither.".into(),
            );
        }
        if single {
            check_metric(
                &mut out,
                &Metric {
                    namespace: self.namespace.clone().unwrap_or_default(),
                    metric_name: self.metric_name.clone().unwrap_or_default(),
                    dimensions: self.dimensions.clone(),
                },
            );
            match &self.statistic {
                Some(s) if Statistic::KNOWN.contains(&s.as_str()) => {}
                Some(s) => problem(&mut out, "Statistic", format!("{s} is not a statistic.")),
                None => problem(&mut out, "Statistic", "is required.".into()),
            }
            match self.period {
                Some(p) => periods.push(p),
                None => problem(&mut out, "Period", "is required.".into()),
            }
        } else {
            if self.metrics.len() > MAX_ALARM_METRICS {
                problem(
                    &mut out,
                    "Metrics",
                    format!("may have at most {MAX_ALARM_METRICS} queries."),
                );
            }
            let returned = self
                .metrics
                .iter()
                .filter(|q| q.return_data != Some(false))
                .count();
            if returned != 1 {
                problem(
                    &mut out,
                    "Metrics",
                    format!("must return exactly one series (ReturnData true); {returned} do."),
                );
            }
            for q in &self.metrics {
                if !valid_query_id(&q.id) {
                    problem(
                        &mut out,
                        "Metrics.Id",
                        format!("{} must start with a lower-case letter.", q.id),
                    );
                }
                match (&q.metric_stat, &q.expression) {
                    (Some(s), None) => {
                        check_metric(&mut out, &s.metric);
                        periods.push(s.period);
                    }
                    (None, Some(e)) => check_len(&mut out, "Metrics.Expression", e, 1, 2048),
                    _ => problem(
                        &mut out,
                        "Metrics",
                        format!("query {} must have MetricStat or Expression.", q.id),
                    ),
                }
            }
        }
        if !ComparisonOperator::KNOWN.contains(&self.comparison_operator.as_str()) {
            problem(
                &mut out,
                "ComparisonOperator",
                format!("{} is not a comparison.", self.comparison_operator),
            );
        }
        // An alarm's period: 10, 30, or a multiple of 60 (the `Period` documentation).
        for p in periods.iter().filter(|p| !alarm_period(**p)) {
            problem(
                &mut out,
                "Period",
                format!("must be 10, 30 or a multiple of 60 (it is {p})."),
            );
        }
        if self.evaluation_periods < 1 {
            problem(&mut out, "EvaluationPeriods", "must be at least 1.".into());
        }
        // Period × EvaluationPeriods may not exceed one day (CloudWatch's documented limit).
        let longest = periods.iter().copied().max().unwrap_or(0);
        if u64::from(longest) * u64::from(self.evaluation_periods) > 86_400 {
            problem(
                &mut out,
                "EvaluationPeriods",
                "times Period must not exceed one day (86,400 seconds).".into(),
            );
        }
        if let Some(d) = self.datapoints_to_alarm
            && (d < 1 || d > self.evaluation_periods)
        {
            problem(
                &mut out,
                "DatapointsToAlarm",
                format!(
                    "must be from 1 to EvaluationPeriods ({}).",
                    self.evaluation_periods
                ),
            );
        }
        if !self.threshold.is_finite() {
            problem(&mut out, "Threshold", "must be a number.".into());
        }
        if let Some(t) = self
            .treat_missing_data
            .as_deref()
            .filter(|t| !TREAT_MISSING_DATA.contains(t))
        {
            problem(
                &mut out,
                "TreatMissingData",
                format!("must be breaching, notBreaching, ignore or missing (not {t})."),
            );
        }
        out
    }
}

/// `PutMetricAlarm` answers an empty body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PutMetricAlarmResponse;

impl FromJson for PutMetricAlarmResponse {
    fn from_json(v: &Value) -> Result<Self, String> {
        Obj::of(v, "the reply").map(|_| Self)
    }
}

/// Parses a success body of CloudWatch.
pub fn parse_output<T: FromJson>(body: &str) -> Result<T, String> {
    crate::aws::json::parse(body)
        .map_err(|e| format!("the response is not the JSON CloudWatch sends ({e})"))
}

/// Signs a CloudWatch call for `endpoint` (see `endpoint::monitoring_endpoint`).
pub fn sign(
    creds: &Credentials,
    endpoint: &Endpoint,
    op: CwOperation,
    body: String,
    now_ms: i64,
) -> Result<SignedRequest, SignError> {
    sign_json_with(
        creds,
        SIGNING_NAME,
        &endpoint.signing_region,
        &endpoint.url,
        &op.target(),
        CONTENT_TYPE,
        body,
        now_ms,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::kms::to_body;

    fn metric() -> Metric {
        Metric {
            namespace: KMS_NAMESPACE.into(),
            metric_name: "XksProxyLatency".into(),
            dimensions: vec![Dimension::new("CustomKeyStoreId", "cks-1")],
        }
    }

    #[test]
    fn requests_serialise_with_the_wire_names() {
        let r = GetMetricDataRequest {
            metric_data_queries: vec![MetricDataQuery {
                id: "latency".into(),
                metric_stat: Some(MetricStat {
                    metric: metric(),
                    period: 300,
                    stat: "Average".into(),
                    unit: None,
                }),
                expression: None,
                label: Some("Latency".into()),
                return_data: Some(true),
                period: None,
            }],
            start_time: 1_700_000_000,
            end_time: 1_700_010_800,
            next_token: None,
            scan_by: Some(ScanBy::TimestampAscending),
            max_datapoints: None,
        };
        assert_eq!(
            to_body(&r),
            r#"{"MetricDataQueries":[{"Id":"latency","MetricStat":{"Metric":{"Namespace":"AWS/KMS","MetricName":"XksProxyLatency","Dimensions":[{"Name":"CustomKeyStoreId","Value":"cks-1"}]},"Period":300,"Stat":"Average"},"Label":"Latency","ReturnData":true}],"StartTime":1700000000,"EndTime":1700010800,"ScanBy":"TimestampAscending"}"#
        );
        assert!(r.problems().is_empty(), "{:?}", r.problems());
        assert_eq!(r.datapoints(), 36);
        assert_eq!(
            to_body(&ListMetricsRequest::for_store("cks-1")),
            r#"{"Namespace":"AWS/KMS","Dimensions":[{"Name":"CustomKeyStoreId","Value":"cks-1"}]}"#
        );
    }

    #[test]
    fn limits_are_checked() {
        let mut r = GetMetricDataRequest {
            metric_data_queries: vec![],
            start_time: 10,
            end_time: 10,
            next_token: None,
            scan_by: None,
            max_datapoints: None,
        };
        let members: Vec<&str> = r.problems().iter().map(|p| p.member).collect();
        assert!(members.contains(&"MetricDataQueries") && members.contains(&"EndTime"));
        r.end_time = 100;
        r.metric_data_queries = vec![
            MetricDataQuery {
                id: "Bad-id".into(),
                metric_stat: Some(MetricStat {
                    metric: metric(),
                    period: 45,
                    stat: "Average".into(),
                    unit: None,
                }),
                expression: None,
                label: None,
                return_data: None,
                period: None,
            };
            2
        ];
        let text: Vec<String> = r.problems().iter().map(|p| p.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("lower-case")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("unique")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("Period")), "{text:?}");
        assert!(valid_query_id("a1_b") && !valid_query_id("1a") && !valid_query_id(""));
        for p in [1, 5, 10, 20, 30, 60, 300, 3600] {
            assert!(valid_period(p), "{p}");
        }
        for p in [0, 2, 45, 90, 61] {
            assert!(!valid_period(p), "{p}");
        }
        let d = DescribeAlarmsRequest {
            max_records: Some(101),
            alarm_types: vec!["Nope".into()],
            ..Default::default()
        };
        assert_eq!(d.problems().len(), 2);
    }

    #[test]
    fn replies_parse_and_keep_unknown_values() {
        let r: GetMetricDataResponse = parse_output(
            r#"{"MetricDataResults":[{"Id":"m1","Label":"L","Timestamps":[1700000300.0,1700000000],"Values":[1.5,2],"StatusCode":"Later"}],"NextToken":"t","Messages":[]}"#,
        )
        .unwrap();
        assert_eq!(
            r.results[0].timestamps,
            vec![1_700_000_300.0, 1_700_000_000.0]
        );
        assert_eq!(r.results[0].status_code.as_ref().unwrap().as_str(), "Later");
        assert_eq!(r.next_token.as_deref(), Some("t"));
        assert!(
            parse_output::<GetMetricDataResponse>(
                r#"{"MetricDataResults":[{"Id":"m1","Timestamps":[1],"Values":[]}]}"#
            )
            .is_err()
        );
        let a: DescribeAlarmsResponse = parse_output(
            r#"{"MetricAlarms":[{"AlarmName":"a","StateValue":"ALARM","Statistic":"Average","ComparisonOperator":"GreaterThanThreshold","Threshold":200.0,"Period":300,"EvaluationPeriods":1,"Dimensions":[{"Name":"CustomKeyStoreId","Value":"cks-1"}],"AlarmActions":["arn:aws:sns:us-east-1:111122223333:t"]}],"CompositeAlarms":[]}"#,
        )
        .unwrap();
        assert_eq!(a.metric_alarms[0].state_value, Some(StateValue::Alarm));
        assert_eq!(a.metric_alarms[0].alarm_actions.len(), 1);
    }

    #[test]
    fn query_compatible_error_codes() {
        assert_eq!(
            crate::aws::error::code_from_query_error("InvalidParameterValue;Sender"),
            Some("InvalidParameterValue")
        );
        assert_eq!(crate::aws::error::code_from_query_error(";Sender"), None);
        assert_eq!(crate::aws::error::code_from_query_error("x"), None);
        assert_eq!(query_code("LimitExceededFault"), "LimitExceeded");
        assert_eq!(query_code("Throttling"), "Throttling");
        let e = normalize_error(KmsError::from_response(
            400,
            None,
            None,
            r#"{"__type":"com.amazonaws.cloudwatch#InvalidParameterValueException","message":"bad"}"#,
        ));
        assert_eq!(e.code, "InvalidParameterValue");
    }

    #[test]
    fn sns_arns() {
        assert!(valid_sns_topic_arn(
            "arn:aws:sns:us-east-1:111122223333:kms-alerts"
        ));
        assert!(valid_sns_topic_arn(
            "arn:aws-us-gov:sns:us-gov-west-1:111122223333:a.fifo"
        ));
        for bad in [
            "",
            "arn:aws:sqs:us-east-1:111122223333:q",
            "arn:aws:sns:us-east-1:1111:t",
            "arn:aws:sns:us-east-1:111122223333:",
            "arn:aws:sns:us-east-1:111122223333:a b",
        ] {
            assert!(!valid_sns_topic_arn(bad), "{bad}");
        }
    }
}
