"""The six operations and KMS's rules for them, on fresh emulators with the testing scenario
(kms-emulator/scenarios/testing.json)."""
import re

import pytest
from botocore.exceptions import ClientError

from conftest import code, message, store, wait_for

XKS = "cks-7e570000000000001"
XKS_VPC = "cks-7e570000000000002"
HSM = "cks-7e570000000000003"
HSM_CONNECTED = "cks-7e570000000000004"
XKS_CONNECTED = "cks-7e570000000000005"
WITH_KEYS = "cks-7e570000000000006"
SLOW = "cks-7e570000000000007"
FLAKY = "cks-7e570000000000008"
HSM_INACTIVE = "cks-7e570000000000009"
FAILED = "cks-7e57000000000000a"
DISCONNECT_SLOW = "cks-7e57000000000000d"

ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIBemulator\n-----END CERTIFICATE-----"
RAW_SECRET = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
PASSWORD = "kmsPswd1"
SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0new0000000000000"


def hsm(name="new-hsm", cluster="cluster-6aaaaaaaaaaa", **extra):
    return {"CustomKeyStoreName": name, "CloudHsmClusterId": cluster, "TrustAnchorCertificate": ANCHOR,
            "KeyStorePassword": PASSWORD, **extra}


def xks(name="new-xks", endpoint="https://xks.new.example.com", path="/kms/xks/v1", connectivity="PUBLIC_ENDPOINT", **extra):
    return {"CustomKeyStoreName": name, "CustomKeyStoreType": "EXTERNAL_KEY_STORE", "XksProxyUriEndpoint": endpoint,
            "XksProxyUriPath": path, "XksProxyConnectivity": connectivity,
            "XksProxyAuthenticationCredential": {"AccessKeyId": "NEWKEYIDNEWKEYIDNEW2", "RawSecretAccessKey": RAW_SECRET},
            **extra}


def raw_bodies(kms):
    """Records every response body the client receives."""
    bodies = []
    kms.meta.events.register("after-call.kms", lambda http_response, **_: bodies.append(http_response.text))
    return bodies


# -- Create ----------------------------------------------------------------------------------

def test_create_cloudhsm_then_connect_it(kms_steady):
    kms = kms_steady
    bodies = raw_bodies(kms)
    new = kms.create_custom_key_store(**hsm())["CustomKeyStoreId"]
    assert re.fullmatch(r"cks-[0-9a-f]{17}", new)
    s = store(kms, new)
    assert (s["CustomKeyStoreName"], s["CustomKeyStoreType"], s["ConnectionState"]) == ("new-hsm", "AWS_CLOUDHSM", "DISCONNECTED")
    assert (s["CloudHsmClusterId"], s["TrustAnchorCertificate"]) == ("cluster-6aaaaaaaaaaa", ANCHOR)
    kms.connect_custom_key_store(CustomKeyStoreId=new)
    assert store(kms, new)["ConnectionState"] == "CONNECTING"
    wait_for(kms, new, "CONNECTED")
    assert not any(PASSWORD in b for b in bodies)


def test_create_external_stores_public_and_vpc(kms):
    bodies = raw_bodies(kms)
    public = kms.create_custom_key_store(**xks())["CustomKeyStoreId"]
    vpc = kms.create_custom_key_store(**xks(
        "new-vpc", "https://xks.private.example.com", connectivity="VPC_ENDPOINT_SERVICE",
        XksProxyVpcEndpointServiceName=SERVICE))["CustomKeyStoreId"]
    assert public != vpc
    p = store(kms, public)["XksProxyConfiguration"]
    assert p == {"Connectivity": "PUBLIC_ENDPOINT", "AccessKeyId": "NEWKEYIDNEWKEYIDNEW2",
                 "UriEndpoint": "https://xks.new.example.com", "UriPath": "/kms/xks/v1"}
    v = store(kms, vpc)["XksProxyConfiguration"]
    assert (v["VpcEndpointServiceName"], v["VpcEndpointServiceOwner"]) == (SERVICE, "123456789012")
    assert not any(RAW_SECRET in b for b in bodies), "the proxy secret is never returned"


