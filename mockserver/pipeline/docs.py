"""Swagger UI and `/openapi.json`, built on first use and kept off the API's hot path.

Inside the API stack, Connexion's SwaggerUIMiddleware costs a router layer on every request
(about a fifth of the mock's per-request time); the edge sends only /ui and /openapi.json here.

`/openapi.json` is our document as loaded, `$ref`s kept: Connexion serves its dereferenced
copy, which cannot be written as JSON once a schema refers to itself (a tree of nodes).
"""

from __future__ import annotations

import json
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


def _stub(document: dict[str, Any]) -> dict[str, Any]:
    info = document.get("info") or {}
    return {
        "openapi": "3.0.3",
        "info": {"title": str(info.get("title", "API")), "version": str(info.get("version", ""))},
        "paths": {},
    }


class LazyDocs:
    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        self._app: ASGIApp | None = None
        self._json: dict[str, bytes] = {}  # base path -> the document served under it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/openapi.json":
            await self._send_document(scope, send)
            return
        if self._app is None:
            docs = ConnexionMiddleware(
                _not_found,
                middlewares=[ServerErrorMiddleware, ExceptionMiddleware, SwaggerUIMiddleware],
            )
            # The UI page only points at /openapi.json (served above): a stub keeps Connexion
            # from dereferencing the whole document first (7 s on a 300-operation schema).
            docs.add_api(_stub(self._document), base_path="")
            self._app = docs
        await self._app(scope, receive, send)

    async def _send_document(self, scope: Scope, send: Send) -> None:
        # The servers block names where this copy is served, as Connexion's own did.
        base_path = str(scope.get("root_path", "")).rstrip("/")
        if base_path not in self._json:
            served = {**self._document, "servers": [{"url": base_path}]}
            self._json[base_path] = json.dumps(served).encode()
        body = self._json[base_path]
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
