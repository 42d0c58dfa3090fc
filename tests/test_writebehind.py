"""Rows written behind the answer are never lost on the way (state/writebehind.py): a timer
left on a closed loop, a store that refuses a batch, a process that ends with rows waiting."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mockserver.state import writebehind
from mockserver.state.store import Store
from mockserver.state.writebehind import FLUSH_DELAY, WriteBehind

INSERT = "INSERT INTO journal (at, data) VALUES (?, ?)"
ROOT = Path(__file__).resolve().parent.parent


def _row(number: int) -> list[tuple[str, tuple[object, ...]]]:
    return [(INSERT, (time.time(), f'{{"n": {number}}}'))]


def _numbers(path: Path) -> list[int]:
    reader = Store(str(path))
    try:
        return [
            int(row[0])
            for row in reader.query("SELECT json_extract(data, '$.n') FROM journal ORDER BY id")
        ]
    finally:
        reader.close()


def _refusing(monkeypatch: pytest.MonkeyPatch, refuse: Callable[[int], bool]) -> list[int]:
    """The store refuses the batches `refuse(call number)` says; the sizes of every batch
    tried, in order."""
    real = writebehind._write
    calls: list[int] = []

    def write(target: Store, batch: list) -> None:
        calls.append(len(batch))
        if refuse(len(calls)):
            raise RuntimeError("database is locked")
        real(target, batch)

    monkeypatch.setattr(writebehind, "_write", write)
    return calls


def _refused_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[WriteBehind, list[int]]:
    """A write-behind on a new store that refuses its first batch; the batch sizes tried."""
    behind = WriteBehind(Store(str(tmp_path / "w.db")), lambda requests: None)
    return behind, _refusing(monkeypatch, lambda call: call == 1)


def test_a_timer_left_on_a_closed_loop_does_not_hold_later_rows(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "w.db"))
    behind = WriteBehind(store, lambda requests: None)

    async def record(number: int, wait: float) -> None:
        behind.add(_row(number))
        await asyncio.sleep(wait)

    asyncio.run(record(1, 0))  # this loop closes with the row's timer still armed
    asyncio.run(record(2, FLUSH_DELAY * 10))  # a new loop: its own timer writes both
    assert _numbers(tmp_path / "w.db") == [1, 2]


def test_a_refused_batch_is_kept_and_written_next_time_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    behind, calls = _refused_once(tmp_path, monkeypatch)

    async def record() -> None:
        behind.add(_row(1))
        behind.add(_row(2))
        await asyncio.sleep(FLUSH_DELAY * 5)  # the timer's flush is refused and logged
        behind.add(_row(3))
        await asyncio.sleep(FLUSH_DELAY * 5)

    asyncio.run(record())
    assert calls == [2, 3]
    assert _numbers(tmp_path / "w.db") == [1, 2, 3]


def test_rows_waiting_when_the_process_ends_are_written(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    program = f"""
import asyncio, time
from mockserver.state.store import Store
from mockserver.state.writebehind import WriteBehind
behind = WriteBehind(Store({str(db)!r}), lambda requests: None)
INSERT = "INSERT INTO journal (at, data) VALUES (?, ?)"
async def main():
    for number in (1, 2, 3):
        behind.add([(INSERT, (time.time(), '{{"n": %d}}' % number))])
asyncio.run(main())  # no flush: the loop is gone, the rows wait
"""
    subprocess.run([sys.executable, "-c", program], cwd=ROOT, check=True, timeout=60)
    assert _numbers(db) == [1, 2, 3]


def test_a_refused_batch_is_tried_again_without_new_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    behind, calls = _refused_once(tmp_path, monkeypatch)
    monkeypatch.setattr(writebehind, "RETRY_DELAY", FLUSH_DELAY * 2)

    async def record() -> None:
        behind.add(_row(1))  # the last request for a while: nothing else arms a flush
        await asyncio.sleep(FLUSH_DELAY * 10)

    asyncio.run(record())
    assert calls == [1, 1]
    assert _numbers(tmp_path / "w.db") == [1]


def test_a_full_batch_the_store_refuses_does_not_raise_into_the_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(str(tmp_path / "w.db"))
    behind = WriteBehind(store, lambda requests: None)
    refusing = [True]
    _refusing(monkeypatch, lambda call: refusing[0])

    async def record() -> None:
        for number in range(writebehind.BATCH + 50):  # past a full batch while refused
            behind.add(_row(number))
        refusing[0] = False
        await asyncio.sleep(writebehind.RETRY_DELAY * 2)

    asyncio.run(record())
    assert _numbers(tmp_path / "w.db") == list(range(writebehind.BATCH + 50))
