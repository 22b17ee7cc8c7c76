"""CloudWatch on the emulator's port, driven by botocore's own client in AWS JSON 1.0.

botocore 1.44's `cloudwatch` model lists `smithy-rpc-v2-cbor`, `json` and `query`, and botocore
picks the first it supports (CBOR); the console speaks JSON 1.0, and so does the emulator. The
client here is botocore's, unchanged, built from its own model with `protocols` narrowed to
`["json"]` (a copy of the model on the loader's search path): its serializer, SigV4 signer (for
`monitoring`), JSON parser and awsQueryCompatible error handling (`x-amzn-query-error`) are the
SDK's. One raw request checks the exact wire headers.
"""
import datetime
import gzip
import json
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import botocore
import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

MODEL_DIR = Path(botocore.__file__).parent / "data" / "cloudwatch" / "2010-08-01"
HEALTHY = "cks-0a1b2c3d4e5f60001"
CERT_6_DAYS = "cks-0a1b2c3d4e5f60002"
PROXY_DOWN = "cks-0a1b2c3d4e5f60004"
DEGRADED = "cks-0a1b2c3d4e5f60006"
NO_DATA = "cks-0a1b2c3d4e5f60005"
SLOW = "cks-0a1b2c3d4e5f6000e"
HSM_CONNECTED = "cks-0a1b2c3d4e5f6000c"
NO_PUT = {
    "AccessKeyId": "ASIAEMULATORNOHSM001",
    "SecretAccessKey": "emulatorNoHsmSecretKey/NotReal/0123456789",
    "SessionToken": "IQoJb3JpZ2luX2VjEMULATOR//NO/CLOUDHSM/TOKEN/not/real==",
}


@pytest.fixture(scope="module")
def json_model(tmp_path_factory):
    """A copy of botocore's cloudwatch model that speaks JSON 1.0 only."""
    model = json.loads(gzip.open(MODEL_DIR / "service-2.json.gz").read())
    assert "json" in model["metadata"]["protocols"]
    assert model["metadata"]["jsonVersion"] == "1.0"
    assert model["metadata"]["targetPrefix"] == "GraniteServiceVersion20100801"
    model["metadata"]["protocol"] = "json"
    model["metadata"]["protocols"] = ["json"]
    root = tmp_path_factory.mktemp("botocore-data")
    d = root / "cloudwatch" / "2010-08-01"
    d.mkdir(parents=True)
    (d / "service-2.json").write_text(json.dumps(model))
    return root


