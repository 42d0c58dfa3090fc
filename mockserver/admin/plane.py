"""The control plane's outer layer: `GET /metrics`, and what each API request did, observed.

`ControlPlane.wrap(pipeline)` sits outside the whole request pipeline. For every request
but the control plane's own (`/__admin`, `/metrics`) it keeps the exchange for the console
(`exchanges.ExchangeLog`) and counts it in the metrics (`metrics.RequestMetrics`) once the
answer has left; the journal is left as it is. `/metrics` is answered here, before the
journal, so scrapes are neither journalled nor counted - unless the served schema has a
`/metrics` operation of its own, which then wins.

Connection faults need the server's transport, which the pipeline finds on the `send` it is
handed (`pipeline.faults.TransportCapture`); the watching `send` here passes it on.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.admin.console import console_routes
from mockserver.admin.exchanges import Exchange, ExchangeLog
from mockserver.admin.guard import AdminGuard, guarded
from mockserver.admin.metrics import Metrics
from mockserver.context import request_context
from mockserver.profiles import header_kinds
from mockserver.profiles.base import AdminRoute, ConsoleSection
from mockserver.runtime import Runtime

METRICS_PATH = "/metrics"
_ADMIN = "/__admin"


def secret_headers(runtime: Runtime) -> set[str]:
    """Headers (and query keys) that carry a secret: what a family reads a secret from, and
    every API key the served schema declares but the header a family reads a client id from."""
    kinds = header_kinds()
    names = {name for name, kind in kinds.items() if kind == "client_secret"}
    for scheme in runtime.schema.security_schemes.values():
        name = str(scheme.get("name", "")).lower() if isinstance(scheme, dict) else ""
        if scheme.get("type") == "apiKey" and name and kinds.get(name) != "client_id":
            names.add(name)
    return names


class ControlPlane:
    """One app's metrics, exchange log and console; see the module docstring."""

    def __init__(self, runtime: Runtime, sections: tuple[ConsoleSection, ...] = ()) -> None:
        self.runtime = runtime
        self.guard = AdminGuard(runtime.settings, lambda: runtime.workspace.jwt_secret)
        self.metrics = Metrics(runtime.store)
        self.exchanges = ExchangeLog(runtime.settings.journal_size, secret_headers(runtime))
        self.sections = sections
        serves_own = runtime.schema.index.match("GET", METRICS_PATH) is not None
        self._metrics_app: ASGIApp | None = None if serves_own else self._metrics_router()

    def admin_routes(self) -> tuple[AdminRoute, ...]:
        """The console's routes, for the admin app."""
        return console_routes(self.runtime, self.guard, self.exchanges, self.sections)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        return _Observed(app, self)

    def _metrics_router(self) -> ASGIApp:
        async def scrape(request: Request) -> Response:
            body, content_type = self.metrics.exposition(request.headers.get("accept", ""))
            return Response(body, headers={"Content-Type": content_type})

        return Router([Route(METRICS_PATH, guarded(self.guard, scrape), methods=["GET"])])

    def observe(self, context: Any, exchange: Exchange, seconds: float) -> None:
        if context.request_id:
            self.exchanges.keep(context.request_id, exchange)
        operation = context.operation.key if context.operation is not None else None
        refused_by = getattr(context, "refused_by", "") or ""
        error_body = bytes(exchange.response_body) if refused_by == "auth" else b""
        self.metrics.requests.observe(operation, exchange.status, seconds, refused_by, error_body)


class _Observed:
    def __init__(self, app: ASGIApp, plane: ControlPlane) -> None:
        self.app = app
        self.plane = plane

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == METRICS_PATH and self.plane._metrics_app is not None:
            await self.plane._metrics_app(scope, receive, send)
            return
        if path == _ADMIN or path.startswith(_ADMIN + "/"):
            await self.app(scope, receive, send)
            return
        watch = _Watch(scope, receive, send)
        started = time.perf_counter()
        try:
            await self.app(scope, watch.receive, watch.send)
        finally:
            self.plane.observe(
                request_context(scope), watch.exchange, time.perf_counter() - started
            )


class _Watch:
    """A request's `receive` and `send`, copying what passes into an `Exchange`."""

    __slots__ = ("_receive", "_send", "exchange", "transport")

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._receive = receive
        self._send = send
        # uvicorn's transport, for the fault stage's connection resets (module docstring)
        self.transport = getattr(getattr(send, "__self__", None), "transport", None)
        server = scope.get("server") or ("127.0.0.1", 80)
        # raw as ASGI holds them: decoded only if the console asks (exchanges.py)
        self.exchange = Exchange(
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b""),
            scheme=scope.get("scheme", "http"),
            server=f"{server[0]}:{server[1]}",
            request_headers=list(scope["headers"]),
        )

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.exchange.add_request_body(message.get("body", b""))
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.exchange.status = message["status"]
            self.exchange.response_headers = message.get("headers", [])
        elif message["type"] == "http.response.body":
            self.exchange.add_response_body(message.get("body", b""))
        await self._send(message)
