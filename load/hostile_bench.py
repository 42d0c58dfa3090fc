"""Memory of the mock under hostile inputs: its peak RSS before and after each, in one run.

    python load/hostile_bench.py [--seconds-slow 12]

Starts `spotcheck serve` (our schema, in-memory store) on a loopback port and sends, in turn:
a 200 MB body (413 expected, never buffered), JSON nested 100,000 deep (400), 3,000 failed
logins with new client ids (401; the failure tracking is bounded), and 200 sockets that trickle
a request's headers past the header-read deadline (closed by the server). It prints the status
each answered and VmHWM (peak RSS) after each step, next to the baseline. Bounded: every step
stops by itself; nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import contextlib

from benchmark import _free_port, _peak_rss_mb, _start, _stop

API = "/api/v2.1/public"
CREDENTIAL = b"client-id: uat-client-acme\r\nclient-secret: uat-secret-acme-0001\r\n"


def _exchange(port: int, head: bytes, body_chunks: int = 0, chunk: bytes = b"") -> int:
    """Send `head` and `body_chunks` x `chunk`; the status the server answered (0: none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head)
        try:
            for _ in range(body_chunks):
                conn.sendall(chunk)
        except OSError:
            pass  # the server answered early and closed: what a size limit should do
        try:
            answer = conn.recv(64)
        except OSError:
            return 0
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def _post(path: str, length: int, credential: bytes = CREDENTIAL) -> bytes:
    return (
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n"
        ).encode()
        + credential
        + b"\r\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds-slow", type=float, default=12.0)
    args = parser.parse_args()
    port = _free_port()
    command = [sys.executable, "-m", "mockserver.cli", "serve", "--port", str(port)]
    process, _ = _start([*command, "--db", ":memory:", "--rate-limit", "0"], port)
    rows: list[tuple[str, str, float]] = [("baseline (started)", "-", _peak_rss_mb(process.pid))]
    try:
        chunk = b"0" * (1 << 20)
        status = _exchange(port, _post(f"{API}/contracts/", 200 * len(chunk)), 200, chunk)
        rows.append(("200 MB body", str(status), _peak_rss_mb(process.pid)))

        deep = b"[" * 100_000 + b"]" * 100_000
        status = _exchange(port, _post(f"{API}/contracts/", len(deep)) + deep)
        rows.append(("JSON nested 100,000 deep", str(status), _peak_rss_mb(process.pid)))

        statuses: dict[int, int] = {}
        for index in range(3000):
            credential = f"client-id: flood-{index:06d}\r\nclient-secret: x\r\n".encode()
            line = f"GET {API}/contract_types/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            head = (line + "Connection: close\r\n").encode() + credential + b"\r\n"
            code = _exchange(port, head)
            statuses[code] = statuses.get(code, 0) + 1
        rows.append(("3,000 new client ids", json.dumps(statuses), _peak_rss_mb(process.pid)))

        slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(200)]
        for conn in slow:  # a request line, then one header a second, never the blank line
            conn.sendall(f"GET {API}/contract_types/ HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        deadline = time.monotonic() + args.seconds_slow
        while time.monotonic() < deadline:
            for conn in slow:
                with contextlib.suppress(OSError):
                    conn.sendall(b"X-Slow: 1\r\n" if conn.fileno() >= 0 else b"")
            time.sleep(1.0)
        closed = 0
        for conn in slow:
            conn.setblocking(False)
            try:
                conn.recv(64)  # an answer or the end of the stream: the server let go
                closed += 1
            except BlockingIOError:
                pass  # still open
            except OSError:
                closed += 1
            conn.close()
        rows.append(("200 slow sockets", f"{closed} closed", _peak_rss_mb(process.pid)))
        alive = _exchange(port, b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
        rows.append(("still serving", str(alive), _peak_rss_mb(process.pid)))
    finally:
        _stop(process)
    print(f"{'step':28} {'answer':>22} {'peak RSS MB':>12}")
    for step, answer, peak in rows:
        print(f"{step:28} {answer:>22} {peak:12.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
