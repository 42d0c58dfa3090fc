"""The request journal: what each request did, kept in the store, newest first on read.

Every process on the store journals to the same table, so `/__admin/requests` and the
request count are the same from any worker or host. Entries are stored as JSON (their
fields may grow), bounded by count and age (`state.retention`). Only facts safe to show are
kept: no header values but X-Forwarded-For, User-Agent and user-email, no query strings,
never a secret.

Rows are written behind the answer, in batches (`state.writebehind`): a transaction per
request cost more than the rest of a read. Every view of the journal or the audit trail
`settle`s first: this process's rows are written, and the view waits until no other process on
the store holds rows queued before the view began (`state.unwritten`; at most `SETTLE_LIMIT`).
A request's rows are queued as its answer's last bytes are handed to the server, so a client
that has the whole answer finds it in any view it asks for next, and a client that does not
read its answer holds no view. Entries are ordered by when their answer started to leave.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import jsoncodec
from mockserver.context import header_map, request_context
from mockserver.state import unwritten
from mockserver.state.audit import INSERT as AUDIT_INSERT
from mockserver.state.audit import AuditLog
from mockserver.state.retention import EVERY, Bound, prune
from mockserver.state.store import Db, Store
from mockserver.state.writebehind import FLUSH_DELAY, WriteBehind
from mockserver.timestamps import utc_now_ms

_BASE_KEY = "journal_base"  # the journal's id sequence when it was last cleared
_INSERT = "INSERT INTO journal (at, data) VALUES (?, ?)"
SETTLE_LIMIT = 2.0  # seconds a view waits at most for rows still on their way
_log = logging.getLogger(__name__)


class Journal:
    def __init__(
        self,
        store: Store,
        audit: AuditLog | None = None,
        retention: tuple[Bound, ...] = (),
        shared: bool = False,
    ) -> None:
        """`shared`: other processes serve on this store too (`--workers`, PostgreSQL)."""
        self._store = store
        self._audit = audit
        self._retention = retention
        self._shared = shared
        # Request ids name one request across every process on the store.
        self._prefix = f"req-{secrets.token_hex(3)}-"
        self._ids = itertools.count(1)
        self._since_prune = 0
        self._behind = WriteBehind(store, self._written, self._prefix if shared else None)

    def next_id(self) -> str:
        return f"{self._prefix}{next(self._ids)}"

    def record(self, entry: dict[str, Any], at: float | None = None) -> None:
        """`at`: when the answer started to leave (the journal's order), else now."""
        moment = time.time() if at is None else at
        encoded = jsoncodec.dumps_bytes(entry)
        rows: list[tuple[str, tuple[Any, ...]]] = [(_INSERT, (moment, encoded.decode("utf-8")))]
        if self._audit is not None:
            rows.append((AUDIT_INSERT, self._audit.prepare_encoded("request", encoded)))
        self._behind.add(rows)

    def flush(self) -> None:
        """Write this process's waiting rows now."""
        self._behind.flush()

    def close(self) -> None:
        """The process stops serving: its last rows written, its mark gone (and those of
        processes killed long ago: a view need not write to read)."""
        self.flush()
        self._behind.close()
        if self._shared:
            unwritten.sweep(self._store)

    async def settle(self) -> None:
        """Before a view of the journal or the audit trail: every request answered before
        it, by any process on the store, is written (or `SETTLE_LIMIT` has passed)."""
        began = time.time()
        self.flush()
        if not self._shared:  # this process's rows were all the rows there are
            return
        while unwritten.waiting(self._store, began):
            if time.time() - began > SETTLE_LIMIT:
                _log.warning("journal view: requests answered before it are not all written")
                return
            await asyncio.sleep(FLUSH_DELAY / 4)

    def _written(self, requests: int) -> None:
        self._since_prune += requests
        if self._retention and self._since_prune >= EVERY:
            self._since_prune = 0
            try:
                prune(self._store, self._retention)
            except Exception as error:  # the rows are written; the bound waits for next time
                _log.warning("journal not pruned: %s", type(error).__name__)

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        self.flush()
        # by the time each was answered: ids are handed out per batch, per process
        sql = "SELECT data FROM journal ORDER BY at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [jsoncodec.loads(row[0]) for row in self._store.query(sql)]

    @property
    def total(self) -> int:
        """Requests journalled since the last clear, by every process on the store."""
        self.flush()
        base = self._store.get_meta(_BASE_KEY)
        return self._last_id() - int(base or 0)

    def clear(self) -> None:
        """Forget every entry and the count; ids keep counting (one id, one request)."""
        self.flush()
        with self._store.transaction() as db:
            db.execute("DELETE FROM journal")
            db.execute("DELETE FROM meta WHERE key = ?", (_BASE_KEY,))
            db.execute("INSERT INTO meta VALUES (?, ?)", (_BASE_KEY, str(self._last_id(db))))

    def _last_id(self, db: Db | None = None) -> int:
        """The last id the journal handed out (its rows may since have been pruned)."""
        if self._store.dialect == "postgresql":
            sql = "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM journal_id_seq"
        else:
            sql = "SELECT seq FROM sqlite_sequence WHERE name = 'journal'"
        row = db.execute(sql).fetchone() if db is not None else self._store.query_one(sql)
        return int(row[0]) if row else 0


class JournalMiddleware:
    """Outermost middleware: gives the request an id and journals its outcome."""

    def __init__(self, app: ASGIApp, journal: Journal) -> None:
        self.app = app
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = request_context(scope)
        context.request_id = self.journal.next_id()
        started = time.perf_counter()
        status = 0
        answered: float | None = None  # no answer sent (a dropped connection): now
        journalled = not scope["path"].startswith("/__admin")
        recorded = False

        async def send_and_watch(message: Message) -> None:
            nonlocal status, answered, recorded
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = time.time()  # before the client can have it: the journal's order
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", context.request_id.encode()),
                ]
            elif (
                message["type"] == "http.response.body"
                and not message.get("more_body")
                and journalled
                and not recorded
            ):
                # the last bytes: queued before the client can have the whole answer, and
                # before a client that does not read could hold this send
                recorded = True
                self._record(scope, context, status, started, answered)
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            if journalled and not recorded:  # no whole answer went out
                self._record(scope, context, status, started, answered)

    def _record(
        self, scope: Scope, context: Any, status: int, started: float, answered: float | None
    ) -> None:
        try:
            self._journal(scope, context, status, started, answered)
        except Exception as error:  # the answer goes out whatever becomes of its entry
            _log.warning("journal entry not recorded (%s)", type(error).__name__)

    def _journal(
        self, scope: Scope, context: Any, status: int, started: float, answered: float | None
    ) -> None:
        headers = header_map(scope)
        identity = context.identity
        operation = context.operation
        self.journal.record(
            {
                "id": context.request_id,
                "time": utc_now_ms(),
                "method": scope["method"],
                "path": scope["path"],
                "operation": operation.key if operation else None,
                "status": status,
                "latency_ms": round((time.perf_counter() - started) * 1000, 3),
                "credential_id": identity.credential_id if identity else None,
                "user_email": identity.user_email if identity else headers.get("user-email"),
                "x_forwarded_for": headers.get("x-forwarded-for"),
                "source": (scope.get("client") or ("",))[0],
                "user_agent": headers.get("user-agent"),
                "refused_by": context.refused_by or None,  # the stage that refused it
                "fault": context.fault or None,  # the fault rules applied to it
                "retry_after": context.retry_after or None,  # what a 429/503 promised
                "page": context.page or None,  # "page/pages" of a listing
            },
            at=answered,
        )
