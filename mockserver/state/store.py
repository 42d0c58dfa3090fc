"""The store: SQLite (a file or `:memory:`, the embedded default) or PostgreSQL
(`--db postgresql://...`), behind SQLAlchemy, one transaction around every write.

Domain objects are JSON documents in `records`, addressed by (workspace, kind, id), so the
generic behaviour can keep state for any operation of any schema. Several server processes
may share one store: on a SQLite file WAL mode plus `BEGIN IMMEDIATE` serialise their writes;
on PostgreSQL (several hosts) row locks, upserts and advisory locks do (`lock`, `try_lock`).
Callers write SQL once, with `?` placeholders, to the `Db` a transaction yields (`state.sql`).
"""

from __future__ import annotations

import sqlite3
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from mockserver import jsoncodec
from mockserver.errors import SettingsError, StorageFull
from mockserver.state.schema import SCHEMA_VERSION, build_metadata, migrate
from mockserver.state.sql import Db, PgConnection, Row
from mockserver.timestamps import utc_now

__all__ = ["SCHEMA_VERSION", "Db", "Row", "Store", "display_db", "is_postgres", "utc_now"]

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
    "journal",
    "audit",
)
# What a full disk (or a store turned read-only) says: the write is refused, reads still work.
_STORAGE_FAILURES = ("database or disk is full", "readonly database", "disk i/o error")
_PG_STORAGE_STATES = ("53100", "53200", "25006")  # disk full, out of memory, read-only


def is_postgres(db: str) -> bool:
    return db.startswith(("postgresql:", "postgresql+psycopg:", "postgres:"))


def display_db(db: str) -> str:
    """`--db` as logs and banners may show it: a PostgreSQL URL without its password."""
    if not is_postgres(db):
        return db
    try:
        return make_url(db).render_as_string(hide_password=True)
    except ArgumentError:
        return "postgresql://(unreadable URL)"


def engine_url(db: str) -> str:
    if is_postgres(db):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return "sqlite://" if db == ":memory:" else f"sqlite:///{db}"


def _storage_full(error: BaseException) -> bool:
    if getattr(error, "sqlstate", None) in _PG_STORAGE_STATES:
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(failure in str(error).lower() for failure in _STORAGE_FAILURES)
    return False


