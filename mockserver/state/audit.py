"""The audit trail: every API request and every webhook delivery, as JSON lines.

Kept in memory for `GET /__admin/audit` and, with `--audit-log FILE`, appended to a file.
Entries carry who (credential id, user), from where (X-Forwarded-For, User-Agent, source
address) and the outcome - never a secret: callers pass only these fields.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from pathlib import Path
from typing import Any

from mockserver.state.store import utc_now


class AuditLog:
    def __init__(self, path: str | None, keep: int = 1000) -> None:
        self._path = Path(path) if path else None
        self._recent: deque[dict[str, Any]] = deque(maxlen=keep)
        self._lock = threading.Lock()
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, kind: str, entry: dict[str, Any]) -> None:
        record = {"at": utc_now(), "kind": kind, **entry}
        with self._lock:
            self._recent.append(record)
            if self._path is not None:
                with self._path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record) + "\n")

    def clear(self) -> None:
        """Forget what is kept in memory; the `--audit-log` file is append-only and stays."""
        with self._lock:
            self._recent.clear()

    def entries(self, kind: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            newest_first = [e for e in reversed(self._recent) if kind is None or e["kind"] == kind]
        return newest_first[:limit] if limit else newest_first
