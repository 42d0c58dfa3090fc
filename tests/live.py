"""Start `spotcheck serve` as a real process on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

_URL = re.compile(r"serving (http://127\.0\.0\.1:\d+)")


@contextmanager
def running_server(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 30.0,
    program: Sequence[str] = (sys.executable, "-m", "mockserver.cli"),
    cwd: Path | None = None,
) -> Iterator[tuple[str, list[str]]]:
    """Yield (base URL, banner lines) of a server started with `spotcheck serve --port 0 ARGS`
    (`program` is how `spotcheck` is called: an installed copy's own command, say)."""
    command = [*program, "serve", "--port", "0", *args]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # nothing a test server sends may leave this machine
        env={**os.environ, "SPOTCHECK_WEBHOOK_DELIVERY": "loopback", **(env or {})},
        cwd=cwd or Path(__file__).resolve().parent.parent,
    )
    banner: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        url = None
        assert process.stdout is not None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"server exited early: {''.join(banner)}")
            banner.append(line.rstrip())
            found = _URL.search(line)
            if found:
                url = found.group(1)
        if url is None:
            raise RuntimeError("server did not print its URL in time")
        for line in iter(process.stdout.readline, ""):
            banner.append(line.rstrip())
            if "admin:" in line:
                break
        # Keep reading what the server logs (a line per 4xx): a full pipe would block it.
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        _wait_healthy(url, deadline)
        yield url, banner
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _drain(stream: IO[str]) -> None:
    for _line in stream:
        pass


def _wait_healthy(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/__admin/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server never became healthy")
