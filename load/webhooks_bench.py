"""Webhook delivery figures: commit -> delivered latency and deliveries/s to a fast receiver
while a receiver that answers in 2 s is subscribed too (it must not slow the fast one).

    python -m load.webhooks_bench [--events 200] [--burst 1000]

The mock runs as its own process (rate limit off); both receivers are raw asyncio HTTP/1.1
servers in this process, so a receiver costs little next to the sender. Latency: contracts
created one at a time, 20 ms apart; "commit" is the moment the 201 arrives (the transaction
that queued the event committed just before), "delivered" the moment the body arrives.
Throughput: a burst of contracts written by 16 connections; deliveries/s is the fast
receiver's arrivals over the span from the first to the last of them (the sender shares the
cores with the writes), and the rate at which the backlog left when the writes ended drains.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from spotcheck.client.payloads import contract_from_template

API = "/api/v2.1/public"
UAT = {"client-id": "uat-client-acme", "client-secret": "uat-secret-acme-0001"}


class Receiver:
    """A minimal keep-alive HTTP/1.1 server: notes when each event arrives, answers 200."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.arrived: dict[str, float] = {}
        self.port = 0

    async def start(self) -> None:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length)
                external = json.loads(body).get("external_metadata", {}).get("id", "")
                self.arrived.setdefault(external, time.perf_counter())
                if self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def measure(base: str, events: int, burst: int) -> dict[str, str]:
    fast, slow = Receiver(), Receiver(delay=2.0)
    await fast.start()
    await slow.start()
    async with httpx.AsyncClient(base_url=base, headers=UAT, timeout=30) as client:
        for receiver in (slow, fast):
            hook = {
                "title": "bench",
                "url": f"http://127.0.0.1:{receiver.port}/hook",
                "only_for_activities": ["CONTRACT_CREATED"],
            }
            assert (await client.post(f"{API}/webhooks/", json=hook)).status_code == 201
        committed: dict[str, float] = {}
        for number in range(events):
            external = f"lat-{number}"
            body = contract_from_template("Bench Ltd", external, contact=("B", "b@bench.test"))
            assert (await client.post(f"{API}/contracts/", json=body)).status_code == 201
            committed[external] = time.perf_counter()
            await asyncio.sleep(0.02)
        deadline = time.monotonic() + 30
        while len([k for k in fast.arrived if k.startswith("lat-")]) < events:
            assert time.monotonic() < deadline, "latency events not all delivered"
            await asyncio.sleep(0.01)
        latencies = [(fast.arrived[k] - committed[k]) * 1000 for k in committed]

        async def writer(numbers: range) -> None:
            for number in numbers:
                body = contract_from_template(
                    "Bench Ltd", f"burst-{number}", contact=("B", "b@x.test")
                )
                assert (await client.post(f"{API}/contracts/", json=body)).status_code == 201

        started = time.perf_counter()
        await asyncio.gather(*(writer(range(i, burst, 16)) for i in range(16)))
        written = time.perf_counter()
        deadline = time.monotonic() + 120
        while len(done := [t for k, t in fast.arrived.items() if k.startswith("burst-")]) < burst:
            assert time.monotonic() < deadline, "burst not all delivered"
            await asyncio.sleep(0.01)
    span = max(done) - min(done)
    after = [t for t in done if t > written]
    drain = len(after) / (max(after) - written) if len(after) > 1 else float("nan")
    return {
        "webhook commit->delivered p50 (ms)": f"{statistics.median(latencies):.1f}",
        "webhook commit->delivered p99 (ms)": f"{_percentile(latencies, 0.99):.1f}",
        "webhook burst: contracts written/s (16 connections)": f"{burst / (written - started):.0f}",
        "webhook deliveries/s to one fast receiver, whole burst": f"{burst / span:.0f}",
        "webhook deliveries/s, backlog after the writes ended": f"{drain:.0f}",
        "webhook slow (2 s) receiver deliveries meanwhile": str(len(slow.arrived)),
    }


def run(events: int = 200, burst: int = 1000) -> dict[str, str]:
    """Start a mock, measure, stop it; the figures by label."""
    workdir = Path(tempfile.mkdtemp(prefix="spotcheck-webhook-bench-"))
    command = [sys.executable, "-m", "mockserver.cli", "serve", "--rate-limit", "0", "--port"]
    env = {**os.environ, "SPOTCHECK_WEBHOOK_DELIVERY": "loopback"}
    port = _free_port()
    process = subprocess.Popen(
        [*command, str(port), "--db", str(workdir / "hooks.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/__admin/health").status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "mock did not start"
                time.sleep(0.05)
        return asyncio.run(measure(base, events, burst))
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--burst", type=int, default=1000)
    arguments = parser.parse_args()
    for label, value in run(arguments.events, arguments.burst).items():
        print(f"{label}: {value}")
