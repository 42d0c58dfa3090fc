"""Connexion's routing without its redirects, and the innermost ASGI app: the behaviour
registered for the operation, or the generic one."""

from __future__ import annotations

from typing import Any

from connexion.middleware.routing import RoutingMiddleware
from starlette.requests import Request
from starlette.routing import Mount, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.behaviours import Handler
from mockserver.context import request_context
from mockserver.errors import ApiProblem
from mockserver.problems import send_problem


class NoRedirectRouting(RoutingMiddleware):
    """Connexion's RoutingMiddleware with Starlette's slash redirect switched off.

    The vendor's 302 is the edge's, for documented paths only. Starlette's own 307 fired on
    paths the edge had let through but its regexes do not take (`.` stops at a newline, `$`
    matches before one), and told the client to re-send a POST to a URL nothing serves; such
    a request now reaches the Dispatcher unrouted and gets a 404.
    """

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.router.redirect_slashes = False

    def add_api(self, *args: Any, **kwargs: Any) -> None:
        super().add_api(*args, **kwargs)
        for route in self.router.routes:
            if isinstance(route, Mount) and isinstance(route.app, Router):
                route.app.redirect_slashes = False


class Dispatcher:
    def __init__(self, behaviours: dict[str, Handler], fallback: Handler) -> None:
        self.behaviours = behaviours
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        context = request_context(scope)
        operation = context.operation
        if operation is None:
            await send_problem(scope, send, ApiProblem(404, "Not found."))
            return
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        if not routing.get("operation_id"):
            # Our edge matched but Connexion's router did not (odd characters in the path), so
            # nothing validated this request: refuse it rather than answer unchecked.
            await send_problem(
                scope, send, ApiProblem(404, "Not found: the path has characters no route accepts.")
            )
            return
        handler = self.behaviours.get(operation.key, self.fallback)
        response = await handler(Request(scope, receive), context)
        await response(scope, receive, send)
