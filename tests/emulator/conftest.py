"""Fixtures for driving kms-emulator with boto3.

`shared` is the emulator named by EMULATOR_URL (scripts/test.sh starts one with the default
scenario at --time-scale 60), or one this suite starts itself. `spawn` starts fresh emulators
(any scenario or flags) from target/release/kms-emulator and stops them after the test; most
tests use one so that they never see each other's state.
"""
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
BINARY = ROOT / "target" / "release" / "kms-emulator"
SCENARIOS = ROOT / "kms-emulator" / "scenarios"
TESTING = SCENARIOS / "testing.json"
READY = re.compile(r"^kms-emulator listening on (http://\S+)", re.M)


class Emulator:
    def __init__(self, url, proc=None, log=None):
        self.url = url
        self.proc = proc
        self.log = log

    def get(self, path):
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as r:
            return r.read()

    def credentials(self):
        return json.loads(self.get("/_emulator/credentials"))

    def client(self, creds=None, retries=1, **config):
        """A KMS client; by default the demo credentials and one attempt (no retries)."""
        return self._boto("kms", creds, retries, config)

    def cloudhsm(self, creds=None, retries=1, **config):
        """A CloudHSM v2 client on the same port (the emulator dispatches on X-Amz-Target)."""
        return self._boto("cloudhsmv2", creds, retries, config)

    def _boto(self, service, creds, retries, config):
        c = creds or self.credentials()
        return boto3.client(
            service,
            region_name=config.pop("region", "us-east-1"),
            endpoint_url=self.url,
            aws_access_key_id=c["AccessKeyId"],
            aws_secret_access_key=c["SecretAccessKey"],
            aws_session_token=c.get("SessionToken"),
            config=Config(retries={"total_max_attempts": retries, "mode": "standard"}, **config),
        )

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            os.unlink(self.log)


def launch(*args):
    """Starts the release binary on a free port and waits for its ready line."""
    if not BINARY.exists():
        pytest.fail(f"{BINARY} is missing: run `cargo build --release -p kms-emulator` first")
    fd, log = tempfile.mkstemp(prefix="kms-emulator-", suffix=".log")
    with os.fdopen(fd, "w") as out:
        proc = subprocess.Popen(
            [str(BINARY), "--addr", "127.0.0.1:0", *map(str, args)], stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.time() + 10
    while time.time() < deadline:
        text = Path(log).read_text()
        m = READY.search(text)
        if m:
            return Emulator(m.group(1), proc, log)
        if proc.poll() is not None:
            os.unlink(log)
            raise RuntimeError(f"kms-emulator {' '.join(map(str, args))} exited:\n{text}")
        time.sleep(0.02)
    proc.kill()
    raise RuntimeError(f"kms-emulator did not start:\n{Path(log).read_text()}")


@pytest.fixture(scope="session")
def shared():
    url = os.environ.get("EMULATOR_URL")
    if url:
        yield Emulator(url.rstrip("/"))
        return
    em = launch("--time-scale", 60)
    yield em
    em.stop()


@pytest.fixture()
def spawn():
    """spawn(*flags, scenario=PATH or dict) -> Emulator; a dict is written to a temporary file."""
    started, files = [], []

    def start(*flags, scenario=None):
        args = list(flags)
        if isinstance(scenario, dict):
            fd, path = tempfile.mkstemp(prefix="scenario-", suffix=".json")
            with os.fdopen(fd, "w") as f:
                json.dump(scenario, f)
            files.append(path)
            scenario = path
        if scenario is not None:
            args = ["--scenario", scenario, *args]
        em = launch(*args)
        started.append(em)
        return em

    yield start
    for em in started:
        em.stop()
    for path in files:
        os.unlink(path)


@pytest.fixture()
def testing(spawn):
    """A fresh emulator with the testing scenario: 30-second connects run in half a second."""
    return spawn("--time-scale", 60, "--seed", 1, scenario=TESTING)


@pytest.fixture()
def kms(testing):
    return testing.client()


@pytest.fixture()
def kms_steady(spawn):
    """The testing scenario at --time-scale 6, for a test that reads a passing state right after
    the call that began it: at 60 a 20-second DISCONNECTING lasts 333 ms, one stalled round trip
    on a slow machine; at 6 it lasts 3.3 s."""
    return spawn("--time-scale", 6, "--seed", 1, scenario=TESTING).client()


@pytest.fixture()
def lax(testing):
    """A client that sends what botocore's own validation would stop, so KMS's rules answer."""
    return testing.client(parameter_validation=False)


def code(exc_info):
    return exc_info.value.response["Error"]["Code"]


def message(exc_info):
    return exc_info.value.response["Error"]["Message"]


def store(kms, store_id):
    return kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][0]


def wait_for(kms, store_id, wanted, seconds=20):
    deadline = time.time() + seconds
    s = None
    while time.time() < deadline:
        s = store(kms, store_id)
        if s["ConnectionState"] == wanted:
            return s
        time.sleep(0.1)
    raise AssertionError(f"{store_id} never reached {wanted}: {s}")
