"""The audit trail: every API request and every webhook delivery, kept in the store.

Every process on the store writes to the same trail, so `GET /__admin/audit` answers the
same from any worker or host; `--audit-log FILE` also appends each entry as a JSON line (per
process). Entries carry who (credential id, user), from where (X-Forwarded-For, User-Agent,
source address) and the outcome - never a secret: callers pass only these fields. Bounded by
count and age (`state.retention`).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from mockserver import jsoncodec
from mockserver.state.store import Db, Store, utc_now

INSERT = "INSERT INTO audit (at, kind, data) VALUES (?, ?, ?)"


class AuditLog:
    def __init__(self, store: Store, path: str | None) -> None:
        self._store = store
        self._path = Path(path) if path else None
        self._file_lock = threading.Lock()
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, kind: str, entry: dict[str, Any], db: Db | None = None) -> None:
        """Append one entry (inside `db`'s transaction when given)."""
        params = self.prepare(kind, entry)
        if db is not None:
            db.execute(INSERT, params)
        else:
            self._store.query(INSERT, params)

    def prepare(self, kind: str, entry: dict[str, Any]) -> tuple[float, str, str]:
        """The row for `INSERT` (the caller writes it); the `--audit-log` line is written."""
        return self._row(kind, jsoncodec.dumps({"at": utc_now(), "kind": kind, **entry}))

    def prepare_encoded(self, kind: str, entry: bytes) -> tuple[float, str, str]:
        """`prepare` for an entry already encoded by `jsoncodec.dumps_bytes` (the journal's
        row): the same text, without building and encoding the entry a second time."""
        if not entry.startswith(b"{") or entry == b"{}":  # the rare `json` fallback
            return self.prepare(kind, jsoncodec.loads(entry))
        head = jsoncodec.dumps_bytes({"at": utc_now(), "kind": kind})
        return self._row(kind, (head[:-1] + b"," + entry[1:]).decode("utf-8"))

    def _row(self, kind: str, data: str) -> tuple[float, str, str]:
        if self._path is not None:
            with self._file_lock, self._path.open("a", encoding="utf-8") as handle:
                handle.write(data + "\n")
        return (time.time(), kind, data)

    def clear(self) -> None:
        """Forget what the store keeps; the `--audit-log` file is append-only and stays."""
        with self._store.transaction() as db:
            db.execute("DELETE FROM audit")

    def entries(self, kind: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        sql, params = "SELECT data FROM audit", tuple[str, ...]()
        if kind is not None:
            sql, params = sql + " WHERE kind = ?", (kind,)
        sql += " ORDER BY at DESC, id DESC"  # request rows are written in batches
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [jsoncodec.loads(row[0]) for row in self._store.query(sql, params)]
