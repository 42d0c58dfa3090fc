"""A webhook receiver (spotcheck's listener app) on a real loopback port, in a thread."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from mockserver.webhooks.listener import ListenerState, listener_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def receiver(
    hmac_key: str | None, port: int | None = None, **behaviour: Any
) -> Iterator[tuple[str, ListenerState]]:
    """Yield (URL, state) of a listener; `behaviour` sets fail_status, fail_times, delay."""
    state = ListenerState(hmac_key, **behaviour)
    port = port or free_port()
    config = uvicorn.Config(
        listener_app(state, io.StringIO()), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 10, "receiver did not start")
    try:
        yield f"http://127.0.0.1:{port}/hooks", state
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_for(condition: Callable[[], Any], timeout: float, message: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{message} (waited {timeout} s)")


def subscribe_created(client: Any, url: str) -> None:
    """Register `url` for CONTRACT_CREATED with the fixture credential (test helper)."""
    response = client.post(
        "/api/v2.1/public/webhooks/",
        headers={"client-id": "uat-client-acme", "client-secret": "uat-secret-acme-0001"},
        json={"title": "t", "url": url, "only_for_activities": ["CONTRACT_CREATED"]},
    )
    assert response.status_code == 201, response.text
