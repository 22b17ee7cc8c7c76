"""CloudHSM v2's DescribeClusters on the emulator, driven by boto3's `cloudhsmv2` client: the
default scenario's clusters (they agree with its stores' scripted connects), filters,
pagination, CloudHSM's errors, the signing scope per service, and stores created on a cluster
connecting as its health allows."""
import gzip
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import botocore
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import ROOT, code, message, store, wait_for

# The default scenario's clusters: id -> (state, ACTIVE HSMs, zones of the ACTIVE HSMs, subnet zones).
DEFAULT_CLUSTERS = {
    "cluster-234abcdefgh": ("ACTIVE", 2, {"us-east-1a", "us-east-1b"}, 2),  # hsm-primary
    "cluster-234relatedbkp": ("ACTIVE", 2, {"us-east-1a", "us-east-1b"}, 2),  # its related cluster
    "cluster-345bcdefghi": ("ACTIVE", 0, set(), 2),  # hsm-no-active-hsm
    "cluster-456cdefghij": ("ACTIVE", 2, {"us-east-1a", "us-east-1b"}, 2),  # hsm-kmsuser-locked
    "cluster-567defghijk": ("INITIALIZED", 1, {"us-east-1a"}, 2),  # hsm-cluster-inactive
    "cluster-672efghijkl": ("ACTIVE", 1, {"us-east-1a"}, 1),  # hsm-cluster-misconfigured
    "cluster-723fghijklm": ("ACTIVE", 3, {"us-east-1a", "us-east-1b", "us-east-1c"}, 3),  # hsm-connected
    "cluster-notactiveyet": ("UNINITIALIZED", 0, set(), 2),  # the reject of CreateCustomKeyStore
}
NO_HSM_PERMISSION = {
    "AccessKeyId": "ASIAEMULATORNOHSM001",
    "SecretAccessKey": "emulatorNoHsmSecretKey/NotReal/0123456789",
    "SessionToken": "IQoJb3JpZ2luX2VjEMULATOR//NO/CLOUDHSM/TOKEN/not/real==",
}
MODEL = json.loads(gzip.open(Path(botocore.__file__).parent / "data/cloudhsmv2/2017-04-28/service-2.json.gz").read())
ANCHOR = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"


