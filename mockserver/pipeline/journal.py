"""The request journal: what each request did, kept in memory, newest first on read.

Only facts safe to show are kept: no header values but X-Forwarded-For, User-Agent and
user-email, no query strings, never a secret.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.context import header_map, request_context
from mockserver.state.audit import AuditLog


class Journal:
    def __init__(self, size: int, audit: AuditLog | None = None) -> None:
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._audit = audit
        self.total = 0

    def next_id(self) -> str:
        return f"req-{next(self._ids)}"

    def record(self, entry: dict[str, Any]) -> None:
        self._entries.append(entry)
        self.total += 1
        if self._audit is not None:
            self._audit.write("request", entry)

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        newest_first = list(reversed(self._entries))
        return newest_first[:limit] if limit else newest_first

    def clear(self) -> None:
        """Forget every entry and the count; ids keep counting (one id, one request)."""
        self._entries.clear()
        self.total = 0


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

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", context.request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            if not scope["path"].startswith("/__admin"):
                self._record(scope, context, status, started)

    def _record(self, scope: Scope, context: Any, status: int, started: float) -> None:
        headers = header_map(scope)
        identity = context.identity
        operation = context.operation
        self.journal.record(
            {
                "id": context.request_id,
                "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
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
            }
        )
