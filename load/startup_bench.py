"""The mock's start-up cost, in one run: imports, the vendor schema's load, peak memory.

    python load/startup_bench.py [--vendor-spec FILE] [--seconds 3] [--connections 32]

Rows (each measured in a fresh interpreter, so one row's imports and caches do not help the
next): the CPU time and resident memory of importing the serving modules; PyYAML's C loader
alone on the vendor file (the reference: the floor the schema load builds on, measured in the
same run so a loaded machine shows in it too); `load_schema` on the vendor file with an empty
schema cache (cold) and again with the cache it filled (warm, median of --repeat), imports
excluded; a started `python -m mockserver.cli serve` (our schema, SQLite file, no rate limit):
seconds to its first answer and its peak RSS (VmHWM) after start and after a burst of
authenticated reads and contract creations. The vendor file comes from --vendor-spec or
SPOTCHECK_VENDOR_SPEC; without it, its rows are skipped and say so.
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
import tempfile
import time
from pathlib import Path

from spotcheck.client.payloads import contract_from_template

READ = "/api/v2.1/public/contract_types/"
WRITE = "/api/v2.1/public/contracts/"
CREDENTIAL = "client-id: uat-client-acme\r\nclient-secret: uat-secret-acme-0001\r\n"

# Run in a child interpreter: prints one JSON object. {spec} and {cache} are filled in.
_IMPORTS = """
import json, re, time
started = time.process_time()
import mockserver.cli, mockserver.app
cpu = time.process_time() - started
status = open("/proc/self/status").read()
print(json.dumps({"cpu": cpu, "rss": int(re.search(r"VmHWM:\\s+(\\d+)", status)[1]) / 1024}))
"""
_YAML = """
import json, time, yaml
text = open({spec!r}, encoding="utf-8").read()
started = time.process_time()
yaml.load(text, Loader=yaml.CSafeLoader)
print(json.dumps({{"cpu": time.process_time() - started}}))
"""
_LOAD = """
import json, time
from mockserver.spec.load import load_schema
started, wall = time.process_time(), time.perf_counter()
schema = load_schema({spec!r}, cache_dir={cache!r})
cpu, wall = time.process_time() - started, time.perf_counter() - wall
print(json.dumps({{"cpu": cpu, "wall": wall, "operations": len(schema.index.operations)}}))
"""


def _child(code: str) -> dict[str, float]:
    """Run `code` in a fresh interpreter (warnings off) and read the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"measurement failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _vendor_rows(spec: str, repeat: int) -> list[tuple[str, str]]:
    reference = _child(_YAML.format(spec=spec))
    with tempfile.TemporaryDirectory() as cache:
        cold = _child(_LOAD.format(spec=spec, cache=cache))
        warm = [_child(_LOAD.format(spec=spec, cache=cache)) for _ in range(repeat)]
    return [
        (
            "vendor file, yaml.load with PyYAML's C loader (reference, s CPU)",
            f"{reference['cpu']:.2f}",
        ),
        (
            "vendor file, load_schema cold: parse+repair+index (s CPU / s wall)",
            f"{cold['cpu']:.2f} / {cold['wall']:.2f}  ({cold['operations']:.0f} operations)",
        ),
        (
            f"vendor file, load_schema warm, median of {repeat} (s CPU / s wall)",
            f"{statistics.median(w['cpu'] for w in warm):.3f} / "
            f"{statistics.median(w['wall'] for w in warm):.3f}",
        ),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    request = b"GET /__admin/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(request)
                if conn.recv(16).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("the mock did not start (run `python -m mockserver.cli serve` to see why)")


def _proc(pid: int, field: str) -> float:
    """VmHWM (MB) or CPU seconds (user + system) of `pid`, from /proc."""
    if field == "cpu":
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status)[1]) / 1024  # type: ignore[index]


def _request(method: str, path: str) -> bytes:
    body = b""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{CREDENTIAL}"
    if method == "POST":
        body = json.dumps(
            contract_from_template("Startup Ltd", contact=("S", "s@st.test"))
        ).encode()
        head += f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _connection(port: int, requests: list[tuple[bytes, int]], stop_at: float) -> int:
    """Send the requests in turn on one keep-alive connection until `stop_at`; the count."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent = 0
    try:
        while time.perf_counter() < stop_at:
            request, expected = requests[sent % len(requests)]
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            await reader.readexactly(int(length[1]) if length else 0)
            if int(head[9:12]) != expected:
                raise RuntimeError(f"expected {expected}, got {head[:40]!r}")
            sent += 1
    finally:
        writer.close()
    return sent


async def _burst(port: int, seconds: float, connections: int) -> int:
    # Four reads for each contract created, as a client's session mixes them.
    requests = [*[(_request("GET", READ), 200)] * 4, (_request("POST", WRITE), 201)]
    stop_at = time.perf_counter() + seconds
    counts = await asyncio.gather(
        *(_connection(port, requests, stop_at) for _ in range(connections))
    )
    return sum(counts)


def _server_rows(seconds: float, connections: int) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        command = [sys.executable, "-W", "ignore", "-m", "mockserver.cli", "serve"]
        command += ["--rate-limit", "0", "--db", str(Path(folder) / "x.db"), "--port", str(port)]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_for(port, process)
            startup, startup_cpu = time.perf_counter() - started, _proc(process.pid, "cpu")
            after_start = _proc(process.pid, "VmHWM")
            answered = asyncio.run(_burst(port, seconds, connections))
            after_burst = _proc(process.pid, "VmHWM")
        finally:
            process.terminate()
            process.wait(timeout=10)
    return [
        (
            "mock (our schema), start to first answer (s wall / s CPU)",
            f"{startup:.2f} / {startup_cpu:.2f}",
        ),
        ("mock, peak RSS after start (MB)", f"{after_start:.0f}"),
        (
            f"mock, peak RSS after {answered} requests, {connections} connections (MB)",
            f"{after_burst:.0f}",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor-spec", default=os.environ.get("SPOTCHECK_VENDOR_SPEC"))
    parser.add_argument("--repeat", type=int, default=3, help="warm loads (median)")
    parser.add_argument("--seconds", type=float, default=3.0, help="burst length")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    imports = _child(_IMPORTS)
    rows = [
        ("import mockserver.cli + mockserver.app (s CPU)", f"{imports['cpu']:.2f}"),
        ("import mockserver.cli + mockserver.app, peak RSS (MB)", f"{imports['rss']:.0f}"),
    ]
    if args.vendor_spec:
        rows += _vendor_rows(str(Path(args.vendor_spec).resolve()), args.repeat)
    else:
        print(
            "*** SKIPPED the vendor-file rows: give --vendor-spec FILE or SPOTCHECK_VENDOR_SPEC",
            file=sys.stderr,
        )
    rows += _server_rows(args.seconds, args.connections)
    load = "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    print(f"{os.cpu_count()} cores, {load}")
    if sys.flags.dont_write_bytecode:
        # Measured 1.33-1.43 s with a bytecode cache and 1.51-1.65 s without, in turn.
        print("bytecode cache off (PYTHONDONTWRITEBYTECODE): imports compile our modules anew")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
