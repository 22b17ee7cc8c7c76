"""Every fault the emulator injects, as boto3 (retries off) sees it."""
import json
import time

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from conftest import TESTING, code, store

XKS = "cks-7e570000000000001"
THROTTLED = "cks-7e57000000000000b"
LOST_CONNECT = "cks-7e57000000000000c"


def outcomes(kms, n):
    out = []
    for _ in range(n):
        try:
            kms.describe_custom_key_stores()
            out.append("ok")
        except ClientError as e:
            out.append(code_of(e))
    return out


def code_of(e):
    return e.response["Error"]["Code"]


def test_throttle_first_n(spawn):
    kms = spawn("--throttle-first", 2).client()
    assert outcomes(kms, 3) == ["ThrottlingException", "ThrottlingException", "ok"]


def test_throttle_rate_is_repeatable_with_a_seed(spawn):
    a = outcomes(spawn("--throttle-rate", 0.5, "--seed", 3).client(), 16)
    b = outcomes(spawn("--throttle-rate", 0.5, "--seed", 3).client(), 16)
    assert a == b
    assert set(a) == {"ok", "ThrottlingException"}


def test_boto3_retries_through_throttling(spawn):
    kms = spawn("--throttle-first", 1).client(retries=3)
    r = kms.describe_custom_key_stores()
    assert r["ResponseMetadata"]["RetryAttempts"] == 1


def test_internal_error(spawn):
    kms = spawn("--error-rate", 1).client()
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores()
    assert code(e) == "KMSInternalException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


@pytest.mark.parametrize("body, status, text", [("text", "502", "Bad Gateway"), ("html", "503", "<html>")])
def test_proxy_pages_instead_of_json(spawn, body, status, text):
    kms = spawn("--error-rate", 1, "--error-body", body).client()
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores()
    assert code(e) == status
    assert text in e.value.response["Error"]["Message"]


def test_faults_limited_to_operations(spawn):
    kms = spawn("--error-rate", 1, "--fault-operations", "DescribeCustomKeyStores", scenario=TESTING).client()
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores()
    assert code(e) == "KMSInternalException"
    kms.connect_custom_key_store(CustomKeyStoreId=XKS)


def test_truncated_json(spawn):
    """botocore takes a 200 it cannot parse for an empty answer: the client must check."""
    kms = spawn("--malformed-rate", 1).client()
    r = kms.describe_custom_key_stores()
    assert "CustomKeyStores" not in r


def test_html_with_status_200(spawn):
    kms = spawn("--malformed-rate", 1, "--malformed-body", "html").client()
    r = kms.describe_custom_key_stores()
    assert "CustomKeyStores" not in r
    assert r["ResponseMetadata"]["HTTPHeaders"]["content-type"].startswith("text/html")


def test_html_with_status_502(spawn):
    kms = spawn("--malformed-rate", 1, "--malformed-body", "html", "--malformed-status", 502).client()
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores()
    assert code(e) == "502"


def test_latency(spawn):
    kms = spawn("--latency-ms", 400).client()
    kms.describe_custom_key_stores()  # the first call also loads botocore's model
    t = time.monotonic()
    kms.describe_custom_key_stores()
    assert 0.4 <= time.monotonic() - t < 3


def test_hang_until_the_client_gives_up(spawn):
    em = spawn("--hang-rate", 1, "--fault-operations", "ConnectCustomKeyStore", scenario=TESTING)
    kms = em.client(read_timeout=1, connect_timeout=2)
    t = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        kms.connect_custom_key_store(CustomKeyStoreId=XKS)
    assert time.monotonic() - t >= 1
    # The hang came before the operation: nothing happened, and other calls are served.
    assert store(kms, XKS)["ConnectionState"] == "DISCONNECTED"
    assert em.get("/_emulator/health") == b"ok"


def test_scenario_level_faults(spawn):
    scenario = json.loads(TESTING.read_text())
    scenario["faults"] = [{"kind": "throttle", "first": 1, "operations": ["CreateCustomKeyStore"]}]
    kms = spawn(scenario=scenario).client()
    request = dict(CustomKeyStoreName="made", CloudHsmClusterId="cluster-6aaaaaaaaaaa", KeyStorePassword="kmsPswd1",
                   TrustAnchorCertificate="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
    with pytest.raises(ClientError) as e:
        kms.create_custom_key_store(**request)
    assert code(e) == "ThrottlingException"
    kms.create_custom_key_store(**request)


def test_per_store_faults(kms):
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores(CustomKeyStoreId=THROTTLED)
    assert code(e) == "ThrottlingException"
    assert store(kms, THROTTLED)["CustomKeyStoreName"] == "t-throttled"
    # A Connect whose answer is lost: 500, yet the store is connecting; a retry is a no-op.
    with pytest.raises(ClientError) as e:
        kms.connect_custom_key_store(CustomKeyStoreId=LOST_CONNECT)
    assert code(e) == "KMSInternalException"
    assert store(kms, LOST_CONNECT)["ConnectionState"] == "CONNECTING"
    kms.connect_custom_key_store(CustomKeyStoreId=LOST_CONNECT)
