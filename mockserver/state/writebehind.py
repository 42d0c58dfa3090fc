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
store. Rows are queued before the answer's last bytes are handed to the server, and a view
flushes its own process's queue; where other processes share the store (`writer` set), each
keeps in the store when its queue last went from empty to waiting (`state.unwritten`), written
before the answer that filled it leaves and cleared in the transaction of the batch that
empties it, and a view waits until no live process holds rows queued before the view began.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from mockserver.state import unwritten
from mockserver.state.store import Store

FLUSH_DELAY = 0.02  # seconds a row may wait for its batch
BATCH = 256  # rows that flush at once, whatever the delay
KEEP = 20_000  # rows kept while the store refuses them
RETRY_DELAY = 0.25  # seconds before a refused batch is tried again
_log = logging.getLogger(__name__)

# (statement, parameters) pairs of one recorded request: its journal row and audit row
Rows = list[tuple[str, tuple[Any, ...]]]


class WriteBehind:
    def __init__(
        self, store: Store, after_write: Callable[[int], None], writer: str | None = None
    ) -> None:
        """`after_write(n)` runs after each batch of `n` requests (the retention prune);
        `writer` names this process's mark where other processes share the store."""
        self._store = store
        self._after_write = after_write
        self._pending: list[Rows] = []  # one list for life: the finalizer holds it
        self._lock = threading.Lock()  # the queue
        self._write_lock = threading.Lock()  # batches and marks, in the store's order
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        self._retrying = False  # the timer is a refused batch's retry
        self._failing = False  # the last batch was refused
        self._writer = writer
        self._unmarked = True  # no mark in the store holds for the queue
        weakref.finalize(self, _write_left, store, self._pending)

    def add(self, rows: Rows) -> None:
        """Queue one request's rows; call before its answer's last bytes leave."""
        with self._lock:
            self._pending.append(rows)
            waiting = len(self._pending)
            mark = self._unmarked and self._writer is not None
            if mark:
                self._unmarked = False
        if mark:
            self._mark()
        if waiting >= BATCH and not self._failing and self._try_flush():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a direct call): write now, or at exit
            self._try_flush()
            return
        timer = self._timer
        if timer is None or timer.cancelled() or self._timer_loop is not loop or self._retrying:
            if timer is not None:
                timer.cancel()  # a new row: the next try comes at the usual delay
            self._arm(loop, FLUSH_DELAY)

    def flush(self) -> None:
        """Write every waiting row now (raises what the store raises; the rows stay queued)."""
        with self._write_lock:
            with self._lock:
                batch = self._pending[:]
                del self._pending[:]
                marked, self._unmarked = not self._unmarked, True
            if not batch:
                return
            rows = batch if not marked else [*batch, [unwritten.mark(str(self._writer), None)]]
            try:
                _write(self._store, rows)
            except BaseException:
                self._requeue(batch, marked)
                raise
        self._after_write(len(batch))

    def close(self) -> None:
        """At the lifespan's end, after the last flush: this process's mark goes."""
        if self._writer is not None:
            with self._store.transaction() as db:
                db.execute(*unwritten.forget(self._writer))

    def _mark(self) -> None:
        # after any batch being written (its transaction clears the mark it found)
        with self._write_lock:
            try:
                with self._store.transaction() as db:
                    db.execute(*unwritten.mark(str(self._writer), time.time()))
            except Exception as error:  # the answer goes on; a view may miss its entry
                _log.warning("journal: queue mark not kept (%s)", type(error).__name__)
                with self._lock:
                    self._unmarked = True  # the next request tries again

    def _requeue(self, batch: list[Rows], marked: bool) -> None:
        with self._lock:
            self._pending[:0] = batch
            self._unmarked = self._unmarked and not marked  # the mark was not cleared
            extra = len(self._pending) - KEEP
            if extra > 0:
                del self._pending[:extra]
                _log.warning("journal: the store refused %d requests' rows; dropped", extra)

    def _arm(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        self._timer_loop = loop
        self._timer = loop.call_later(delay, self._flush_later)
        self._retrying = delay > FLUSH_DELAY

    def _flush_later(self) -> None:
        self._timer = None
        if not self._try_flush() and self._timer is None and self._timer_loop is not None:
            self._arm(self._timer_loop, RETRY_DELAY)

    def _try_flush(self) -> bool:
        """`flush`, never raising: a full or locked store keeps the rows for the next try
        (an answer must not fail for its journal entry); said once per outage."""
        try:
            self.flush()
        except Exception as error:
            if not self._failing:
                _log.warning("journal rows not written yet (%s); kept", type(error).__name__)
            self._failing = True
            return False
        if self._failing:
            _log.warning("journal rows written again")
            self._failing = False
        return True


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
