"""The proxy's safety rails against a real system: production refused, writes only when
allowed, requests paced under the vendor's rate limit, an upstream 429's Retry-After kept.

The same rules the contract suite keeps against a real target, without naming a vendor: a
production host is one of the schema's own `servers` not marked as UAT or sandbox (or any
host with `--env production`).

    >>> is_production("https://api.us.vendor.test", ["https://api.us.vendor.test"])
    True
    >>> is_production("https://api.uat.vendor.test", ["https://api.us.vendor.test"])
    False
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from mockserver.errors import SpotcheckError

# POSTs that only read (previews, queries, signed links): forwarded in read-only mode too.
READ_POSTS = re.compile(r"/(preview|query|download_link|download)/?$")
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NOT_PRODUCTION = ("uat", "sandbox", "staging", "localhost", "127.0.0.1", "[::1]")


class UnsafeTarget(SpotcheckError):
    """The proxy would touch a production system without being told it may."""


def is_production(target: str, schema_servers: Iterable[str], env: str = "uat") -> bool:
    """`--env production`, or a host the schema lists among its servers, not marked UAT."""
    host = (urlsplit(target).hostname or "").lower()
    if env == "production":
        return True
    if any(marker in host for marker in _NOT_PRODUCTION):
        return False
    return host in {(urlsplit(url).hostname or "").lower() for url in schema_servers}


def is_write(method: str, path: str, token_path: str | None = None) -> bool:
    """Whether forwarding this request may change upstream state."""
    if method.upper() in _SAFE_METHODS or path == token_path:
        return False  # the token endpoint issues a token, it changes no workspace data
    return not (method.upper() == "POST" and READ_POSTS.search(path))


class Pacer:
    """At most `rate` requests a second, and none before an upstream 429's Retry-After."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            delay = self._next - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = max(self._next, time.monotonic()) + self._interval

    def hold(self, seconds: float) -> None:
        """Send nothing upstream for `seconds` (upstream said so with Retry-After)."""
        self._next = max(self._next, time.monotonic() + seconds)
