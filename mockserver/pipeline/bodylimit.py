"""Request bodies: a size limit (413), and chunked bodies handed on with their length.

The limit is decided before the body is read wherever `Content-Length` announces it, so a
200 MB upload costs nothing; a chunked body (no length) is read only up to the limit.

Connexion's body validators take a request without `Content-Length` for one without a body
("RequestBody is required"), so a valid chunked body would be refused. A chunked body within the
limit is therefore collected here and passed on as one message with its `Content-Length`, as if
the client had sent it that way.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.errors import ApiProblem
from mockserver.problems import send_problem

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lengths = [value for name, value in scope["headers"] if name.lower() == b"content-length"]
        if lengths:
            if not lengths[0].strip().isdigit() or len(set(lengths)) > 1:
                # The server in front normally refuses these first; an in-process client may not.
                await send_problem(scope, send, ApiProblem(400, "Content-Length is not valid."))
            elif int(lengths[0]) > self.max_bytes:
                await send_problem(scope, send, self._too_large())
            else:
                await self.app(scope, receive, send)
            return
        chunked = any(
            name.lower() == b"transfer-encoding" and b"chunked" in value.lower()
            for name, value in scope["headers"]
        )
        if not chunked:
            await self.app(scope, receive, send)
            return
        body = await self._read_up_to_limit(receive)
        if body is None:
            await send_problem(scope, send, self._too_large())
            return
        await self.app(_with_length(scope, len(body)), _replay(body, receive), send)

    async def _read_up_to_limit(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit (the rest is not read)."""
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return b"".join(parts)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    def _too_large(self) -> ApiProblem:
        return ApiProblem(
            413, f"The request body is larger than this server accepts ({self.max_bytes} bytes)."
        )


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [
        (name, value)
        for name, value in scope["headers"]
        if name.lower() not in (b"transfer-encoding", b"content-length")
    ]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later reads wait for the disconnect, as usual

    return replay
