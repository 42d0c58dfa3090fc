"""Throughput and latency of the mock next to a bare Starlette app, measured in one run.

    python load/benchmark.py [--seconds 10] [--connections 32] [--vendor-spec FILE]

Servers run as separate processes on loopback; one asyncio load generator (raw HTTP/1.1
keep-alive, so the client costs little) drives each in turn with the same authenticated read
(GET contract types) and write (POST a contract from a template). Rows: bare Starlette; the
mock single-process (uvicorn, uvloop + httptools), with --workers 2, under granian (when
installed), on the vendor's schema (--vendor-spec), on PostgreSQL (--pg-url), with the
bearer and key+version profiles; Prism 5 on the same read (--prism, or `prism` on PATH).
Rate limit off. Also measured: start-up time to the first answer (our schema and the vendor's
914 KB file, cold and warm), peak RSS, and webhook delivery (load/webhooks_bench.py, unless
--no-webhooks). Prints one table with each row's ratio to bare Starlette.
No Locust import here: this file must not monkey-patch the standard library.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.settings import SCHEMA_DIR
from spotcheck.client.payloads import contract_from_template

READ = "/api/v2.1/public/contract_types/"
WRITE = "/api/v2.1/public/contracts/"
CREDENTIAL = "client-id: uat-client-acme\r\nclient-secret: uat-secret-acme-0001\r\n"
WRITE_BODY = json.dumps(contract_from_template("Bench Ltd", contact=("B", "b@bench.test"))).encode()


def bare_app():  # pragma: no cover - runs in the child process
    """The baseline: Starlette answering the same JSON with no validation, auth or state."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    listing = json.dumps([{"id": 11, "name": "Non-Disclosure Agreement"}]).encode()
    created = json.dumps({"id": "T-1", "contract_status": "DRAFT"}).encode()

    async def read(request):
        return Response(listing, media_type="application/json")

    async def write(request):
        await request.body()
        return Response(created, status_code=201, media_type="application/json")

    return Starlette(routes=[Route(READ, read), Route(WRITE, write, methods=["POST"])])


