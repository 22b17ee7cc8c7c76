"""The emulator as a server: its own endpoints, the wire format, big bodies, many clients."""
import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from conftest import code


def test_health_and_credentials(testing):
    assert testing.get("/_emulator/health") == b"ok"
    assert testing.credentials()["AccessKeyId"].startswith("ASIA")


def test_every_response_has_a_request_id_date_and_cors(testing):
    """CORS (for a loopback origin) echoes the origin; without an Origin there is none."""
    for method, path, headers in [
        ("GET", "/_emulator/health", {}),
        ("POST", "/", {"X-Amz-Target": "TrentService.DescribeCustomKeyStores"}),  # unsigned: an error
        ("OPTIONS", "/", {"Origin": "http://localhost:8080", "Access-Control-Request-Method": "POST",
                          "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-target"}),
    ]:
        req = urllib.request.Request(testing.url + path, method=method, headers=headers, data=b"{}" if method == "POST" else None)
        try:
            r = urllib.request.urlopen(req, timeout=5)
        except urllib.error.HTTPError as e:
            r = e
        assert len(r.headers["x-amzn-RequestId"]) == 36
        assert r.headers["Date"].endswith("GMT")
        assert r.headers["Access-Control-Allow-Origin"] == headers.get("Origin")
        assert r.headers["Vary"] == "Origin"
        if method == "OPTIONS":
            assert r.headers["Access-Control-Allow-Headers"] == "authorization,content-type,x-amz-date,x-amz-target"
            assert r.headers["Access-Control-Allow-Methods"] == "POST"
        if method == "POST":
            assert r.status == 400
            assert json.loads(r.read())["__type"] == "MissingAuthenticationTokenException"


def status_and_body(url, method="GET", **headers):
    req = urllib.request.Request(url, method=method, headers=headers)
    try:
        r = urllib.request.urlopen(req, timeout=5)
    except urllib.error.HTTPError as e:
        r = e
    return r.status, r.headers, r.read()


def test_other_origins_and_hosts_are_refused(testing):
    """A page elsewhere cannot read the demo credentials, nor reach them through DNS rebinding."""
    creds = testing.url + "/_emulator/credentials"
    for origin in ["https://evil.example", "null", "http://127.0.0.1.evil.com"]:
        status, headers, body = status_and_body(creds, Origin=origin)
        assert status == 403 and headers["Access-Control-Allow-Origin"] is None
        assert json.loads(body)["__type"] == "ForbiddenOriginException"
        assert b"AccessKeyId" not in body
    status, headers, body = status_and_body(creds, Host="evil.example")
    assert status == 403 and json.loads(body)["__type"] == "ForbiddenHostException"
    status, headers, body = status_and_body(creds, Origin="http://localhost:8080")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://localhost:8080"


def test_allow_origin_adds_that_origin(spawn):
    em = spawn("--allow-origin", "https://console.example")
    status, headers, body = status_and_body(em.url + "/_emulator/credentials", Origin="https://console.example",
                                            Host="console.example")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://console.example"
    assert json.loads(body)["AccessKeyId"].startswith("ASIA")
    status, headers, _ = status_and_body(em.url + "/", "OPTIONS", Origin="https://evil.example",
                                         **{"Access-Control-Request-Method": "POST"})
    assert status == 403 and headers["Access-Control-Allow-Origin"] is None


def test_a_ten_megabyte_body_gets_a_kms_error(lax):
    with pytest.raises(ClientError) as e:
        lax.describe_custom_key_stores(CustomKeyStoreName="x" * (10 << 20))
    assert code(e) == "RequestEntityTooLargeException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert lax.describe_custom_key_stores()["CustomKeyStores"]


def test_two_hundred_concurrent_clients(spawn):
    em = spawn("--latency-ms", 300)
    kms = em.client(max_pool_connections=200)
    kms.describe_custom_key_stores()
    t = time.monotonic()
    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(lambda _: kms.describe_custom_key_stores()["ResponseMetadata"]["HTTPStatusCode"], range(200)))
    assert results == [200] * 200
    # 200 requests of 300 ms each finished together, not one after another (60 s).
    assert time.monotonic() - t < 15
