//! The CloudWatch wire types against botocore's model (`data/cloudwatch.json`, a verbatim copy
//! of the shared reference file, trimmed to the four operations): names, enums, limits, errors
//! and the JSON 1.0 protocol facts, so a mistake our code would repeat in its own tests shows
//! here.
#![cfg(not(target_arch = "wasm32"))]

use cks_console::aws::cloudwatch::*;
use cks_console::aws::kms::{Validate, to_body};
use serde_json::Value;
use std::collections::BTreeSet;

mod reference;
use reference::{object_keys, ours};

fn model() -> Value {
    reference::read("cloudwatch.json")
}

fn shape(name: &str) -> Value {
    model()["shapes"][name].clone()
}

fn enum_values(name: &str) -> BTreeSet<String> {
    reference::enum_values(&model(), name)
}

#[test]
fn the_reference_copy_is_verbatim() {
    reference::assert_verbatim("cloudwatch.json");
}

#[test]
fn protocol_facts() {
    let m = model();
    let meta = &m["metadata"];
    assert_eq!(meta["targetPrefix"], TARGET_PREFIX);
    assert_eq!(meta["jsonVersion"], "1.0");
    assert_eq!(CONTENT_TYPE, "application/x-amz-json-1.0");
    // No signingName: the endpoint prefix signs.
    assert!(meta.get("signingName").is_none());
    assert_eq!(meta["endpointPrefix"], SIGNING_NAME);
    assert!(
        meta["protocols"]
            .as_array()
            .unwrap()
            .contains(&Value::from("json"))
    );
    assert!(meta.get("awsQueryCompatible").is_some());
    let ops = object_keys(&m["operations"]);
    assert_eq!(
        ops,
        CwOperation::ALL
            .iter()
            .map(|o| o.name().to_string())
            .collect()
    );
    assert_eq!(
        CwOperation::GetMetricData.target(),
        "GraniteServiceVersion20100801.GetMetricData"
    );
    // Timestamps carry no timestampFormat: JSON protocols send epoch seconds (a number).
    assert_eq!(shape("Timestamp")["type"], "timestamp");
    assert!(shape("Timestamp").get("timestampFormat").is_none());
}

#[test]
fn every_enum_value_of_the_model_is_known() {
    assert_eq!(enum_values("StateValue"), ours(StateValue::KNOWN));
    assert_eq!(enum_values("Statistic"), ours(Statistic::KNOWN));
    assert_eq!(
        enum_values("ComparisonOperator"),
        ours(ComparisonOperator::KNOWN)
    );
    assert_eq!(enum_values("StatusCode"), ours(StatusCode::KNOWN));
    assert_eq!(enum_values("ScanBy"), ours(ScanBy::KNOWN));
    assert_eq!(enum_values("AlarmType"), ours(&ALARM_TYPES));
    assert_eq!(enum_values("RecentlyActive"), ours(&["PT3H"]));
}

#[test]
fn modeled_errors_and_their_query_codes() {
    let m = model();
    let mut from_model = BTreeSet::new();
    for op in m["operations"].as_object().unwrap().values() {
        for e in op["errors"].as_array().unwrap() {
            let name = e["shape"].as_str().unwrap();
            let s = shape(name);
            from_model.insert((
                name.to_string(),
                s["error"]["code"].as_str().unwrap().to_string(),
                s["error"]["httpStatusCode"].as_u64().unwrap() as u16,
            ));
        }
    }
    let ours: BTreeSet<(String, String, u16)> = MODELED_ERRORS
        .iter()
        .map(|(s, c, h)| (s.to_string(), c.to_string(), *h))
        .collect();
    assert_eq!(from_model, ours);
}

