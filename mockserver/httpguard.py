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
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._arm()  # the next request's headers have the same deadline

    def send_400_response(self, msg: str) -> None:
        self.transport.write(self.refusal)
        self.transport.close()

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def configure(style: ErrorStyle, header_timeout: float) -> str:
    """Set this process's refusal body and deadline; the import string for uvicorn."""
    GuardedHttpTools.refusal = refusal_bytes(style)
    GuardedHttpTools.header_timeout = header_timeout
    return PROTOCOL
