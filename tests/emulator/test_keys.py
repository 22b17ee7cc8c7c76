"""The ten key operations against the emulator with boto3 (issue 16): every operation and rule
the console relies on, as a real SDK sees them. Each test spawns its own emulator with the
scenario below (or the default one), so tests never see each other's keys."""
import base64
import os
import time

import pytest
from botocore.exceptions import ClientError

from conftest import SCENARIOS, code

HSM_OK = "cks-6b6579000000000a1"
HSM_ONE_ZONE = "cks-6b6579000000000a2"
HSM_DOWN = "cks-6b6579000000000a3"
XKS_OK = "cks-6b6579000000000a4"
XKS_FAULTY = "cks-6b6579000000000a5"

KEY_OPS = [
    "ListKeys", "DescribeKey", "CreateKey", "Encrypt", "Decrypt", "GenerateRandom",
    "ListAliases", "CreateAlias", "ScheduleKeyDeletion", "CancelKeyDeletion",
]

DEMO = {
    "access_key_id": "ASIAKEYSTESTVALID001",
    "secret_access_key": "keysTestSecretKey/NotReal/0123456789abcd",
    "session_token": "IQoJKEYS//SESSION/TOKEN==",
    "expires_in_seconds": 3600,
    "demo": True,
}
DENIED = {
    "access_key_id": "AKIAKEYSTESTDENIED01",
    "secret_access_key": "keysTestDeniedSecret/NotReal/0123456789",
    "deny": [f"kms:{op}" for op in KEY_OPS],
}


def hsm_store(sid, name, cluster, state="CONNECTED", keys=0):
    return {"id": sid, "name": name, "type": "AWS_CLOUDHSM", "cluster_id": cluster, "state": state, "keys": keys}


def xks_store(sid, name, host, keys, external_keys, faults=()):
    return {
        "id": sid, "name": name, "type": "EXTERNAL_KEY_STORE", "state": "CONNECTED",
        "xks": {"connectivity": "PUBLIC_ENDPOINT", "uri_endpoint": f"https://{host}", "uri_path": "/kms/xks/v1",
                "access_key_id": "KEYSTESTKEYIDKEYS2A" + name[-1].upper()},
        "keys": keys, "external_keys": external_keys, "faults": list(faults),
    }


SCENARIO = {
    "description": "issue 16: keys in stores",
    "region": "us-east-1",
    "account_id": "111122223333",
    "credentials": [DEMO, DENIED],
    "clusters": [
        {"id": "cluster-2twozonesaaa", "state": "ACTIVE",
         "hsms": [{"id": "hsm-2twozonesaaa", "az": "us-east-1a"}, {"id": "hsm-2twozonesaab", "az": "us-east-1b"}]},
        {"id": "cluster-2onezoneaaaa", "state": "ACTIVE",
         "subnet_mapping": {"us-east-1a": "subnet-0aaaaaaaaaaaaaaa1", "us-east-1b": "subnet-0aaaaaaaaaaaaaaa2"},
         "hsms": [{"id": "hsm-2onezoneaaaa", "az": "us-east-1a"}, {"id": "hsm-2onezoneaaab", "az": "us-east-1a"}]},
    ],
    "stores": [
        hsm_store(HSM_OK, "k-hsm", "cluster-2twozonesaaa", keys=[
            {"description": "first", "aliases": ["alias/k-first"]},
            {"description": "disabled", "state": "Disabled"},
        ]),
        hsm_store(HSM_ONE_ZONE, "k-hsm-one-zone", "cluster-2onezoneaaaa"),
        hsm_store(HSM_DOWN, "k-hsm-down", "cluster-2downaaaaaaa", state="DISCONNECTED", keys=1),
        xks_store(XKS_OK, "k-xks-a", "xks.keys-a.example.com",
                  keys=[{"xks_key_id": "x-used", "aliases": ["alias/k-xks"]}],
                  external_keys=[{"id": "x-used"}, {"id": "x-free"}, {"id": "x-free-2"},
                                 {"id": "x-aes128", "spec": "AES_128"}, {"id": "x-disabled", "enabled": False}],
                  faults=[{"kind": "latency", "ms": 60, "operations": ["Encrypt"]}]),
        xks_store(XKS_FAULTY, "k-xks-b", "xks.keys-b.example.com", keys=1, external_keys=[],
                  faults=[{"kind": "error", "status": 400, "code": "KeyUnavailableException", "first": 1,
                           "operations": ["Encrypt"]},
                          {"kind": "error", "status": 500, "code": "DependencyTimeoutException", "first": 1,
                           "operations": ["Decrypt"]}]),
    ],
}


