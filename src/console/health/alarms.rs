//! The alarms AWS recommends for an external key store (KMS developer guide, `xks-monitoring`):
//! certificate days to expire below 10 (Minimum, 5 minutes); average latency above 200 ms; more
//! than 5 retryable errors per minute; more than 5 non-retryable errors per minute. Each becomes
//! a `PutMetricAlarm` request on the streams `ListMetrics` found (one metric, or a metric-math
//! alarm over several), shown to the user as JSON before it is sent; `DescribeAlarms` results
//! are matched to them to show what exists and in which state.

use super::discover::{Discovered, is_non_retryable, is_retryable};
use super::{NAMESPACE, dim, metric};
use crate::aws::cloudwatch::{
    ComparisonOperator, Metric, MetricAlarm, MetricDataQuery, MetricStat, PutMetricAlarmRequest,
    Statistic, valid_sns_topic_arn,
};

/// Most metrics one recommended alarm watches (CloudWatch's limit for a metric-math alarm).
pub const MAX_ALARM_STREAMS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlarmKey {
    CertificateDaysToExpire,
    Latency,
    RetryableErrors,
    NonRetryableErrors,
}

impl AlarmKey {
    pub const ALL: [AlarmKey; 4] = [
        Self::CertificateDaysToExpire,
        Self::Latency,
        Self::RetryableErrors,
        Self::NonRetryableErrors,
    ];

    fn slug(self) -> &'static str {
        match self {
            Self::CertificateDaysToExpire => "certificate-days-to-expire",
            Self::Latency => "latency",
            Self::RetryableErrors => "retryable-errors",
            Self::NonRetryableErrors => "non-retryable-errors",
        }
    }

    pub fn metric(self) -> &'static str {
        match self {
            Self::CertificateDaysToExpire => metric::CERTIFICATE_DAYS_TO_EXPIRE,
            Self::Latency => metric::LATENCY,
            Self::RetryableErrors | Self::NonRetryableErrors => metric::ERRORS,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::CertificateDaysToExpire => "Certificate expires in less than 10 days",
            Self::Latency => "Average latency above 200 ms",
            Self::RetryableErrors => "More than 5 retryable errors per minute",
            Self::NonRetryableErrors => "More than 5 non-retryable errors per minute",
        }
    }

    /// (statistic, period, comparison, threshold, evaluation periods, TreatMissingData).
    fn rule(self) -> (Statistic, u32, ComparisonOperator, f64, u32, &'static str) {
        match self {
            Self::CertificateDaysToExpire => (
                Statistic::Minimum,
                300,
                ComparisonOperator::LessThanThreshold,
                10.0,
                1,
                "missing",
            ),
            Self::Latency => (
                Statistic::Average,
                300,
                ComparisonOperator::GreaterThanThreshold,
                200.0,
                1,
                "notBreaching",
            ),
            Self::RetryableErrors | Self::NonRetryableErrors => (
                Statistic::Sum,
                60,
                ComparisonOperator::GreaterThanThreshold,
                5.0,
                1,
                "notBreaching",
            ),
        }
    }

    /// The streams of the store this alarm watches.
    fn streams(self, found: &Discovered) -> Vec<Metric> {
        let all = found.streams(self.metric()).iter().cloned();
        let error_type = |m: &Metric| m.dimension(dim::ERROR_TYPE).unwrap_or("").to_string();
        match self {
            Self::RetryableErrors => all.filter(|m| is_retryable(&error_type(m))).collect(),
            Self::NonRetryableErrors => all.filter(|m| is_non_retryable(&error_type(m))).collect(),
            _ => all.collect(),
        }
    }

    /// The alarm name this console gives the alarm of `store_id`.
    pub fn alarm_name(self, store_id: &str) -> String {
        format!("kms-{}-{}", store_id.trim(), self.slug())
    }
}

/// One recommended alarm for a store: the request that creates it, or why it cannot be made
/// yet.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommended {
    pub key: AlarmKey,
    pub request: Result<PutMetricAlarmRequest, String>,
    /// Streams not covered (past [`MAX_ALARM_STREAMS`]).
    pub left_out: usize,
}

impl Recommended {
    /// The exact definition, as JSON the user confirms and can copy (the `PutMetricAlarm`
    /// input, which `aws cloudwatch put-metric-alarm --cli-input-json` also takes).
    pub fn definition_json(&self) -> Option<String> {
        self.request.as_ref().ok().map(definition_json)
    }
}

/// A request's JSON, indented: the very body the client sends (`aws::kms::to_body`), laid out
/// as `serde_json`'s pretty printer does (without a second serialiser in the wasm).
pub fn definition_json(request: &PutMetricAlarmRequest) -> String {
    pretty(&crate::aws::kms::to_body(request))
}

