"""The default scenario, driven by boto3 (a real AWS client we did not write), on the shared
emulator: the stores the console's browser and end-to-end tests rely on, the connect life
cycle, and the SigV4 rejections."""
import datetime
import re
from unittest import mock

import botocore.auth
import pytest
from botocore.exceptions import ClientError

from conftest import code, store, wait_for

XKS = "cks-0a1b2c3d4e5f60001"
FAST_FAIL = "cks-0a1b2c3d4e5f60009"
ALREADY_FAILED = "cks-0a1b2c3d4e5f6000b"
CONNECTED = "cks-0a1b2c3d4e5f6000c"

# What the browser tests and the smoke test rely on: id -> (name, type, state).
DEFAULT_STORES = {
    "cks-0a1b2c3d4e5f60001": ("payments-xks", "EXTERNAL_KEY_STORE", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f60002": ("ledger-xks-vpc", "EXTERNAL_KEY_STORE", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f60003": ("hsm-primary", "AWS_CLOUDHSM", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f60004": ("xks-proxy-down", "EXTERNAL_KEY_STORE", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f60005": ("xks-wrong-credential", "EXTERNAL_KEY_STORE", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f60006": ("xks-vpc-misconfigured", "EXTERNAL_KEY_STORE", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f60007": ("hsm-no-active-hsm", "AWS_CLOUDHSM", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f60008": ("hsm-kmsuser-locked", "AWS_CLOUDHSM", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f60009": ("hsm-cluster-inactive", "AWS_CLOUDHSM", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f6000a": ("hsm-cluster-misconfigured", "AWS_CLOUDHSM", "DISCONNECTED"),
    "cks-0a1b2c3d4e5f6000b": ("xks-already-failed", "EXTERNAL_KEY_STORE", "FAILED"),
    "cks-0a1b2c3d4e5f6000c": ("hsm-connected", "AWS_CLOUDHSM", "CONNECTED"),
}


@pytest.fixture()
def kms(shared):
    return shared.client()


def test_the_default_stores_are_there(spawn):
    kms = spawn().client()
    got = {
        s["CustomKeyStoreId"]: (s["CustomKeyStoreName"], s["CustomKeyStoreType"], s["ConnectionState"])
        for s in kms.describe_custom_key_stores()["CustomKeyStores"]
    }
    assert {k: got[k] for k in DEFAULT_STORES} == DEFAULT_STORES


def test_describe_all_pages(kms):
    pages = list(kms.get_paginator("describe_custom_key_stores").paginate(PaginationConfig={"PageSize": 5}))
    ids = [s["CustomKeyStoreId"] for p in pages for s in p["CustomKeyStores"]]
    assert len(pages) >= 3 and len(ids) == len(set(ids)) >= 12
    assert all(s["CreationDate"].tzinfo is not None for p in pages for s in p["CustomKeyStores"])
    whole = kms.describe_custom_key_stores()
    assert whole["Truncated"] is False and "NextMarker" not in whole
    assert [s["CustomKeyStoreId"] for s in whole["CustomKeyStores"]] == ids


def test_describe_by_name_and_unknown_id(kms):
    s = kms.describe_custom_key_stores(CustomKeyStoreName="payments-xks")["CustomKeyStores"]
    assert [x["CustomKeyStoreId"] for x in s] == [XKS]
    assert s[0]["XksProxyConfiguration"]["Connectivity"] == "PUBLIC_ENDPOINT"
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores(CustomKeyStoreId="cks-ffffffffffffffff0")
    assert code(e) == "CustomKeyStoreNotFoundException"
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores(Marker="not-a-marker")
    assert code(e) == "InvalidMarkerException"


def test_connect_lifecycle(spawn):
    # Its own emulator: the shared one's stores stay as the scenario made them (a second run
    # of the suite against it would otherwise find them changed).
    kms = spawn("--time-scale", 60).client()
    assert store(kms, XKS)["ConnectionState"] == "DISCONNECTED"
    kms.connect_custom_key_store(CustomKeyStoreId=XKS)
    assert store(kms, XKS)["ConnectionState"] == "CONNECTING"
    kms.connect_custom_key_store(CustomKeyStoreId=XKS)  # a no-op while connecting
    wait_for(kms, XKS, "CONNECTED", seconds=30)
    kms.connect_custom_key_store(CustomKeyStoreId=XKS)  # a no-op when connected
    kms.disconnect_custom_key_store(CustomKeyStoreId=XKS)
    assert store(kms, XKS)["ConnectionState"] == "DISCONNECTING"
    with pytest.raises(ClientError) as e:
        kms.connect_custom_key_store(CustomKeyStoreId=XKS)
    assert code(e) == "CustomKeyStoreInvalidStateException"
    wait_for(kms, XKS, "DISCONNECTED")
    with pytest.raises(ClientError) as e:
        kms.disconnect_custom_key_store(CustomKeyStoreId=XKS)
    assert code(e) == "CustomKeyStoreInvalidStateException"


def test_failed_store_must_be_disconnected_first(spawn):
    # Its own emulator: the shared one's stores stay as the scenario made them (a second run
    # of the suite against it would otherwise find them changed).
    kms = spawn("--time-scale", 60).client()
    s = store(kms, ALREADY_FAILED)
    assert (s["ConnectionState"], s["ConnectionErrorCode"]) == ("FAILED", "NETWORK_ERRORS")
    with pytest.raises(ClientError) as e:
        kms.connect_custom_key_store(CustomKeyStoreId=ALREADY_FAILED)
    assert code(e) == "CustomKeyStoreInvalidStateException"
    kms.disconnect_custom_key_store(CustomKeyStoreId=ALREADY_FAILED)
    s = wait_for(kms, ALREADY_FAILED, "DISCONNECTED")
    assert "ConnectionErrorCode" not in s


def test_fast_failure_leaves_the_store_disconnected(kms):
    with pytest.raises(ClientError) as e:
        kms.connect_custom_key_store(CustomKeyStoreId=FAST_FAIL)
    assert code(e) == "CloudHsmClusterNotActiveException"
    assert store(kms, FAST_FAIL)["ConnectionState"] == "DISCONNECTED"


def test_wrong_secret(shared):
    c = shared.credentials()
    bad = shared.client(dict(c, SecretAccessKey="x" * 40))
    with pytest.raises(ClientError) as e:
        bad.describe_custom_key_stores()
    assert code(e) == "InvalidSignatureException"


def test_wrong_token_and_unknown_key(shared):
    c = shared.credentials()
    with pytest.raises(ClientError) as e:
        shared.client(dict(c, SessionToken="not-the-token")).describe_custom_key_stores()
    assert code(e) == "UnrecognizedClientException"
    with pytest.raises(ClientError) as e:
        shared.client(dict(c, AccessKeyId="ASIAUNKNOWNKEY000000")).describe_custom_key_stores()
    assert code(e) == "UnrecognizedClientException"


@pytest.mark.parametrize(
    "minutes, words",
    [(-10, r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)"),
     (10, r"Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)")],
)
def test_skewed_clock(shared, minutes, words):
    skewed = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(minutes=minutes)
    kms = shared.client()
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=skewed):
        with pytest.raises(ClientError) as e:
            kms.describe_custom_key_stores()
    assert code(e) == "InvalidSignatureException"
    assert re.fullmatch(words, e.value.response["Error"]["Message"]), e.value.response["Error"]["Message"]


def test_wrong_region_scope(shared):
    kms = shared.client(region="eu-west-1")
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores()
    assert code(e) == "InvalidSignatureException"