#[test]
fn limits_are_the_models() {
    let max = |s: &str| shape(s)["max"].as_u64().unwrap() as usize;
    let min = |s: &str| shape(s)["min"].as_u64().unwrap() as usize;
    assert_eq!(max("Dimensions"), MAX_DIMENSIONS);
    assert_eq!(max("DimensionFilters"), MAX_DIMENSION_FILTERS);
    assert_eq!(max("AlarmNames"), MAX_ALARM_NAMES);
    assert_eq!(max("ResourceList"), MAX_ACTIONS);
    assert_eq!(
        (min("MaxRecords") as u32, max("MaxRecords") as u32),
        (*MAX_RECORDS.start(), *MAX_RECORDS.end())
    );
    assert_eq!((min("AlarmName"), max("AlarmName")), (1, 255));
    assert_eq!((min("MetricId"), max("MetricId")), (1, 255));
    assert_eq!(max("AlarmDescription"), 1024);
    assert_eq!(max("DimensionValue"), 1024);
    assert_eq!(shape("Namespace")["pattern"], "[^:].*");
    // Limits at the edge: accepted at the model's maximum, refused one past it.
    let dims = |n: usize| -> Vec<Dimension> {
        (0..n)
            .map(|i| Dimension::new(&format!("d{i}"), "v"))
            .collect()
    };
    let mut alarm = PutMetricAlarmRequest {
        alarm_name: "a".repeat(255),
        alarm_description: Some("d".repeat(1024)),
        actions_enabled: true,
        alarm_actions: vec!["arn:aws:sns:us-east-1:111122223333:t".into(); 5],
        ok_actions: vec![],
        namespace: Some(KMS_NAMESPACE.into()),
        metric_name: Some("XksProxyLatency".into()),
        statistic: Some(Statistic::Average),
        dimensions: dims(30),
        period: Some(300),
        metrics: vec![],
        evaluation_periods: 1,
        datapoints_to_alarm: Some(1),
        threshold: 200.0,
        comparison_operator: ComparisonOperator::GreaterThanThreshold,
        treat_missing_data: Some("notBreaching".into()),
    };
    assert!(alarm.problems().is_empty(), "{:?}", alarm.problems());
    alarm.alarm_name.push('a');
    alarm.dimensions = dims(31);
    alarm
        .alarm_actions
        .push("arn:aws:sns:us-east-1:111122223333:t".into());
    alarm.namespace = Some(":x".into());
    let members: BTreeSet<&str> = alarm.problems().iter().map(|p| p.member).collect();
    assert_eq!(
        members,
        ["AlarmName", "AlarmActions", "Dimensions", "Namespace"]
            .into_iter()
            .collect()
    );
}

/// Every member of `value` is a member of the model's `shape`, recursively, and every required
/// member is there.
fn conforms(value: &Value, shape_name: &str, path: &str) {
    let s = shape(shape_name);
    match s["type"].as_str().unwrap() {
        "structure" => {
            let obj = value
                .as_object()
                .unwrap_or_else(|| panic!("{path}: not an object"));
            let members = s["members"].as_object().unwrap();
            for (k, v) in obj {
                let m = members
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} is not a member of {shape_name}"));
                conforms(v, m["shape"].as_str().unwrap(), &format!("{path}.{k}"));
            }
            for r in s["required"].as_array().into_iter().flatten() {
                assert!(obj.contains_key(r.as_str().unwrap()), "{path}: {r} missing");
            }
        }
        "list" => {
            for (i, v) in value.as_array().unwrap().iter().enumerate() {
                conforms(
                    v,
                    s["member"]["shape"].as_str().unwrap(),
                    &format!("{path}[{i}]"),
                );
            }
        }
        "string" => {
            let v = value
                .as_str()
                .unwrap_or_else(|| panic!("{path}: not a string"));
            if let Some(e) = s["enum"].as_array() {
                assert!(e.contains(&Value::from(v)), "{path}: {v} not in the enum");
            }
        }
        "integer" | "long" | "double" => assert!(value.is_number(), "{path}: not a number"),
        "timestamp" => assert!(value.is_i64(), "{path}: not epoch seconds"),
        "boolean" => assert!(value.is_boolean(), "{path}: not a boolean"),
        other => panic!("{path}: unexpected shape type {other}"),
    }
}

