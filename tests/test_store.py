"""The store keeps everything across restarts, and two processes on one file lose no write."""

from __future__ import annotations

import sqlite3
import threading
import time

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.pipeline.ratelimit import TokenBucket
from mockserver.state.store import SCHEMA_VERSION, Store
from tests.conftest import UAT
from tests.live import running_server

API = "/api/v2.1/public"
BODY = {
    "contract_template_id": 21,
    "contract_data": {"effective_date": "2026-01-01"},
    "counter_party_details": [
        {"is_individual": True, "poc_details": {"first_name": "Pat", "email": "pat@example.test"}}
    ],
}


def test_restart_with_the_same_file_keeps_contracts_and_keys(settings, our_schema):
    with TestClient(create_app(settings, our_schema)) as client:
        created = client.post(f"{API}/contracts/", headers=UAT, json=BODY).json()
        key = create_app(settings, our_schema).runtime.workspace.hmac_key
    restarted = create_app(settings, our_schema)
    assert restarted.runtime.workspace.hmac_key == key
    with TestClient(restarted) as client:
        status = client.get(f"{API}/contracts/{created['id']}/status", headers=UAT)
        assert status.status_code == 200
        assert status.json()["contract_status"] == "DRAFT"


def test_a_failed_write_changes_nothing(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    with pytest.raises(RuntimeError), store.transaction() as db:
        store.put_record(db, 1, "things", "1", {"a": 1})
        raise RuntimeError("boom")
    assert store.get_record(1, "things", "1") is None


@pytest.mark.e2e
def test_two_server_processes_on_one_file_lose_no_write(tmp_path):
    db = str(tmp_path / "shared.db")
    per_server = 25
    with (
        running_server("--db", db, "--rate-limit", "0") as (first, _),
        running_server("--db", db, "--rate-limit", "0") as (second, _),
    ):
        created: list[str] = []
        errors: list[str] = []

        def hammer(base: str) -> None:
            with httpx.Client(base_url=base, headers=UAT, timeout=30) as client:
                for _ in range(per_server):
                    response = client.post(f"{API}/contracts/", json=BODY)
                    if response.status_code == 201:
                        created.append(response.json()["id"])
                    else:
                        errors.append(f"{response.status_code} {response.text[:100]}")

        threads = [
            threading.Thread(target=hammer, args=(url,)) for url in (first, second, first, second)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(set(created)) == 4 * per_server, "composite ids are unique across processes"
        listing = httpx.get(f"{second}{API}/contracts/", headers=UAT, params={"limit": 1}).json()
        assert listing["total_results"] == 4 * per_server


def test_token_bucket_allows_the_rate_plus_one_second_of_burst():
    now = [0.0]
    bucket = TokenBucket(10, clock=lambda: now[0])
    accepted = 0
    for _step in range(300):  # 3 seconds in steps of 10 ms, asking every step
        if bucket.take() == 0:
            accepted += 1
        now[0] += 0.01
    assert 10 * 3 + 10 - 1 <= accepted <= 10 * 3 + 10 + 1
    wait = bucket.take()
    assert 0 < wait <= 0.1


def test_rate_limit_over_a_few_seconds_is_accurate(settings, our_schema):
    """Real clock, in process: 2.5 s of requests as fast as possible at 10/s."""
    import time

    app = create_app(settings.replace(rate_limit=10), our_schema)
    with TestClient(app) as client:
        accepted = throttled = 0
        started = time.monotonic()
        while time.monotonic() - started < 2.5:
            status = client.get(f"{API}/contract_types/", headers=UAT).status_code
            accepted += status == 200
            throttled += status == 429
        elapsed = time.monotonic() - started
    expected = 10 + 10 * elapsed  # one second of burst, then the rate
    assert throttled > 0
    assert expected - 3 <= accepted <= expected + 2


def test_the_journal_audit_and_activities_are_bounded_by_count_and_age(tmp_path):
    from mockserver.pipeline.journal import Journal
    from mockserver.state.audit import AuditLog
    from mockserver.state.retention import Bound, prune

    store = Store(str(tmp_path / "s.db"))
    audit = AuditLog(store, None)
    journal = Journal(store, audit)
    for number in range(30):
        journal.record({"id": f"req-{number}", "status": 200, "refused_by": None})
    with store.transaction() as db:  # one activity too old to keep, one recent
        for at in ("2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z"):
            db.execute(
                "INSERT INTO activities (workspace_id, contract_id, activity, performed_by, at, "
                "data) VALUES (1, 'T-1', 'CONTRACT_CREATED', 'x', ?, '{}')",
                (at,),
            )
    limits = (Bound("journal", 10, 3600), Bound("audit", 5, 3600))
    limits += (Bound("activities", 100, 86400, "at", True),)
    prune(store, limits)
    kept = journal.entries()
    assert [entry["id"] for entry in kept] == [f"req-{n}" for n in range(29, 19, -1)]
    assert kept[0] == {"id": "req-29", "status": 200, "refused_by": None}, "stored as JSON"
    assert len(audit.entries()) == 5
    assert journal.total == 30, "the count is of requests, not of entries kept"
    assert [row[0] for row in store.query("SELECT at FROM activities")] == ["2999-01-01T00:00:00Z"]
    prune(store, limits, now=time.time() + 7200)  # two hours on: past the journal's age
    assert journal.entries() == [] and journal.total == 30
    journal.clear()
    assert journal.total == 0


def test_a_store_of_schema_version_2_gains_the_shared_tables(tmp_path):
    path = tmp_path / "v2.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE credentials (id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL,"
        " client_id TEXT NOT NULL UNIQUE, secret_sha256 TEXT NOT NULL, user_id INTEGER NOT NULL,"
        " label TEXT NOT NULL, policy TEXT NOT NULL DEFAULT '{}');"
        "PRAGMA user_version = 2;"
    )
    old.close()
    store = Store(str(path))
    tables = {row[0] for row in store.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"journal", "audit", "rate_buckets", "schema_version"} <= tables
    assert store.query_one("SELECT MAX(version) FROM schema_version")[0] == SCHEMA_VERSION
    store.close()
