"""Connexion-stack middleware that enforces each operation's `security` with our Authenticator.

It takes the place of Connexion's SecurityMiddleware, which either refuses every secured call
(no handlers) or accepts any value (mock mode); neither is what the vendor does.
"""

from __future__ import annotations

from collections import Counter

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.auth.authenticator import Authenticator
from mockserver.context import header_map, request_context
from mockserver.errors import ApiProblem


class SpotcheckSecurityMiddleware:
    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator
        self._credential_headers = authenticator.credential_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = request_context(scope)
        if scope["type"] == "http" and context.operation is not None:
            client = scope.get("client") or ("", 0)
            headers = header_map(scope)
            try:
                if len(headers) < len(scope.get("headers", [])):  # a name repeats: which?
                    self._refuse_repeated_credentials(scope)
                context.identity = self.authenticator.authenticate(
                    context.operation, headers, source=str(client[0])
                )
            except ApiProblem:
                context.refused_by = "auth"
                raise
        await self.app(scope, receive, send)

    def _refuse_repeated_credentials(self, scope: Scope) -> None:
        # header_map keeps the last of repeated headers: a proxy and a client that disagree on
        # which secret counts would be authenticated by whichever came last. Refuse instead.
        names = Counter(name.decode("latin-1").lower() for name, _ in scope.get("headers", []))
        repeated = sorted(name for name in self._credential_headers if names.get(name, 0) > 1)
        if repeated:
            raise ApiProblem(
                400,
                f"The header {repeated[0]} is sent more than once; send each credential once.",
                "duplicate_credential_header",
            )
