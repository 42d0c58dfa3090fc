"""OAuth bearer JWTs issued by the mock for a workspace user (HS256, per-workspace secret)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jwt

from mockserver.errors import ApiProblem

_ALGORITHM = "HS256"
ISSUER = "spotcheck-mock"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    workspace_id: int
    expires_at: int
    credential_id: str = ""  # set on client-credentials tokens
    scopes: tuple[str, ...] = ()


def issue_token(
    secret: str,
    user_id: int,
    workspace_id: int,
    ttl_seconds: int = 3600,
    credential_id: str = "",
    scopes: tuple[str, ...] = (),
    now: float | None = None,
) -> str:
    """`now`: the server's clock (`mockserver.clock`), real time when not given."""
    moment = time.time() if now is None else now
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": str(user_id),
        "ws": workspace_id,
        "iat": int(moment),
        # whole seconds, rounded up: the token lives at least the `expires_in` it promised
        "exp": math.ceil(moment) + ttl_seconds,
    }
    if credential_id:
        claims["cid"] = credential_id
        claims["scope"] = " ".join(scopes)
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def verify_token(secret: str, token: str, now: float | None = None) -> TokenClaims:
    """The token's claims, or a 401 that says whether it expired or is not ours.

    Expiry is judged at `now`, the server's clock: PyJWT's own checks read real time."""
    try:
        claims = _decoded(secret, token)
    except jwt.InvalidTokenError:
        raise ApiProblem(401, "The bearer token is not valid.", "token_invalid") from None
    expires = claims.get("exp")
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise ApiProblem(401, "The bearer token is not valid.", "token_invalid")
    if expires <= (time.time() if now is None else now):
        raise ApiProblem(401, "The bearer token has expired.", "token_expired")
    try:
        return TokenClaims(
            int(claims["sub"]),
            int(claims["ws"]),
            int(claims["exp"]),
            str(claims.get("cid", "")),
            tuple(str(claims.get("scope", "")).split()),
        )
    except (TypeError, ValueError):
        raise ApiProblem(401, "The bearer token is not valid.", "token_invalid") from None


# bounds what a flood of made-up client ids can grow (token counts, token buckets)
MAX_TRACKED_CLIENTS = 10_000


class TokenRequests:
    """Tokens issued and refused as too frequent, per client: `/__admin/metrics` shows a
    client that fetches a token per call rather than caching it."""

    def __init__(self) -> None:
        self._counts: dict[str, dict[str, int]] = {}

    def count(self, client_id: str, outcome: str) -> None:
        if client_id in self._counts or len(self._counts) < MAX_TRACKED_CLIENTS:
            row = self._counts.setdefault(client_id, {"issued": 0, "throttled": 0})
            row[outcome] += 1

    def clear(self) -> None:
        self._counts.clear()

    def snapshot(self) -> dict[str, dict[str, int]]:
        return {client: dict(row) for client, row in self._counts.items()}


@lru_cache(maxsize=1024)
def _decoded(secret: str, token: str) -> dict[str, Any]:
    # A client sends the same token until it expires: its signature is checked once per
    # (signing secret, token) - a new secret (a reset) misses - and expiry on every call.
    # Read-only: every caller shares the dict.
    claims: dict[str, Any] = jwt.decode(
        token,
        secret,
        algorithms=[_ALGORITHM],
        issuer=ISSUER,
        options={"require": ["exp", "sub", "ws"], "verify_exp": False, "verify_iat": False},
    )
    return claims
