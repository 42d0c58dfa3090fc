"""How the contract suite authenticates, per auth profile (see mockserver.profiles).

- spotdraft: client-id / client-secret headers (and user-email when given);
- oauth2-client-credentials: one token from the token endpoint, reused until shortly before
  it expires - the way the vendor asks integrators to behave;
- api-key-version: X-Spot-Api-Key / X-Spot-Api-Secret, and X-Spot-Api-Version when pinned.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from mockserver.errors import SpotcheckError
from mockserver.profiles import OAUTH2, client_headers

REFRESH_MARGIN = 60.0  # seconds before expiry at which a cached token is replaced


# How a token is fetched: -> (the token, the seconds it lives).
TokenFetch = Callable[[], tuple[str, float]]


@dataclass
class TokenCache:
    """One client-credentials token, fetched on first use and again only near its expiry.

    The fetch is the caller's (httpx here, Locust's client in load/common.py); the lock is a
    gevent lock under Locust, whose monkey-patching runs before this module is imported.
    """

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


def fetch_token(token_url: str, client_id: str, client_secret: str) -> tuple[str, float]:
    """A token from the endpoint at `token_url`, and its lifetime; SpotcheckError if refused."""
    answer = httpx.post(token_url, data=token_grant(client_id, client_secret), timeout=30)
    if answer.status_code != 200:
        # The body is the vendor's error; it never contains the secret we sent.
        raise SpotcheckError(
            f"token request to {token_url} failed: {answer.status_code} {answer.text[:300]}"
        )
    body = answer.json()
    return str(body["access_token"]), float(body.get("expires_in", 3600))


@dataclass
class ProfileAuth:
    """The headers every request of the suite carries, for one profile and credential."""

    profile: str
    client_id: str
    client_secret: str = field(repr=False)
    user_email: str | None = None
    api_version: str | None = None
    token_url: str = ""
    tokens: TokenCache | None = None  # set for the oauth2-client-credentials profile

    @classmethod
    def create(
        cls,
        profile: str,
        base_url: str,
        token_path: str,
        client_id: str,
        client_secret: str,
        user_email: str | None = None,
        api_version: str | None = None,
    ) -> ProfileAuth:
        token_url = f"{base_url.rstrip('/')}{token_path}"
        tokens = TokenCache() if profile == OAUTH2 else None
        return cls(profile, client_id, client_secret, user_email, api_version, token_url, tokens)

    def headers(self) -> dict[str, str]:
        token = (
            self.tokens.token(
                lambda: fetch_token(self.token_url, self.client_id, self.client_secret)
            )
            if self.tokens is not None
            else ""
        )
        return client_headers(
            self.profile,
            self.client_id,
            self.client_secret,
            token=token,
            api_version=self.api_version,
            user_email=self.user_email,
        )
