"""One rate limit per workspace, after authentication (issue 17): `serve --workers 2` on a
SQLite file gives the workspace 10 requests/s plus its burst, not that per worker; a flood of
wrong credentials is limited per source address and never spends the workspace's allowance."""

from __future__ import annotations

import threading
import time

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from tests.conftest import UAT
from tests.floods import API, RATE, ROOMY_JOURNAL, assert_one_bucket
from tests.live import running_server

WRONG = {"client-id": "uat-client-acme", "client-secret": "not-the-secret"}


@pytest.mark.e2e
def test_two_workers_share_one_bucket_per_workspace(tmp_path):
    database = str(tmp_path / "m.db")
    with running_server("--workers", "2", "--db", database, env=ROOMY_JOURNAL, timeout=90) as (
        url,
        _banner,
    ):
        assert_one_bucket((url,))


@pytest.mark.parametrize("db", ["file", ":memory:"])
def test_wrong_credentials_are_limited_by_source_and_spend_no_workspace_token(
    settings, our_schema, tmp_path, db
):
    app = create_app(
        settings.replace(rate_limit=RATE, db=str(tmp_path / "m.db") if db == "file" else db),
        our_schema,
    )
    with TestClient(app) as client:
        started = time.monotonic()
        refused = [client.get(f"{API}/contracts/", headers=WRONG).status_code for _ in range(40)]
        elapsed = time.monotonic() - started
        # the source's allowance (its burst, then 10/s) answers 401, past it 429
        assert refused[:RATE] == [401] * RATE
        assert refused.count(401) <= RATE + RATE * elapsed + 1
        assert refused.count(429) >= 40 - (RATE + RATE * elapsed + 1)
        # ... and the workspace still has its whole burst
        polite = [client.get(f"{API}/contracts/", headers=UAT).status_code for _ in range(RATE)]
        assert polite == [200] * RATE
        more = [client.get(f"{API}/contracts/", headers=UAT).status_code for _ in range(30)]
        assert 429 in more, "the workspace has its own limit"
        journal = client.get("/__admin/requests?limit=30").json()
        throttled = next(entry for entry in journal if entry["status"] == 429)
        assert throttled["credential_id"] == "uat-client-acme"


def test_a_flood_of_wrong_credentials_beside_a_polite_client(settings, our_schema):
    """The issue's measurement: 10 of a polite client's 12 calls got 429 under such a flood."""
    app = create_app(settings.replace(rate_limit=RATE), our_schema)
    with TestClient(app) as client:
        stop = threading.Event()

        def flood() -> None:
            while not stop.is_set():
                client.get(f"{API}/contracts/", headers=WRONG)

        threads = [threading.Thread(target=flood) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            polite = [client.get(f"{API}/contracts/", headers=UAT).status_code for _ in range(8)]
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    assert polite == [200] * 8
