"""`ClientAuth`: the headers every call of one client carries, in its family's form.

    auth = ClientAuth.create("spotdraft", "http://127.0.0.1:8080", "", "id", "secret")
    auth.headers()    # {"client-id": "id", "client-secret": "secret"}

A token family's token is fetched through `fetch` (httpx by default; Locust passes its own
client's) once, and reused until shortly before it expires.
"""

from __future__ import annotations

from dataclasses import dataclass

from spotcheck.client.families import ClientFamily, Credential, family
from spotcheck.client.tokens import TokenCache, TokenFetch, fetch_token


@dataclass
class ClientAuth:
    """One client's credential in its family's form."""

    family: ClientFamily
    credential: Credential
    token_url: str = ""
    tokens: TokenCache | None = None  # set for a family that trades its credential for tokens

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
    ) -> ClientAuth:
        chosen = family(profile)
        credential = Credential(client_id, client_secret, user_email, api_version)
        tokens = TokenCache() if chosen.uses_token else None
        return cls(chosen, credential, f"{base_url.rstrip('/')}{token_path}", tokens)

    @property
    def profile(self) -> str:
        return self.family.name

    @property
    def client_id(self) -> str:
        return self.credential.client_id

    def headers(self, fetch: TokenFetch | None = None) -> dict[str, str]:
        """The call's headers; `fetch` gets a token when one is due (default: httpx)."""
        token = ""
        if self.tokens is not None:
            token = self.tokens.token(fetch or self._fetch)
        return self.family.headers(self.credential, token)

    def _fetch(self) -> tuple[str, float]:
        return fetch_token(self.token_url, self.credential.client_id, self.credential.client_secret)


__all__ = ["ClientAuth"]
