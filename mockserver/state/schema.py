"""The store's tables (SQLAlchemy Core) and their versioned migrations, one scheme for SQLite
and PostgreSQL.

A new database gets every table at the latest version. An older one is brought forward step
by step, each step recorded in `schema_version` (SQLite files made before that table read
their version from `PRAGMA user_version`, the scheme they used). Migrations run under the
database's write lock, so several processes may open one old database at the same moment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)

# PostgreSQL compares e-mail addresses without case, as SQLite's NOCASE does.
PG_NOCASE = (
    "CREATE COLLATION IF NOT EXISTS nocase "
    "(provider = icu, locale = 'und-u-ks-level2', deterministic = false)"
)
_MIGRATION_LOCK = 7140017  # a PostgreSQL advisory lock key of our own


def build_metadata(dialect: str) -> MetaData:
    """Every table at the latest version, in `dialect`'s types."""
    pg = dialect == "postgresql"
    md = MetaData()
    Table("meta", md, Column("key", Text, primary_key=True), Column("value", Text, nullable=False))
    Table(
        "workspaces",
        md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("env", Text, nullable=False, unique=True),
        Column("name", Text, nullable=False),
        Column("hmac_key", Text, nullable=False),
        Column("jwt_secret", Text, nullable=False),
    )
    Table(
        "users",
        md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
        Column("email", Text(collation="nocase" if pg else "NOCASE"), nullable=False),
        Column("name", Text, nullable=False),
        Column("role", Text, nullable=False),
        Column("active", Integer, nullable=False),
        Column("permissions", Text, nullable=False),
        UniqueConstraint("workspace_id", "email"),
    )
    Table(
        "credentials",
        md,
        Column("id", Integer, primary_key=True),
        Column("workspace_id", Integer, ForeignKey("workspaces.id"), nullable=False),
        Column("client_id", Text, nullable=False, unique=True),
        Column("secret_sha256", Text, nullable=False),
        Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
        Column("label", Text, nullable=False),
        Column("policy", Text, nullable=False, server_default="{}"),
    )
    records = Table(
        "records",
        md,
        Column("workspace_id", Integer, nullable=False),
        Column("kind", Text, nullable=False),
        Column("id", Text, nullable=False),
        Column("parent", Text, nullable=False, server_default=""),
        Column("data", Text, nullable=False),
        Column("created_at", Text, nullable=False),
        Column("updated_at", Text, nullable=False),
        PrimaryKeyConstraint("workspace_id", "kind", "id"),
    )
    if pg:  # insertion order, which SQLite's rowid gives
        records.append_column(Column("seq", BigInteger, Identity(), nullable=False))
    Index("records_by_parent", records.c.workspace_id, records.c.kind, records.c.parent)
    Table(
        "sequences",
        md,
        Column("workspace_id", Integer, nullable=False),
        Column("name", Text, nullable=False),
        Column("value", BigInteger, nullable=False),
        PrimaryKeyConstraint("workspace_id", "name"),
    )
    outbox = Table(
        "outbox",
        md,
        Column("id", Integer, primary_key=True),
        Column("workspace_id", Integer, nullable=False),
        Column("subscription_id", Text, nullable=False),
        Column("delivery_id", Text, nullable=False, unique=True),
        Column("activity_id", Integer, nullable=False),
        Column("activity", Text, nullable=False),
        Column("contract_id", Text, nullable=False),
        Column("url", Text, nullable=False),
        Column("headers", Text, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("status", Text, nullable=False),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("next_attempt_at", Double, nullable=False),
        Column("claimed_at", Double),
        Column("created_at", Text, nullable=False),
        Column("finished_at", Text),
        Column("last_error", Text),
        Column("lease_owner", Text),
        Column("lease_expires_at", Double),
    )
    Index("outbox_due", outbox.c.status, outbox.c.next_attempt_at)
    unfinished = text("status IN ('pending', 'sending')")
    # this dialect's keyword only: naming another makes SQLAlchemy import that dialect
    # (PostgreSQL's is 2 MB and 0.1 s of an SQLite server's start-up)
    where: dict[str, Any] = {f"{dialect}_where": unfinished}
    Index(
        "outbox_queue",
        outbox.c.workspace_id,
        outbox.c.subscription_id,
        outbox.c.id,
        **where,
    )
    Table(
        "delivery_attempts",
        md,
        Column("id", Integer, primary_key=True),
        Column("outbox_id", Integer, nullable=False),
        Column("at", Text, nullable=False),
        Column("status_code", Integer),
        Column("latency_ms", Double, nullable=False),
        Column("error", Text),
        Column("response_body", Text),  # the receiver's answer, first bytes (the console)
    )
    activities = Table(
        "activities",
        md,
        Column("id", Integer, primary_key=True),
        Column("workspace_id", Integer, nullable=False),
        Column("contract_id", Text, nullable=False),
        Column("activity", Text, nullable=False),
        Column("performed_by", Text, nullable=False),
        Column("at", Text, nullable=False),
        Column("data", Text, nullable=False),
    )
    # retention's age bound: without it every prune read the whole log (35 ms at 10,000 rows)
    Index("activities_at", activities.c.at)
    _v3_tables(md)
    # each process's oldest journal row not yet written (state/unwritten.py)
    Table(
        "journal_writers",
        md,
        Column("writer", Text, primary_key=True),
        Column("oldest", Double),
        Column("touched", Double, nullable=False),
    )
    Table("schema_version", md, Column("version", Integer, primary_key=True))
    return md


def _v3_tables(md: MetaData) -> None:
    # Shared by every process on the store: the journal, the audit trail, rate-limit buckets.
    journal = Table(
        "journal",
        md,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("at", Double, nullable=False),  # epoch seconds: pruned by age
        Column("data", Text, nullable=False),  # the entry, as JSON (its fields may grow)
        sqlite_autoincrement=True,  # ids never reused: they count requests (Journal.total)
    )
    Index("journal_at", journal.c.at)
    audit = Table(
        "audit",
        md,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("at", Double, nullable=False),
        Column("kind", Text, nullable=False),
        Column("data", Text, nullable=False),
    )
    Index("audit_at", audit.c.at)
    Table(
        "rate_buckets",
        md,
        Column("key", Text, primary_key=True),
        Column("tokens", Double, nullable=False),
        Column("updated", Double, nullable=False),
    )


# -- migrations: step N brings version N-1 to N ----------------------------------------------


def _add_column(conn: Connection, table: str, column: str, declaration: str) -> None:
    # Idempotent: files made before versions were kept may already have the column.
    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def _v1_credential_policies(conn: Connection, md: MetaData) -> None:
    _add_column(conn, "credentials", "policy", "TEXT NOT NULL DEFAULT '{}'")


def _v2_outbox_leases(conn: Connection, md: MetaData) -> None:
    # A claim is a lease: whoever holds it and until when; an expired lease is anyone's.
    _add_column(conn, "outbox", "lease_owner", "TEXT")
    _add_column(conn, "outbox", "lease_expires_at", "REAL")
    # Rows left 'sending' by an older version: expired leases, so taken over at once.
    conn.exec_driver_sql(
        "UPDATE outbox SET lease_expires_at = 0 WHERE status = 'sending' "
        "AND lease_expires_at IS NULL"
    )
    conn.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS outbox_queue ON outbox (workspace_id, subscription_id, id) "
        "WHERE status IN ('pending', 'sending')"
    )


