"""The README's examples run as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.webhooks.signing import sign
from tests.conftest import UAT
from tests.receiver import free_port, receiver, subscribe_created, wait_for
from tests.test_contracts_http import create

README = Path(__file__).resolve().parent.parent / "README.md"


def _snippet(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- snippet: {name} -->\s*```python\n(.*?)```", text, re.S)
    assert found, f"README snippet {name} is missing"
    return found.group(1)


def test_readme_opens_with_the_two_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert block == ["pip install . && spotcheck serve", "pip install tox && tox"]


def test_verification_snippet_accepts_real_deliveries_and_rejects_tampering(settings, our_schema):
    namespace: dict = {}
    exec(_snippet("verify-webhook"), namespace)
    is_from_spotdraft = namespace["is_from_spotdraft"]
    fast = settings.replace(webhook_retry_delays=(0.2,) * 5, webhook_delivery="loopback")
    with TestClient(create_app(fast, our_schema)) as client:
        key = client.get("/api/v2.1/public/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key) as (url, state):
            subscribe_created(client, url)
            create(client)
            wait_for(lambda: state.events, 10, "a delivery")
    event = state.events[0]
    raw = json.dumps(event["payload"], separators=(",", ":")).encode()
    header = event["headers"]["x-sd-webhook-content-hash"]
    assert is_from_spotdraft(raw, header, key)
    assert not is_from_spotdraft(
        raw.replace(b"CONTRACT_CREATED", b"CONTRACT_EXECUTED"), header, key
    )


@pytest.mark.e2e
def test_listen_command_verifies_signatures():
    key = "c3BvdGNoZWNrLXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmch"
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockserver.cli",
            "webhooks",
            "listen",
            "--port",
            str(port),
            "--hmac-key",
            key,
            "--fail-times",
            "1",
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "listening on" in process.stdout.readline()
        url = f"http://127.0.0.1:{port}/hooks"
        wait_for(lambda: _reachable(url), 10, "listener up")
        body = b'{"activity":"CONTRACT_CREATED","contract_id":1}'
        first = httpx.post(
            url, content=body, headers={"X-SD-WEBHOOK-CONTENT-HASH": sign(body, key)}
        )
        assert first.status_code == 503  # told to fail once
        good = httpx.post(url, content=body, headers={"X-SD-WEBHOOK-CONTENT-HASH": sign(body, key)})
        bad = httpx.post(url, content=body, headers={"X-SD-WEBHOOK-CONTENT-HASH": "0" * 128})
        assert (good.status_code, bad.status_code) == (200, 401)
        lines = [json.loads(process.stdout.readline()) for _ in range(3)]
        assert [line["signature"] for line in lines] == ["valid", "valid", "INVALID"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def _reachable(url: str) -> bool:
    try:
        httpx.get(url.replace("/hooks", "/__listener/events"), timeout=1)
        return True
    except httpx.TransportError:
        return False
