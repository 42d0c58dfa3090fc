"""The innermost stage: the behaviour registered for the matched operation, or the generic one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from mockserver.behaviours import Handler
from mockserver.context import request_context
from mockserver.errors import ApiProblem
from mockserver.problems import send_problem


class Dispatcher:
    def __init__(self, behaviours: dict[str, Handler], fallback: Handler) -> None:
        self.behaviours = behaviours
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        context = request_context(scope)
        operation = context.operation
        if operation is None:  # the edge answers unmatched paths; only a bare app gets here
            await send_problem(scope, send, ApiProblem(404, "Not found."))
            return
        handler = self.behaviours.get(operation.key, self.fallback)
        try:
            response = await handler(Request(scope, receive), context)
        except ApiProblem as problem:
            context.refused_by = problem.stage or "behaviour"  # lifecycle names itself
            raise
        await response(scope, receive, send)
