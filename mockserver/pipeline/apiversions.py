"""Pin each request to a date-named API version and answer in that version's shape.

The versions and their changes are declared in the schema (see `mockserver.spec.versions`).
"""

from __future__ import annotations

import functools

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import jsoncodec
from mockserver.context import header_map, request_context
from mockserver.spec.versions import Rename, VersionPlan, renamed


class ApiVersionMiddleware:
    """Pins each request to a version; rewrites JSON bodies for versions before a change.

    Sits after security (credentials are checked first) and before request validation, which
    then sees the request in the latest shape.
    """

    def __init__(
        self, app: ASGIApp, plan: VersionPlan, self_judged: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.plan = plan
        self._header = plan.header.lower()
        # operations that answer each version in their own shape (a GraphQL endpoint)
        self._self_judged = self_judged

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = request_context(scope)
        if scope["type"] != "http" or context.operation is None:
            await self.app(scope, receive, send)
            return
        pinned = self.plan.pinned(header_map(scope).get(self._header))
        context.api_version = pinned
        operation = context.operation
        own_shape = operation.key in self._self_judged
        renames = () if own_shape else self.plan.renames_for(pinned, operation.path)

        if not renames:
            await self.app(scope, receive, send)
            return
        await self.app(
            scope, await _rewritten_request(receive, renames), _rewriting_response(send, renames)
        )


class VersionHeaderMiddleware:
    """Outermost: every answer, errors included, says which version served it (once pinned)."""

    def __init__(self, app: ASGIApp, header: str) -> None:
        self.app = app
        self._header = header.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = request_context(scope)

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start" and context.api_version:
                message["headers"] = [
                    *message.get("headers", []),
                    (self._header, context.api_version.encode()),
                ]
            await send(message)

        await self.app(scope, receive, send_with_version)


async def _rewritten_request(receive: Receive, renames: tuple[Rename, ...]) -> Receive:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    body = _rewrite_json(b"".join(chunks), renames, to_latest=True)
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _rewriting_response(send: Send, renames: tuple[Rename, ...]) -> Send:
    start: Message | None = None
    chunks: list[bytes] = []

    async def rewrite(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        headers = dict(start.get("headers", []))
        body = b"".join(chunks)
        if b"json" in headers.get(b"content-type", b""):
            body = _rewrite_json(body, renames, to_latest=False)
        start["headers"] = [
            (name, str(len(body)).encode() if name == b"content-length" else value)
            for name, value in start.get("headers", [])
        ]
        await send(start)
        await send({"type": "http.response.body", "body": body})

    return rewrite


def _rewrite_json(body: bytes, renames: tuple[Rename, ...], to_latest: bool) -> bytes:
    if not body.strip():
        return body  # no body (a GET): nothing to rename, no parse to fail
    if len(body) <= _KEPT_BODY:  # the same list read again is the same bytes again
        return _rewritten_small(body, renames, to_latest)
    return _rewritten(body, renames, to_latest)


_KEPT_BODY = 16_384  # bytes: bodies up to this size are rewritten once (bounded memory)


@functools.lru_cache(maxsize=256)
def _rewritten_small(body: bytes, renames: tuple[Rename, ...], to_latest: bool) -> bytes:
    return _rewritten(body, renames, to_latest)


def _rewritten(body: bytes, renames: tuple[Rename, ...], to_latest: bool) -> bytes:
    try:
        document = jsoncodec.loads(body)
    except ValueError:
        return body  # not JSON: validation will say so, in the client's own words
    return jsoncodec.dumps_bytes(renamed(document, renames, to_latest))