def mock_app():  # pragma: no cover - runs in the child process (granian's factory)
    """The mock as `spotcheck serve` builds it, for servers that take an app factory."""
    from mockserver.app import create_app
    from mockserver.heap import settle
    from mockserver.settings import Settings

    app = create_app(Settings(rate_limit=0, db=os.environ["SPOTCHECK_BENCH_DB"]))
    settle()
    return app


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int
    cpu_us: float = float("nan")  # server CPU per request: what a loaded machine cannot skew


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(
    command: list[str], port: int, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    request = b"GET /__admin/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(request)
                if conn.recv(16).startswith(b"HTTP/1.1 "):
                    return process, time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


def _request(method: str, path: str, credential: str = CREDENTIAL) -> bytes:
    body = WRITE_BODY if method == "POST" else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{credential}"
    if body:
        head += f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _connection(
    port: int, request: bytes, ok: int, stop_at: float, latencies: list[float], bad: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            latencies.append(time.perf_counter() - started)
            if int(head[9:12]) != ok:
                bad.append(int(head[9:12]))
    finally:
        writer.close()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of `pid` and its children (workers), from /proc."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _drive_server(
    process: subprocess.Popen[bytes], port: int, request: bytes, ok: int, args: Any
) -> Result:
    """`_drive`, with the server's CPU per request over the measured burst."""
    before = [0.0]

    def measure_from_now() -> None:
        before[0] = _cpu_seconds(process.pid)

    result = asyncio.run(
        _drive(port, request, ok, args.seconds, args.connections, measure_from_now)
    )
    spent = _cpu_seconds(process.pid) - before[0]
    result.cpu_us = spent / max(1.0, result.rps * args.seconds) * 1e6
    return result


async def _drive(
    port: int,
    request: bytes,
    ok: int,
    seconds: float,
    connections: int,
    on_measure: Any = None,
) -> Result:
    async def burst(duration: float, latencies: list[float], bad: list[int]) -> float:
        started = time.perf_counter()
        stop_at = started + duration
        await asyncio.gather(
            *(_connection(port, request, ok, stop_at, latencies, bad) for _ in range(connections))
        )
        return time.perf_counter() - started

    await burst(1.0, [], [])  # warm-up: caches, connections
    if on_measure is not None:
        on_measure()
    latencies: list[float] = []
    bad: list[int] = []
    elapsed = await burst(seconds, latencies, bad)
    latencies.sort()
    return Result(
        rps=len(latencies) / elapsed,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        bad=len(bad),
    )


def _peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return float("nan")
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else float("nan")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _profile_cells() -> list[tuple[str, str, str, str, dict[str, str]]]:
    """(row name, schema, collection to read, credential headers, one object to add 5 times)"""
    samples = SCHEMA_DIR / "samples"
    return [
        (
            "mock, bearer",
            str(samples / "travel-users.yaml"),
            "/v2/companies",
            "Authorization: Bearer {token}\r\n",
            {"name": "Bench Travel", "country": "US"},
        ),
        (
            "mock, key+version",
            str(samples / "participants.yaml"),
            "/participants",
            "X-Spot-Api-Key: acct_sandbox_1001\r\nX-Spot-Api-Secret: sk_test_sandbox_1001\r\n"
            "X-Spot-Api-Version: 2024-06-01\r\n",
            {"name": "Bench Person", "email": "bench@bench.test"},  # the old version's field
        ),
    ]


def _seed(port: int, path: str, credential: str, body: dict[str, str]) -> None:
    from urllib.request import Request, urlopen

    headers = dict(line.split(": ", 1) for line in credential.strip().split("\r\n"))
    headers["content-type"] = "application/json"
    for _ in range(5):
        request = Request(
            f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(), headers, method="POST"
        )
        with urlopen(request, timeout=10) as answer:
            assert answer.status == 201, answer.status


def _token(port: int) -> str:
    from urllib.request import urlopen

    form = (
        b"grant_type=client_credentials&client_id=uat-client-acme"
        b"&client_secret=uat-secret-acme-0001"
    )
    with urlopen(f"http://127.0.0.1:{port}/v2/auth/oauth2-token", data=form, timeout=10) as answer:
        return str(json.load(answer)["access_token"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--vendor-spec", default=os.environ.get("SPOTCHECK_VENDOR_SPEC"))
    parser.add_argument("--pg-url", help="a PostgreSQL URL for the --db rows (none: skipped)")
    parser.add_argument("--prism", default=shutil.which("prism"), help="Prism 5's command")
    parser.add_argument("--no-webhooks", action="store_true", help="skip the webhook figures")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="ROW",
        help="run only the rows whose name contains ROW (repeatable; bare Starlette always runs)",
    )
    args = parser.parse_args()

    def chosen(name: str) -> bool:
        return name == "bare starlette" or not args.only or any(o in name for o in args.only)

    python = sys.executable
    workdir = Path(tempfile.mkdtemp(prefix="spotcheck-bench-"))
    mock = [python, "-m", "mockserver.cli", "serve", "--rate-limit", "0"]
    servers = {
        "bare starlette": [
            python,
            "-m",
            "uvicorn",
            "--factory",
            "load.benchmark:bare_app",
            "--log-level",
            "warning",
            "--no-access-log",
            "--host",
            "127.0.0.1",
        ],
        "mock, 1 process": [*mock, "--db", str(workdir / "one.db")],
        "mock, 2 workers": [*mock, "--db", str(workdir / "two.db"), "--workers", "2"],
    }
    env: dict[str, dict[str, str]] = {}
    if importlib.util.find_spec("granian"):
        servers["mock, granian"] = [
            str(Path(python).parent / "granian"),
            *("--interface", "asgi", "--loop", "uvloop", "--log-level", "warning"),
            *("--host", "127.0.0.1", "--factory", "load.benchmark:mock_app"),
        ]
        env["mock, granian"] = {"SPOTCHECK_BENCH_DB": str(workdir / "granian.db")}
    if args.vendor_spec:
        vendor_db = str(workdir / "vendor.db")
        servers["mock, vendor"] = [*mock, "--db", vendor_db, "--spec", args.vendor_spec]
    if args.pg_url:
        servers["mock, postgres"] = [*mock, "--db", args.pg_url]
    servers = {name: command for name, command in servers.items() if chosen(name)}
    rows: dict[tuple[str, str], Result] = {}
    extra: dict[str, str] = {}
    for name, command in servers.items():
        port = _free_port()
        process, startup = _start([*command, "--port", str(port)], port, env.get(name))
        startup_cpu = _cpu_seconds(process.pid)
        try:
            rows[(name, "read")] = _drive_server(process, port, _request("GET", READ), 200, args)
            rows[(name, "write")] = _drive_server(process, port, _request("POST", WRITE), 201, args)
            if name == "mock, 1 process":
                extra["peak RSS, 1 process (MB)"] = f"{_peak_rss_mb(process.pid):.0f}"
                extra["start-up, our schema (s wall / s CPU)"] = (
                    f"{startup:.2f} / {startup_cpu:.2f}"
                )
        finally:
            _stop(process)
    if args.prism and chosen("prism 5"):
        # Prism 5 answers the documented example: no state, no credential check beyond presence.
        port = _free_port()
        prism = [args.prism, "mock", "--host", "127.0.0.1", "--port", str(port), "--errors"]
        process, _startup = _start([*prism, str(SCHEMA_DIR / "spotdraft.yaml")], port)
        try:
            read = _request("GET", READ)
            rows[("prism 5", "read")] = _drive_server(process, port, read, 200, args)
        finally:
            _stop(process)
    # The other auth profiles, on their sample schemas: a bearer token checked per call, and
    # an API key pinned to an older version (every answer rewritten to the old field names).
    for name, spec, path, credential, seed in _profile_cells():
        if not chosen(name):
            continue
        port = _free_port()
        command = [*mock, "--spec", spec, "--token-rate-limit", "0", "--port", str(port)]
        process, _startup = _start(command, port)
        try:
            if "{token}" in credential:
                credential = credential.format(token=_token(port))
            _seed(port, path, credential, seed)
            read = _request("GET", path, credential)
            rows[(name, "read")] = _drive_server(process, port, read, 200, args)
        finally:
            _stop(process)
    if args.vendor_spec and chosen("mock, vendor"):
        # cold: an empty schema cache (first start); warm: the repaired schema is cached
        cache = {"SPOTCHECK_CACHE_DIR": str(workdir / "cache")}
        vendor = [*mock, "--spec", str(Path(args.vendor_spec).resolve())]
        times: list[float] = []
        cpus: list[float] = []
        for _ in range(4):
            port = _free_port()
            process, startup = _start([*vendor, "--port", str(port)], port, cache)
            times.append(startup)
            cpus.append(_cpu_seconds(process.pid))
            extra["peak RSS, vendor schema (MB)"] = f"{_peak_rss_mb(process.pid):.0f}"
            _stop(process)
        extra["start-up, vendor schema, cold (s wall / s CPU)"] = f"{times[0]:.2f} / {cpus[0]:.2f}"
        extra["start-up, vendor schema, warm (s wall / s CPU, median of 3)"] = (
            f"{statistics.median(times[1:]):.2f} / {statistics.median(cpus[1:]):.2f}"
        )
    if not args.no_webhooks and not args.only:
        # Webhooks: commit -> delivered latency and deliveries/s beside a 2 s receiver.
        sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or -m
        from webhooks_bench import run as webhook_figures

        extra.update(webhook_figures())

    cores = os.cpu_count()
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(
        f"{args.connections} connections, {args.seconds:.0f} s a cell, {cores} cores, "
        f"no rate limit{load}"
    )
    header: tuple[str, ...] = ("server", "request", "req/s", "p50 ms", "p99 ms", "non-2xx")
    header += ("vs bare", "CPU us", "CPU x")
    print(f"{header[0]:<18}{header[1]:<8}" + "".join(f"{h:>9}" for h in header[2:]))
    for (name, kind), row in rows.items():
        bare = rows[("bare starlette", "write" if kind == "write" else "read")]
        ratio = row.rps / bare.rps
        # CPU x: bare's server CPU per request over this row's (1.0 = as cheap as bare)
        cpu = bare.cpu_us / row.cpu_us
        print(
            f"{name:<18}{kind:<8}{row.rps:>9.0f}{row.p50_ms:>9.2f}{row.p99_ms:>9.2f}"
            f"{row.bad:>9}{ratio:>9.3f}{row.cpu_us:>9.0f}{cpu:>9.3f}"
        )
    for label, value in extra.items():
        print(f"{label}: {value}")
    return 0 if all(row.bad == 0 for row in rows.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