@pytest.fixture()
def em(spawn):
    return spawn("--time-scale", 60, "--seed", 3, scenario=SCENARIO)


@pytest.fixture()
def kms(em):
    return em.client()


def err(call, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    return code(e)


def keys_of(kms, store_id):
    out = []
    for page in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 100}):
        for k in page["Keys"]:
            m = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]
            if m.get("CustomKeyStoreId") == store_id:
                out.append(m)
    return out


def test_list_keys_pages_and_describe_key(spawn):
    em = spawn("--seed", 3, "--account-keys", 250, scenario=SCENARIO)
    kms = em.client()
    first = kms.list_keys(Limit=100)
    assert len(first["Keys"]) == 100 and first["Truncated"] and first["NextMarker"]
    pages = list(kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 100}))
    ids = [k["KeyId"] for p in pages for k in p["Keys"]]
    assert len(pages) == 3 and len(ids) == len(set(ids)) == 250
    assert all(k["KeyArn"].endswith(k["KeyId"]) for p in pages for k in p["Keys"])
    assert "NextMarker" not in pages[-1] and not pages[-1]["Truncated"]
    mine = keys_of(kms, HSM_OK)
    assert len(mine) == 2
    m = mine[0]
    assert m["Origin"] == "AWS_CLOUDHSM" and m["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert m["CloudHsmClusterId"] == "cluster-2twozonesaaa" and m["KeyManager"] == "CUSTOMER"
    assert {k["KeyState"] for k in mine} == {"Enabled", "Disabled"}
    down = keys_of(kms, HSM_DOWN)
    assert [k["KeyState"] for k in down] == ["Unavailable"]
    # By ARN, alias and alias ARN.
    assert kms.describe_key(KeyId=m["Arn"])["KeyMetadata"]["KeyId"] == m["KeyId"]
    by_alias = kms.describe_key(KeyId="alias/k-first")["KeyMetadata"]["KeyId"]
    assert kms.describe_key(KeyId="arn:aws:kms:us-east-1:111122223333:alias/k-first")["KeyMetadata"]["KeyId"] == by_alias
    assert err(kms.describe_key, KeyId="1234abcd-12ab-34cd-56ef-1234567890ab") == "NotFoundException"
    assert err(kms.describe_key, KeyId="arn:aws:s3:::bucket") == "InvalidArnException"
    assert err(kms.list_keys, Marker="not-a-marker") == "InvalidMarkerException"
    xks = kms.describe_key(KeyId="alias/k-xks")["KeyMetadata"]
    assert xks["Origin"] == "EXTERNAL_KEY_STORE" and xks["XksKeyConfiguration"]["Id"] == "x-used"


def test_list_aliases_pages_and_filters(kms):
    target = kms.describe_key(KeyId="alias/k-first")["KeyMetadata"]["KeyId"]
    for i in range(5):
        kms.create_alias(AliasName=f"alias/extra-{i}", TargetKeyId=target)
    pages = list(kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 2}))
    names = [a["AliasName"] for p in pages for a in p["Aliases"]]
    assert len(names) == 7 and len(pages) == 4
    mine = kms.list_aliases(KeyId=target)["Aliases"]
    assert {a["AliasName"] for a in mine} == {"alias/k-first", *(f"alias/extra-{i}" for i in range(5))}
    assert all(a["TargetKeyId"] == target and a["AliasArn"].endswith(a["AliasName"]) for a in mine)
    assert err(kms.list_aliases, KeyId="1234abcd-12ab-34cd-56ef-1234567890ab") == "NotFoundException"
    assert err(kms.list_aliases, Marker="bad") == "InvalidMarkerException"


