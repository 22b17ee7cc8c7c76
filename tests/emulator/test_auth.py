"""SigV4 as KMS checks it, with the testing scenario's extra credentials and a skewed emulator."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import TESTING, code, message

EXPIRED = {
    "AccessKeyId": "ASIATESTINGEXPIRED01",
    "SecretAccessKey": "testingExpiredSecret/NotReal/0123456789ab",
    "SessionToken": "IQoJTESTING//EXPIRED/TOKEN==",
}
LONG_TERM = {"AccessKeyId": "AKIATESTINGLONGTERM1", "SecretAccessKey": "testingLongTermSecret/NotReal/0123456789a"}


def test_an_expired_credential(testing):
    with pytest.raises(ClientError) as e:
        testing.client(EXPIRED).describe_custom_key_stores()
    assert code(e) == "ExpiredTokenException"
    assert message(e) == "The security token included in the request is expired"


def test_a_long_term_key_needs_no_token(testing):
    assert testing.client(LONG_TERM).describe_custom_key_stores()["CustomKeyStores"]
    with pytest.raises(ClientError) as e:
        testing.client(dict(LONG_TERM, SessionToken="unexpected")).describe_custom_key_stores()
    assert code(e) == "UnrecognizedClientException"


@pytest.mark.parametrize("change, wanted", [
    ({"SecretAccessKey": "wrong/secret/wrong/secret/wrong/secret/wron"}, "InvalidSignatureException"),
    ({"SessionToken": "IQoJTESTING//OTHER/TOKEN=="}, "UnrecognizedClientException"),
    ({"SessionToken": None}, "UnrecognizedClientException"),
    ({"AccessKeyId": "ASIAUNKNOWNKEY000000"}, "UnrecognizedClientException"),
])
def test_bad_credentials(testing, change, wanted):
    creds = dict(testing.credentials(), **change)
    with pytest.raises(ClientError) as e:
        testing.client(creds).describe_custom_key_stores()
    assert code(e) == wanted
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_demo_credentials_carry_an_expiry(testing):
    c = testing.credentials()
    assert set(c) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert c["Version"] == 1 and c["Expiration"].endswith("+00:00")
    assert c["AccessKeyId"] == json.loads(TESTING.read_text())["credentials"][0]["access_key_id"]


def test_an_emulator_clock_ten_minutes_ahead(spawn):
    em = spawn("--clock-skew-seconds", 600, scenario=TESTING)
    with pytest.raises(ClientError) as e:
        em.client().describe_custom_key_stores()
    assert code(e) == "InvalidSignatureException"
    assert message(e).startswith("Signature expired: ")
