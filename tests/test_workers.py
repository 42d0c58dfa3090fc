"""`serve --workers N`: workers are replaced when they die and stop when the parent dies."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.receiver import wait_for

pytestmark = pytest.mark.e2e


def _children(parent: int) -> set[int]:
    """The worker processes of `parent` (not multiprocessing's helper processes)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in command:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a reaper that a container may lack."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/__admin/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def _supervised(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "spotcheck", "serve", "--workers", "2", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--db", str(tmp_path / "m.db")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "SPOTCHECK_WEBHOOK_DELIVERY": "loopback"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _healthy(url), 60, "the workers to serve")
        wait_for(lambda: len(_children(process.pid)) == 2, 30, "two workers")
        yield process, url, port
    finally:
        for pid in _children(process.pid):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def test_a_dead_worker_is_replaced_and_the_port_keeps_serving(tmp_path):
    with _supervised(tmp_path) as (process, url, _port):
        before = _children(process.pid)
        victim = min(before)
        os.kill(victim, signal.SIGKILL)
        replaced = wait_for(
            lambda: (now := _children(process.pid)) - before and len(now) == 2 and now,
            30,
            "a replacement worker",
        )
        assert victim not in replaced
        assert all(_healthy(url) for _ in range(10))
        assert process.poll() is None


def test_workers_stop_when_the_parent_is_killed(tmp_path):
    with _supervised(tmp_path) as (process, _url, port):
        workers = _children(process.pid)
        process.kill()  # kill -9: no chance to stop its workers itself
        process.wait(timeout=10)

        def gone() -> bool:
            return not any(_alive(pid) for pid in workers)

        wait_for(gone, 30, "the orphaned workers to stop")
        with socket.socket() as again:  # a restart can bind the port (no Errno 98)
            again.bind(("127.0.0.1", port))


def test_ctrl_c_stops_parent_and_workers(tmp_path):
    with _supervised(tmp_path) as (process, _url, _port):
        workers = _children(process.pid)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        wait_for(lambda: not any(_alive(pid) for pid in workers), 15, "the workers to stop")
