"""uvicorn's HTTP protocol (httptools) with the two guards it lacks (issue 17):

- a header-read deadline: a client that does not finish a request's headers within
  `header_timeout` seconds of connecting (or of its previous answer) is disconnected. uvicorn
  arms its keep-alive timeout only after a response and cancels it on any byte received, so a
  socket trickling a byte at a time is otherwise held open forever;
- bytes the HTTP parser refuses (NUL or DEL in the request line, a space in a header name, raw
  non-ASCII in the path) are answered 400 in the profile's error body, as every other refusal,
  not uvicorn's plain text. No ASGI app runs for them, so the body is rendered once, at start.

uvicorn builds the protocol from an import string (`PROTOCOL`), in each worker process too,
so each process sets what the class answers with `configure(...)` before it serves.
"""

from __future__ import annotations

import asyncio
import json

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from mockserver.errorbodies import DETAIL_STYLE, ErrorStyle
from mockserver.errors import ApiProblem

PROTOCOL = "mockserver.httpguard:GuardedHttpTools"
BAD_REQUEST = "The request line or a header holds bytes HTTP does not allow."


def refusal_bytes(style: ErrorStyle) -> bytes:
    """The whole 400 answer, in the profile's error body."""
    body = json.dumps(style.render(ApiProblem(400, BAD_REQUEST, "invalid_request"), "")).encode()
    head = b"content-type: application/json\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
    return STATUS_LINE[400] + head % len(body) + body


class GuardedHttpTools(HttpToolsProtocol):
    refusal = refusal_bytes(DETAIL_STYLE)  # replaced by `configure` with the profile's
    header_timeout = 10.0
    # One timer per connection, moved lazily: arming and disarming on every request only
    # write the deadline (a new timer and a cancelled one per answer cost ~2 % of a read).
    _header_timer: asyncio.TimerHandle | None = None
    _header_deadline: float | None = None  # None: not waiting for a request's headers

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._header_deadline = None
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        self._header_deadline = None
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        # A pipelined request, its headers already in, starts in super(): no deadline while it
        # runs (it would cut a slow answer), the next one after its own answer.
        pipelined = bool(self.pipeline)
        super().on_response_complete()
        if not self.transport.is_closing() and not pipelined:
            self._arm()  # the next request's headers have the same deadline

    def send_400_response(self, msg: str) -> None:
        self.transport.write(self.refusal)
        self.transport.close()

    def _arm(self) -> None:
        self._header_deadline = self.loop.time() + self.header_timeout
        if self._header_timer is None:
            self._header_timer = self.loop.call_at(self._header_deadline, self._check)

    def _check(self) -> None:
        self._header_timer = None
        deadline = self._header_deadline
        if deadline is None:  # headers came in time; the next answer arms it again
            return
        if self.loop.time() < deadline:  # armed again since this timer was set
            self._header_timer = self.loop.call_at(deadline, self._check)
        elif not self.transport.is_closing():
            self.transport.close()


def configure(style: ErrorStyle, header_timeout: float) -> str:
    """Set this process's refusal body and deadline; the import string for uvicorn."""
    GuardedHttpTools.refusal = refusal_bytes(style)
    GuardedHttpTools.header_timeout = header_timeout
    return PROTOCOL