VALIDATION = [
    ({"CloudHsmClusterId": "cluster-6aaaaaaaaaaa"}, 1, "Value null at 'customKeyStoreName' failed to satisfy constraint: Member must not be null"),
    (hsm(name="n" * 257), 1, "at 'customKeyStoreName' failed to satisfy constraint: Member must have length less than or equal to 256"),
    (hsm(cluster="cluster-1bad"), 2, "Value 'cluster-1bad' at 'cloudHsmClusterId' failed to satisfy constraint: Member must satisfy regular expression pattern: cluster-[2-7a-zA-Z]{11,16}"),
    ({"CustomKeyStoreName": "n", "CloudHsmClusterId": "cluster-6aaaaaaaaaaa"}, 2, "Value null at 'trustAnchorCertificate' failed to satisfy constraint: Member must not be null"),
    (hsm(KeyStorePassword="short"), 1, "Value at 'keyStorePassword' failed to satisfy constraint: Member must have length greater than or equal to 7"),
    (hsm(CustomKeyStoreType="HSM"), 1, "Value 'HSM' at 'customKeyStoreType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_CLOUDHSM, EXTERNAL_KEY_STORE]"),
    (xks(endpoint="http://xks.new.example.com"), 1, "Member must satisfy regular expression pattern: ^https://[a-zA-Z0-9.-]+$"),
    (xks(path="/kms/xks/v1/keys"), 1, "Value '/kms/xks/v1/keys' at 'xksProxyUriPath' failed to satisfy constraint: Member must satisfy regular expression pattern"),
    (xks(connectivity="VPC_ENDPOINT_SERVICE"), 1, "Value null at 'xksProxyVpcEndpointServiceName' failed to satisfy constraint: Member must not be null"),
    (xks(connectivity="PRIVATE"), 1, "Member must satisfy enum value set: [PUBLIC_ENDPOINT, VPC_ENDPOINT_SERVICE]"),
    (xks(XksProxyAuthenticationCredential={"AccessKeyId": "lowercase-not-ok-here", "RawSecretAccessKey": "tooShort"}), 2,
     "Value at 'xksProxyAuthenticationCredential.rawSecretAccessKey' failed to satisfy constraint: Member must have length greater than or equal to 43"),
    ({"CustomKeyStoreName": "n", "CustomKeyStoreType": "EXTERNAL_KEY_STORE"}, 4, "Value null at 'xksProxyAuthenticationCredential'"),
    (xks(XksProxyVpcEndpointServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0x", XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
         XksProxyVpcEndpointServiceOwner="12345"), 2, "Value '12345' at 'xksProxyVpcEndpointServiceOwner' failed to satisfy constraint: Member must have length greater than or equal to 12"),
]


@pytest.mark.parametrize("request_, count, words", VALIDATION)
def test_create_validation_errors(lax, request_, count, words):
    with pytest.raises(ClientError) as e:
        lax.create_custom_key_store(**request_)
    assert code(e) == "ValidationException"
    assert message(e).startswith(f"{count} validation error{'s' if count > 1 else ''} detected: "), message(e)
    assert words in message(e)
    for secret in ("short", "tooShort", "lowercase-not-ok-here", PASSWORD):
        assert f"'{secret}'" not in message(e), "sensitive values are never echoed"


def test_create_with_members_of_the_other_type(lax):
    with pytest.raises(ClientError) as e:
        lax.create_custom_key_store(**hsm(XksProxyUriPath="/kms/xks/v1"))
    assert code(e) == "ValidationException"
    assert "XksProxyUriPath" in message(e)
    with pytest.raises(ClientError) as e:
        lax.create_custom_key_store(**xks(XksProxyVpcEndpointServiceName=SERVICE))
    assert code(e) == "ValidationException"


