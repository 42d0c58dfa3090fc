"""Render every error in the profile's body shape, in one place: `render_problem`.

Errors come from three sources: our own `ApiProblem`s, Connexion's `ProblemException`s
(validation, media type) and Starlette's `HTTPException`s. Anything else is a bug of the mock:
it becomes a 500 and is logged at error level with its traceback.

Every layer that refuses a request writes what `render_problem` made, in its own medium and
without re-encoding: raw ASGI middlewares (`send_problem`: edge, body limit, rate limit,
dispatcher, docs), the error boundary around Connexion's validation
(`pipeline.connexion_stack.ErrorBoundary`: security, validation, handlers) and the admin
endpoints (`RenderedProblem.response()`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from connexion.exceptions import ProblemException
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.responses import Response
from starlette.types import Scope, Send

from mockserver.context import request_context
from mockserver.errorbodies import DETAIL_STYLE, ErrorStyle
from mockserver.errors import ApiProblem, StorageFull

logger = logging.getLogger("spotcheck.problems")

_CONNEXION_CODES = {
    "Unsupported Media Type": "unsupported_media_type",
    "Bad Request": "invalid_request",
    "Unauthorized": "not_authenticated",
    "Forbidden": "permission_denied",
}


def as_problem(error: Exception) -> ApiProblem:
    """Translate any exception into the ApiProblem the client will see."""
    if isinstance(error, ApiProblem):
        return error
    if isinstance(error, ProblemException):
        status = int(error.status or 500)
        detail = str(error.detail or error.title or "Error")
        return ApiProblem(status, detail, _CONNEXION_CODES.get(str(error.title), ""))
    if isinstance(error, HTTPException):
        return ApiProblem(error.status_code, str(error.detail), headers=dict(error.headers or {}))
    if isinstance(error, MultiPartException):  # a form Starlette read outside an app's scope
        return ApiProblem(400, error.message)
    if isinstance(error, StorageFull):
        # The store refused a write (disk full, read-only file): the transaction was rolled
        # back, reads still work, and the client may try again later - not a bug of the mock.
        logger.error("the store cannot write: %s", error)
        return ApiProblem(
            503,
            "The mock server cannot store data right now (storage full); reads still work.",
            headers={"Retry-After": "30"},
        )
    logger.error("unhandled error in the mock", exc_info=error)
    return ApiProblem(500, "The mock server failed while handling this request.")


@dataclass(frozen=True)
class RenderedProblem:
    """One error answer, rendered: its status, its body in the profile's shape and the
    problem's own headers (Allow, Retry-After, ...). Content type and length are each
    writer's to set, from `body`."""

    status: int
    body: bytes
    headers: dict[str, str]

    def asgi_headers(self) -> list[tuple[bytes, bytes]]:
        """Every header of the answer as raw ASGI writes it."""
        return [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.body)).encode()),
            *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()),
        ]

    def response(self) -> Response:
        """The answer as a Starlette response (the admin endpoints)."""
        return Response(self.body, self.status, headers=self.headers, media_type="application/json")

    async def send(self, send: Send) -> None:
        """Write the whole answer on a raw ASGI `send`."""
        await send(
            {"type": "http.response.start", "status": self.status, "headers": self.asgi_headers()}
        )
        await send({"type": "http.response.body", "body": self.body})


def render_problem(
    problem: ApiProblem, style: ErrorStyle = DETAIL_STYLE, request_id: str = ""
) -> RenderedProblem:
    """`problem` in `style`'s body; logged once here (4xx warning, 5xx error)."""
    body = json.dumps(style.render(problem, request_id)).encode("utf-8")
    if problem.status >= 500:
        logger.error("%s %s", problem.status, problem.detail)
    else:
        logger.warning("%s %s", problem.status, problem.detail)
    return RenderedProblem(problem.status, body, dict(problem.headers))


def render_for(scope: Scope, problem: ApiProblem) -> RenderedProblem:
    """`problem` in the error style and with the id of the request in `scope`."""
    context = request_context(scope)
    if not context.refused_by:  # the first refusal names the stage (journal: refused_by)
        context.refused_by = problem.stage or _stage(problem.status, context.operation is None)
    context.retry_after = problem.headers.get("Retry-After", context.retry_after)
    return render_problem(problem, context.error_style, context.request_id)


def _stage(status: int, unrouted: bool) -> str:
    """The stage of a problem no stage named: the edge before a match (404, 405, 413), else
    Connexion's validation; a 5xx is the server's own failure."""
    return "server" if status >= 500 else "edge" if unrouted else "validation"


def encode_problem(
    problem: ApiProblem, style: ErrorStyle = DETAIL_STYLE, request_id: str = ""
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """Body and raw headers, for a writer outside a request (the go-live proxy)."""
    rendered = render_problem(problem, style, request_id)
    return rendered.body, rendered.asgi_headers()


async def send_problem(scope: Scope, send: Send, problem: ApiProblem) -> None:
    """Write `problem` as a complete HTTP response on a raw ASGI `send`."""
    await render_for(scope, problem).send(send)
