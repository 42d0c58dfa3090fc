"""The embedded store: SQLite, a file or `:memory:`, one transaction around every write.

Domain objects are JSON documents in `records`, addressed by (workspace, kind, id), so the
generic behaviour can keep state for any operation of any schema. Several server processes
may share one file: WAL mode plus `BEGIN IMMEDIATE` serialise their writes without loss.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS workspaces (
    id INTEGER PRIMARY KEY, env TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    hmac_key TEXT NOT NULL, jwt_secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    email TEXT NOT NULL COLLATE NOCASE, name TEXT NOT NULL, role TEXT NOT NULL,
    active INTEGER NOT NULL, permissions TEXT NOT NULL,
    UNIQUE (workspace_id, email)
);
CREATE TABLE IF NOT EXISTS credentials (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
    client_id TEXT NOT NULL UNIQUE, secret_sha256 TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id), label TEXT NOT NULL,
    policy TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS records (
    workspace_id INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '', data TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (workspace_id, kind, id)
);
CREATE INDEX IF NOT EXISTS records_by_parent ON records (workspace_id, kind, parent);
CREATE TABLE IF NOT EXISTS sequences (
    workspace_id INTEGER NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, name)
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, subscription_id TEXT NOT NULL,
    delivery_id TEXT NOT NULL UNIQUE, activity_id INTEGER NOT NULL, activity TEXT NOT NULL,
    contract_id TEXT NOT NULL, url TEXT NOT NULL, headers TEXT NOT NULL, payload BLOB NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    claimed_at REAL, created_at TEXT NOT NULL, finished_at TEXT, last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    id INTEGER PRIMARY KEY, outbox_id INTEGER NOT NULL, at TEXT NOT NULL,
    status_code INTEGER, latency_ms REAL NOT NULL, error TEXT
);
CREATE TABLE IF NOT EXISTS activities (
    id INTEGER PRIMARY KEY, workspace_id INTEGER NOT NULL, contract_id TEXT NOT NULL,
    activity TEXT NOT NULL, performed_by TEXT NOT NULL, at TEXT NOT NULL, data TEXT NOT NULL
);
"""


def _add_column(db: sqlite3.Connection, table: str, column: str, declaration: str) -> None:
    # Idempotent: files made before user_version was kept may already have the column.
    if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def _v1_credential_policies(db: sqlite3.Connection) -> None:
    _add_column(db, "credentials", "policy", "TEXT NOT NULL DEFAULT '{}'")


def _v2_outbox_leases(db: sqlite3.Connection) -> None:
    # A claim is a lease: whoever holds it and until when; an expired lease is anyone's.
    _add_column(db, "outbox", "lease_owner", "TEXT")
    _add_column(db, "outbox", "lease_expires_at", "REAL")
    # Rows left 'sending' by an older version: expired leases, so taken over at once.
    db.execute(
        "UPDATE outbox SET lease_expires_at = 0 WHERE status = 'sending' "
        "AND lease_expires_at IS NULL"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS outbox_queue ON outbox (workspace_id, subscription_id, id) "
        "WHERE status IN ('pending', 'sending')"
    )


_MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_credential_policies,
    _v2_outbox_leases,
)
SCHEMA_VERSION = len(_MIGRATIONS)

_TABLES = (
    "delivery_attempts",
    "outbox",
    "activities",
    "sequences",
    "records",
    "credentials",
    "users",
    "workspaces",
    "meta",
)


def utc_now() -> str:
    """ISO 8601 UTC with a Z, the vendor's datetime form."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Store:
    """A SQLite database with the spotcheck schema. Safe to share between threads."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 10000")
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(_SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring an older file up to SCHEMA_VERSION (kept in SQLite's user_version)."""
        # Under the write lock: several processes may open one old file at the same moment.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            for number, step in enumerate(_MIGRATIONS[version:], start=version + 1):
                step(self._db)
                self._db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; BEGIN IMMEDIATE takes the file's write lock up front."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                # SQLite rolls back by itself after some errors (a full disk): a second
                # ROLLBACK would hide the real error behind "no transaction is active".
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self._lock:
            return self._db.execute(sql, params).fetchone()

    def wipe(self, db: sqlite3.Connection) -> None:
        """Delete every row (inside the caller's transaction)."""
        for table in _TABLES:
            db.execute(f"DELETE FROM {table}")

    def get_meta(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    # -- records -----------------------------------------------------------------------

    @staticmethod
    def next_id(db: sqlite3.Connection, workspace_id: int, name: str) -> int:
        db.execute(
            "INSERT INTO sequences VALUES (?, ?, 1) ON CONFLICT (workspace_id, name) "
            "DO UPDATE SET value = value + 1",
            (workspace_id, name),
        )
        row = db.execute(
            "SELECT value FROM sequences WHERE workspace_id = ? AND name = ?", (workspace_id, name)
        ).fetchone()
        return int(row[0])

    @staticmethod
    def put_record(
        db: sqlite3.Connection,
        workspace_id: int,
        kind: str,
        record_id: str,
        data: dict[str, Any],
        parent: str = "",
    ) -> None:
        now = utc_now()
        db.execute(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (workspace_id, kind, id) DO UPDATE SET data = excluded.data, "
            "parent = excluded.parent, updated_at = excluded.updated_at",
            (workspace_id, kind, record_id, parent, json.dumps(data), now, now),
        )

    @staticmethod
    def delete_record(db: sqlite3.Connection, workspace_id: int, kind: str, record_id: str) -> bool:
        cursor = db.execute(
            "DELETE FROM records WHERE workspace_id = ? AND kind = ? AND id = ?",
            (workspace_id, kind, record_id),
        )
        return cursor.rowcount > 0

    def get_record(self, workspace_id: int, kind: str, record_id: str) -> dict[str, Any] | None:
        row = self.query_one(
            "SELECT data FROM records WHERE workspace_id = ? AND kind = ? AND id = ?",
            (workspace_id, kind, record_id),
        )
        return json.loads(row["data"]) if row else None

    def list_records(
        self, workspace_id: int, kind: str, parent: str | None = None
    ) -> list[dict[str, Any]]:
        sql = "SELECT data FROM records WHERE workspace_id = ? AND kind = ?"
        params: tuple[Any, ...] = (workspace_id, kind)
        if parent is not None:
            sql += " AND parent = ?"
            params += (parent,)
        rows = self.query(sql + " ORDER BY created_at, rowid", params)
        return [json.loads(row["data"]) for row in rows]
