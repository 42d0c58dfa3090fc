"""Client-credentials tokens: one per client, fetched on first use and again only shortly
before it expires - the way the vendor asks integrators to behave.

The fetch is the caller's (httpx in `fetch_token`, Locust's own client under load), so the
cache works for both; the lock is a gevent lock under Locust, whose monkey-patching runs
before this module is imported.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spotcheck.client.errors import ClientError

REFRESH_MARGIN = 60.0  # seconds before expiry at which a cached token is replaced

# How a token is fetched: -> (the token, the seconds it lives).
TokenFetch = Callable[[], tuple[str, float]]


@dataclass
class TokenCache:
    """One token, fetched on first use and again only within REFRESH_MARGIN of its expiry."""

    clock: Callable[[], float] = time.monotonic
    fetches: int = 0
    _token: str = field(default="", repr=False)
    _expires_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def token(self, fetch: TokenFetch) -> str:
        with self._lock:
            if not self._token or self.clock() >= self._expires_at - REFRESH_MARGIN:
                token, lifetime = fetch()
                self.fetches += 1
                self._token, self._expires_at = token, self.clock() + lifetime
            return self._token


def token_grant(client_id: str, client_secret: str) -> dict[str, str]:
    """The form of a client-credentials token request."""
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
    }


def issued(body: Any) -> tuple[str, float]:
    """(token, lifetime in seconds) of a token endpoint's 200 answer."""
    return str(body["access_token"]), float(body.get("expires_in", 3600))


def fetch_token(token_url: str, client_id: str, client_secret: str) -> tuple[str, float]:
    """A token from the endpoint at `token_url`, and its lifetime; ClientError if refused."""
    import httpx

    answer = httpx.post(token_url, data=token_grant(client_id, client_secret), timeout=30)
    if answer.status_code != 200:
        # The body is the vendor's error; it never contains the secret we sent.
        raise ClientError(
            f"token request to {token_url} failed: {answer.status_code} {answer.text[:300]}"
        )
    return issued(answer.json())