fn full_query() -> MetricDataQuery {
    MetricDataQuery {
        id: "m0".into(),
        metric_stat: Some(MetricStat {
            metric: Metric {
                namespace: KMS_NAMESPACE.into(),
                metric_name: "XksProxyLatency".into(),
                dimensions: vec![Dimension::new("CustomKeyStoreId", "cks-1")],
            },
            period: 300,
            stat: "Average".into(),
            unit: Some("Milliseconds".into()),
        }),
        expression: None,
        label: Some("Latency".into()),
        return_data: Some(true),
        period: Some(300),
    }
}

#[test]
fn requests_serialise_to_the_models_members() {
    let list = ListMetricsRequest {
        metric_name: Some("XksProxyLatency".into()),
        next_token: Some("t".into()),
        recently_active: Some("PT3H".into()),
        ..ListMetricsRequest::for_store("cks-1")
    };
    conforms(
        &serde_json::from_str(&to_body(&list)).unwrap(),
        "ListMetricsInput",
        "ListMetrics",
    );
    let data = GetMetricDataRequest {
        metric_data_queries: vec![full_query()],
        start_time: 1_700_000_000,
        end_time: 1_700_003_600,
        next_token: Some("t".into()),
        scan_by: Some(ScanBy::TimestampAscending),
        max_datapoints: Some(100),
    };
    assert!(data.problems().is_empty());
    conforms(
        &serde_json::from_str(&to_body(&data)).unwrap(),
        "GetMetricDataInput",
        "GetMetricData",
    );
    let alarms = DescribeAlarmsRequest {
        alarm_names: vec!["a".into()],
        alarm_name_prefix: None,
        alarm_types: vec!["MetricAlarm".into()],
        state_value: Some(StateValue::Alarm),
        max_records: Some(100),
        next_token: Some("t".into()),
    };
    conforms(
        &serde_json::from_str(&to_body(&alarms)).unwrap(),
        "DescribeAlarmsInput",
        "DescribeAlarms",
    );
    let put = PutMetricAlarmRequest {
        alarm_name: "a".into(),
        alarm_description: Some("d".into()),
        actions_enabled: true,
        alarm_actions: vec!["arn:aws:sns:us-east-1:111122223333:t".into()],
        ok_actions: vec!["arn:aws:sns:us-east-1:111122223333:t".into()],
        namespace: None,
        metric_name: None,
        statistic: None,
        dimensions: vec![],
        period: None,
        metrics: vec![
            MetricDataQuery {
                return_data: Some(false),
                label: None,
                period: None,
                ..full_query()
            },
            MetricDataQuery {
                id: "e1".into(),
                metric_stat: None,
                expression: Some("MAX([m0])".into()),
                label: Some("x".into()),
                return_data: Some(true),
                period: None,
            },
        ],
        evaluation_periods: 1,
        datapoints_to_alarm: Some(1),
        threshold: 200.0,
        comparison_operator: ComparisonOperator::GreaterThanThreshold,
        treat_missing_data: Some("notBreaching".into()),
    };
    assert!(put.problems().is_empty(), "{:?}", put.problems());
    let body: Value = serde_json::from_str(&to_body(&put)).unwrap();
    conforms(&body, "PutMetricAlarmInput", "PutMetricAlarm");
    assert!(body.get("OKActions").is_some());
}

