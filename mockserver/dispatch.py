"""The innermost ASGI app: run the behaviour registered for the operation, or the generic one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from mockserver.behaviours import Handler
from mockserver.context import request_context
from mockserver.errors import ApiProblem
from mockserver.problems import send_problem


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
