"""`spotcheck proxy`: the integrator's app talks to the real UAT through spotcheck, which
checks every exchange against the vendor's schema, prints a line for it and records it.

    app --> proxy (validate request, rails, pace) --> upstream --> proxy (validate answer,
            print, record masked HAR) --> app (the answer unchanged)

Requests are forwarded unchanged (credentials included: the app gets its token from the
vendor's token endpoint through the proxy); only the recording and the printed lines are
masked. Upstream unreachable: 502; no answer within `timeout`: 504; a write without
`allow_writes`: 403 - each in the profile's error body, so the app sees a vendor-like error.
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlencode

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.errorbodies import ErrorStyle
from mockserver.errors import ApiProblem
from mockserver.golive.checks import ExchangeChecker, SchemaSource, Verdict
from mockserver.golive.har import HarRecorder, Message, body_text, entry
from mockserver.golive.rails import Pacer, UnsafeTarget, is_production, is_write
from mockserver.golive.scrub import Scrubber
from mockserver.hopheaders import HOP_BY_HOP
from mockserver.problems import render_problem
from mockserver.profiles import auth_profile, token_path
from mockserver.retryafter import retry_after_seconds as retry_after
from mockserver.spec import LoadedSchema

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Not forwarded either way: one hop's connection, and we ask for plain bodies.
_HOP = HOP_BY_HOP | {"accept-encoding", "content-encoding"}
_RETRIES_ON_429 = 2


@dataclass(frozen=True)
class ProxyOptions:
    target: str
    schema: SchemaSource = field(default_factory=SchemaSource)
    record: Path | None = None
    allow_writes: bool = False
    allow_production: bool = False
    env: str = "uat"
    rate_limit: float = 10.0  # requests/s upstream (the vendor's limit); 0 = unpaced
    timeout: float = 30.0  # seconds to wait for upstream's answer, then 504
    max_body_bytes: int = 10 * 1024 * 1024  # a larger request body is refused with 413
    max_retry_wait: float = 30.0  # a longer Retry-After is passed on, not waited for
    transport: httpx.AsyncBaseTransport | None = field(default=None, compare=False)


@dataclass
class _Exchange:
    started: float
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    notes: dict[str, Any] = field(default_factory=dict)


def proxy_app(options: ProxyOptions, out: TextIO = sys.stdout) -> Starlette:
    """The proxy as an ASGI app (refuses a production target without `allow_production`)."""
    schema = options.schema.load()
    servers = [str(s.get("url", "")) for s in schema.document.get("servers") or []]
    if is_production(options.target, servers, options.env) and not options.allow_production:
        raise UnsafeTarget(
            f"{options.target} is a production target: refused without --allow-production"
        )
    forwarder = _Forwarder(options, schema, out)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        timeout = httpx.Timeout(options.timeout, connect=min(options.timeout, 10.0))
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, transport=options.transport
        ) as client:
            forwarder.client = client
            yield

    return Starlette(
        routes=[Route("/{path:path}", forwarder.handle, methods=_METHODS)], lifespan=lifespan
    )


class _Forwarder:
    def __init__(self, options: ProxyOptions, schema: LoadedSchema, out: TextIO) -> None:
        self.options = options
        self.checker = ExchangeChecker(schema)
        self.style: ErrorStyle = auth_profile(schema.profile).error_style
        self.token_path = token_path(schema.document)
        self.pacer = Pacer(options.rate_limit)
        self.scrubber = Scrubber()
        self.recorder = HarRecorder(options.record, "proxy") if options.record else None
        self.out = out
        self.client: httpx.AsyncClient | None = None
        self._ids = count(1)

    async def handle(self, request: Request) -> Response:
        exchange = _Exchange(time.time())
        path, method = request.url.path, request.method
        query = parse_qsl(request.url.query, keep_blank_values=True)
        body = await self._body(request)
        sent = _message(list(request.headers.items()), body or b"")
        if body is None:
            limit = self.options.max_body_bytes
            self._problem(exchange, 413, f"request body over {limit} bytes: not forwarded")
            exchange.notes["refused"] = True
        elif is_write(method, path, self.token_path) and not self.options.allow_writes:
            self._problem(
                exchange, 403, "spotcheck proxy is read-only: start it with --allow-writes"
            )
            exchange.notes["refused"] = True
        else:
            await self._forward(request, body, exchange)
        answer = _message(exchange.headers, exchange.body)
        verdict = (
            self.checker.check(method, path, query, sent, exchange.status, answer)
            if "refused" not in exchange.notes and "upstream_error" not in exchange.notes
            else Verdict(getattr(self.checker.operation(method, path), "key", "?"))
        )
        self._report(request, query, sent, exchange, verdict)
        headers = [(k, v) for k, v in exchange.headers if k.lower() not in _HOP]
        response = Response(exchange.body, status_code=exchange.status)
        response.raw_headers = [
            *((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers),
            (b"content-length", str(len(exchange.body)).encode()),
        ]
        return response

    async def _body(self, request: Request) -> bytes | None:
        """The request body, or None past the limit (read no further than it)."""
        limit = self.options.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _forward(self, request: Request, body: bytes, exchange: _Exchange) -> None:
        assert self.client is not None
        url = self.options.target.rstrip("/") + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP]
        for attempt in range(_RETRIES_ON_429 + 1):
            await self.pacer.wait()
            try:
                answer = await self.client.request(
                    request.method, url, headers=headers, content=body
                )
            except httpx.TimeoutException:
                limit = self.options.timeout
                self._problem(exchange, 504, f"upstream did not answer within {limit:g} s")
                exchange.notes["upstream_error"] = "timeout"
                return
            except httpx.HTTPError as failure:
                detail = f"upstream unreachable ({type(failure).__name__})"
                self._problem(exchange, 502, detail)
                exchange.notes["upstream_error"] = type(failure).__name__
                return
            wait = retry_after(answer.headers.get("retry-after"))
            if answer.status_code == 429 and wait is not None:
                self.pacer.hold(wait)  # every request waits, not only this one
                if wait <= self.options.max_retry_wait and attempt < _RETRIES_ON_429:
                    exchange.notes["retried_after_429"] = attempt + 1
                    continue
            exchange.status = answer.status_code
            exchange.headers = list(answer.headers.multi_items())
            exchange.body = answer.content
            return

    def _problem(self, exchange: _Exchange, status: int, detail: str) -> None:
        request_id = f"proxy-{next(self._ids)}"
        rendered = render_problem(ApiProblem(status, detail), self.style, request_id)
        exchange.status, exchange.body = status, rendered.body
        exchange.headers = [("content-type", "application/json"), *rendered.headers.items()]
        exchange.notes["proxy_answer"] = detail

    def _report(
        self,
        request: Request,
        query: list[tuple[str, str]],
        sent: Message,
        exchange: _Exchange,
        verdict: Verdict,
    ) -> None:
        elapsed = (time.time() - exchange.started) * 1000
        scrub = self.scrubber
        # The request first: a secret it sent is then also blanked wherever the answer echoes it.
        kept_request = Message(scrub.headers(sent.headers), *_kept_body(scrub, sent))
        kept_query = scrub.query(query)
        answer = _message(exchange.headers, exchange.body)
        kept_answer = Message(scrub.headers(answer.headers), *_kept_body(scrub, answer))
        notes = {"path": request.url.path, **exchange.notes, **verdict.as_dict()}
        summary = _summary(verdict, exchange.notes)
        # "METHOD /template" names the operation; an undocumented call shows its own path.
        known = verdict.operation != "?"
        label = verdict.operation if known else f"{request.method} {request.url.path}"
        line = f"{label}  {exchange.status}  {elapsed:.0f} ms  {summary}"
        print(scrub.text(line), file=self.out, flush=True)
        if self.recorder is None:
            return
        url = self.options.target.rstrip("/") + request.url.path
        if kept_query:
            url += "?" + urlencode(kept_query)
        notes["violations"] = [
            {**v, "message": scrub.text(v["message"])} for v in notes["violations"]
        ]
        self.recorder.add(
            entry(
                request.method,
                scrub.text(url),
                kept_query,
                kept_request,
                exchange.status,
                kept_answer,
                exchange.started,
                elapsed,
                notes,
            )
        )


def _message(headers: list[tuple[str, str]], body: bytes) -> Message:
    text, is_base64 = body_text(body)
    return Message(headers, text, _media(headers), is_base64)


def _kept_body(scrub: Scrubber, message: Message) -> tuple[str, str, bool]:
    if message.base64:  # binary (a PDF): nothing readable to mask
        return message.body, message.media_type, True
    return scrub.body(message.body, message.media_type), message.media_type, False


def _media(headers: list[tuple[str, str]]) -> str:
    return next((v for k, v in headers if k.lower() == "content-type"), "")


def _summary(verdict: Verdict, notes: dict[str, Any]) -> str:
    if "proxy_answer" in notes:
        return f"spotcheck answered: {notes['proxy_answer']}"
    parts = []
    if verdict.violations:
        count_ = len(verdict.violations)
        parts.append(
            f"{count_} violation{'s' * (count_ != 1)}: "
            + "; ".join(v.line() for v in verdict.violations[:3])
        )
    parts += [f"schema silent: {note}" for note in verdict.silent]
    return " | ".join(parts) or "ok"
