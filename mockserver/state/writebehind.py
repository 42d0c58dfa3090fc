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
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from typing import Any

from mockserver.state.store import Store

FLUSH_DELAY = 0.02  # seconds a row may wait for its batch
BATCH = 256  # rows that flush at once, whatever the delay
KEEP = 20_000  # rows kept while the store refuses them
_log = logging.getLogger(__name__)

# (statement, parameters) pairs of one recorded request: its journal row and audit row
Rows = list[tuple[str, tuple[Any, ...]]]


class WriteBehind:
    def __init__(self, store: Store, after_write: Callable[[int], None]) -> None:
        """`after_write(n)` runs after each batch of `n` requests (the retention prune)."""
        self._store = store
        self._after_write = after_write
        self._pending: list[Rows] = []  # one list for life: the finalizer holds it
        self._lock = threading.Lock()  # the queue
        self._write_lock = threading.Lock()  # one batch at a time, in order
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        weakref.finalize(self, _write_left, store, self._pending)

    def add(self, rows: Rows) -> None:
        with self._lock:
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
            if not batch:
                return
            try:
                _write(self._store, batch)
            except BaseException:
                self._requeue(batch)
                raise
        self._after_write(len(batch))

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
