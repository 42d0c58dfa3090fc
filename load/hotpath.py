"""The mock's own cost per request, without sockets: `python load/hotpath.py [--profile]`.

Drives the app built as `spotcheck serve` builds it (heap settled, rate limit off) through
ASGI calls in one process, so the figure is the app's CPU alone - no HTTP parsing, no load
generator sharing the cores. Rows: the SpotDraft read and write of load/benchmark.py, the
bearer read and the key+version read of its profile rows. `--profile` adds cProfile's top
functions by cumulative time for each row (BENCHMARKS.md's hot-path section).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import READ, WRITE, WRITE_BODY

from mockserver.app import create_app
from mockserver.settings import SCHEMA_DIR, Settings

SPOTDRAFT = [(b"client-id", b"uat-client-acme"), (b"client-secret", b"uat-secret-acme-0001")]
KEY_VERSION = [
    (b"x-spot-api-key", b"acct_sandbox_1001"),
    (b"x-spot-api-secret", b"sk_test_sandbox_1001"),
    (b"x-spot-api-version", b"2024-06-01"),
]


@dataclass
class Row:
    name: str
    spec: str | None
    method: str
    path: str
    body: bytes
    headers: Callable[[Any], list[tuple[bytes, bytes]]]
    seed: tuple[str, dict[str, str]] | None = None  # (path, object) created 5 times first


def _rows() -> list[Row]:
    samples = SCHEMA_DIR / "samples"
    return [
        Row("spotdraft read", None, "GET", READ, b"", lambda app: SPOTDRAFT),
        Row("spotdraft write", None, "POST", WRITE, WRITE_BODY, lambda app: SPOTDRAFT),
        Row(
            "bearer read",
            str(samples / "travel-users.yaml"),
            "GET",
            "/v2/companies",
            b"",
            _bearer,
            ("/v2/companies", {"name": "Bench Travel", "country": "US"}),
        ),
        Row(
            "key+version read",
            str(samples / "participants.yaml"),
            "GET",
            "/participants",
            b"",
            lambda app: KEY_VERSION,
            ("/participants", {"name": "Bench Person", "email": "bench@bench.test"}),
        ),
    ]


def _bearer(app: Any) -> list[tuple[bytes, bytes]]:
    form = (
        b"grant_type=client_credentials&client_id=uat-client-acme"
        b"&client_secret=uat-secret-acme-0001"
    )
    status, body = asyncio.run(
        _call(app, "POST", "/v2/auth/oauth2-token", form, [], "application/x-www-form-urlencoded")
    )
    assert status == 200, body
    return [(b"authorization", b"Bearer " + json.loads(body)["access_token"].encode())]


async def _call(
    app: Any,
    method: str,
    path: str,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    content_type: str = "application/json",
) -> tuple[int, bytes]:
    head = [(b"host", b"127.0.0.1"), *headers]
    if body:
        head += [(b"content-type", content_type.encode()), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": head,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # the client never disconnects mid-request here
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["body"]


def _settle() -> None:
    try:  # as `spotcheck serve` does; older trees (a before/after run) had no such step
        from mockserver.heap import settle
    except ImportError:
        return
    settle()


def measure(row: Row, requests: int, profile: bool, batches: int = 5) -> tuple[float, str]:
    """CPU microseconds per request, the least of `batches` batches (and cProfile's top
    functions when asked)."""
    with tempfile.TemporaryDirectory(prefix="spotcheck-hotpath-") as folder:
        settings = Settings(rate_limit=0, token_rate_limit=0, db=str(Path(folder) / "hot.db"))
        if row.spec is not None:
            settings = settings.replace(spec=row.spec)
        app = create_app(settings)
        _settle()
        headers = row.headers(app)
        ok = 201 if row.method == "POST" else 200

        async def run() -> tuple[float, str]:
            if row.seed is not None:
                path, item = row.seed
                for _ in range(5):
                    status, _ = await _call(app, "POST", path, json.dumps(item).encode(), headers)
                    assert status == 201, status
            for _ in range(200):  # warm: caches, compiled validators, the first batches
                status, body = await _call(app, row.method, row.path, row.body, headers)
                assert status == ok, body[:300]
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            # the least disturbed of several batches: on a shared or virtual machine one
            # batch can take half again as long as the next with nothing changed
            per_batch = max(1, requests // batches)
            cpu = float("inf")
            for _ in range(batches):
                started = time.process_time()
                for _ in range(per_batch):
                    await _call(app, row.method, row.path, row.body, headers)
                cpu = min(cpu, (time.process_time() - started) / per_batch * 1e6)
            report = ""
            if profiler:
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
                report = out.getvalue()
            return cpu, report

        return asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--batches", type=int, default=5, help="report the least of these")
    parser.add_argument("--profile", action="store_true", help="cProfile's top 25 per row")
    args = parser.parse_args()
    print(f"{'request':<20}{'CPU us/request':>16}")
    for row in _rows():
        cpu, report = measure(row, args.requests, args.profile, args.batches)
        print(f"{row.name:<20}{cpu:>16.0f}", flush=True)
        if report:
            print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