/// Indents compact JSON with two spaces, as `serde_json::to_string_pretty` does.
pub fn pretty(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.extend(chars.next());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

/// The recommended alarms of an external key store, with `sns_topic_arn` (optional, checked)
/// as the alarm action.
pub fn recommended(found: &Discovered, sns_topic_arn: Option<&str>) -> Vec<Recommended> {
    AlarmKey::ALL
        .into_iter()
        .map(|key| build(key, found, sns_topic_arn))
        .collect()
}

fn build(key: AlarmKey, found: &Discovered, sns: Option<&str>) -> Recommended {
    let sns = sns.map(str::trim).filter(|s| !s.is_empty());
    let mut streams = key.streams(found);
    let left_out = streams.len().saturating_sub(MAX_ALARM_STREAMS);
    streams.truncate(MAX_ALARM_STREAMS);
    let request = if let Some(arn) = sns.filter(|a| !valid_sns_topic_arn(a)) {
        Err(format!(
            "{arn} is not an SNS topic ARN (arn:aws:sns:<region>:<account id>:<topic name>)."
        ))
    } else if streams.is_empty() {
        Err(format!(
            "CloudWatch lists no {} for this store yet{}: the alarm needs the metric's exact dimensions. It can be created once the store has used it.",
            key.metric(),
            match key {
                AlarmKey::RetryableErrors => " with a retryable ErrorType",
                AlarmKey::NonRetryableErrors => " with a non-retryable ErrorType",
                _ => "",
            }
        ))
    } else {
        Ok(request(key, &found.store_id, &streams, sns))
    };
    Recommended {
        key,
        request,
        left_out,
    }
}

fn request(
    key: AlarmKey,
    store_id: &str,
    streams: &[Metric],
    sns: Option<&str>,
) -> PutMetricAlarmRequest {
    let (statistic, period, comparison, threshold, evaluation_periods, missing) = key.rule();
    let actions: Vec<String> = sns.map(str::to_string).into_iter().collect();
    let mut r = PutMetricAlarmRequest {
        alarm_name: key.alarm_name(store_id),
        alarm_description: Some(format!(
            "{} on custom key store {store_id} (AWS's recommended alarm, made by cks-console).",
            key.title()
        )),
        actions_enabled: true,
        ok_actions: actions.clone(),
        alarm_actions: actions,
        namespace: None,
        metric_name: None,
        statistic: None,
        dimensions: vec![],
        period: None,
        metrics: vec![],
        evaluation_periods,
        datapoints_to_alarm: None,
        threshold,
        comparison_operator: comparison,
        treat_missing_data: Some(missing.to_string()),
    };
    if let [only] = streams {
        r.namespace = Some(NAMESPACE.to_string());
        r.metric_name = Some(only.metric_name.clone());
        r.statistic = Some(statistic);
        r.dimensions = only.dimensions.clone();
        r.period = Some(period);
        return r;
    }
    let ids: Vec<String> = (0..streams.len()).map(|i| format!("m{i}")).collect();
    r.metrics = streams
        .iter()
        .zip(&ids)
        .map(|(m, id)| MetricDataQuery {
            id: id.clone(),
            metric_stat: Some(MetricStat {
                metric: m.clone(),
                period,
                stat: statistic.as_str().to_string(),
                unit: None,
            }),
            expression: None,
            label: None,
            return_data: Some(false),
            period: None,
        })
        .collect();
    // The worst certificate, the slowest operation, the errors of all streams together.
    let function = match key {
        AlarmKey::CertificateDaysToExpire => "MIN",
        AlarmKey::Latency => "MAX",
        AlarmKey::RetryableErrors | AlarmKey::NonRetryableErrors => "SUM",
    };
    r.metrics.push(MetricDataQuery {
        id: "e1".into(),
        metric_stat: None,
        expression: Some(format!("{function}([{}])", ids.join(","))),
        label: Some(key.title().to_string()),
        return_data: Some(true),
        period: None,
    });
    r
}

/// The alarms (from all pages of `DescribeAlarms`) that watch a metric of this store.
pub fn for_store<'a>(alarms: &'a [MetricAlarm], store_id: &str) -> Vec<&'a MetricAlarm> {
    alarms
        .iter()
        .filter(|a| {
            a.watched().iter().any(|m| {
                m.namespace == NAMESPACE && m.dimension(dim::STORE) == Some(store_id.trim())
            })
        })
        .collect()
}