#[test]
fn replies_read_the_models_member_names() {
    // Built from the model's own member names: the parser must find each value.
    let result_members = object_keys(&shape("MetricDataResult")["members"]);
    for k in [
        "Id",
        "Label",
        "Timestamps",
        "Values",
        "StatusCode",
        "Messages",
    ] {
        assert!(result_members.contains(k), "{k}");
    }
    let body = r#"{"MetricDataResults":[{"Id":"m0","Label":"L","Timestamps":[1700000000],"Values":[1.5],"StatusCode":"Complete","Messages":[{"Code":"c","Value":"v"}]}],"NextToken":"n","Messages":[]}"#;
    conforms(
        &serde_json::from_str(body).unwrap(),
        "GetMetricDataOutput",
        "out",
    );
    let r: GetMetricDataResponse = parse_output(body).unwrap();
    assert_eq!(r.results[0].values, [1.5]);
    assert_eq!(r.results[0].messages[0].value.as_deref(), Some("v"));
    let body = r#"{"Metrics":[{"Namespace":"AWS/KMS","MetricName":"XksProxyLatency","Dimensions":[{"Name":"CustomKeyStoreId","Value":"cks-1"}]}],"NextToken":"n"}"#;
    conforms(
        &serde_json::from_str(body).unwrap(),
        "ListMetricsOutput",
        "out",
    );
    let r: ListMetricsResponse = parse_output(body).unwrap();
    assert_eq!(r.metrics[0].dimension("CustomKeyStoreId"), Some("cks-1"));
    let body = r#"{"MetricAlarms":[{"AlarmName":"a","AlarmArn":"arn","StateValue":"OK","StateReason":"r","StateUpdatedTimestamp":1700000000,"Namespace":"AWS/KMS","MetricName":"XksProxyLatency","Statistic":"Average","Dimensions":[{"Name":"CustomKeyStoreId","Value":"cks-1"}],"Period":300,"EvaluationPeriods":1,"DatapointsToAlarm":1,"Threshold":200.0,"ComparisonOperator":"GreaterThanThreshold","TreatMissingData":"notBreaching","ActionsEnabled":true,"AlarmActions":["arn:aws:sns:us-east-1:111122223333:t"]}],"CompositeAlarms":[],"NextToken":"n"}"#;
    conforms(
        &serde_json::from_str(body).unwrap(),
        "DescribeAlarmsOutput",
        "out",
    );
    let r: DescribeAlarmsResponse = parse_output(body).unwrap();
    let a = &r.metric_alarms[0];
    assert_eq!(
        (a.threshold, a.period, a.state_value.clone()),
        (Some(200.0), Some(300.0), Some(StateValue::Ok))
    );
    assert_eq!(a.watched().len(), 1);
    assert_eq!(r.next_token.as_deref(), Some("n"));
}

/// botocore 1.44.8's `SigV4Auth` (signing name `monitoring`, us-east-1, time fixed at
/// 2015-08-30T12:36:00Z, the credentials of `data/sigv4-kms-vectors.json`), JSON 1.0 headers:
/// (operation, URL, body, Authorization).
const BOTOCORE_VECTORS: [(&str, &str, &str, &str); 3] = [
    (
        "ListMetrics",
        "https://monitoring.us-east-1.amazonaws.com/",
        "{\"Namespace\":\"AWS/KMS\",\"Dimensions\":[{\"Name\":\"CustomKeyStoreId\",\"Value\":\"cks-1234567890abcdef0\"}]}",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/monitoring/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=53c3149e5d51d7ca4c1f704aae64e252c8536d7ff0126fc9f3af622642f00363",
    ),
    (
        "GetMetricData",
        "https://monitoring-fips.us-east-1.api.aws/",
        "{\"MetricDataQueries\":[{\"Id\":\"m0\",\"MetricStat\":{\"Metric\":{\"Namespace\":\"AWS/KMS\",\"MetricName\":\"XksProxyLatency\"},\"Period\":300,\"Stat\":\"Average\"}}],\"StartTime\":1440926160,\"EndTime\":1440936960}",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/monitoring/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=2569cb3dbe1750271da7c7faace786c82ea79bcf8f19f49737dc9d1084faa3a8",
    ),
    (
        "PutMetricAlarm",
        "http://127.0.0.1:4599/",
        "{\"AlarmName\":\"a\",\"ActionsEnabled\":true,\"Namespace\":\"AWS/KMS\",\"MetricName\":\"XksProxyCertificateDaysToExpire\",\"Statistic\":\"Minimum\",\"Period\":300,\"EvaluationPeriods\":1,\"Threshold\":10.0,\"ComparisonOperator\":\"LessThanThreshold\"}",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/monitoring/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=0b9d728a9670aff2d44a533cef7b3b246ab6f21aebd15929872787e9779cce84",
    ),
];

