"""Each process's journal queue mark, kept in the store where processes share it.

A process's journal rows are written behind its answers (`state.writebehind`). A view of the
journal in another process must still show every request answered before it, so each process
keeps one row here: `oldest`, when its queue last went from empty to waiting (NULL when
empty), written before the answer that filled it leaves and cleared in the transaction of the
batch that empties it. A view waits until no process holds rows queued before it began.

`touched` says the process is alive: a process killed with a mark set stops touching it, and
past `STALE` seconds its mark is no longer waited for (its rows died with it).
"""

from __future__ import annotations

import time
from typing import Any

from mockserver.state.store import Store

STALE = 3.0  # seconds: a mark nobody touched for this long is a dead process's
_UPSERT = (
    "INSERT INTO journal_writers (writer, oldest, touched) VALUES (?, ?, ?) "
    "ON CONFLICT (writer) DO UPDATE SET oldest = excluded.oldest, touched = excluded.touched"
)
_WAITING = (
    "SELECT 1 FROM journal_writers "
    "WHERE oldest IS NOT NULL AND oldest <= ? AND touched >= ? LIMIT 1"
)
_GONE = 3600.0  # seconds: a dead process's row is deleted after this long


def mark(writer: str, oldest: float | None) -> tuple[str, tuple[Any, ...]]:
    """The statement that records when `writer`'s queue began to wait (None: empty)."""
    return _UPSERT, (writer, oldest, time.time())


def forget(writer: str) -> tuple[str, tuple[Any, ...]]:
    return "DELETE FROM journal_writers WHERE writer = ?", (writer,)


def waiting(store: Store, before: float) -> bool:
    """Whether a live process still holds rows it queued by `before`."""
    return store.query_one(_WAITING, (before, time.time() - STALE)) is not None


def sweep(store: Store) -> None:
    """Delete the rows of processes gone for long (killed, so never forgotten)."""
    with store.transaction() as db:
        db.execute("DELETE FROM journal_writers WHERE touched < ?", (time.time() - _GONE,))