def cw_client(em, json_model, creds=None):
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(json_model))
    c = creds or em.credentials()
    client = boto3.Session(botocore_session=session).client(
        "cloudwatch",
        region_name="us-east-1",
        endpoint_url=em.url,
        aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c.get("SessionToken"),
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    assert client.meta.service_model.protocol == "json"
    return client


@pytest.fixture()
def cw(shared, json_model):
    return cw_client(shared, json_model)


def store_filter(store):
    return [{"Name": "CustomKeyStoreId", "Value": store}]


def metrics_of(cw, store):
    out = []
    for page in cw.get_paginator("list_metrics").paginate(Namespace="AWS/KMS", Dimensions=store_filter(store)):
        out.extend(page["Metrics"])
    return out


def latest(cw, store, name, stat, dims=(), period=300, hours=3):
    """The newest value of a metric stream of a store (None without data)."""
    end = datetime.datetime.now(datetime.timezone.utc)
    dimensions = store_filter(store) + [{"Name": k, "Value": v} for k, v in dims]
    r = cw.get_metric_data(
        MetricDataQueries=[{"Id": "q", "MetricStat": {"Metric": {"Namespace": "AWS/KMS", "MetricName": name, "Dimensions": dimensions},
                                                         "Period": period, "Stat": stat}}],
        StartTime=end - datetime.timedelta(hours=hours), EndTime=end)
    values = r["MetricDataResults"][0]["Values"]
    return values[0] if values else None  # TimestampDescending by default


def test_the_wire_is_json_1_0_signed_for_monitoring(shared):
    c = shared.credentials()
    body = json.dumps({"Namespace": "AWS/KMS"})
    request = AWSRequest(method="POST", url=shared.url + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "GraniteServiceVersion20100801.ListMetrics"})
    SigV4Auth(Credentials(c["AccessKeyId"], c["SecretAccessKey"], c.get("SessionToken")), "monitoring", "us-east-1").add_auth(request)
    prepared = request.prepare()
    req = urllib.request.Request(prepared.url, data=body.encode(), headers=dict(prepared.headers), method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.headers["Content-Type"] == "application/x-amz-json-1.0"
        assert json.loads(r.read())["Metrics"]
    # The same request signed for kms is refused.
    SigV4Auth(Credentials(c["AccessKeyId"], c["SecretAccessKey"], c.get("SessionToken")), "kms", "us-east-1").add_auth(request)
    prepared = request.prepare()
    req = urllib.request.Request(prepared.url, data=body.encode(), headers=dict(prepared.headers), method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert "/monitoring/aws4_request" in e.value.read().decode()


def test_list_metrics_finds_each_stores_metrics(cw):
    names = lambda store: {m["MetricName"] for m in metrics_of(cw, store)}
    assert names(HEALTHY) >= {"XksProxyLatency", "XksProxyCertificateDaysToExpire", "XksProxyCredentialAge",
                              "XksExternalKeyManagerStates", "XksProxyErrors"}
    assert names(PROXY_DOWN) >= {"XksProxyErrors"}
    assert names(HSM_CONNECTED) == {"CloudHSMKeyStoreThrottle"}
    assert names(NO_DATA) == set()
    errors = [m for m in metrics_of(cw, PROXY_DOWN) if m["MetricName"] == "XksProxyErrors"]
    types = {d["Value"] for m in errors for d in m["Dimensions"] if d["Name"] == "ErrorType"}
    assert types == {"Retryable", "Non-retryable"}
    only = cw.list_metrics(MetricName="XksProxyCredentialAge", Dimensions=store_filter(HEALTHY))["Metrics"]
    assert len(only) == 1 and only[0]["Namespace"] == "AWS/KMS"
    assert cw.list_metrics(Namespace="AWS/EC2")["Metrics"] == []


def test_the_default_scenarios_health_cases(cw):
    cert = lambda store, name: latest(cw, store, "XksProxyCertificateDaysToExpire", "Minimum", [("CertificateName", name)])
    assert cert(CERT_6_DAYS, "ledger-xks.example.com") == 6
    assert cert(HEALTHY, "xks.payments.example.com") >= 100
    lat = latest(cw, SLOW, "XksProxyLatency", "Average",
                 [("KmsOperation", "Encrypt"), ("XksOperation", "Encrypt"), ("KeySpec", "AES_256")])
    assert 200 < lat < 260
    degraded = latest(cw, DEGRADED, "XksExternalKeyManagerStates", "Maximum", [("XksExternalKeyManagerState", "Degraded")])
    assert degraded == 1
    # Bursts: some minutes have far more than 5 retryable errors, most have none or one.
    end = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    retryable = [m for m in metrics_of(cw, PROXY_DOWN) if m["MetricName"] == "XksProxyErrors"
                 and {"Name": "ErrorType", "Value": "Retryable"} in m["Dimensions"]][0]
    r = cw.get_metric_data(MetricDataQueries=[{"Id": "e", "MetricStat": {"Metric": retryable, "Period": 60, "Stat": "Sum"}}],
                           StartTime=end - datetime.timedelta(hours=3), EndTime=end, ScanBy="TimestampAscending")
    values = r["MetricDataResults"][0]["Values"]
    assert max(values) > 5
    assert sorted(values)[len(values) // 2] <= 1  # bursts, not a steady rate


def test_get_metric_data_ids_labels_pages_and_order(cw):
    end = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    streams = [m for m in metrics_of(cw, HEALTHY) if m["MetricName"] == "XksProxyLatency"]
    queries = [{"Id": f"m{i}", "Label": f"op {i}", "MetricStat": {"Metric": m, "Period": 300, "Stat": "SampleCount"}}
               for i, m in enumerate(streams)]
    queries.append({"Id": "hidden", "MetricStat": {"Metric": streams[0], "Period": 300, "Stat": "Sum"}, "ReturnData": False})
    start = end - datetime.timedelta(hours=3)
    whole = cw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    results = whole["MetricDataResults"]
    assert [r["Id"] for r in results] == [f"m{i}" for i in range(len(streams))]
    assert results[0]["Label"] == "op 0" and results[0]["StatusCode"] == "Complete"
    ts = results[0]["Timestamps"]
    assert len(ts) == 36 and ts == sorted(ts) and isinstance(ts[0], datetime.datetime)
    assert (ts[1] - ts[0]).total_seconds() == 300
    # Paged by MaxDatapoints: every result once, the same data.
    paged, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = cw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending",
                                  MaxDatapoints=40, **kw)
        paged.extend(page["MetricDataResults"])
        token = page.get("NextToken")
        if not token:
            break
    assert [r["Values"] for r in paged] == [r["Values"] for r in results]
    # Deterministic.
    again = cw.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    assert again["MetricDataResults"] == results


@pytest.mark.parametrize("change, code", [
    ({"Period": 45}, "InvalidParameterValue"),
    ({"Stat": "Median"}, "InvalidParameterValue"),
    ({"Id": "Bad-Id"}, "InvalidParameterValue"),
])
def test_get_metric_data_validation(cw, change, code):
    end = datetime.datetime.now(datetime.timezone.utc)
    stat = {"Metric": {"Namespace": "AWS/KMS", "MetricName": "XksProxyLatency", "Dimensions": store_filter(HEALTHY)},
            "Period": change.get("Period", 300), "Stat": change.get("Stat", "Average")}
    with pytest.raises(cw.exceptions.ClientError) as e:
        cw.get_metric_data(MetricDataQueries=[{"Id": change.get("Id", "q"), "MetricStat": stat}],
                           StartTime=end - datetime.timedelta(hours=1), EndTime=end)
    assert e.value.response["Error"]["Code"] == code
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_modeled_errors_have_their_query_codes(cw):
    end = datetime.datetime.now(datetime.timezone.utc)
    with pytest.raises(cw.exceptions.InvalidNextToken):
        cw.get_metric_data(MetricDataQueries=[{"Id": "q", "Expression": "m"}], StartTime=end - datetime.timedelta(hours=1),
                           EndTime=end, NextToken="not-a-token")
    with pytest.raises(cw.exceptions.InvalidNextToken):
        cw.describe_alarms(NextToken="bogus")
    with pytest.raises(cw.exceptions.ClientError) as e:
        cw.get_metric_data(MetricDataQueries=[{"Id": "q", "Expression": "m"}], StartTime=end, EndTime=end - datetime.timedelta(hours=1))
    assert e.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_alarms_create_describe_and_evaluate(spawn, json_model):
    cw = cw_client(spawn("--time-scale", 60), json_model)
    existing = cw.describe_alarms()["MetricAlarms"]
    assert [a["AlarmName"] for a in existing] == ["payments-xks-certificate"]
    assert existing[0]["StateValue"] == "OK"
    dims = store_filter(CERT_6_DAYS) + [{"Name": "CertificateName", "Value": "ledger-xks.example.com"}]
    cw.put_metric_alarm(AlarmName="ledger-cert", Namespace="AWS/KMS", MetricName="XksProxyCertificateDaysToExpire",
                        Statistic="Minimum", Dimensions=dims, Period=300, EvaluationPeriods=1, Threshold=10,
                        ComparisonOperator="LessThanThreshold", AlarmActions=["arn:aws:sns:us-east-1:111122223333:kms-alerts"])
    a = cw.describe_alarms(AlarmNames=["ledger-cert"])["MetricAlarms"][0]
    assert a["StateValue"] == "ALARM"
    assert a["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:111122223333:alarm:ledger-cert"
    assert a["AlarmActions"] == ["arn:aws:sns:us-east-1:111122223333:kms-alerts"]
    assert isinstance(a["StateUpdatedTimestamp"], datetime.datetime)
    # A metric-math alarm (as the console makes for errors across streams).
    errors = [m for m in metrics_of(cw, PROXY_DOWN) if m["MetricName"] == "XksProxyErrors"]
    metrics = [{"Id": f"m{i}", "MetricStat": {"Metric": m, "Period": 60, "Stat": "Sum"}, "ReturnData": False} for i, m in enumerate(errors)]
    metrics.append({"Id": "e1", "Expression": "SUM([" + ",".join(f"m{i}" for i in range(len(errors))) + "])", "Label": "errors"})
    cw.put_metric_alarm(AlarmName="down-errors", Metrics=metrics, EvaluationPeriods=1, Threshold=5,
                        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")
    a = cw.describe_alarms(AlarmNamePrefix="down-")["MetricAlarms"][0]
    assert a["StateValue"] in ("OK", "ALARM") and len(a["Metrics"]) == len(errors) + 1
    assert cw.describe_alarms(StateValue="ALARM", AlarmNames=["ledger-cert"])["MetricAlarms"]
    assert cw.describe_alarms(AlarmTypes=["CompositeAlarm"])["MetricAlarms"] == []
    names = [a["AlarmName"] for page in cw.get_paginator("describe_alarms").paginate(PaginationConfig={"PageSize": 1})
             for a in page["MetricAlarms"]]
    assert sorted(names) == ["down-errors", "ledger-cert", "payments-xks-certificate"]


@pytest.mark.parametrize("change, code", [
    ({"Period": 45}, "InvalidParameterValue"),
    ({"Metrics": [{"Id": "e1", "Expression": "m0"}]}, "InvalidParameterCombination"),
    ({"AlarmActions": ["not-an-arn"]}, "InvalidParameterValue"),
    ({"DatapointsToAlarm": 2}, "InvalidParameterValue"),
    ({"TreatMissingData": "sometimes"}, "InvalidParameterValue"),
])
def test_put_metric_alarm_validation(spawn, json_model, change, code):
    cw = cw_client(spawn(), json_model)
    alarm = dict(AlarmName="a", Namespace="AWS/KMS", MetricName="XksProxyLatency", Statistic="Average",
                 Dimensions=store_filter(HEALTHY), Period=300, EvaluationPeriods=1, Threshold=200,
                 ComparisonOperator="GreaterThanThreshold")
    alarm.update(change)
    with pytest.raises(cw.exceptions.ClientError) as e:
        cw.put_metric_alarm(**alarm)
    assert e.value.response["Error"]["Code"] == code


def test_iam_denial_per_action(shared, json_model):
    cw = cw_client(shared, json_model, creds=NO_PUT)
    assert cw.list_metrics(Namespace="AWS/KMS")["Metrics"]
    assert "MetricAlarms" in cw.describe_alarms()
    with pytest.raises(cw.exceptions.ClientError) as e:
        cw.put_metric_alarm(AlarmName="x", Namespace="AWS/KMS", MetricName="XksProxyLatency", Statistic="Average",
                            Period=300, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    assert "cloudwatch:PutMetricAlarm" in e.value.response["Error"]["Message"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_throttling_is_cloudwatchs(spawn, json_model):
    cw = cw_client(spawn("--throttle-first", 1), json_model)
    with pytest.raises(cw.exceptions.ClientError) as e:
        cw.list_metrics()
    assert e.value.response["Error"]["Code"] == "Throttling"
    assert cw.list_metrics()["Metrics"]