CONFLICTS = [
    (hsm(name="t-hsm"), "CustomKeyStoreNameInUseException"),
    (xks(name="t-xks-vpc"), "CustomKeyStoreNameInUseException"),
    (hsm(cluster="cluster-2aaaaaaaaaaa"), "CloudHsmClusterInUseException"),
    (hsm(cluster="cluster-nonexistent"), "CloudHsmClusterNotFoundException"),
    (hsm(TrustAnchorCertificate="not a certificate"), "IncorrectTrustAnchorException"),
    (xks(endpoint="https://xks.t1.example.com"), "XksProxyUriInUseException"),
    (xks(endpoint="https://xks.t2.internal.example.com", path="/other/kms/xks/v1"), "XksProxyUriEndpointInUseException"),
    (xks(endpoint="https://xks.t1.example.com", path="/vpc/kms/xks/v1", connectivity="VPC_ENDPOINT_SERVICE",
         XksProxyVpcEndpointServiceName=SERVICE), "XksProxyUriEndpointInUseException"),
    (xks(endpoint="https://xks.other.example.com", connectivity="VPC_ENDPOINT_SERVICE",
         XksProxyVpcEndpointServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0aaaaaaaaaaaaaaa1"), "XksProxyVpcEndpointServiceInUseException"),
    (xks(endpoint="https://xks.unreachable.example.com"), "XksProxyUriUnreachableException"),
    (xks(XksProxyAuthenticationCredential={"AccessKeyId": "WRONGCREDENTIALKEYID", "RawSecretAccessKey": RAW_SECRET}),
     "XksProxyIncorrectAuthenticationCredentialException"),
]


@pytest.mark.parametrize("request_, wanted", CONFLICTS)
def test_create_conflicts(kms, request_, wanted):
    with pytest.raises(ClientError) as e:
        kms.create_custom_key_store(**request_)
    assert code(e) == wanted, message(e)


def test_a_public_endpoint_may_serve_two_paths(kms):
    kms.create_custom_key_store(**xks(endpoint="https://xks.t1.example.com", path="/second/kms/xks/v1"))


def test_store_quota(kms):
    total = len(kms.describe_custom_key_stores()["CustomKeyStores"])
    made = [kms.create_custom_key_store(**hsm(f"q{i}", f"cluster-{c}aaaaaaaaaaa")) for i, c in enumerate("67"[: 15 - total])]
    assert len(made) == 15 - total == 2
    with pytest.raises(ClientError) as e:
        kms.create_custom_key_store(**hsm("one-too-many", "cluster-zaaaaaaaaaaa"))
    assert code(e) == "LimitExceededException"


# -- Connect and Disconnect ------------------------------------------------------------------

def test_connect_rules_in_every_state(kms):
    with pytest.raises(ClientError) as e:
        kms.connect_custom_key_store(CustomKeyStoreId=FAILED)
    assert code(e) == "CustomKeyStoreInvalidStateException"
    kms.connect_custom_key_store(CustomKeyStoreId=SLOW)
    assert kms.connect_custom_key_store(CustomKeyStoreId=SLOW)["ResponseMetadata"]["HTTPStatusCode"] == 200
    kms.connect_custom_key_store(CustomKeyStoreId=HSM_CONNECTED)  # connected: a no-op
    kms.disconnect_custom_key_store(CustomKeyStoreId=DISCONNECT_SLOW)
    assert store(kms, DISCONNECT_SLOW)["ConnectionState"] == "DISCONNECTING"
    for op in (kms.connect_custom_key_store, kms.disconnect_custom_key_store):
        with pytest.raises(ClientError) as e:
            op(CustomKeyStoreId=DISCONNECT_SLOW)
        assert code(e) == "CustomKeyStoreInvalidStateException"
    with pytest.raises(ClientError) as e:
        kms.disconnect_custom_key_store(CustomKeyStoreId=XKS)
    assert code(e) == "CustomKeyStoreInvalidStateException"
    for op in (kms.connect_custom_key_store, kms.disconnect_custom_key_store):
        with pytest.raises(ClientError) as e:
            op(CustomKeyStoreId="cks-00000000000000000")
        assert code(e) == "CustomKeyStoreNotFoundException"


def test_disconnect_while_connecting(kms_steady):
    kms = kms_steady
    kms.connect_custom_key_store(CustomKeyStoreId=SLOW)
    kms.disconnect_custom_key_store(CustomKeyStoreId=SLOW)
    assert store(kms, SLOW)["ConnectionState"] == "DISCONNECTING"
    wait_for(kms, SLOW, "DISCONNECTED")


def test_failed_then_disconnect_clears_the_code_then_reconnect_succeeds(kms_steady):
    kms = kms_steady
    kms.connect_custom_key_store(CustomKeyStoreId=FLAKY)
    s = wait_for(kms, FLAKY, "FAILED")
    assert s["ConnectionErrorCode"] == "XKS_PROXY_TIMED_OUT"
    kms.disconnect_custom_key_store(CustomKeyStoreId=FLAKY)
    s = store(kms, FLAKY)
    assert s["ConnectionState"] == "DISCONNECTING" and "ConnectionErrorCode" not in s
    wait_for(kms, FLAKY, "DISCONNECTED")
    kms.connect_custom_key_store(CustomKeyStoreId=FLAKY)
    assert "ConnectionErrorCode" not in wait_for(kms, FLAKY, "CONNECTED")


def test_fast_failure_then_a_reconnect(kms):
    with pytest.raises(ClientError) as e:
        kms.connect_custom_key_store(CustomKeyStoreId=HSM_INACTIVE)
    assert code(e) == "CloudHsmClusterNotActiveException"
    assert "cluster-4aaaaaaaaaaa" in message(e)
    assert store(kms, HSM_INACTIVE)["ConnectionState"] == "DISCONNECTED"
    kms.connect_custom_key_store(CustomKeyStoreId=HSM_INACTIVE)
    wait_for(kms, HSM_INACTIVE, "CONNECTED")


# -- Update ----------------------------------------------------------------------------------

def test_update_a_connected_cloudhsm_store_name_only(kms):
    kms.update_custom_key_store(CustomKeyStoreId=HSM_CONNECTED, NewCustomKeyStoreName="hsm-renamed")
    assert store(kms, HSM_CONNECTED)["CustomKeyStoreName"] == "hsm-renamed"
    for change in ({"KeyStorePassword": "another1"}, {"CloudHsmClusterId": "cluster-3aaaaaaaaaab"}):
        with pytest.raises(ClientError) as e:
            kms.update_custom_key_store(CustomKeyStoreId=HSM_CONNECTED, **change)
        assert code(e) == "CustomKeyStoreInvalidStateException"


def test_update_a_connected_external_store_name_credential_and_path(kms):
    kms.update_custom_key_store(
        CustomKeyStoreId=XKS_CONNECTED, NewCustomKeyStoreName="xks-renamed", XksProxyUriPath="/v2/kms/xks/v1",
        XksProxyAuthenticationCredential={"AccessKeyId": "ROTATEDKEYIDROTATED2", "RawSecretAccessKey": RAW_SECRET})
    s = store(kms, XKS_CONNECTED)
    assert s["ConnectionState"] == "CONNECTED"
    assert (s["CustomKeyStoreName"], s["XksProxyConfiguration"]["UriPath"], s["XksProxyConfiguration"]["AccessKeyId"]) == \
        ("xks-renamed", "/v2/kms/xks/v1", "ROTATEDKEYIDROTATED2")
    for change in ({"XksProxyUriEndpoint": "https://xks.moved.example.com"}, {"XksProxyConnectivity": "PUBLIC_ENDPOINT"}):
        with pytest.raises(ClientError) as e:
            kms.update_custom_key_store(CustomKeyStoreId=XKS_CONNECTED, **change)
        assert code(e) == "CustomKeyStoreInvalidStateException"


def test_no_update_while_connecting_disconnecting_or_failed(kms):
    kms.connect_custom_key_store(CustomKeyStoreId=SLOW)
    kms.disconnect_custom_key_store(CustomKeyStoreId=DISCONNECT_SLOW)
    for store_id in (SLOW, DISCONNECT_SLOW, FAILED):
        with pytest.raises(ClientError) as e:
            kms.update_custom_key_store(CustomKeyStoreId=store_id, NewCustomKeyStoreName="nope")
        assert code(e) == "CustomKeyStoreInvalidStateException"


def test_update_a_disconnected_store(kms, lax):
    kms.update_custom_key_store(CustomKeyStoreId=HSM, CloudHsmClusterId="cluster-2bbbbbbbbbbb", KeyStorePassword="another1")
    assert store(kms, HSM)["CloudHsmClusterId"] == "cluster-2bbbbbbbbbbb"
    with pytest.raises(ClientError) as e:
        kms.update_custom_key_store(CustomKeyStoreId=HSM, CloudHsmClusterId="cluster-6aaaaaaaaaaa")
    assert code(e) == "CloudHsmClusterNotRelatedException"
    with pytest.raises(ClientError) as e:
        kms.update_custom_key_store(CustomKeyStoreId=XKS, NewCustomKeyStoreName="t-hsm")
    assert code(e) == "CustomKeyStoreNameInUseException"
    with pytest.raises(ClientError) as e:
        kms.update_custom_key_store(CustomKeyStoreId=XKS, XksProxyUriEndpoint="https://xks.t5.example.com")
    assert code(e) == "XksProxyUriInUseException"
    with pytest.raises(ClientError) as e:
        kms.update_custom_key_store(CustomKeyStoreId=XKS, KeyStorePassword="another1")
    assert code(e) == "ValidationException"
    with pytest.raises(ClientError) as e:
        lax.update_custom_key_store(CustomKeyStoreId=XKS, XksProxyUriPath="kms/xks/v1")
    assert code(e) == "ValidationException" and "xksProxyUriPath" in message(e)
    # Moving to a VPC endpoint service needs a new endpoint and a service name, and back again.
    with pytest.raises(ClientError) as e:
        kms.update_custom_key_store(CustomKeyStoreId=XKS, XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
                                    XksProxyVpcEndpointServiceName=SERVICE)
    assert code(e) == "ValidationException"
    kms.update_custom_key_store(CustomKeyStoreId=XKS, XksProxyConnectivity="VPC_ENDPOINT_SERVICE",
                                XksProxyUriEndpoint="https://xks.moved.internal.example.com",
                                XksProxyVpcEndpointServiceName=SERVICE)
    c = store(kms, XKS)["XksProxyConfiguration"]
    assert (c["Connectivity"], c["UriEndpoint"], c["VpcEndpointServiceName"]) == \
        ("VPC_ENDPOINT_SERVICE", "https://xks.moved.internal.example.com", SERVICE)
    lax.update_custom_key_store(CustomKeyStoreId=XKS, XksProxyConnectivity="PUBLIC_ENDPOINT",
                                XksProxyUriEndpoint="https://xks.public.example.com", XksProxyVpcEndpointServiceName="")
    c = store(kms, XKS)["XksProxyConfiguration"]
    assert c["Connectivity"] == "PUBLIC_ENDPOINT" and "VpcEndpointServiceName" not in c
    with pytest.raises(ClientError) as e:
        kms.update_custom_key_store(CustomKeyStoreId="cks-00000000000000000", NewCustomKeyStoreName="x")
    assert code(e) == "CustomKeyStoreNotFoundException"


# -- Delete ----------------------------------------------------------------------------------

def test_delete_rules(kms):
    with pytest.raises(ClientError) as e:
        kms.delete_custom_key_store(CustomKeyStoreId=WITH_KEYS)
    assert code(e) == "CustomKeyStoreHasCMKsException"
    for store_id in (HSM_CONNECTED, FAILED):
        with pytest.raises(ClientError) as e:
            kms.delete_custom_key_store(CustomKeyStoreId=store_id)
        assert code(e) == "CustomKeyStoreInvalidStateException"
    kms.delete_custom_key_store(CustomKeyStoreId=HSM)
    for op in (kms.describe_custom_key_stores, kms.delete_custom_key_store):
        with pytest.raises(ClientError) as e:
            op(CustomKeyStoreId=HSM)
        assert code(e) == "CustomKeyStoreNotFoundException"
    # The name and the cluster are free again.
    kms.create_custom_key_store(**hsm(name="t-hsm", cluster="cluster-2aaaaaaaaaaa"))


def test_delete_a_store_after_disconnecting_it(kms):
    kms.disconnect_custom_key_store(CustomKeyStoreId=HSM_CONNECTED)
    wait_for(kms, HSM_CONNECTED, "DISCONNECTED")
    kms.delete_custom_key_store(CustomKeyStoreId=HSM_CONNECTED)


# -- Describe --------------------------------------------------------------------------------

def test_describe_pages(kms, lax):
    pages = list(kms.get_paginator("describe_custom_key_stores").paginate(PaginationConfig={"PageSize": 4}))
    assert [len(p["CustomKeyStores"]) for p in pages] == [4, 4, 4, 1]
    assert [p["Truncated"] for p in pages] == [True, True, True, False]
    assert all("NextMarker" in p for p in pages[:-1]) and "NextMarker" not in pages[-1]
    ids = [s["CustomKeyStoreId"] for p in pages for s in p["CustomKeyStores"]]
    assert len(set(ids)) == 13
    whole = kms.describe_custom_key_stores()
    assert [s["CustomKeyStoreId"] for s in whole["CustomKeyStores"]] == ids and whole["Truncated"] is False
    first = kms.describe_custom_key_stores(Limit=1)
    second = kms.describe_custom_key_stores(Limit=1, Marker=first["NextMarker"])
    assert second["CustomKeyStores"][0]["CustomKeyStoreId"] == ids[1]
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores(Marker="AQICAHg" + "f" * 16)
    assert code(e) == "InvalidMarkerException"
    for bad in (0, 1001):
        with pytest.raises(ClientError) as e:
            lax.describe_custom_key_stores(Limit=bad)
        assert code(e) == "ValidationException" and "at 'limit'" in message(e)
    with pytest.raises(ClientError) as e:
        kms.describe_custom_key_stores(CustomKeyStoreName="no-such-store")
    assert code(e) == "CustomKeyStoreNotFoundException"
    assert store(kms, HSM)["CustomKeyStoreName"] == "t-hsm"
    assert kms.describe_custom_key_stores(CustomKeyStoreName="t-hsm")["CustomKeyStores"][0]["CustomKeyStoreId"] == HSM


def test_missing_required_members(lax):
    for op in ("connect_custom_key_store", "disconnect_custom_key_store", "update_custom_key_store", "delete_custom_key_store"):
        with pytest.raises(ClientError) as e:
            getattr(lax, op)()
        assert code(e) == "ValidationException"
        assert message(e) == "1 validation error detected: Value null at 'customKeyStoreId' failed to satisfy constraint: Member must not be null"
    with pytest.raises(ClientError) as e:
        lax.connect_custom_key_store(CustomKeyStoreId="")
    assert "Member must have length greater than or equal to 1" in message(e)
