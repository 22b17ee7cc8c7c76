import json
import os
import urllib.request

import boto3
import pytest
from botocore.config import Config

URL = os.environ.get("EMULATOR_URL", "http://127.0.0.1:4599")


@pytest.fixture(scope="session")
def demo():
    with urllib.request.urlopen(f"{URL}/_emulator/credentials") as r:
        return json.load(r)


def client(akid, secret, token, **kw):
    return boto3.client(
        "kms",
        region_name=kw.pop("region", "us-east-1"),
        endpoint_url=URL,
        aws_access_key_id=akid,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
        **kw,
    )


@pytest.fixture()
def kms(demo):
    return client(demo["AccessKeyId"], demo["SecretAccessKey"], demo["SessionToken"])