#[test]
fn signatures_match_botocores_for_monitoring() {
    use cks_console::aws::credentials::{Credentials, Secret};
    use cks_console::aws::date::parse_iso8601;
    use cks_console::aws::endpoint::Endpoint;
    let v: Value = serde_json::from_str(include_str!("../data/sigv4-kms-vectors.json")).unwrap();
    let c = &v["credentials"];
    let creds = Credentials {
        access_key_id: c["access_key_id"].as_str().unwrap().to_string(),
        secret_access_key: Secret::new(c["secret_access_key"].as_str().unwrap()),
        session_token: Some(Secret::new(c["session_token"].as_str().unwrap())),
        expiration_ms: None,
    };
    let now = parse_iso8601("2015-08-30T12:36:00Z").unwrap();
    for (op, url, body, authorization) in BOTOCORE_VECTORS {
        let op = CwOperation::ALL
            .into_iter()
            .find(|o| o.name() == op)
            .unwrap();
        let endpoint = Endpoint {
            url: url.to_string(),
            signing_region: "us-east-1".to_string(),
        };
        let signed = sign(&creds, &endpoint, op, body.to_string(), now).unwrap();
        let header = |name: &str| {
            signed
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("authorization"), Some(authorization), "{op:?}");
        assert_eq!(header("content-type"), Some("application/x-amz-json-1.0"));
        assert_eq!(header("x-amz-target"), Some(op.target().as_str()));
        assert_eq!(header("host"), None, "the browser sets Host");
    }
}

#[test]
fn cut_and_mistyped_replies_are_errors_not_panics() {
    let bodies = [
        r#"{"MetricDataResults":[{"Id":"m0","Label":"L","Timestamps":[1700000000,1700000300],"Values":[1.5,2],"StatusCode":"Complete","Messages":[]}],"NextToken":"n"}"#,
        r#"{"Metrics":[{"Namespace":"AWS/KMS","MetricName":"XksProxyLatency","Dimensions":[{"Name":"CustomKeyStoreId","Value":"cks-1"}]}],"NextToken":"n"}"#,
        r#"{"MetricAlarms":[{"AlarmName":"a","StateValue":"OK","Threshold":1,"Metrics":[{"Id":"m0","MetricStat":{"Metric":{"Namespace":"AWS/KMS","MetricName":"X"},"Period":60,"Stat":"Sum"}}]}]}"#,
    ];
    for body in bodies {
        for cut in 0..body.len() {
            let part = &body[..cut];
            let _ = parse_output::<GetMetricDataResponse>(part);
            let _ = parse_output::<ListMetricsResponse>(part);
            let _ = parse_output::<DescribeAlarmsResponse>(part);
        }
        for (from, to) in [("1.5", "\"x\""), ("\"Id\":\"m0\"", "\"Id\":7"), ("[", "{")] {
            let bad = body.replacen(from, to, 1);
            let _ = parse_output::<GetMetricDataResponse>(&bad);
            let _ = parse_output::<ListMetricsResponse>(&bad);
            let _ = parse_output::<DescribeAlarmsResponse>(&bad);
        }
    }
    assert!(
        parse_output::<GetMetricDataResponse>(r#"{"MetricDataResults":[{"Values":["x"]}]}"#)
            .is_err()
    );
    assert!(
        parse_output::<DescribeAlarmsResponse>(r#"{"MetricAlarms":[{"AlarmActions":[1]}]}"#)
            .is_err()
    );
}
