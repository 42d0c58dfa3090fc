"""Servers started in this process on a free loopback port (uvicorn in a thread): the mock,
and a webhook receiver for the webhook contract."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.app import create_app
from mockserver.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve_in_thread(app: Any, port: int | None = None) -> Iterator[str]:
    port = port or _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, name="spotcheck-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the in-process server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# What `spotcheck serve` reads to add a credential to the UAT workspace at start-up.
CREDENTIAL_VARIABLES = ("SPOTCHECK_CLIENT_ID", "SPOTCHECK_CLIENT_SECRET")


def with_environment_credential(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """`settings` plus the credential SPOTCHECK_CLIENT_ID / SPOTCHECK_CLIENT_SECRET name.

    The suite sends that credential when it is set, so the mock the suite starts must know it:
    read through `Settings.build`, as `spotcheck serve` reads it (same parsing, same error
    when only one of the two is set), and nothing else of the environment.
    """
    given = {name: environ[name] for name in CREDENTIAL_VARIABLES if name in environ}
    credential = Settings.build(environ=given)
    return settings.replace(client_id=credential.client_id, client_secret=credential.client_secret)


@contextmanager
def running_mock(settings: Settings) -> Iterator[str]:
    """Yield the base URL of a mock built by `create_app(settings)`."""
    port = _free_port()
    with serve_in_thread(create_app(settings.replace(host="127.0.0.1", port=port)), port) as url:
        yield url


@contextmanager
def webhook_receiver(port: int | None = None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yield (URL, events): each event keeps the raw body, its signature and activity."""
    events: list[dict[str, Any]] = []

    async def receive(request: Request) -> Response:
        raw = await request.body()
        try:
            activity = (await request.json()).get("activity")
        except ValueError:
            activity = None
        events.append(
            {
                "raw": raw,
                "signature": request.headers.get("x-sd-webhook-content-hash", ""),
                "activity": activity,
            }
        )
        return JSONResponse({"received": True})

    receiver = Starlette(routes=[Route("/hooks", receive, methods=["POST"])])
    with serve_in_thread(receiver, port) as base:
        yield f"{base}/hooks", events
