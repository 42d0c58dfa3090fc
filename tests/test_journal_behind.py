"""Journal and audit rows are written behind the answer, in batches (issue 21): a process sees
its own requests at once, another process on the store within the flush delay, a view waits
for every request answered before it (state/unwritten.py), and a stop writes what is left."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.pipeline.journal import SETTLE_LIMIT, Journal, JournalMiddleware
from mockserver.state import unwritten
from mockserver.state import writebehind as journal
from mockserver.state.store import Store
from tests.conftest import UAT
from tests.live import running_server

TYPES = "/api/v2.1/public/contract_types/"


def _ids(entries: list[dict[str, object]]) -> set[object]:
    return {entry["id"] for entry in entries}


@pytest.fixture
def slow_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch that would wait a minute: only an explicit flush can have written the rows."""
    monkeypatch.setattr(journal, "FLUSH_DELAY", 60.0)


def test_own_views_flush_first(settings, our_schema, slow_flush):
    with TestClient(create_app(settings, our_schema)) as client:
        sent = {client.get(TYPES, headers=UAT).headers["x-request-id"] for _ in range(5)}
        assert sent <= _ids(client.get("/__admin/requests").json())
        client.get(TYPES, headers=UAT)
        audit = client.get("/__admin/audit", params={"kind": "request"}).json()
        assert len(audit) == 6
        assert client.get("/__admin/metrics").json()["requests"] == 6


def test_rows_left_in_the_batch_are_written_at_shutdown(settings, our_schema, slow_flush):
    with TestClient(create_app(settings, our_schema)) as client:
        sent = client.get(TYPES, headers=UAT).headers["x-request-id"]
    with TestClient(create_app(settings, our_schema)) as reader:  # a process of its own
        assert sent in _ids(reader.get("/__admin/requests").json())


def test_another_process_sees_the_rows_within_the_delay(settings, our_schema):
    first, second = create_app(settings, our_schema), create_app(settings, our_schema)
    with TestClient(first) as one, TestClient(second) as other:
        sent = {one.get(TYPES, headers=UAT).headers["x-request-id"] for _ in range(5)}
        deadline = time.monotonic() + 50 * journal.FLUSH_DELAY
        while not sent <= _ids(other.get("/__admin/requests").json()):
            assert time.monotonic() < deadline, "the other process never saw the rows"
            time.sleep(journal.FLUSH_DELAY / 2)


def test_a_view_waits_for_the_rows_another_process_has_not_written_yet(
    settings, our_schema, monkeypatch
):
    """Two apps that share their store (as `--workers 2` does), the first slow to write: the
    second's view still shows what the first answered before it."""
    monkeypatch.setattr(journal, "FLUSH_DELAY", 0.5)  # longer than any fixed wait would be
    shared = dataclasses.replace(settings, workers=2)
    first, second = create_app(shared, our_schema), create_app(shared, our_schema)
    with TestClient(first) as one, TestClient(second) as other:
        sent = {one.get(TYPES, headers=UAT).headers["x-request-id"] for _ in range(3)}
        assert sent <= _ids(other.get("/__admin/requests").json())
        assert other.get("/__admin/metrics").json()["requests"] == 3
    marks = first.runtime.store.query("SELECT writer FROM journal_writers")
    assert marks == [], "a process that stops takes its mark with it"


def test_a_dead_process_mark_is_not_waited_for(settings, our_schema):
    shared = dataclasses.replace(settings, workers=2)
    app = create_app(shared, our_schema)
    with app.runtime.store.transaction() as db:  # killed with an answer unwritten, long ago
        statement, (writer, oldest, _touched) = unwritten.mark("req-dead00-", time.time() - 60)
        db.execute(statement, (writer, oldest, time.time() - unwritten.STALE - 1))
    with TestClient(app) as client:
        began = time.monotonic()
        assert client.get("/__admin/requests").status_code == 200
        assert time.monotonic() - began < SETTLE_LIMIT / 2


def test_a_client_that_does_not_read_its_answer_holds_no_view(tmp_path: Path):
    """The answer's last send never returns (a client that stopped reading, its socket
    buffer full): the entry is written anyway, and views elsewhere on the store neither wait
    for it nor miss it."""
    store = Store(str(tmp_path / "j.db"))
    here, elsewhere = Journal(store, shared=True), Journal(store, shared=True)

    async def answer(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def stuck_send(message) -> None:
        if message["type"] == "http.response.body":
            await asyncio.Event().wait()  # never: the client does not read

    async def run() -> tuple[float, list[str]]:
        scope = {"type": "http", "method": "GET", "path": "/things", "headers": []}
        stuck = asyncio.ensure_future(JournalMiddleware(answer, here)(scope, None, stuck_send))
        await asyncio.sleep(0.01)
        began = time.monotonic()
        await elsewhere.settle()
        waited = time.monotonic() - began
        shown = [entry["path"] for entry in elsewhere.entries()]
        stuck.cancel()
        return waited, shown

    waited, shown = asyncio.run(run())
    assert shown == ["/things"]
    assert waited < SETTLE_LIMIT / 2


def test_an_entry_that_cannot_be_recorded_costs_the_client_nothing(
    settings, our_schema, monkeypatch
):
    """The entry is queued before the answer's last bytes go: a journal that fails (an audit
    file on a full disk, a store refusing a full batch) must not take the answer with it."""
    app = create_app(settings, our_schema)

    def refuse(entry, at=None) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(app.runtime.journal, "record", refuse)
    with TestClient(app) as client:
        answer = client.get(TYPES, headers=UAT)
        assert answer.status_code == 200 and answer.json(), answer.text


@pytest.mark.e2e
def test_two_workers_see_each_others_requests_at_once_in_answer_order(tmp_path):
    """`serve --workers 2`: a request answered by one worker is in the journal the other
    shows right after, and the journal keeps the order the answers were sent in."""
    with running_server("--workers", "2", "--db", str(tmp_path / "w.db"), timeout=90) as (
        url,
        _banner,
    ):
        pinned: dict[str, httpx.Client] = {}
        for _ in range(100):  # one keep-alive connection on each worker
            client = httpx.Client(base_url=url, limits=httpx.Limits(max_connections=1))
            worker = client.get("/__admin/health").headers["x-request-id"].rsplit("-", 1)[0]
            if worker in pinned:
                client.close()
                continue
            pinned[worker] = client
            if len(pinned) == 2:
                break
        assert len(pinned) == 2, "the kernel never gave a connection to the second worker"
        one, other = pinned.values()
        for _ in range(20):
            first = one.get(TYPES, headers=UAT).headers["x-request-id"]
            second = other.get(TYPES, headers=UAT).headers["x-request-id"]
            newest = [entry["id"] for entry in other.get("/__admin/requests?limit=2").json()]
            assert newest == [second, first]
            newest = [entry["id"] for entry in one.get("/__admin/requests?limit=2").json()]
            assert newest == [second, first]
        for client in pinned.values():
            client.close()
