"""The delivery engine: independent subscriptions, cancellation, leases, store migration."""

from __future__ import annotations

import sqlite3
import time

from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.state.store import SCHEMA_VERSION, Store
from mockserver.webhooks.outbox import enqueue
from tests.conftest import UAT
from tests.receiver import receiver, wait_for
from tests.test_contracts_http import create

API = "/api/v2.1/public"
FAST = (0.2,) * 10


def subscribe(client, url, activities=("CONTRACT_CREATED",)):
    body = {"title": "t", "url": url, "only_for_activities": list(activities)}
    response = client.post(f"{API}/webhooks/", headers=UAT, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_slow_subscriber_leaves_the_others_on_time(settings, our_schema):
    quick = settings.replace(webhook_retry_delays=FAST, webhook_timeout=5.0)
    with TestClient(create_app(quick, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key, delay=2.0) as (slow_url, slow), receiver(key) as (fast_url, fast):
            subscribe(client, slow_url)
            subscribe(client, fast_url)
            started = time.monotonic()
            for number in range(10):
                create(client, f"crm-{number}")
            wait_for(lambda: len(fast.events) >= 10, 5, "ten deliveries to the fast receiver")
            elapsed = time.monotonic() - started
            assert elapsed < 1.9, f"fast receiver waited for the slow one ({elapsed:.2f} s)"
            assert slow.arrivals <= 2
        assert [e["payload"]["external_metadata"]["id"] for e in fast.events] == [
            f"crm-{n}" for n in range(10)
        ]


def test_deleting_a_subscription_cancels_its_queue(settings, our_schema):
    quick = settings.replace(webhook_retry_delays=FAST, webhook_timeout=5.0)
    with TestClient(create_app(quick, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key, delay=0.5) as (url, state):
            subscription = subscribe(client, url)
            for number in range(10):
                create(client, f"crm-{number}")
            wait_for(lambda: state.arrivals >= 1, 5, "the first attempt in flight")
            deleted = client.delete(f"{API}/webhooks/{subscription['id']}", headers=UAT)
            assert deleted.status_code == 204
            time.sleep(1.5)
            assert state.arrivals == 1
        rows = client.get("/__admin/deliveries").json()
        assert len(rows) == 10
        in_flight = rows[-1]
        assert in_flight["status"] == "delivered"  # it was on the wire: it did arrive
        assert all(row["status"] == "cancelled" for row in rows[:-1])
        assert all("subscription deleted" in row["last_error"] for row in rows[:-1])


def test_an_expired_lease_is_taken_over_with_the_same_delivery_id(settings, our_schema):
    quick = settings.replace(webhook_retry_delays=FAST, webhook_lease=0.5)
    with TestClient(create_app(quick, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key) as (url, state):
            subscribe(client, url)
            runtime = client.app.runtime
            # A running server finds a claim left by a dead process: 'sending', leased to
            # someone gone, expiring shortly; it takes it over without a restart.
            with runtime.store.transaction() as db:
                enqueue(db, runtime.workspace.id, 0, "CONTRACT_CREATED", "T-1", {"n": 1})
                db.execute(
                    "UPDATE outbox SET status = 'sending', lease_owner = 'dead-1', "
                    "lease_expires_at = ?",
                    (time.time() + 0.3,),
                )
            wait_for(lambda: state.events, 5, "the delivery taken over")
        row = client.get("/__admin/deliveries").json()[0]
        assert row["status"] == "delivered"
        assert state.events[0]["delivery_id"] == row["delivery_id"]
        assert "lease expired" in row["attempt_log"][0]["error"]


def test_an_old_store_file_is_migrated(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(
        """
        CREATE TABLE credentials (id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL,
            client_id TEXT NOT NULL UNIQUE, secret_sha256 TEXT NOT NULL,
            user_id INTEGER NOT NULL, label TEXT NOT NULL);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, subscription_id TEXT NOT NULL,
            delivery_id TEXT NOT NULL UNIQUE, activity_id INTEGER NOT NULL, activity TEXT NOT NULL,
            contract_id TEXT NOT NULL, url TEXT NOT NULL, headers TEXT NOT NULL,
            payload BLOB NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL, claimed_at REAL, created_at TEXT NOT NULL,
            finished_at TEXT, last_error TEXT);
        INSERT INTO outbox VALUES (1, 1, '1', 'd-1', 1, 'CONTRACT_CREATED', 'T-1',
            'http://127.0.0.1:1/', '{}', x'7b7d', 'sending', 0, 0, 0, 'x', NULL, NULL);
        """
    )
    old.close()
    store = Store(str(path))
    assert store.query_one("PRAGMA user_version")[0] == SCHEMA_VERSION
    columns = {row[1] for row in store.query("PRAGMA table_info(outbox)")}
    assert {"lease_owner", "lease_expires_at"} <= columns
    assert {row[1] for row in store.query("PRAGMA table_info(credentials)")} >= {"policy"}
    # the row an old version left 'sending' is anyone's to take over now
    assert store.query_one("SELECT lease_expires_at FROM outbox")[0] == 0
    store.close()
    Store(str(path)).close()  # opening again is a no-op
