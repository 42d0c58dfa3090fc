"""The innermost ASGI app: run the behaviour registered for the operation, or the generic one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mockserver.context import RequestContext, request_context
from mockserver.errors import ApiProblem
from mockserver.problems import send_problem
from mockserver.responses import ResponseCatalog

Handler = Callable[[Request, RequestContext], Awaitable[Response]]


class Dispatcher:
    def __init__(
        self, catalog: ResponseCatalog, behaviours: dict[str, Handler] | None = None
    ) -> None:
        self.catalog = catalog
        self.behaviours = behaviours or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        context = request_context(scope)
        operation = context.operation
        if operation is None:
            await send_problem(send, ApiProblem(404, "Not found."))
            return
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        if not routing.get("operation_id"):
            # Our edge matched but Connexion's router did not (odd characters in the path), so
            # nothing validated this request: refuse it rather than answer unchecked.
            await send_problem(
                send, ApiProblem(404, "Not found: the path has characters no route accepts.")
            )
            return
        request = Request(scope, receive)
        handler = self.behaviours.get(operation.key)
        if handler is not None:
            response = await handler(request, context)
        else:
            response = self.canned(context)
        await response(scope, receive, send)

    def canned(self, context: RequestContext) -> Response:
        assert context.operation is not None
        canned = self.catalog.success(context.operation)
        return Response(canned.encoded(), status_code=canned.status, media_type=canned.media_type)
