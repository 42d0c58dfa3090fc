"""Journal and audit rows written behind the answer, in batches.

A transaction per request cost more than the rest of a read (issue 21). Rows wait here for
at most `FLUSH_DELAY` seconds (or until `BATCH` of them) and are written in one transaction,
in the order they were recorded. Nothing answered is lost on the way:

- the timer is armed on the loop that records, again if that loop has gone (a test client
  without its lifespan) - and a row recorded with no loop running is written at once;
- a batch whose transaction fails goes back to the front of the queue (bounded: past
  `KEEP` rows the oldest are dropped, and the log says how many);
- what is left when the process ends is written by a finalizer (interpreter exit), besides
  the lifespan's own flush.

A view must not miss a request answered before it, in this process or another one on the
store. So the queue knows, from the moment each answer starts to leave until its rows are
written, the oldest answer still unwritten; where other processes share the store (`writer`
set), that moment is kept in the store too (`state.unwritten`), written before the answer
leaves and updated in each batch's own transaction.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

from mockserver.state import unwritten
from mockserver.state.store import Store

FLUSH_DELAY = 0.02  # seconds a row may wait for its batch
BATCH = 256  # rows that flush at once, whatever the delay
KEEP = 20_000  # rows kept while the store refuses them
_log = logging.getLogger(__name__)

# (statement, parameters) pairs of one recorded request: its journal row and audit row
Rows = list[tuple[str, tuple[Any, ...]]]


class WriteBehind:
    def __init__(
        self, store: Store, after_write: Callable[[int], None], writer: str | None = None
    ) -> None:
        """`after_write(n)` runs after each batch of `n` requests (the retention prune);
        `writer` names this process's unwritten mark where others share the store."""
        self._store = store
        self._after_write = after_write
        self._pending: list[Rows] = []  # one list for life: the finalizer holds it
        self._lock = threading.Lock()  # the queue
        self._write_lock = threading.Lock()  # one batch at a time, in order
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        self._writer = writer
        self._answering: dict[str, float] = {}  # answers leaving, not yet queued: token -> at
        self._oldest: float | None = None  # the oldest answer not yet written
        weakref.finalize(self, _write_left, store, self._pending)

    def answering(self, token: str, at: float) -> None:
        """An answer starts to leave at `at`; its rows come with `add(rows, token)`."""
        with self._write_lock:  # in the store's order of marks and batches
            with self._lock:
                self._answering[token] = at
            if self._oldest is not None:  # an older one holds the mark already
                return
            if self._writer is not None:
                try:
                    with self._store.transaction() as db:
                        db.execute(*unwritten.mark(self._writer, at))
                except Exception as error:  # the answer goes on; a view may then miss it
                    _log.warning("journal: unwritten mark not kept (%s)", type(error).__name__)
                    return
            self._oldest = at

    def oldest_unwritten(self) -> float | None:
        """When the oldest answer this process has not yet written started to leave."""
        return self._oldest

    def add(self, rows: Rows, token: str | None = None) -> None:
        with self._lock:  # one step: a flush sees the rows queued or the answer leaving
            self._answering.pop(token or "", None)
            self._pending.append(rows)
            waiting = len(self._pending)
        if waiting >= BATCH:
            self.flush()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a direct call): write now
            self.flush()
            return
        timer = self._timer
        if timer is None or timer.cancelled() or self._timer_loop is not loop:
            self._timer_loop = loop
            self._timer = loop.call_later(FLUSH_DELAY, self._flush_later)

    def flush(self) -> None:
        """Write every waiting row now (raises what the store raises; the rows stay queued)."""
        with self._write_lock:
            with self._lock:
                batch = self._pending[:]
                del self._pending[:]
                oldest = min(self._answering.values(), default=None)
            if not batch and (oldest == self._oldest or self._writer is None):
                self._oldest = oldest
                return
            rows = (
                batch if self._writer is None else [*batch, [unwritten.mark(self._writer, oldest)]]
            )
            try:
                _write(self._store, rows)
            except BaseException:
                self._requeue(batch)
                raise
            self._oldest = oldest
        if batch:
            self._after_write(len(batch))

    def release(self, token: str) -> None:
        """An answer whose rows will never come (its journal entry failed)."""
        with self._lock:
            self._answering.pop(token, None)

    def close(self) -> None:
        """At the lifespan's end, after the last flush: this process's mark goes."""
        if self._writer is not None:
            with self._store.transaction() as db:
                db.execute(*unwritten.forget(self._writer))

    def _requeue(self, batch: list[Rows]) -> None:
        with self._lock:
            self._pending[:0] = batch
            extra = len(self._pending) - KEEP
            if extra > 0:
                del self._pending[:extra]
                _log.warning("journal: the store refused %d requests' rows; dropped", extra)

    def _flush_later(self) -> None:
        self._timer = None
        try:
            self.flush()
        except Exception as error:  # a full or locked store: kept, tried again next time
            _log.warning("journal rows not written yet (%s); kept", type(error).__name__)


def _write(store: Store, batch: list[Rows]) -> None:
    by_statement: dict[str, list[tuple[Any, ...]]] = {}
    for rows in batch:
        for statement, parameters in rows:
            by_statement.setdefault(statement, []).append(parameters)
    with store.transaction() as db:
        for statement, parameters_list in by_statement.items():
            db.executemany(statement, parameters_list)


def _write_left(store: Store, pending: list[Rows]) -> None:
    if not pending:
        return
    try:
        _write(store, pending[:])
        del pending[:]
    except Exception as error:  # a closed store at exit: nothing more can be done
        _log.warning("journal: %d requests' rows not written at exit (%s)", len(pending), error)
