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


@dataclass
class TokenCache:
    """One client-credentials token, fetched on first use and again only near its expiry."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    clock: Callable[[], float] = time.monotonic
    fetches: int = 0
    _token: str = field(default="", repr=False)
    _expires_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def token(self) -> str:
        with self._lock:
            if not self._token or self.clock() >= self._expires_at - REFRESH_MARGIN:
                self._fetch()
            return self._token

    def _fetch(self) -> None:
        answer = httpx.post(
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            timeout=30,
        )
        self.fetches += 1
        if answer.status_code != 200:
            # The body is the vendor's error; it never contains the secret we sent.
            raise SpotcheckError(
                f"token request to {self.token_url} failed: "
                f"{answer.status_code} {answer.text[:300]}"
            )
        body = answer.json()
        self._token = str(body["access_token"])
        self._expires_at = self.clock() + float(body.get("expires_in", 3600))


@dataclass
class ProfileAuth:
    """The headers every request of the suite carries, for one profile and credential."""

    profile: str
    client_id: str
    client_secret: str = field(repr=False)
    user_email: str | None = None
    api_version: str | None = None
    tokens: TokenCache | None = None

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
        tokens = None
        if profile == OAUTH2:
            tokens = TokenCache(f"{base_url.rstrip('/')}{token_path}", client_id, client_secret)
        return cls(profile, client_id, client_secret, user_email, api_version, tokens)

    def headers(self) -> dict[str, str]:
        token = self.tokens.token() if self.tokens is not None else ""
        return client_headers(
            self.profile,
            self.client_id,
            self.client_secret,
            token=token,
            api_version=self.api_version,
            user_email=self.user_email,
        )