def test_create_key_in_a_cloudhsm_store(kms):
    k = kms.create_key(CustomKeyStoreId=HSM_OK, Origin="AWS_CLOUDHSM", KeySpec="SYMMETRIC_DEFAULT",
                       Description="new")["KeyMetadata"]
    assert (k["KeyState"], k["Origin"], k["CustomKeyStoreId"], k["Description"]) == ("Enabled", "AWS_CLOUDHSM", HSM_OK, "new")
    assert err(kms.create_key, CustomKeyStoreId=HSM_DOWN, Origin="AWS_CLOUDHSM") == "CustomKeyStoreInvalidStateException"
    assert err(kms.create_key, CustomKeyStoreId=HSM_ONE_ZONE, Origin="AWS_CLOUDHSM") == "CloudHsmClusterInvalidConfigurationException"
    assert err(kms.create_key, CustomKeyStoreId="cks-0000000000000dead", Origin="AWS_CLOUDHSM") == "CustomKeyStoreNotFoundException"
    assert err(kms.create_key, CustomKeyStoreId=HSM_OK, Origin="AWS_CLOUDHSM", KeySpec="RSA_2048") == "UnsupportedOperationException"
    assert err(kms.create_key, CustomKeyStoreId=HSM_OK, Origin="EXTERNAL_KEY_STORE", XksKeyId="x") == "UnsupportedOperationException"
    assert err(kms.create_key, Policy="{not json") == "MalformedPolicyDocumentException"
    assert err(kms.create_key, Tags=[{"TagKey": "aws:reserved", "TagValue": "v"}]) == "TagException"
    assert err(kms.create_key, Origin="AWS_CLOUDHSM") == "ValidationException"


def test_create_key_in_an_external_key_store(kms):
    k = kms.create_key(CustomKeyStoreId=XKS_OK, Origin="EXTERNAL_KEY_STORE", XksKeyId="x-free")["KeyMetadata"]
    assert k["XksKeyConfiguration"]["Id"] == "x-free" and k["Origin"] == "EXTERNAL_KEY_STORE"
    for xks_key, expected in [
        ("x-free", "XksKeyAlreadyInUseException"),
        ("x-used", "XksKeyAlreadyInUseException"),
        ("x-missing", "XksKeyNotFoundException"),
        ("x-aes128", "XksKeyInvalidConfigurationException"),
        ("x-disabled", "XksKeyInvalidConfigurationException"),
    ]:
        assert err(kms.create_key, CustomKeyStoreId=XKS_OK, Origin="EXTERNAL_KEY_STORE", XksKeyId=xks_key) == expected, xks_key
    assert err(kms.create_key, CustomKeyStoreId=XKS_OK, Origin="EXTERNAL_KEY_STORE", XksKeyId="bad id!") == "ValidationException"
    assert err(kms.create_key, CustomKeyStoreId=XKS_OK, Origin="EXTERNAL_KEY_STORE") == "ValidationException"


def test_create_key_quota(spawn):
    scenario = dict(SCENARIO, key_quota=6)
    kms = spawn("--seed", 3, scenario=scenario).client()
    kms.create_key(CustomKeyStoreId=XKS_OK, Origin="EXTERNAL_KEY_STORE", XksKeyId="x-free")
    assert err(kms.create_key, CustomKeyStoreId=XKS_OK, Origin="EXTERNAL_KEY_STORE", XksKeyId="x-free-2") == "LimitExceededException"


def test_create_alias_rules(kms):
    target = kms.create_key(CustomKeyStoreId=HSM_OK, Origin="AWS_CLOUDHSM")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/new-one", TargetKeyId=target)
    assert kms.describe_key(KeyId="alias/new-one")["KeyMetadata"]["KeyId"] == target
    assert err(kms.create_alias, AliasName="alias/new-one", TargetKeyId=target) == "AlreadyExistsException"
    assert err(kms.create_alias, AliasName="alias/aws/mine", TargetKeyId=target) == "InvalidAliasNameException"
    assert err(kms.create_alias, AliasName="no-prefix", TargetKeyId=target) == "InvalidAliasNameException"
    assert err(kms.create_alias, AliasName="alias/bad name", TargetKeyId=target) == "ValidationException"
    assert err(kms.create_alias, AliasName="alias/x", TargetKeyId="1234abcd-12ab-34cd-56ef-1234567890ab") == "NotFoundException"
    kms.schedule_key_deletion(KeyId=target, PendingWindowInDays=7)
    assert err(kms.create_alias, AliasName="alias/late", TargetKeyId=target) == "KMSInvalidStateException"
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    for i in range(50):
        kms.create_alias(AliasName=f"alias/many-{i}", TargetKeyId=other)
    assert err(kms.create_alias, AliasName="alias/many-50", TargetKeyId=other) == "LimitExceededException"


