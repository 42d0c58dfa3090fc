"""Two mock processes on one PostgreSQL (issue 17): a real server from the machine's binaries
in a temp folder on a loopback port; without binaries these tests skip with a banner.

Checked across the two processes: data written on one is read on the other, one rate limit
(10 requests/s plus one second of burst per workspace), one journal, every webhook delivered
once. An unusable `--db postgresql://` URL is one line and a non-zero exit (no server needed).
"""

from __future__ import annotations

import collections
import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import UAT
from tests.floods import ROOMY_JOURNAL, assert_one_bucket, hammer
from tests.live import running_server
from tests.receiver import receiver, subscribe_created, wait_for
from tests.test_store import API, BODY

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def two_mocks(pg_url: str) -> Iterator[tuple[str, str]]:
    """Two `spotcheck serve` processes on the one database, the vendor's rate limit on."""
    managers = [running_server("--db", pg_url, env=ROOMY_JOURNAL, timeout=90) for _ in range(2)]
    with contextlib.ExitStack() as stack, ThreadPoolExecutor(2) as pool:
        starts = [pool.submit(manager.__enter__) for manager in managers]  # side by side
        for manager, start in zip(managers, starts, strict=True):
            if start.exception() is None:
                stack.push(manager.__exit__)
        first, second = (start.result()[0] for start in starts)
        yield first, second


def _create(client: httpx.Client) -> str:
    response = client.post(f"{API}/contracts/", json=BODY)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _paced(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers=UAT, timeout=10)


def test_data_written_on_one_process_is_read_on_the_other(two_mocks):
    first, second = two_mocks
    with _paced(first) as one, _paced(second) as other:
        contract = _create(one)
        status = other.get(f"{API}/contracts/{contract}/status")
        assert status.status_code == 200
        assert status.json()["contract_status"] == "DRAFT"
        # a generic resource (kept by the resource model, not SpotDraft's own code) too
        created = other.post(
            f"{API}/counter_parties/", json={"name": "Shared Co", "is_individual": False}
        )
        assert created.status_code in (200, 201), created.text
        listed = one.get(f"{API}/counter_parties/", params={"limit": 100}).text
        assert "Shared Co" in listed


def test_one_journal_and_one_request_count_from_either_process(two_mocks):
    first, second = two_mocks
    httpx.post(f"{first}/__admin/reset")
    for base in (first, second, second):
        assert httpx.get(f"{base}{API}/contracts/", headers=UAT).status_code == 200
    journals = [httpx.get(f"{base}/__admin/requests").json() for base in (first, second)]
    assert journals[0] == journals[1]
    assert len(journals[0]) == 3
    assert len({entry["id"] for entry in journals[0]}) == 3, "request ids name one request"
    counts = [httpx.get(f"{base}/__admin/metrics").json()["requests"] for base in two_mocks]
    assert counts == [3, 3]
    audits = [httpx.get(f"{base}/__admin/audit?kind=request").json() for base in two_mocks]
    assert audits[0] == audits[1] and len(audits[0]) == 3


def test_every_webhook_is_delivered_once_by_the_two_processes(two_mocks, pg_url):
    first, second = two_mocks
    httpx.post(f"{first}/__admin/reset")
    time.sleep(1.2)  # the bucket refills: the 9 requests below fit in one second of burst
    with psycopg.connect(pg_url) as connection:
        key = connection.execute("SELECT hmac_key FROM workspaces WHERE env = 'uat'").fetchone()
    with receiver(key[0]) as (url, state):
        with _paced(first) as one, _paced(second) as other:
            subscribe_created(one, url)
            created = [_create(client) for client in (one, other) * 4]
        wait_for(lambda: len(state.events) >= len(created), 15, "every delivery")
        time.sleep(0.5)  # a duplicate would arrive now
    ids = collections.Counter(event["delivery_id"] for event in state.events)
    assert len(ids) == len(created) and set(ids.values()) == {1}
    shown = [httpx.get(f"{base}/__admin/deliveries").json() for base in two_mocks]
    assert shown[0] == shown[1]
    assert {row["status"] for row in shown[0]} == {"delivered"}


def test_one_rate_limit_for_the_workspace_across_both_processes(two_mocks):
    assert_one_bucket(two_mocks)


def test_a_flood_of_wrong_credentials_does_not_spend_the_workspace_allowance(two_mocks):
    time.sleep(1.2)
    wrong = {"client-id": "uat-client-acme", "client-secret": "not-the-secret"}
    flood = threading.Thread(target=hammer, args=(two_mocks, 1.5, wrong))
    flood.start()
    polite = []
    with _paced(two_mocks[0]) as client:
        for _ in range(8):  # 8 calls in 1.6 s: within 10/s
            polite.append(client.get(f"{API}/contracts/", params={"limit": 1}).status_code)
            time.sleep(0.2)
    flood.join()
    assert polite == [200] * 8


def test_an_unreachable_postgres_url_is_one_line_and_a_non_zero_exit():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "spotcheck",
            "serve",
            "--port",
            "0",
            "--db",
            "postgresql://someone:hunter2@127.0.0.1:1/mock",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--db postgresql://someone:***@127.0.0.1:1/mock" in lines[0]
    assert "hunter2" not in result.stderr + result.stdout
