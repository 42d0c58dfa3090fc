"""Signed, expiring download links for contract files (served under /__admin/files/)."""

from __future__ import annotations

import hashlib
import hmac
import time

from mockserver.errors import ApiProblem

LINK_TTL_SECONDS = 900


def _signature(secret: str, composite_id: str, expires: int) -> str:
    message = f"{composite_id}|{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_link(base_url: str, secret: str, composite_id: str, now: float | None = None) -> str:
    """`now`: the server's clock (`mockserver.clock`), real time when not given."""
    expires = int((time.time() if now is None else now) + LINK_TTL_SECONDS)
    signature = _signature(secret, composite_id, expires)
    query = f"expires={expires}&signature={signature}"
    return f"{base_url.rstrip('/')}/__admin/files/{composite_id}?{query}"


def verify_link(
    secret: str, composite_id: str, expires: str, signature: str, now: float | None = None
) -> None:
    if not expires.isdigit():
        raise ApiProblem(403, "The download link is malformed.")
    if not hmac.compare_digest(_signature(secret, composite_id, int(expires)), signature):
        raise ApiProblem(403, "The download link signature does not match.")
    if int(expires) < (time.time() if now is None else now):
        raise ApiProblem(403, "The download link has expired; ask for a new one.")
