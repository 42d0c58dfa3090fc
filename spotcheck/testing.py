"""pytest fixtures for an integrator's own suite, in the manner of pytest-httpserver.

Enable them in a `conftest.py` (importing spotcheck alone changes nothing in pytest):

    pytest_plugins = ["spotcheck.testing"]

`spotcheck_mock` is one mock server per session (uvicorn on 127.0.0.1 in a thread); `mock` is
the same server reset before each test, with its URL and credentials, `.verify(...)`,
`.requests(...)`, `.deliveries(...)`, `.fault(...)` (a context manager) and `.clock`;
`webhook_receiver` collects the deliveries whose signature checks out. Override the
`spotcheck_settings` fixture to serve another schema (`Settings(spec=...)`).
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from mockserver.admin.verify import differences
from mockserver.app import SpotcheckApp, create_app
from mockserver.profiles import profile
from mockserver.settings import Settings
from mockserver.webhooks.listener import ListenerState, listener_app
from spotcheck.client.families import Credential

START_TIMEOUT = 30.0


class ServerThread:
    """An ASGI app served by uvicorn on a free 127.0.0.1 port, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = int(self._sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server thread did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


class Clock:
    """`mock.clock`: moves the server's clock through `/__admin/clock`."""

    def __init__(self, admin: Callable[..., Any]) -> None:
        self._admin = admin

    def advance(self, duration: str | float) -> str:
        """Move forward (`"2h"`, `"15m"`, seconds); retries now due are sent at once."""
        return str(self._admin("POST", "/__admin/clock", {"advance": duration})["now"])

    def set(self, moment: str) -> str:
        return str(self._admin("POST", "/__admin/clock", {"set": moment})["now"])

    def real(self) -> str:
        return str(self._admin("POST", "/__admin/clock", {"real": True})["now"])

    def now(self) -> str:
        return str(self._admin("GET", "/__admin/clock")["now"])


class MockServer:
    """One in-process mock server: what the `mock` fixture hands a test."""

    def __init__(self, settings: Settings) -> None:
        self.app: SpotcheckApp = create_app(settings.replace(host="127.0.0.1"))
        self._thread = ServerThread(self.app)
        self.url = f"http://127.0.0.1:{self._thread.port}"
        self._http = httpx.Client(base_url=self.url, timeout=30)
        if settings.admin_token:
            self._http.headers["X-Spotcheck-Admin-Token"] = settings.admin_token
        self.clock = Clock(self._admin)
        client = profile(self.app.runtime.schema.profile).family
        self.client_id, self.client_secret = client.fixture
        # the headers a call needs (none for OAuth: the client trades id and secret for a token)
        self.headers = client.headers(Credential(self.client_id, self.client_secret))

    @property
    def hmac_key(self) -> str:
        """The key deliveries are signed with (a reset keeps it)."""
        return self.app.runtime.workspace.hmac_key

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._http.close()
        self._thread.stop()

    def reset(self) -> None:
        """Fixtures back, journal, deliveries and fault rules gone, the clock real again."""
        self._admin("POST", "/__admin/reset")

    def requests(self, **criteria: Any) -> list[dict[str, Any]]:
        """Journal entries, oldest first, meeting `criteria` (method, path, operation, status,
        credential), as `/__admin/verify` reads them."""
        entries = list(reversed(self._admin("GET", "/__admin/requests")))
        wanted = {key: str(value) for key, value in criteria.items() if value is not None}
        return [entry for entry in entries if not differences(entry, wanted)]

    def count(self, **criteria: Any) -> int:
        return int(self._admin("GET", "/__admin/requests/count", params=criteria)["count"])

    def verify(self, *expectations: dict[str, Any], order: bool = False) -> dict[str, Any]:
        """Assert the expectations (`{"method": ..., "path": ..., "count": 1}`); a failure
        names each one missed and its near misses, with the stage that refused them."""
        answer = self._admin(
            "POST", "/__admin/verify", {"expect": list(expectations), "order": order}
        )
        if not answer["ok"]:
            raise AssertionError(describe_failure(answer))
        return dict(answer)

    def deliveries(self, **filters: str) -> list[dict[str, Any]]:
        """Webhook deliveries the mock queued (contract, subscription, status filters)."""
        return list(self._admin("GET", "/__admin/deliveries", params=filters))

    @contextmanager
    def fault(self, **rule: Any) -> Iterator[dict[str, Any]]:
        """A fault rule (`/__admin/faults` shape) for the `with` block; yields the rule as
        the server holds it."""
        added = self._admin("POST", "/__admin/faults", rule)
        try:
            yield added
        finally:
            self._http.delete(f"/__admin/faults/{added['id']}")

    def _admin(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        response = self._http.request(method, path, json=body, params=params)
        if response.status_code >= 400:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()


def describe_failure(answer: dict[str, Any]) -> str:
    """A verify answer that failed, as an assertion message."""
    lines = ["spotcheck verification failed:"]
    for result in answer["results"]:
        if result["ok"]:
            continue
        lines.append(f"  expected {result['expectation']}, got {result['count']}")
        for miss in result.get("near_misses", []):
            lines.append(
                f"    near miss {miss['id']}: {miss['method']} {miss['path']} -> "
                f"{miss['status']} (differs: {', '.join(miss['differs'])}; "
                f"refused by: {miss['refused_by'] or '-'})"
            )
    order = answer.get("order")
    if order and not order["ok"]:
        lines.append(
            f"  out of order: expectation {order['failed_at']} not met after {order['after']}"
        )
    return "\n".join(lines)


class WebhookReceiver:
    """A webhook endpoint on 127.0.0.1 that keeps the deliveries whose signature checks out."""

    def __init__(self, hmac_key: str) -> None:
        self.state = ListenerState(hmac_key)
        self._thread = ServerThread(listener_app(self.state, io.StringIO()))
        self.url = f"http://127.0.0.1:{self._thread.port}/hooks"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._thread.stop()

    @property
    def deliveries(self) -> list[dict[str, Any]]:
        """Deliveries accepted (signature valid, answered 2xx): delivery id, activity,
        payload, headers. An attempt the receiver was told to fail is not one."""
        return [
            event
            for event in self.state.events
            if event["signature"] == "valid" and 200 <= event["answered"] < 300
        ]

    @property
    def rejected(self) -> list[dict[str, Any]]:
        """Arrivals whose signature did not check out (answered 401)."""
        return [event for event in self.state.events if event["signature"] != "valid"]

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The verified deliveries once there are `count`, or an AssertionError."""
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(self.deliveries)} verified deliveries after {timeout} s, "
                    f"expected {count} ({len(self.rejected)} rejected)"
                )
            time.sleep(0.02)
        return self.deliveries


@pytest.fixture(scope="session")
def spotcheck_settings() -> Settings:
    """The mock's settings: SPOTCHECK_* variables over the defaults, deliveries kept on this
    machine, no rate limit unless asked for. Override it to serve your vendor's schema."""
    settings = Settings.build(environ=os.environ)
    rate = os.environ.get("SPOTCHECK_RATE_LIMIT")
    return settings.replace(
        port=0, webhook_delivery="loopback", rate_limit=settings.rate_limit if rate else 0
    )


@pytest.fixture(scope="session")
def spotcheck_mock(spotcheck_settings: Settings) -> Iterator[MockServer]:
    """One mock server for the session."""
    server = MockServer(spotcheck_settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mock(spotcheck_mock: MockServer) -> MockServer:
    """The session's mock, reset for this test."""
    spotcheck_mock.reset()
    return spotcheck_mock


@pytest.fixture
def webhook_receiver(spotcheck_mock: MockServer) -> Iterator[WebhookReceiver]:
    """A receiver for this test that checks the mock's signatures."""
    receiver = WebhookReceiver(spotcheck_mock.hmac_key)
    receiver.start()
    yield receiver
    receiver.stop()