def _v3_shared_logs(conn: Connection, md: MetaData) -> None:
    md.create_all(conn, tables=[md.tables[name] for name in ("journal", "audit", "rate_buckets")])


def _v4_attempt_bodies(conn: Connection, md: MetaData) -> None:
    _add_column(conn, "delivery_attempts", "response_body", "TEXT")


AUTH_EPOCH = "auth_epoch"  # meta key: a new random value whenever who-may-call changes
_AUTH_TABLES = ("workspaces", "users", "credentials")
_SQLITE_EPOCH = (
    "CREATE TRIGGER IF NOT EXISTS {table}_{event}_auth_epoch AFTER {event} ON {table} BEGIN "
    "INSERT INTO meta (key, value) VALUES ('auth_epoch', hex(randomblob(8))) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value; END"
)
_PG_EPOCH_FUNCTION = (
    "CREATE OR REPLACE FUNCTION spotcheck_auth_epoch() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN INSERT INTO meta (key, value) VALUES ('auth_epoch', md5(random()::text)) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value; RETURN NULL; END $$"
)
_PG_EPOCH = (  # DROP then CREATE: CREATE OR REPLACE TRIGGER needs PostgreSQL 14
    "DROP TRIGGER IF EXISTS {table}_auth_epoch ON {table}",
    "CREATE TRIGGER {table}_auth_epoch AFTER INSERT OR UPDATE OR DELETE ON {table} "
    "FOR EACH STATEMENT EXECUTE PROCEDURE spotcheck_auth_epoch()",
)


def _v5_auth_epoch(conn: Connection, md: MetaData) -> None:
    # Every write to the tables authentication reads changes the epoch, whichever process
    # or statement makes it: a cached decision is kept only while the epoch is the same.
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_EPOCH_FUNCTION)
        for table in _AUTH_TABLES:
            for statement in _PG_EPOCH:
                conn.exec_driver_sql(statement.format(table=table))
        return
    for table in _AUTH_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            conn.exec_driver_sql(_SQLITE_EPOCH.format(table=table, event=event))


def _v6_activities_at(conn: Connection, md: MetaData) -> None:
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS activities_at ON activities (at)")


def _v7_journal_writers(conn: Connection, md: MetaData) -> None:
    md.create_all(conn, tables=[md.tables["journal_writers"]])


MIGRATIONS: tuple[Callable[[Connection, MetaData], None], ...] = (
    _v1_credential_policies,
    _v2_outbox_leases,
    _v3_shared_logs,
    _v4_attempt_bodies,
    _v5_auth_epoch,
    _v6_activities_at,
    _v7_journal_writers,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: Connection, md: MetaData) -> int:
    """Create or bring forward the schema on `conn` (inside its write lock); the version."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        conn.exec_driver_sql(PG_NOCASE)
    tables = set(inspect(conn).get_table_names())
    if "schema_version" in tables:
        version = conn.exec_driver_sql("SELECT MAX(version) FROM schema_version").scalar() or 0
    elif not tables & set(md.tables):  # a new database: everything at the latest version
        md.create_all(conn)
        _v5_auth_epoch(conn, md)  # triggers are not tables: create_all leaves them out
        conn.exec_driver_sql(f"INSERT INTO schema_version VALUES ({SCHEMA_VERSION})")
        return SCHEMA_VERSION
    elif dialect == "sqlite":  # made before schema_version: its user_version says
        version = int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    else:
        version = 0
    md.create_all(conn)  # tables an older version lacked, at their latest shape
    for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
        step(conn, md)
        conn.exec_driver_sql(f"INSERT INTO schema_version VALUES ({number})")
    if dialect == "sqlite":  # kept in step for tools that read it
        conn.exec_driver_sql(f"PRAGMA user_version = {max(version, SCHEMA_VERSION)}")
    return max(version, SCHEMA_VERSION)
