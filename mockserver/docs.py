"""Swagger UI and `/openapi.json`, built on first use and kept off the API's hot path.

Inside the API stack, Connexion's SwaggerUIMiddleware costs a router layer on every request
(about a fifth of the mock's per-request time); the edge sends only /ui and /openapi.json here.
"""

from __future__ import annotations

from typing import Any

from connexion import ConnexionMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.errors import ApiProblem
from mockserver.problems import send_problem


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await send_problem(scope, send, ApiProblem(404, "Not found."))


class LazyDocs:
    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        self._app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            docs = ConnexionMiddleware(
                _not_found,
                middlewares=[ServerErrorMiddleware, ExceptionMiddleware, SwaggerUIMiddleware],
            )
            docs.add_api(self._document, base_path="")
            self._app = docs
        await self._app(scope, receive, send)
