"""Throughput and latency of the mock next to a bare Starlette app, measured in one run.

    python load/benchmark.py [--seconds 10] [--connections 32] [--spec FILE]

Both servers run as separate uvicorn processes on loopback; one asyncio load generator
(raw HTTP/1.1 keep-alive, so the client is not the bottleneck) drives each in turn with the
same authenticated GET. Prints requests/s, p50/p99 latency and the mock/bare ratio.
No Locust import here: this file must not monkey-patch the standard library.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ_PATH = "/api/v2.1/public/contract_types/"
HEADERS = {"client-id": "uat-client-acme", "client-secret": "uat-secret-acme-0001"}


def bare_app():  # pragma: no cover - runs in the child process
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    body = json.dumps(
        [
            {"id": 11, "name": "Non-Disclosure Agreement"},
            {"id": 12, "name": "Master Services Agreement"},
        ]
    ).encode()

    async def contract_types(request):
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route(READ_PATH, contract_types)])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(command: list[str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


async def _worker(
    port: int, request: bytes, stop_at: float, latencies: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


async def _drive(port: int, seconds: float, connections: int) -> dict[str, float]:
    headers = "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
    request = f"GET {READ_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()
    latencies: list[float] = []
    errors: list[int] = []
    # Warm up: imports, caches, connection set-up.
    await _worker_batch(port, request, 1.0, connections, [], [])
    started = time.perf_counter()
    await _worker_batch(port, request, seconds, connections, latencies, errors)
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": len(errors),
        "requests": len(latencies),
    }


async def _worker_batch(port, request, seconds, connections, latencies, errors):
    stop_at = time.perf_counter() + seconds
    await asyncio.gather(
        *(_worker(port, request, stop_at, latencies, errors) for _ in range(connections))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--spec", default=None, help="schema the mock serves (default: ours)")
    args = parser.parse_args()
    python = sys.executable
    results = {}
    targets = {
        "bare starlette": [
            python,
            "-m",
            "uvicorn",
            "--factory",
            "load.benchmark:bare_app",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        "spotcheck mock": [python, "-m", "mockserver.cli", "serve", "--rate-limit", "0"]
        + (["--spec", args.spec] if args.spec else []),
    }
    for name, command in targets.items():
        port = _free_port()
        flag = ["--port", str(port)] + (["--host", "127.0.0.1"] if "uvicorn" in command else [])
        env_started = time.perf_counter()
        process = _start(command + flag, port)
        startup = time.perf_counter() - env_started
        try:
            results[name] = asyncio.run(_drive(port, args.seconds, args.connections))
            results[name]["startup_s"] = startup
        finally:
            process.terminate()
            process.wait(timeout=10)
    bare, mock = results["bare starlette"], results["spotcheck mock"]
    print(
        f"authenticated GET {READ_PATH}, {args.connections} connections, "
        f"{args.seconds:.0f} s each, {os.cpu_count()} cores"
    )
    print(f"{'server':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-200':>9}{'start s':>9}")
    for name, row in results.items():
        print(
            f"{name:<16}{row['rps']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}{row['errors']:>9}{row['startup_s']:>9.2f}"
        )
    print(f"mock / bare throughput ratio: {mock['rps'] / bare['rps']:.3f}")
    return 0 if mock["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
