"""Authentication keeps credential rows between requests (issue 21), and still sees every
change to them at once, whoever makes it: the store's auth epoch changes on any write to the
workspaces, users or credentials tables (triggers), in this process or another one.

"Another process" is a second connection to the same store that the app knows nothing of:
a sqlite3 connection to the file, or psycopg to the PostgreSQL database two `spotcheck serve`
processes share.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable

import httpx
import psycopg
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from tests.conftest import UAT
from tests.live import running_server

TYPES = "/api/v2.1/public/contract_types/"
NEW_SECRET = "uat-secret-acme-rotated"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _outside_changes_are_seen(
    get: Callable[[dict[str, str]], httpx.Response], sql: Callable[[str, tuple[object, ...]], None]
) -> None:
    assert get(UAT).status_code == 200
    assert get(UAT).status_code == 200  # now answered from the kept row
    sql(
        "UPDATE credentials SET secret_sha256 = ? WHERE client_id = ?",
        (_digest(NEW_SECRET), UAT["client-id"]),
    )
    rotated = {**UAT, "client-secret": NEW_SECRET}
    refused = get(UAT)
    assert refused.status_code == 401, refused.text
    assert get(rotated).status_code == 200
    sql(
        "UPDATE users SET active = ? WHERE id = "
        "(SELECT user_id FROM credentials WHERE client_id = ?)",
        (0, UAT["client-id"]),
    )
    inactive = get(rotated)
    assert inactive.status_code == 403, inactive.text
    assert inactive.json()["code"] == "user_inactive"
    sql("DELETE FROM credentials WHERE client_id = ?", (UAT["client-id"],))
    assert get(rotated).status_code == 401


def test_sqlite_another_connection_rotates_deactivates_and_revokes(settings, our_schema):
    app = create_app(settings, our_schema)
    outside = sqlite3.connect(settings.db, isolation_level=None)
    outside.execute("PRAGMA busy_timeout = 10000")

    def sql(statement: str, params: tuple[object, ...]) -> None:
        outside.execute(statement, params)

    with TestClient(app) as client:
        _outside_changes_are_seen(lambda headers: client.get(TYPES, headers=headers), sql)
    outside.close()


def test_unknown_ids_are_bounded_and_never_become_valid(client):
    for number in range(1500):  # past the cache's 1,024 entries: it starts over, no growth
        wrong = {"client-id": f"nobody-{number}", "client-secret": "x"}
        assert client.get(TYPES, headers=wrong).status_code == 401
    assert client.get(TYPES, headers=UAT).status_code == 200


@pytest.mark.e2e
def test_postgresql_changes_by_another_process_are_seen(pg_url):
    with (
        running_server("--db", pg_url, "--rate-limit", "0", timeout=90) as (url, _banner),
        psycopg.connect(pg_url, autocommit=True) as outside,
        httpx.Client(base_url=url, timeout=10) as client,
    ):

        def sql(statement: str, params: tuple[object, ...]) -> None:
            outside.execute(statement.replace("?", "%s"), params)

        _outside_changes_are_seen(lambda headers: client.get(TYPES, headers=headers), sql)