/// Whether an existing alarm covers a recommendation: this console's name for it, or the same
/// metric (and error type) watched in the same direction.
pub fn covers(key: AlarmKey, store_id: &str, alarm: &MetricAlarm) -> bool {
    if alarm.alarm_name == key.alarm_name(store_id) {
        return true;
    }
    let watched: Vec<Metric> = alarm
        .watched()
        .into_iter()
        .filter(|m| m.metric_name == key.metric() && m.dimension(dim::STORE) == Some(store_id))
        .collect();
    if watched.is_empty() {
        return false;
    }
    let error_type_ok = |test: fn(&str) -> bool| {
        watched
            .iter()
            .all(|m| m.dimension(dim::ERROR_TYPE).is_some_and(test))
    };
    let below = alarm.comparison_operator.as_ref().is_some_and(|c| {
        matches!(
            c,
            ComparisonOperator::LessThanThreshold | ComparisonOperator::LessThanOrEqualToThreshold
        )
    });
    match key {
        AlarmKey::CertificateDaysToExpire => below,
        AlarmKey::Latency => !below,
        AlarmKey::RetryableErrors => !below && error_type_ok(is_retryable),
        AlarmKey::NonRetryableErrors => !below && error_type_ok(is_non_retryable),
    }
}

/// Each recommendation with the existing alarms that cover it (none: offer to create it).
pub fn reconcile<'a>(
    recommended: &[Recommended],
    store_id: &str,
    alarms: &'a [MetricAlarm],
) -> Vec<(AlarmKey, Vec<&'a MetricAlarm>)> {
    let mine = for_store(alarms, store_id);
    recommended
        .iter()
        .map(|r| {
            (
                r.key,
                mine.iter()
                    .copied()
                    .filter(|a| covers(r.key, store_id, a))
                    .collect(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::discover::tests::m;
    use super::*;
    use crate::aws::cloudwatch::{DescribeAlarmsResponse, StateValue, parse_output};
    use crate::aws::kms::Validate;

    const S: &str = "cks-1";

    fn found() -> Discovered {
        let err = |op: &str, t: &str| {
            m(
                metric::ERRORS,
                &[
                    (dim::STORE, S),
                    (dim::KMS_OPERATION, op),
                    (dim::ERROR_TYPE, t),
                    (dim::EXCEPTION, "X"),
                ],
            )
        };
        Discovered::new(
            S,
            [
                m(
                    metric::CERTIFICATE_DAYS_TO_EXPIRE,
                    &[(dim::STORE, S), (dim::CERTIFICATE, "proxy.example.com")],
                ),
                m(
                    metric::LATENCY,
                    &[(dim::STORE, S), (dim::KMS_OPERATION, "Encrypt")],
                ),
                m(
                    metric::LATENCY,
                    &[(dim::STORE, S), (dim::KMS_OPERATION, "Decrypt")],
                ),
                err("Encrypt", "Retryable"),
                err("Decrypt", "Retryable"),
                err("Encrypt", "Non-retryable"),
            ],
        )
    }

    #[test]
    fn four_valid_requests_with_the_recommended_rules() {
        let sns = "arn:aws:sns:us-east-1:111122223333:kms-alerts";
        let recs = recommended(&found(), Some(sns));
        assert_eq!(recs.len(), 4);
        for r in &recs {
            let req = r.request.as_ref().unwrap();
            assert!(
                req.problems().is_empty(),
                "{:?}: {:?}",
                r.key,
                req.problems()
            );
            assert_eq!(req.alarm_actions, [sns]);
        }
        let cert = recs[0].request.as_ref().unwrap();
        assert_eq!(cert.alarm_name, "kms-cks-1-certificate-days-to-expire");
        assert_eq!(
            cert.metric_name.as_deref(),
            Some("XksProxyCertificateDaysToExpire")
        );
        assert_eq!(cert.statistic, Some(Statistic::Minimum));
        assert_eq!((cert.period, cert.threshold), (Some(300), 10.0));
        assert_eq!(
            cert.comparison_operator,
            ComparisonOperator::LessThanThreshold
        );
        let json = recs[0].definition_json().unwrap();
        assert!(
            json.contains("\"MetricName\": \"XksProxyCertificateDaysToExpire\""),
            "{json}"
        );
        assert!(json.contains("\"CertificateName\""), "{json}");
        let latency = recs[1].request.as_ref().unwrap();
        assert_eq!(latency.metrics.len(), 3);
        assert_eq!(
            latency.metrics[2].expression.as_deref(),
            Some("MAX([m0,m1])")
        );
        assert_eq!(latency.threshold, 200.0);
        let retryable = recs[2].request.as_ref().unwrap();
        assert_eq!(
            retryable.metrics[2].expression.as_deref(),
            Some("SUM([m0,m1])")
        );
        assert_eq!(
            retryable.metrics[0].metric_stat.as_ref().unwrap().period,
            60
        );
        // One non-retryable stream: a plain alarm.
        let non = recs[3].request.as_ref().unwrap();
        assert_eq!(non.metric_name.as_deref(), Some("XksProxyErrors"));
        assert_eq!(non.threshold, 5.0);
        let json = recs[2].definition_json().unwrap();
        assert!(json.contains("\"Expression\": \"SUM([m0,m1])\""), "{json}");
        assert!(!json.contains("\"MetricName\": \"XksProxyErrors\",\n  \"Statistic\""));
    }

    #[test]
    fn the_definition_is_the_body_laid_out_as_serde_json_would() {
        for r in recommended(
            &found(),
            Some("arn:aws:sns:us-east-1:111122223333:kms-\\\"alerts,:{}[]"),
        ) {
            let Ok(req) = r.request else { continue };
            assert_eq!(
                definition_json(&req),
                serde_json::to_string_pretty(&req).unwrap()
            );
        }
        let req = recommended(&found(), None).remove(0).request.unwrap();
        assert_eq!(
            definition_json(&req),
            serde_json::to_string_pretty(&req).unwrap()
        );
        assert_eq!(
            pretty(r#"{"a":[],"b":{},"c":[1,{"d":"x,:y"}]}"#),
            serde_json::to_string_pretty(&serde_json::json!({"a":[],"b":{},"c":[1,{"d":"x,:y"}]}))
                .unwrap()
        );
    }

    #[test]
    fn missing_metrics_and_bad_topics_are_explained() {
        let recs = recommended(&Discovered::new(S, []), None);
        assert!(recs.iter().all(|r| r.request.is_err()));
        assert!(
            recs[0]
                .request
                .as_ref()
                .unwrap_err()
                .contains("XksProxyCertificateDaysToExpire")
        );
        let recs = recommended(&found(), Some("arn:aws:sqs:us-east-1:111122223333:q"));
        assert!(
            recs[0]
                .request
                .as_ref()
                .unwrap_err()
                .contains("not an SNS topic ARN")
        );
        let recs = recommended(&found(), Some("  "));
        assert!(recs[0].request.as_ref().unwrap().alarm_actions.is_empty());
    }

    #[test]
    fn existing_alarms_are_matched() {
        let alarms: DescribeAlarmsResponse = parse_output(&format!(
            r#"{{"MetricAlarms":[
              {{"AlarmName":"my-cert","StateValue":"ALARM","Namespace":"AWS/KMS","MetricName":"XksProxyCertificateDaysToExpire","Statistic":"Minimum","ComparisonOperator":"LessThanThreshold","Threshold":14,"Period":300,"EvaluationPeriods":1,"Dimensions":[{{"Name":"CustomKeyStoreId","Value":"{S}"}},{{"Name":"CertificateName","Value":"proxy.example.com"}}]}},
              {{"AlarmName":"kms-{S}-latency","StateValue":"OK","Metrics":[{{"Id":"m0","MetricStat":{{"Metric":{{"Namespace":"AWS/KMS","MetricName":"XksProxyLatency","Dimensions":[{{"Name":"CustomKeyStoreId","Value":"{S}"}}]}},"Period":300,"Stat":"Average"}},"ReturnData":false}},{{"Id":"e1","Expression":"MAX([m0])"}}],"ComparisonOperator":"GreaterThanThreshold","Threshold":200,"EvaluationPeriods":1}},
              {{"AlarmName":"other-store","StateValue":"OK","Namespace":"AWS/KMS","MetricName":"XksProxyLatency","Dimensions":[{{"Name":"CustomKeyStoreId","Value":"cks-2"}}],"ComparisonOperator":"GreaterThanThreshold"}},
              {{"AlarmName":"errors","StateValue":"INSUFFICIENT_DATA","Namespace":"AWS/KMS","MetricName":"XksProxyErrors","Dimensions":[{{"Name":"CustomKeyStoreId","Value":"{S}"}},{{"Name":"ErrorType","Value":"Retryable"}}],"ComparisonOperator":"GreaterThanThreshold"}}
            ]}}"#
        ))
        .unwrap();
        let recs = recommended(&found(), None);
        let r = reconcile(&recs, S, &alarms.metric_alarms);
        let names = |k: usize| {
            r[k].1
                .iter()
                .map(|a| a.alarm_name.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(0), ["my-cert"]);
        assert_eq!(r[0].1[0].state_value, Some(StateValue::Alarm));
        assert_eq!(names(1), [format!("kms-{S}-latency")]);
        assert_eq!(names(2), ["errors"]);
        assert!(names(3).is_empty());
        assert_eq!(for_store(&alarms.metric_alarms, S).len(), 3);
    }
}
