"""The OAuth2 client-credentials token endpoint of the `oauth2-client-credentials` profile.

A client trades its id and secret (form fields, or HTTP Basic as RFC 6749 allows) for a bearer
token that every other call needs. The endpoint has its own per-client rate limit, so a client
that fetches a token per call - rather than caching it until it expires - is refused with 429.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections import OrderedDict
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mockserver.auth.authenticator import Authenticator
from mockserver.auth.tokens import MAX_TRACKED_CLIENTS, TokenRequests, issue_token
from mockserver.clock import Clock
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem
from mockserver.pipeline.ratelimit import TokenBucket
from mockserver.state.fixtures import Workspace


class TokenEndpoint:
    def __init__(
        self,
        authenticator: Authenticator,
        workspace: Callable[[], Workspace],
        ttl_seconds: int,
        per_minute: float,
        requests: TokenRequests,
        clock: Clock | None = None,
    ) -> None:
        self._authenticator = authenticator
        self._clock = clock or Clock()
        self._requests = requests
        self._workspace = workspace
        self._ttl = ttl_seconds
        self._per_minute = per_minute
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    async def __call__(self, request: Request, context: RequestContext) -> Response:
        form = await request.form()
        if form.get("grant_type") != "client_credentials":
            raise ApiProblem(
                400, "grant_type must be client_credentials.", "unsupported_grant_type"
            )
        client_id, client_secret = _client_credentials(
            str(form.get("client_id") or ""),
            str(form.get("client_secret") or ""),
            request.headers.get("authorization", ""),
        )
        self._throttle(client_id)
        source = request.client.host if request.client else ""
        identity = self._authenticator.verify_client(client_id, client_secret, source)
        context.identity = identity  # the journal and audit trail name who got a token
        workspace = self._workspace()
        token = issue_token(
            workspace.jwt_secret,
            identity.user_id,
            workspace.id,
            self._ttl,
            credential_id=identity.credential_id,
            scopes=tuple(sorted(identity.scopes)),
            now=self._clock.now(),
        )
        self._requests.count(identity.credential_id, "issued")
        return JSONResponse(
            {"access_token": token, "expires_in": self._ttl, "token_type": "Bearer"},
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    def _throttle(self, client_id: str) -> None:
        if self._per_minute <= 0:
            return
        bucket = self._buckets.pop(client_id, None) or TokenBucket(
            self._per_minute / 60, capacity=self._per_minute
        )
        self._buckets[client_id] = bucket
        if len(self._buckets) > MAX_TRACKED_CLIENTS:
            self._buckets.popitem(last=False)
        wait = bucket.take()
        if wait > 0:
            self._requests.count(client_id, "throttled")
            retry_after = max(1, math.ceil(wait))
            raise ApiProblem(
                429,
                f"Too many token requests for this client; reuse the token until it expires "
                f"(retry in {retry_after} s).",
                "too_many_requests",
                headers={"Retry-After": str(retry_after)},
            )


def _client_credentials(form_id: str, form_secret: str, authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.partition(" ")
    if not form_id and scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiProblem(
                401, "The Basic credentials are not valid base64 of id:secret.", "invalid_client"
            ) from None
        form_id, _, form_secret = decoded.partition(":")
    if not form_id or not form_secret:
        raise ApiProblem(
            401,
            "Send client_id and client_secret as form fields or as HTTP Basic credentials.",
            "invalid_client",
        )
    return form_id, form_secret