def test_encrypt_decrypt_and_generate_random(kms):
    key = kms.describe_key(KeyId="alias/k-first")["KeyMetadata"]["KeyId"]
    probe = os.urandom(32)
    ctx = {"app": "cks-console store test", "test-time": "2026-12-04T22:00:00Z"}
    e = kms.encrypt(KeyId=key, Plaintext=probe, EncryptionContext=ctx)
    assert e["KeyId"].endswith(key) and e["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    blob = e["CiphertextBlob"]
    assert probe not in blob
    d = kms.decrypt(CiphertextBlob=blob, EncryptionContext=ctx)
    assert d["Plaintext"] == probe and d["KeyId"].endswith(key)
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=ctx, KeyId=key)["Plaintext"] == probe
    assert err(kms.decrypt, CiphertextBlob=blob, EncryptionContext={**ctx, "app": "other"}) == "InvalidCiphertextException"
    assert err(kms.decrypt, CiphertextBlob=blob) == "InvalidCiphertextException"
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    assert err(kms.decrypt, CiphertextBlob=tampered, EncryptionContext=ctx) == "InvalidCiphertextException"
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    assert err(kms.decrypt, CiphertextBlob=blob, EncryptionContext=ctx, KeyId=other) == "IncorrectKeyException"
    assert err(kms.encrypt, KeyId=key, Plaintext=probe, GrantTokens=["token"]) == "InvalidGrantTokenException"
    assert err(kms.encrypt, KeyId=key, Plaintext=probe, EncryptionAlgorithm="RSAES_OAEP_SHA_256") == "InvalidKeyUsageException"
    assert err(kms.encrypt, KeyId=key, Plaintext=probe, DryRun=True) == "DryRunOperationException"
    assert err(kms.decrypt, CiphertextBlob=blob, EncryptionContext=ctx, DryRun=True) == "DryRunOperationException"
    disabled = [k for k in keys_of(kms, HSM_OK) if k["KeyState"] == "Disabled"][0]["KeyId"]
    assert err(kms.encrypt, KeyId=disabled, Plaintext=probe) == "DisabledException"
    unavailable = keys_of(kms, HSM_DOWN)[0]["KeyId"]
    assert err(kms.encrypt, KeyId=unavailable, Plaintext=probe) == "KMSInvalidStateException"
    assert err(kms.encrypt, KeyId="alias/nope", Plaintext=probe) == "NotFoundException"
    r = kms.generate_random(NumberOfBytes=32, CustomKeyStoreId=HSM_OK)["Plaintext"]
    assert len(r) == 32
    assert err(kms.generate_random, NumberOfBytes=32, CustomKeyStoreId=XKS_OK) == "UnsupportedOperationException"
    assert err(kms.generate_random, NumberOfBytes=32, CustomKeyStoreId=HSM_DOWN) == "CustomKeyStoreInvalidStateException"
    assert err(kms.generate_random, NumberOfBytes=32, CustomKeyStoreId="cks-0000000000000dead") == "CustomKeyStoreNotFoundException"
    assert len(kms.generate_random(NumberOfBytes=1024)["Plaintext"]) == 1024


def test_limits_the_model_sets(em):
    lax = em.client(parameter_validation=False)
    key = lax.describe_key(KeyId="alias/k-first")["KeyMetadata"]["KeyId"]
    assert err(lax.encrypt, KeyId=key, Plaintext=b"x" * 4097) == "ValidationException"
    assert err(lax.encrypt, KeyId=key, Plaintext=b"") == "ValidationException"
    assert err(lax.generate_random, NumberOfBytes=1025) == "ValidationException"
    assert err(lax.generate_random, NumberOfBytes=0) == "ValidationException"
    assert err(lax.list_keys, Limit=1001) == "ValidationException"
    assert err(lax.list_aliases, Limit=101) == "ValidationException"
    assert err(lax.create_key, Description="d" * 8193) == "ValidationException"
    assert err(lax.describe_key, KeyId="") == "ValidationException"
    assert err(lax.schedule_key_deletion, KeyId=key, PendingWindowInDays=366) == "ValidationException"


def test_crypto_latency_and_faults_per_store(kms):
    xks_key = kms.describe_key(KeyId="alias/k-xks")["KeyMetadata"]["KeyId"]
    t = time.monotonic()
    blob = kms.encrypt(KeyId=xks_key, Plaintext=b"p" * 32)["CiphertextBlob"]
    assert time.monotonic() - t >= 0.06
    # Decrypt has no latency rule in that store.
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p" * 32
    faulty = keys_of(kms, XKS_FAULTY)[0]["KeyId"]
    assert err(kms.encrypt, KeyId=faulty, Plaintext=b"p") == "KeyUnavailableException"
    blob = kms.encrypt(KeyId=faulty, Plaintext=b"p")["CiphertextBlob"]
    # The fault reaches Decrypt through the ciphertext's key.
    assert err(kms.decrypt, CiphertextBlob=blob) == "DependencyTimeoutException"
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"p"


