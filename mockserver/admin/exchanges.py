"""What the console shows of one request: headers, bodies, the decision and a curl to repeat it.

The journal keeps only facts safe to show and no bodies. The console wants more, so the
control plane's outer layer (`admin.plane`) keeps the last `size` exchanges of this process
in memory: headers and the first `BODY_LIMIT` bytes of each body, as they travelled. Nothing
leaves this module unmasked: a header is shown as `[Filtered]` when its name says secret,
when a vendor family reads a secret from it, or when the served schema makes it an API key;
bodies and query strings go through `masking`. The curl puts a shell variable where a secret
was, so it can be pasted and repeated without ever having shown the secret.
"""

from __future__ import annotations

import json
import re
import shlex
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from mockserver.masking import MASK, is_sensitive, mask_text

BODY_LIMIT = 64 * 1024  # bytes of each body kept; the rest is counted, not kept
_ALWAYS_SECRET = frozenset({"cookie", "set-cookie", "proxy-authorization"})
_NOT_REPEATED = frozenset({"host", "content-length", "connection", "accept-encoding"})


@dataclass(slots=True)
class Exchange:
    """One request and its answer as they travelled: raw ASGI headers, decoded and masked
    only when shown (the request pays for copying references, not for text). Slotted: a
    process keeps the last thousand."""

    method: str
    path: str
    query: bytes
    scheme: str
    server: str  # host:port the request came in on, when it named no Host
    request_headers: list[tuple[bytes, bytes]]
    request_body: bytearray = field(default_factory=bytearray)
    request_size: int = 0
    status: int = 0
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytearray = field(default_factory=bytearray)
    response_size: int = 0

    def headers(self, which: str) -> list[tuple[str, str]]:
        raw = self.request_headers if which == "request" else self.response_headers
        return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]

    @property
    def host(self) -> str:
        return next((v for k, v in self.headers("request") if k.lower() == "host"), self.server)

    @property
    def query_text(self) -> str:
        return self.query.decode("latin-1")

    def add_request_body(self, chunk: bytes) -> None:
        self.request_size += len(chunk)
        room = BODY_LIMIT - len(self.request_body)
        if room > 0:
            self.request_body += chunk[:room]

    def add_response_body(self, chunk: bytes) -> None:
        self.response_size += len(chunk)
        room = BODY_LIMIT - len(self.response_body)
        if room > 0:
            self.response_body += chunk[:room]


class ExchangeLog:
    """The last `size` exchanges of this process, by request id (thread-safe)."""

    def __init__(self, size: int, secret_headers: Iterable[str] = ()) -> None:
        self._size = max(size, 1)
        self._secret_headers = frozenset(h.lower() for h in secret_headers) | _ALWAYS_SECRET
        self._entries: OrderedDict[str, Exchange] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, request_id: str, exchange: Exchange) -> None:
        with self._lock:
            self._entries[request_id] = exchange
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, request_id: str) -> Exchange | None:
        with self._lock:
            return self._entries.get(request_id)

    def secret(self, header: str) -> bool:
        name = header.lower()
        return name in self._secret_headers or is_sensitive(name)

    def shown(self, request_id: str) -> dict[str, Any] | None:
        """The exchange as the console shows it: masked, with its curl (None: not kept)."""
        exchange = self.get(request_id)
        if exchange is None:
            return None
        return {
            "id": request_id,
            "method": exchange.method,
            "path": exchange.path,
            "query": self._masked_query(exchange.query_text),
            "status": exchange.status,
            "request": {
                "headers": self._masked_headers(exchange.headers("request")),
                "body": _shown_body(exchange.request_body, exchange.request_size),
            },
            "response": {
                "headers": self._masked_headers(exchange.headers("response")),
                "body": _shown_body(exchange.response_body, exchange.response_size),
            },
            "curl": self.curl(exchange),
        }

    def _masked_headers(self, headers: list[tuple[str, str]]) -> list[list[str]]:
        return [[name, MASK if self.secret(name) else value] for name, value in headers]

    def _masked_query(self, query: str) -> str:
        if not query:
            return ""
        pairs = parse_qsl(query, keep_blank_values=True)
        return urlencode(
            [(k, MASK if self.secret(k) else mask_text(v)) for k, v in pairs], safe="[]"
        )

    def curl(self, exchange: Exchange) -> str:
        """A command that repeats the request; each secret is a shell variable to set."""
        url = f"{exchange.scheme}://{exchange.host}{exchange.path}"
        if exchange.query:
            pairs = parse_qsl(exchange.query_text, keep_blank_values=True)
            url += "?" + "&".join(
                f"{k}=${_variable(k)}" if self.secret(k) else urlencode([(k, v)]) for k, v in pairs
            )
        words = ["curl", "-X", exchange.method, _double_quoted(url) if "$" in url else url]
        for name, value in exchange.headers("request"):
            if name.lower() in _NOT_REPEATED:
                continue
            if self.secret(name):
                words += ["-H", _double_quoted(f"{name}: ${_variable(name)}")]
            else:
                words += ["-H", shlex.quote(f"{name}: {value}")]
        if exchange.request_body:
            text = exchange.request_body.decode("utf-8", "replace")
            words += ["--data-raw", shlex.quote(mask_text(text))]
        return " ".join(w if w.startswith(("'", '"')) else _quote_word(w) for w in words)


def _quote_word(word: str) -> str:
    return word if re.fullmatch(r"[\w@%+=:,./-]+", word) else shlex.quote(word)


def _double_quoted(text: str) -> str:
    # Only $NAME stays live: every other character a double-quoted shell word reads is escaped.
    return '"' + re.sub(r'(["\\`])', r"\\\1", text) + '"'


def _variable(name: str) -> str:
    return re.sub(r"\W", "_", name).upper().strip("_") or "SECRET"


def _shown_body(body: bytes | bytearray, size: int) -> dict[str, Any]:
    text = bytes(body).decode("utf-8", "replace")
    shown: dict[str, Any] = {"size": size, "truncated": size > len(body), "text": mask_text(text)}
    try:
        shown["json"] = json.loads(shown["text"]) if text.strip()[:1] in ("{", "[") else None
    except ValueError:
        shown["json"] = None
    return shown
