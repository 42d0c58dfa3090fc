"""Connexion-stack middleware that enforces each operation's `security` with our Authenticator.

It takes the place of Connexion's SecurityMiddleware, which either refuses every secured call
(no handlers) or accepts any value (mock mode); neither is what the vendor does.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.auth import Authenticator
from mockserver.context import header_map, request_context


class SpotcheckSecurityMiddleware:
    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context = request_context(scope)
        if scope["type"] == "http" and context.operation is not None:
            client = scope.get("client") or ("", 0)
            context.identity = self.authenticator.authenticate(
                context.operation, header_map(scope), source=str(client[0])
            )
        await self.app(scope, receive, send)