def test_schedule_and_cancel_key_deletion_and_the_store_delete(spawn):
    # 7 days pass in 6 s, 30 days in 26 s: room for the calls made inside a waiting period on a
    # slow machine (at 1,000,000 the 7 days lasted 0.6 s, one stalled round trip).
    kms = spawn("--time-scale", 100_000, "--seed", 3, scenario=SCENARIO).client()
    assert err(kms.delete_custom_key_store, CustomKeyStoreId=HSM_DOWN) == "CustomKeyStoreHasCMKsException"
    key = keys_of(kms, HSM_DOWN)[0]["KeyId"]
    assert err(kms.schedule_key_deletion, KeyId=key, PendingWindowInDays=6) == "ValidationException"
    assert err(kms.schedule_key_deletion, KeyId=key, PendingWindowInDays=31) == "ValidationException"
    assert err(kms.cancel_key_deletion, KeyId=key) == "KMSInvalidStateException"
    before = time.time()
    s = kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=30)
    assert s["KeyState"] == "PendingDeletion" and s["PendingWindowInDays"] == 30
    assert abs(s["DeletionDate"].timestamp() - (before + 30 * 86400)) < 5
    m = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert m["KeyState"] == "PendingDeletion" and m["PendingDeletionWindowInDays"] == 30 and "DeletionDate" in m
    assert err(kms.schedule_key_deletion, KeyId=key) == "KMSInvalidStateException"
    assert err(kms.encrypt, KeyId=key, Plaintext=b"p") == "KMSInvalidStateException"
    assert kms.cancel_key_deletion(KeyId=key)["KeyId"].endswith(key)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Unavailable"
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["Enabled"] is False
    s = kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    # Pending deletion still blocks the store's deletion.
    assert err(kms.delete_custom_key_store, CustomKeyStoreId=HSM_DOWN) == "CustomKeyStoreHasCMKsException"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            kms.describe_key(KeyId=key)
        except ClientError as e:
            assert e.response["Error"]["Code"] == "NotFoundException"
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the key outlived its waiting period")
    assert key not in [k["KeyId"] for k in kms.list_keys(Limit=1000)["Keys"]]
    kms.delete_custom_key_store(CustomKeyStoreId=HSM_DOWN)


def test_every_key_action_can_be_denied(em):
    creds = {"AccessKeyId": DENIED["access_key_id"], "SecretAccessKey": DENIED["secret_access_key"]}
    kms = em.client(creds)
    calls = {
        "ListKeys": lambda: kms.list_keys(),
        "DescribeKey": lambda: kms.describe_key(KeyId="alias/k-first"),
        "CreateKey": lambda: kms.create_key(),
        "Encrypt": lambda: kms.encrypt(KeyId="alias/k-first", Plaintext=b"p"),
        "Decrypt": lambda: kms.decrypt(CiphertextBlob=b"c"),
        "GenerateRandom": lambda: kms.generate_random(NumberOfBytes=1),
        "ListAliases": lambda: kms.list_aliases(),
        "CreateAlias": lambda: kms.create_alias(AliasName="alias/x", TargetKeyId="k"),
        "ScheduleKeyDeletion": lambda: kms.schedule_key_deletion(KeyId="k"),
        "CancelKeyDeletion": lambda: kms.cancel_key_deletion(KeyId="k"),
    }
    assert sorted(calls) == sorted(KEY_OPS)
    for op, call in calls.items():
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "AccessDeniedException", op
        assert f"kms:{op}" in e.value.response["Error"]["Message"], op


def test_the_default_scenario_has_keys_in_several_stores(spawn):
    kms = spawn("--seed", 3, "--account-keys", 300).client(
        {"AccessKeyId": "ASIAEMULATORDEMO0001", "SecretAccessKey": "emulatorDemoSecretKey/NotReal/0123456789ab",
         "SessionToken": "IQoJb3JpZ2luX2VjEMULATOR//DEMO/SESSION/TOKEN/not/real=="})
    stores = {s["CustomKeyStoreId"]: s for s in kms.describe_custom_key_stores()["CustomKeyStores"]}
    assert len(stores) == 14
    counts = {}
    total = 0
    for page in kms.get_paginator("list_keys").paginate():
        for k in page["Keys"]:
            total += 1
            sid = kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"].get("CustomKeyStoreId")
            if sid:
                counts[stores[sid]["CustomKeyStoreName"]] = counts.get(stores[sid]["CustomKeyStoreName"], 0) + 1
    assert total == 300
    assert counts == {"hsm-connected": 3, "payments-xks": 2, "xks-archive": 2}
    assert (SCENARIOS / "default.json").exists()