class Store:
    """The spotcheck schema on SQLite or PostgreSQL. Safe to share between threads."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self.dialect = "postgresql" if is_postgres(path) else "sqlite"
        # Whether other processes may see this store (then shared state lives in it).
        self.shared = path != ":memory:"
        self._lock = threading.RLock()
        self.engine = _engine(path)
        metadata = build_metadata(self.dialect)
        if self.dialect == "postgresql":
            with self.engine.begin() as conn:
                migrate(conn, metadata)
            self._sqlite: sqlite3.Connection | None = None
            return
        raw = self.engine.raw_connection()
        sqlite_db: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        sqlite_db.isolation_level = None  # transactions are ours: BEGIN IMMEDIATE ... COMMIT
        sqlite_db.row_factory = sqlite3.Row
        sqlite_db.execute("PRAGMA busy_timeout = 10000")
        if path != ":memory:":
            sqlite_db.execute("PRAGMA journal_mode = WAL")
            sqlite_db.execute("PRAGMA synchronous = NORMAL")
            # Checkpoints every 40 MB of WAL rather than 4 MB: BEGIN IMMEDIATE went from ~250 us
            # to a few us per write (BENCHMARKS.md). The file is not memory-mapped: mapping it
            # made reads no faster and put every page a server touched in its resident memory
            # (16 MB more at the benchmark's peak; issue 21).
            sqlite_db.execute("PRAGMA mmap_size = 0")
            sqlite_db.execute("PRAGMA wal_autocheckpoint = 10000")
        self._sqlite = sqlite_db
        # Under the write lock: several processes may open one old file at the same moment.
        with self.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                migrate(conn, metadata)
            except BaseException:
                sqlite_db.execute("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
            self.engine.dispose()

    # -- connections -------------------------------------------------------------------

    @contextmanager
    def _pg(self) -> Iterator[Any]:
        raw = self.engine.raw_connection()
        try:
            connection = raw.driver_connection
            if not connection.autocommit:  # type: ignore[union-attr]
                connection.autocommit = True  # type: ignore[union-attr]
            yield connection
        finally:
            raw.close()  # back to the pool

    @contextmanager
    def transaction(self) -> Iterator[Db]:
        """A write transaction: on SQLite BEGIN IMMEDIATE takes the write lock up front."""
        try:
            if self._sqlite is None:
                with self._pg() as connection, connection.transaction():
                    yield PgConnection(connection)
                return
            with self._lock:
                self._sqlite.execute("BEGIN IMMEDIATE")
                try:
                    yield self._sqlite
                    self._sqlite.execute("COMMIT")
                except BaseException:
                    # SQLite rolls back by itself after some errors (a full disk): a second
                    # ROLLBACK would hide the real error behind "no transaction is active".
                    if self._sqlite.in_transaction:
                        self._sqlite.execute("ROLLBACK")
                    raise
        except Exception as error:
            if _storage_full(error):
                raise StorageFull(str(error).splitlines()[0]) from error
            raise

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        """One statement on its own (a write in it commits at once: one round trip)."""
        try:
            if self._sqlite is None:
                with self._pg() as connection:
                    return PgConnection(connection).execute(sql, params).fetchall()
            with self._lock:
                return self._sqlite.execute(sql, params).fetchall()
        except Exception as error:
            if _storage_full(error):
                raise StorageFull(str(error).splitlines()[0]) from error
            raise

    def query_one(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        if self._sqlite is None:
            with self._pg() as connection:
                row: Row | None = PgConnection(connection).execute(sql, params).fetchone()
                return row
        with self._lock:
            found: Row | None = self._sqlite.execute(sql, params).fetchone()
            return found

    def wipe(self, db: Db) -> None:
        """Delete every row (inside the caller's transaction)."""
        for table in _TABLES:
            db.execute(f"DELETE FROM {table}")

    def get_meta(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else None

    # -- dialect helpers ---------------------------------------------------------------

    @property
    def for_update(self) -> str:
        """Appended to a SELECT inside a transaction: lock the rows it reads (PostgreSQL;
        SQLite's BEGIN IMMEDIATE already holds the whole file)."""
        return " FOR UPDATE" if self._sqlite is None else ""

    @property
    def now_sql(self) -> str:
        """The database's clock in epoch seconds, as SQL (read when evaluated)."""
        if self._sqlite is None:
            return "EXTRACT(EPOCH FROM clock_timestamp())::float8"
        return "((julianday('now') - 2440587.5) * 86400.0)"

    @property
    def greatest(self) -> str:
        """The SQL function for the larger of two values."""
        return "MAX" if self._sqlite is not None else "GREATEST"

    def lock(self, db: Db, name: str) -> None:
        """Wait for, then hold until the transaction ends, the lock called `name`."""
        if self._sqlite is None:
            db.execute("SELECT pg_advisory_xact_lock(?)", (_lock_key(name),))

    def try_lock(self, db: Db, name: str) -> bool:
        """Take the lock called `name` for the transaction, or say at once it is held."""
        if self._sqlite is not None:
            return True
        row = db.execute("SELECT pg_try_advisory_xact_lock(?)", (_lock_key(name),)).fetchone()
        return bool(row[0])

    # -- records -----------------------------------------------------------------------

    @staticmethod
    def next_id(db: Db, workspace_id: int, name: str) -> int:
        row = db.execute(
            "INSERT INTO sequences VALUES (?, ?, 1) ON CONFLICT (workspace_id, name) "
            "DO UPDATE SET value = sequences.value + 1 RETURNING value",
            (workspace_id, name),
        ).fetchall()[0]  # read to the end: SQLite finishes the statement
        return int(row[0])

    @staticmethod
    def put_record(
        db: Db,
        workspace_id: int,
        kind: str,
        record_id: str,
        data: dict[str, Any],
        parent: str = "",
    ) -> None:
        now = utc_now()
        db.execute(
            "INSERT INTO records (workspace_id, kind, id, parent, data, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (workspace_id, kind, id) DO UPDATE SET data = excluded.data, "
            "parent = excluded.parent, updated_at = excluded.updated_at",
            (workspace_id, kind, record_id, parent, jsoncodec.dumps(data), now, now),
        )

    @staticmethod
    def delete_record(db: Db, workspace_id: int, kind: str, record_id: str) -> bool:
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
        return jsoncodec.loads(row["data"]) if row else None

    def list_records(
        self, workspace_id: int, kind: str, parent: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            jsoncodec.loads(text) for text in self.list_record_texts(workspace_id, kind, parent)
        ]

    def list_record_texts(
        self, workspace_id: int, kind: str, parent: str | None = None
    ) -> list[str]:
        """The stored text of each record of `kind` (under `parent`), oldest first."""
        sql = "SELECT data FROM records WHERE workspace_id = ? AND kind = ?"
        params: tuple[Any, ...] = (workspace_id, kind)
        if parent is not None:
            sql += " AND parent = ?"
            params += (parent,)
        order = " ORDER BY created_at, rowid" if self._sqlite is not None else " ORDER BY seq"
        return [row["data"] for row in self.query(sql + order, params)]


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) - 2**31  # a stable 32-bit key


def _engine(db: str) -> Engine:
    url = engine_url(db)
    if is_postgres(db):
        try:
            return create_engine(
                url, pool_size=8, max_overflow=16, connect_args={"connect_timeout": 5}
            )
        except ArgumentError as error:
            raise SettingsError(f"--db: not a PostgreSQL URL ({error})") from None
    # One connection, shared under the store's lock (":memory:" lives in it).
    return create_engine(
        url, poolclass=StaticPool, connect_args={"check_same_thread": False, "timeout": 10}
    )
