"""The edge of the API: vendor-style 302/404/405 before Connexion's router sees a request.

Connexion redirects a trailing-slash mismatch with 307; the vendor answers 302 with the right
`Location`. Admin traffic is handed to the admin app and never touches the API pipeline.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.context import request_context
from mockserver.errors import ApiProblem
from mockserver.problems import send_problem
from mockserver.spec.index import OperationIndex

ADMIN_PREFIX = "/__admin"
_DOCS = ("/openapi.json", "/ui")


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, index: OperationIndex, admin: ASGIApp, docs: ASGIApp) -> None:
        self.app = app
        self.index = index
        self.admin = admin
        self.docs = docs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            await self.admin(scope, receive, send)
            return
        if path.startswith(_DOCS):
            await self.docs(scope, receive, send)
            return
        method: str = scope["method"]
        match = self.index.match(method, path)
        if match is None:
            await self._not_routed(scope, send, method, path)
            return
        if match.operation is None:
            allow = ", ".join(match.allowed)
            await send_problem(
                scope,
                send,
                ApiProblem(405, f'Method "{method}" not allowed.', headers={"Allow": allow}),
            )
            return
        wrong_value = match.operation.path_parameter_error(match.params)
        if wrong_value:
            # Like the vendor's URL converters: a value of the wrong shape matches no route.
            await send_problem(scope, send, ApiProblem(404, f"Not found: {wrong_value}."))
            return
        context = request_context(scope)
        context.operation = match.operation
        context.path_params = match.params
        await self.app(scope, receive, send)

    async def _not_routed(self, scope: Scope, send: Send, method: str, path: str) -> None:
        other = path[:-1] if path.endswith("/") else path + "/"
        if other != "" and self.index.match(method, other) is not None:
            query = scope.get("query_string", b"").decode("latin-1")
            location = other + (f"?{query}" if query else "")
            await send(
                {
                    "type": "http.response.start",
                    "status": 302,
                    "headers": [
                        (b"location", location.encode("latin-1")),
                        (b"content-length", b"0"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send_problem(scope, send, ApiProblem(404, "Not found."))
