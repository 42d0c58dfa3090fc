"""The webhook kit end to end: a real mock process, real receivers on loopback, the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mockserver.webhooks.probe import FAIL, PASS, probe
from tests.conftest import UAT
from tests.live import running_server
from tests.receiver import free_port, receiver, wait_for

API = "/api/v2.1/public"
ROOT = Path(__file__).resolve().parent.parent
QUICK = {"SPOTCHECK_WEBHOOK_RETRY_DELAYS": "0.2,0.2,0.2,0.2", "SPOTCHECK_RATE_LIMIT": "0"}
CONTRACT_ACTIVITIES = [
    "CONTRACT_CREATED",
    "CONTRACT_SENT_TO_COUNTERPARTY",
    "CONTRACT_MARK_FOR_EXECUTION",
    "CONTRACT_SIGNED",
    "CONTRACT_EXECUTED",
]


@pytest.fixture(scope="module")
def mock(tmp_path_factory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("mock") / "mock.db"
    with running_server("--db", str(db), env=QUICK) as (url, _banner):
        yield url


@pytest.fixture(scope="module")
def hmac_key(mock) -> str:
    return httpx.get(f"{mock}{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]


def spotcheck(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "webhooks", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "SPOTCHECK_WEBHOOK_DELIVERY": "loopback"},
    )


def subscribe(mock: str, url: str, activities: list[str]) -> int:
    body = {"title": "cli", "url": url, "only_for_activities": activities}
    response = httpx.post(f"{mock}{API}/webhooks/", headers=UAT, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@contextmanager
def unsubscribed(mock: str, subscription: int) -> Iterator[None]:
    try:
        yield
    finally:
        httpx.delete(f"{mock}{API}/webhooks/{subscription}", headers=UAT)


@contextmanager
def listen(*args: str) -> Iterator[tuple[str, list[str]]]:
    """`spotcheck webhooks listen ARGS` on a free port: (its URL, its stdout lines so far)."""
    port = free_port()
    command = [sys.executable, "-m", "mockserver.cli", "webhooks", "listen", "--port", str(port)]
    process = subprocess.Popen(
        [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT
    )
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")))
    reader.daemon = True
    reader.start()
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{url}/__listener/events").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(up, 20, f"listen did not start: {lines}")
        yield f"{url}/hooks", lines
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_listen_forwards_exact_bytes_and_answers_with_the_apps_status(mock, hmac_key):
    with (
        receiver(hmac_key, fail_times=1, fail_status=503) as (app_url, app),
        listen(
            "--mock", mock, "--forward-to", app_url, "--events", "CONTRACT_CREATED", "--json"
        ) as (hook, lines),
    ):
        activities = ["CONTRACT_CREATED", "CONTRACT_SENT_TO_COUNTERPARTY"]
        with unsubscribed(mock, subscribe(mock, hook, activities)):
            assert spotcheck("trigger", "CONTRACT_SENT_TO_COUNTERPARTY", "--mock", mock)
            wait_for(lambda: len(app.events) >= 2, 10, "the app answered 503 then 200")
            wait_for(lambda: len(lines) >= 3, 5, "a line per delivery")
    # the app saw the vendor's exact bytes and headers: the signature still verifies
    assert [e["answered"] for e in app.events] == [503, 200]
    assert all(e["signature"] == "valid" for e in app.events)
    assert app.events[0]["delivery_id"] == app.events[1]["delivery_id"]
    shown = [json.loads(line) for line in lines if line.startswith("{")]
    assert [(s["activity"], s["signature"], s["answered"]) for s in shown] == [
        ("CONTRACT_CREATED", "valid", 503),
        ("CONTRACT_CREATED", "valid", 200),
    ]  # CONTRACT_SENT_TO_COUNTERPARTY is not in --events: neither shown nor forwarded


def test_listen_print_key(mock, hmac_key):
    done = spotcheck("listen", "--print-key", "--mock", mock)
    assert done.returncode == 0 and done.stdout.strip() == hmac_key


def test_trigger_executed_drives_the_whole_flow_then_resend_and_tail(mock, hmac_key):
    assert "CONTRACT_EXECUTED" in spotcheck("trigger", "--list").stdout.split()
    with receiver(hmac_key) as (url, state):
        subscription = subscribe(mock, url, CONTRACT_ACTIVITIES)
        with unsubscribed(mock, subscription):
            done = spotcheck("trigger", "CONTRACT_EXECUTED", "--mock", mock)
            assert done.returncode == 0, done.stderr
            wait_for(lambda: len(state.events) >= 5, 10, "the flow's events")
            assert [e["activity"] for e in state.events] == [
                "CONTRACT_CREATED",
                "CONTRACT_SENT_TO_COUNTERPARTY",
                "CONTRACT_MARK_FOR_EXECUTION",
                "CONTRACT_SIGNED",
                "CONTRACT_SIGNED",
                "CONTRACT_EXECUTED",
            ][: len(state.events)]
            wait_for(lambda: len(state.events) >= 6, 10, "CONTRACT_EXECUTED")
            executed = state.events[-1]["delivery_id"]
            wait_for(
                lambda: spotcheck("tail", "--count", "1", "--json", "--mock", mock).stdout,
                10,
                "a tail line",
            )
            resent = spotcheck("resend", executed, "--mock", mock)
            assert resent.returncode == 0, resent.stderr
            wait_for(lambda: len(state.events) >= 7, 10, "the resent delivery")
            assert state.events[-1]["delivery_id"] == executed
            tail = spotcheck("tail", "--count", "3", "--json", "--mock", mock)
    rows = [json.loads(line) for line in tail.stdout.splitlines()]
    assert len(rows) == 3 and rows[-1]["delivery_id"] == executed
    assert rows[-1]["status"] == "delivered"
    assert spotcheck("resend", "no-such-delivery", "--mock", mock).returncode == 2


def test_trigger_refuses_what_it_cannot_make(mock):
    done = spotcheck("trigger", "CONTRACT_TELEPORTED", "--mock", mock)
    assert done.returncode == 2 and "--list" in done.stderr


def test_probe_passes_a_careful_receiver_and_fails_a_naive_one(hmac_key):
    with receiver(hmac_key) as (url, _state):
        checks = probe(url, hmac_key, timeout=5)
        assert [c.grade for c in checks] == [PASS] * len(checks), checks
    with receiver(None) as (url, _state):  # accepts anything, signature unchecked
        done = spotcheck("probe", url, "--hmac-key", hmac_key)
    assert done.returncode == 1
    failed = [line for line in done.stdout.splitlines() if line.startswith(FAIL)]
    assert any("wrong signature" in line for line in failed)
    assert any("re-serialised" in line for line in failed)
    assert done.stdout.splitlines()[-1] == "grade: FAIL"


def test_probe_fails_a_receiver_slower_than_the_timeout(hmac_key):
    with receiver(hmac_key, delay=1.0) as (url, _state):
        checks = {c.name: c for c in probe(url, hmac_key, timeout=0.5)}
    assert checks["signed event"].grade == FAIL
    assert "no answer within 0.5 s" in checks["signed event"].detail
