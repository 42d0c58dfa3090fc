"""A crash loses no webhook: kill -9 mid-attempt, a restart or a surviving worker delivers all.

Real `spotcheck serve` processes on one SQLite file, a real receiver on loopback; leases of
one second so a dead process's claims expire fast.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import UAT
from tests.live import _URL, _drain, _wait_healthy
from tests.receiver import receiver, wait_for
from tests.test_contracts_http import create

API = "/api/v2.1/public"
EVENTS = 20
QUICK = {
    "SPOTCHECK_WEBHOOK_DELIVERY": "loopback",
    "SPOTCHECK_WEBHOOK_RETRY_DELAYS": ",".join(["0.2"] * 10),
    "SPOTCHECK_WEBHOOK_LEASE": "1",
    "SPOTCHECK_WEBHOOK_TIMEOUT": "5",
    "SPOTCHECK_RATE_LIMIT": "0",
}
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and fork")


@contextmanager
def serve(db: Path, *args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`spotcheck serve --db DB` as a real process: (base URL, process)."""
    command = [sys.executable, "-m", "mockserver.cli", "serve", "--port", "0", "--db", str(db)]
    process = subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **QUICK},
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert process.stdout is not None
        url = None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            assert line, "server exited early"
            found = _URL.search(line)
            url = found.group(1) if found else None
        assert url is not None, "server did not print its URL"
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        _wait_healthy(url, deadline)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def start_events(url: str, state_url: str) -> None:
    """Subscribe the receiver, then make EVENTS contracts (one CONTRACT_CREATED each)."""
    with httpx.Client(base_url=url, timeout=10) as client:
        body = {"title": "t", "url": state_url, "only_for_activities": ["CONTRACT_CREATED"]}
        assert client.post(f"{API}/webhooks/", headers=UAT, json=body).status_code == 201
        for number in range(EVENTS):
            create(client, f"crm-{number}")


def hmac_key(url: str) -> str:
    return httpx.get(f"{url}{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]


def outbox(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db, timeout=10) as reader:
        return reader.execute(sql).fetchall()


def assert_everything_arrived(state, db: Path) -> None:
    wait_for(lambda: len({e["delivery_id"] for e in state.events}) >= EVENTS, 20, "every delivery")
    ids = {row[0] for row in outbox(db, "SELECT delivery_id FROM outbox")}
    assert {e["delivery_id"] for e in state.events} == ids
    wait_for(
        lambda: (
            outbox(db, "SELECT COUNT(*) FROM outbox WHERE status = 'delivered'")[0][0] == EVENTS
        ),
        10,
        "every row delivered",
    )
    received = [e["payload"]["external_metadata"]["id"] for e in state.events]
    first_seen = list(dict.fromkeys(received))
    assert first_seen == [f"crm-{n}" for n in range(EVENTS)]  # order kept


def test_kill_9_mid_attempt_then_restart_delivers_every_event(tmp_path):
    db = tmp_path / "mock.db"
    with serve(db) as (url, process), receiver(hmac_key(url), delay=1.5) as (hook, state):
        start_events(url, hook)
        wait_for(lambda: state.arrivals >= 1, 10, "an attempt in flight")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        state.delay = 0.0
        with serve(db):
            assert_everything_arrived(state, db)
        # the receiver answers the attempt the kill cut off after its delay: a restart quicker
        # than that delay has delivered everything else by then
        wait_for(lambda: len(state.events) > EVENTS, 10, "the cut-off attempt's own record")
        # the attempt that was in flight went out again with its delivery id
        first = [
            e["delivery_id"]
            for e in state.events
            if e["contract_id"] == state.events[0]["contract_id"]
        ]
        assert len(first) == 2 and len(set(first)) == 1


def test_killing_one_of_two_workers_does_not_stall_delivery(tmp_path):
    db = tmp_path / "mock.db"
    with (
        serve(db, "--workers", "2") as (url, _process),
        receiver(hmac_key(url), delay=1.5) as (hook, state),
    ):
        start_events(url, hook)
        wait_for(lambda: state.arrivals >= 1, 10, "an attempt in flight")
        owner = wait_for(
            lambda: outbox(db, "SELECT lease_owner FROM outbox WHERE status = 'sending'"),
            5,
            "the leased row",
        )[0][0]
        os.kill(int(owner.split("-")[0]), signal.SIGKILL)
        state.delay = 0.0
        assert_everything_arrived(state, db)
        assert httpx.get(f"{url}/__admin/health").status_code == 200
