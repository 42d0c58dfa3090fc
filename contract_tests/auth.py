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
from mockserver.profiles import (
    API_KEY_HEADER,
    API_KEY_VERSION,
    API_SECRET_HEADER,
    API_VERSION_HEADER,
    OAUTH2,
)

# The fixture workspace's UAT credentials, per profile (fixtures/uat.json).
DEFAULT_CREDENTIALS = {
    API_KEY_VERSION: ("acct_sandbox_1001", "sk_test_sandbox_1001"),
}
FALLBACK_CREDENTIALS = ("uat-client-acme", "uat-secret-acme-0001")
REFRESH_MARGIN = 60.0  # seconds before expiry at which a cached token is replaced


def default_credentials(profile: str) -> tuple[str, str]:
    return DEFAULT_CREDENTIALS.get(profile, FALLBACK_CREDENTIALS)


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
        if self.tokens is not None:
            return {"Authorization": f"Bearer {self.tokens.token()}"}
        if self.profile == API_KEY_VERSION:
            headers = {API_KEY_HEADER: self.client_id, API_SECRET_HEADER: self.client_secret}
            if self.api_version:
                headers[API_VERSION_HEADER] = self.api_version
            return headers
        headers = {"client-id": self.client_id, "client-secret": self.client_secret}
        if self.user_email:
            headers["user-email"] = self.user_email
        return headers
