"""The edge of the API: vendor-style 302/404/405 before Connexion's router sees a request.

Connexion redirects a trailing-slash mismatch with 307; the vendor answers 302 with the right
`Location`. Admin traffic is handed to the admin app and never touches the API pipeline.

A 3xx is only ever the vendor's slash rule on a documented path whose values fit: a path that
carries a control character or an encoded slash, or a value the schema refuses, is a 404 in the
profile's body. Redirecting those would send a following client (a POST re-sent as a GET, say)
to a URL no route serves.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.behaviours.documented_errors import DocumentedErrors
from mockserver.context import request_context
from mockserver.errors import ApiProblem
from mockserver.problems import render_for, send_problem
from mockserver.spec.index import Match, OperationIndex

ADMIN_PREFIX = "/__admin"
_DOCS = ("/openapi.json", "/ui")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ENCODED_SLASH = re.compile(rb"%2f", re.IGNORECASE)


def path_refusal(scope: Scope) -> str | None:
    """Why no route can take this path whatever the schema says (None if one may).

    Checked on the raw bytes too: `scope["path"]` is already decoded, so an encoded slash
    there looks like a segment boundary and would route to a different operation.
    """
    path: str = scope["path"]
    if _CONTROL.search(path):
        return "the path has a control character"
    raw = scope.get("raw_path")
    if isinstance(raw, bytes) and _ENCODED_SLASH.search(raw):
        return "the path has an encoded slash"
    return None


class EdgeMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        index: OperationIndex,
        admin: ASGIApp,
        docs: ASGIApp,
        documented: DocumentedErrors | None = None,
    ) -> None:
        self.app = app
        self.index = index
        self.admin = admin
        self.docs = docs
        self.documented = documented  # 404s of an operation's path in the body it documents

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
        refused = path_refusal(scope)
        if refused:
            # Before any routing: Starlette's routers would answer such a path with a 307.
            match = self.index.match(scope["method"], path)
            await self._refuse(scope, send, ApiProblem(404, f"Not found: {refused}."), match)
            return
        method: str = scope["method"]
        match = self.index.match(method, path)
        if match is None:
            await self._not_routed(scope, send, method, path)
            return
        wrong_value = self._wrong_value(match)
        if wrong_value:
            # Like the vendor's URL converters: a value of the wrong shape matches no route,
            # whatever the method.
            await self._refuse(scope, send, ApiProblem(404, f"Not found: {wrong_value}."), match)
            return
        if match.operation is None:
            allow = ", ".join(match.allowed)
            await send_problem(
                scope,
                send,
                ApiProblem(405, f'Method "{method}" not allowed.', headers={"Allow": allow}),
            )
            return
        context = request_context(scope)
        context.operation = match.operation
        context.path_params = match.params
        await self.app(scope, receive, send)

    async def _refuse(
        self, scope: Scope, send: Send, problem: ApiProblem, match: Match | None
    ) -> None:
        """A 404 for a path an operation's template takes, in the body that operation
        documents for it where the profile's does not fit (Lago's `{status, error, code}`)."""
        rendered = render_for(scope, problem)
        if self.documented is not None:
            operation = match.operation if match is not None else None
            rendered = self.documented.answer(operation, problem, rendered)
        await rendered.send(send)

    async def _not_routed(self, scope: Scope, send: Send, method: str, path: str) -> None:
        other = path[:-1] if path.endswith("/") else path + "/"
        found = self.index.match(method, other) if other else None
        if found is not None and self._wrong_value(found) is None:
            query = scope.get("query_string", b"")
            location = _toggle_slash(scope.get("raw_path") or path.encode("utf-8"))
            if query:
                location += b"?" + query
            await send(
                {
                    "type": "http.response.start",
                    "status": 302,
                    "headers": [(b"location", location), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send_problem(scope, send, ApiProblem(404, "Not found."))

    def _wrong_value(self, match: Match) -> str | None:
        """Why a path value does not fit the matched path (checked by any of its operations:
        the method may be one the path does not allow)."""
        operation = match.operation or self.index.find(match.allowed[0], match.template)
        return operation.path_parameter_error(match.params) if operation else None


def _toggle_slash(raw_path: bytes) -> bytes:
    # The client's own bytes, slash toggled: the Location names the documented form and keeps
    # any percent-encoding exactly as sent (the decoded path may not even be latin-1).
    return raw_path[:-1] if raw_path.endswith(b"/") else raw_path + b"/"
