"""Faults on demand: the rules of `/__admin/faults` applied to API requests.

Sits right after the edge, so a rule can name the matched operation or its path template, and
before the rate limit: a faulted request is the network or the vendor failing, not the client
spending its budget. The credential a rule names is the one the request claims (its client id
header, HTTP Basic user, or a bearer token's `cid`): authentication has not run yet.

Connection faults need the socket: `TransportCapture`, outermost, keeps uvicorn's transport on
the request context (read from its `send`, which is a method of the connection's cycle). A
server without one (an in-memory test client) sees the fault as an exception instead.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import socket
import struct
from typing import Any

import jwt
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.context import RequestContext, header_map, request_context
from mockserver.errors import ApiProblem
from mockserver.faultrules import FaultRule, FaultSet
from mockserver.problems import send_problem

REFUSED_BY = "fault"


class InjectedConnectionFault(ConnectionError):
    """A connection fault where the server gives no socket to break (in-memory clients)."""


class TransportCapture:
    """Outermost: keeps the server's transport on the request context for connection faults."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            cycle = getattr(send, "__self__", None)  # uvicorn: RequestResponseCycle.send
            request_context(scope).transport = getattr(cycle, "transport", None)
        await self.app(scope, receive, send)


def claimed_credential(headers: dict[str, str], id_header: str) -> str:
    """The credential id a request claims, unverified: what a fault rule's `credential` names."""
    if id_header and headers.get(id_header):
        return headers[id_header]
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    if scheme.lower() == "bearer":
        try:
            claims = jwt.decode(value.strip(), options={"verify_signature": False})
        except jwt.InvalidTokenError:
            return ""
        return str(claims.get("cid", "")) if isinstance(claims, dict) else ""
    return ""


class FaultMiddleware:
    def __init__(self, app: ASGIApp, faults: FaultSet, id_header: str = "") -> None:
        self.app = app
        self.faults = faults
        self.id_header = id_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.faults.any("request"):
            await self.app(scope, receive, send)
            return
        context = request_context(scope)
        operation = context.operation
        facts = {
            "method": scope["method"],
            "path": scope["path"],
            "operation": operation.key if operation else "",
            "credential": claimed_credential(header_map(scope), self.id_header),
        }
        hit = self.faults.for_request(
            facts, operation.path if operation else "", operation.operation_id if operation else ""
        )
        if hit is None:
            await self.app(scope, receive, send)
            return
        context.fault = hit.ids
        if hit.delay:
            await asyncio.sleep(hit.delay)
        rule = hit.action
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.action == "status":
            context.refused_by = REFUSED_BY
            await send_problem(scope, send, _problem(rule))
        elif rule.action in ("reset", "empty"):
            context.refused_by = REFUSED_BY
            await _break_connection(context, reset=rule.action == "reset")
        else:
            await self.app(scope, receive, _corrupting(rule.action, context, send))


def _problem(rule: FaultRule) -> ApiProblem:
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
    detail = (
        "Request was throttled (injected fault)."
        if rule.status == 429
        else f"The server failed (injected fault {rule.id})."
    )
    return ApiProblem(rule.status, detail, headers=headers, stage=REFUSED_BY)


async def _break_connection(context: RequestContext, reset: bool) -> None:
    transport = context.transport
    if transport is None:
        raise InjectedConnectionFault("connection reset" if reset else "empty response")
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:  # linger 0: close() sends RST, not FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()
    # Let the server see the connection lost before we return, so it writes no 500 of its own.
    for _ in range(10):
        await asyncio.sleep(0.001)


def _corrupting(kind: str, context: RequestContext, send: Send) -> Send:
    """A `send` that holds the whole answer, then writes it cut short or unreadable."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def corrupt(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if kind == "malformed":
            # a complete HTTP answer whose body no JSON parser reads
            broken = body[: len(body) // 2] + b"\x00<" if body else b"{\x00<"
            length = str(len(broken)).encode()
            await send({**start, "headers": [*headers, (b"content-length", length)]})
            await send({"type": "http.response.body", "body": broken})
            return
        # truncate: announce the whole length, send half, close the connection
        length = str(max(len(body), 2)).encode()
        await send({**start, "headers": [*headers, (b"content-length", length)]})
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        await _break_connection(context, reset=False)

    return corrupt