def raw(em, service, target, body, creds=None):
    """A request signed by botocore's SigV4Auth for `service`: (status, JSON body)."""
    c = creds or em.credentials()
    request = AWSRequest(method="POST", url=em.url + "/", data=body,
                         headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target})
    SigV4Auth(Credentials(c["AccessKeyId"], c["SecretAccessKey"], c.get("SessionToken")), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    req = urllib.request.Request(prepared.url, data=body.encode(), headers=dict(prepared.headers), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture()
def hsm(shared):
    return shared.cloudhsm()


def test_the_default_clusters_are_there(hsm):
    clusters = hsm.describe_clusters()["Clusters"]
    got = {c["ClusterId"]: c for c in clusters}
    assert [c["ClusterId"] for c in clusters][: len(DEFAULT_CLUSTERS)] == list(DEFAULT_CLUSTERS)
    for cid, (state, active, zones, subnet_zones) in DEFAULT_CLUSTERS.items():
        c = got[cid]
        live = [h for h in c["Hsms"] if h["State"] == "ACTIVE"]
        assert (c["State"], len(live), {h["AvailabilityZone"] for h in live}, len(c["SubnetMapping"])) == \
            (state, active, zones, subnet_zones), cid
        assert re.fullmatch(r"sg-[0-9a-f]{8,17}", c["SecurityGroup"]) and c["VpcId"].startswith("vpc-")
        for h in c["Hsms"]:
            assert h["ClusterId"] == cid and c["SubnetMapping"][h["AvailabilityZone"]] == h["SubnetId"]
            assert re.fullmatch(r"hsm-[2-7a-zA-Z]{11,16}", h["HsmId"])
        assert c["CreateTimestamp"].tzinfo is not None


def test_filters(hsm):
    one = hsm.describe_clusters(Filters={"clusterIds": ["cluster-345bcdefghi"]})["Clusters"]
    assert [(c["ClusterId"], c["State"], c["Hsms"]) for c in one] == [("cluster-345bcdefghi", "ACTIVE", [])]
    assert hsm.describe_clusters(Filters={"clusterIds": ["cluster-777777777777"]})["Clusters"] == []
    not_active = hsm.describe_clusters(Filters={"states": ["INITIALIZED", "UNINITIALIZED"]})["Clusters"]
    assert {c["ClusterId"] for c in not_active} == {"cluster-567defghijk", "cluster-notactiveyet"}
    primary = hsm.describe_clusters(Filters={"vpcIds": ["vpc-0a1b2c3d4e5f67890"]})["Clusters"]
    assert [c["ClusterId"] for c in primary] == ["cluster-234abcdefgh"]


def test_pagination(hsm):
    pages = list(hsm.get_paginator("describe_clusters").paginate(PaginationConfig={"PageSize": 3}))
    ids = [c["ClusterId"] for p in pages for c in p["Clusters"]]
    assert len(pages) >= 3 and len(ids) == len(set(ids)) >= len(DEFAULT_CLUSTERS)
    first = hsm.describe_clusters(MaxResults=3)
    assert len(first["Clusters"]) == 3 and first["NextToken"]
    second = hsm.describe_clusters(MaxResults=3, NextToken=first["NextToken"])
    assert [c["ClusterId"] for c in second["Clusters"]] == ids[3:6]
    with pytest.raises(ClientError) as e:
        hsm.describe_clusters(NextToken="not-a-token")
    assert code(e) == "CloudHsmInvalidRequestException"
    assert message(e) == "The NextToken is not valid."


def test_cloudhsms_errors(shared):
    lax = shared.cloudhsm(parameter_validation=False)
    for kwargs in ({"MaxResults": 26}, {"Filters": {"colour": ["red"]}}, {"Filters": {"clusterIds": ["cluster-1"]}}):
        with pytest.raises(ClientError) as e:
            lax.describe_clusters(**kwargs)
        assert code(e) == "CloudHsmInvalidRequestException", kwargs
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as e:
        shared.cloudhsm(NO_HSM_PERMISSION).describe_clusters()
    assert code(e) == "CloudHsmAccessDeniedException"
    assert "is not authorized to perform: cloudhsm:DescribeClusters" in message(e)
    # The same identity may still use KMS.
    assert shared.client(NO_HSM_PERMISSION).describe_custom_key_stores()["CustomKeyStores"]


def test_each_service_has_its_own_signing_scope(shared):
    describe = json.dumps({"Filters": {"clusterIds": ["cluster-234abcdefgh"]}})
    status, body = raw(shared, "cloudhsm", "BaldrApiService.DescribeClusters", describe)
    assert status == 200 and body["Clusters"][0]["ClusterId"] == "cluster-234abcdefgh"
    status, body = raw(shared, "kms", "BaldrApiService.DescribeClusters", describe)
    assert (status, body["__type"]) == (400, "InvalidSignatureException")
    assert re.fullmatch(r"Credential should be scoped to a valid region, service and date: expected "
                        r"\d{8}/us-east-1/cloudhsm/aws4_request, got \d{8}/us-east-1/kms/aws4_request\.", body["message"])
    status, body = raw(shared, "cloudhsm", "TrentService.DescribeCustomKeyStores", "{}")
    assert (status, body["__type"]) == (400, "InvalidSignatureException")
    status, body = raw(shared, "cloudhsm", "BaldrApiService.CreateHsm", "{}")
    assert body["__type"] == "UnknownOperationException"
    # CORS is the same for both services.
    req = urllib.request.Request(shared.url + "/", method="OPTIONS", headers={
        "Origin": "http://127.0.0.1:8080", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-security-token,x-amz-target"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8080"
        assert "x-amz-target" in r.headers["Access-Control-Allow-Headers"]


def test_the_wire_matches_botocores_model(shared):
    """Every member the emulator sends is in the model, and the core and the emulator know
    exactly the model's states."""
    shapes = MODEL["shapes"]
    _, body = raw(shared, "cloudhsm", "BaldrApiService.DescribeClusters", "{}")
    assert set(body) <= set(shapes["DescribeClustersResponse"]["members"])
    for c in body["Clusters"]:
        assert set(c) <= set(shapes["Cluster"]["members"]), set(c) - set(shapes["Cluster"]["members"])
        for h in c["Hsms"]:
            assert set(h) <= set(shapes["Hsm"]["members"])
    assert MODEL["metadata"]["signingName"] == "cloudhsm" and MODEL["metadata"]["targetPrefix"] == "BaldrApiService"
    for shape in ("ClusterState", "HsmState"):
        wanted = shapes[shape]["enum"]
        core = (ROOT / "src" / "aws" / "cloudhsm.rs").read_text()
        block = re.search(shape + r" \{(.*?)\}", core, re.S).group(1)
        assert re.findall(r'"([A-Z_]+)"', block) == wanted, shape
        emulator = (ROOT / "kms-emulator" / "src" / "clusters.rs").read_text()
        const = {"ClusterState": "CLUSTER_STATES", "HsmState": "HSM_STATES"}[shape]
        block = re.search(const + r": &\[&str\] = &\[(.*?)\];", emulator, re.S).group(1)
        assert re.findall(r'"([A-Z_]+)"', block) == wanted, shape
    assert [e["shape"] for e in MODEL["operations"]["DescribeClusters"]["errors"]] == [
        "CloudHsmAccessDeniedException", "CloudHsmInternalFailureException", "CloudHsmInvalidRequestException",
        "CloudHsmServiceException", "CloudHsmTagException"]


def test_created_stores_connect_as_their_cluster_allows(testing):
    kms, hsm = testing.client(), testing.cloudhsm()

    def create(name, cluster):
        return kms.create_custom_key_store(CustomKeyStoreName=name, CloudHsmClusterId=cluster,
                                           TrustAnchorCertificate=ANCHOR, KeyStorePassword="kmsPswd1")["CustomKeyStoreId"]

    no_hsm = create("on-no-hsm", "cluster-6nohsmaaaaaa")
    kms.connect_custom_key_store(CustomKeyStoreId=no_hsm)
    inactive = create("on-inactive", "cluster-6inactiveaaaa")
    with pytest.raises(ClientError) as e:
        kms.connect_custom_key_store(CustomKeyStoreId=inactive)
    assert code(e) == "CloudHsmClusterNotActiveException"
    assert store(kms, inactive)["ConnectionState"] == "DISCONNECTED"
    s = wait_for(kms, no_hsm, "FAILED")
    assert s["ConnectionErrorCode"] == "INSUFFICIENT_CLOUDHSM_HSMS"
    # A cluster CloudHSM did not list yet is a healthy one from then on.
    assert hsm.describe_clusters(Filters={"clusterIds": ["cluster-7ccccccccccc"]})["Clusters"] == []
    kms.delete_custom_key_store(CustomKeyStoreId=inactive)
    fine = create("on-new", "cluster-7ccccccccccc")
    c = hsm.describe_clusters(Filters={"clusterIds": ["cluster-7ccccccccccc"]})["Clusters"][0]
    assert c["State"] == "ACTIVE" and len({h["AvailabilityZone"] for h in c["Hsms"] if h["State"] == "ACTIVE"}) == 2
    kms.connect_custom_key_store(CustomKeyStoreId=fine)
    wait_for(kms, fine, "CONNECTED")
