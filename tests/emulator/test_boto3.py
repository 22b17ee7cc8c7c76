"""The emulator driven by boto3, a real AWS client we did not write."""
import datetime
import time
from unittest import mock

import botocore.auth
import pytest
from botocore.exceptions import ClientError

from conftest import client

XKS = "cks-0a1b2c3d4e5f60001"
FAST_FAIL = "cks-0a1b2c3d4e5f60009"
ALREADY_FAILED = "cks-0a1b2c3d4e5f6000b"
CONNECTED = "cks-0a1b2c3d4e5f6000c"


def code(exc):
    return exc.value.response["Error"]["Code"]


def state(kms, store_id):
    return kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][0]


def wait_for(kms, store_id, wanted, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        s = state(kms, store_id)
        if s["ConnectionState"] == wanted:
            return s
        time.sleep(0.25)
    raise AssertionError(f"{store_id} never reached {wanted}: {s}")


def test_describe_all_pages(kms):
    pages = list(kms.get_paginator("describe_custom_key_stores").paginate(PaginationConfig={"PageSize": 5}))
    ids = [s["CustomKeyStoreId"] for p in pages for s in p["CustomKeyStores"]]
    assert len(pages) >= 3 and len(ids) == len(set(ids)) >= 12
    assert all(s["CreationDate"].tzinfo is not None for p in pages for s in p["CustomKeyStores"])


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


def test_connect_lifecycle(kms):
    assert state(kms, XKS)["ConnectionState"] == "DISCONNECTED"
    kms.connect_custom_key_store(CustomKeyStoreId=XKS)
    assert state(kms, XKS)["ConnectionState"] == "CONNECTING"
    kms.connect_custom_key_store(CustomKeyStoreId=XKS)  # a no-op while connecting
    wait_for(kms, XKS, "CONNECTED")
    kms.connect_custom_key_store(CustomKeyStoreId=XKS)  # a no-op when connected
    kms.disconnect_custom_key_store(CustomKeyStoreId=XKS)
    assert state(kms, XKS)["ConnectionState"] == "DISCONNECTING"
    with pytest.raises(ClientError) as e:
        kms.connect_custom_key_store(CustomKeyStoreId=XKS)
    assert code(e) == "CustomKeyStoreInvalidStateException"
    wait_for(kms, XKS, "DISCONNECTED")
    with pytest.raises(ClientError) as e:
        kms.disconnect_custom_key_store(CustomKeyStoreId=XKS)
    assert code(e) == "CustomKeyStoreInvalidStateException"


def test_failed_store_must_be_disconnected_first(kms):
    s = state(kms, ALREADY_FAILED)
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
    assert state(kms, FAST_FAIL)["ConnectionState"] == "DISCONNECTED"


def test_wrong_secret(demo):
    bad = client(demo["AccessKeyId"], "x" * 40, demo["SessionToken"])
    with pytest.raises(ClientError) as e:
        bad.describe_custom_key_stores()
    assert code(e) == "InvalidSignatureException"


def test_wrong_token_and_unknown_key(demo):
    with pytest.raises(ClientError) as e:
        client(demo["AccessKeyId"], demo["SecretAccessKey"], "not-the-token").describe_custom_key_stores()
    assert code(e) == "UnrecognizedClientException"
    with pytest.raises(ClientError) as e:
        client("ASIAUNKNOWNKEY000000", demo["SecretAccessKey"], demo["SessionToken"]).describe_custom_key_stores()
    assert code(e) == "UnrecognizedClientException"


@pytest.mark.parametrize("minutes, words", [(-10, "Signature expired"), (10, "Signature not yet current")])
def test_skewed_clock(demo, minutes, words):
    skewed = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(minutes=minutes)
    kms = client(demo["AccessKeyId"], demo["SecretAccessKey"], demo["SessionToken"])
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=skewed):
        with pytest.raises(ClientError) as e:
            kms.describe_custom_key_stores()
    assert code(e) == "InvalidSignatureException"
    assert words in e.value.response["Error"]["Message"]


def test_wrong_region_scope(demo):
    kms = client(demo["AccessKeyId"], demo["SecretAccessKey"], demo["SessionToken"], region="eu-west-1")
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores()
    assert code(e) == "InvalidSignatureException"
