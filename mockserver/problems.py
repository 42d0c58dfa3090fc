"""Render every error in the vendor's body shape, in one place.

Errors come from three sources: our own `ApiProblem`s, Connexion's `ProblemException`s
(validation, media type) and Starlette's `HTTPException`s. Anything else is a bug of the mock:
it becomes a 500 and is logged at error level with its traceback.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import Any

from connexion.exceptions import ProblemException
from starlette.exceptions import HTTPException
from starlette.types import Scope, Send

from mockserver.context import request_context
from mockserver.errorbodies import DETAIL_STYLE, ErrorStyle
from mockserver.errors import ApiProblem

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
    if isinstance(error, sqlite3.OperationalError) and _storage_full(error):
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


_STORAGE_FAILURES = ("database or disk is full", "readonly database", "disk i/o error")


def _storage_full(error: sqlite3.OperationalError) -> bool:
    message = str(error).lower()
    return any(failure in message for failure in _STORAGE_FAILURES)


def encode_problem(
    problem: ApiProblem, style: ErrorStyle = DETAIL_STYLE, request_id: str = ""
) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    body = json.dumps(style.render(problem, request_id)).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [
        (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in problem.headers.items()
    ]
    if problem.status >= 500:
        logger.error("%s %s", problem.status, problem.detail)
    else:
        logger.warning("%s %s", problem.status, problem.detail)
    return body, headers


def encode_for(scope: Scope, problem: ApiProblem) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """`problem` in the error style and with the request id of the request in `scope`."""
    context = request_context(scope)
    return encode_problem(problem, context.error_style, context.request_id)


async def send_problem(scope: Scope, send: Send, problem: ApiProblem) -> None:
    """Write `problem` as a complete HTTP response on a raw ASGI `send`."""
    body, headers = encode_for(scope, problem)
    await send({"type": "http.response.start", "status": problem.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def connexion_error_handler(request: Any, error: Exception) -> Any:
    """Connexion's ExceptionMiddleware hook: answer with the vendor's error body."""
    from connexion.lifecycle import ConnexionResponse

    problem = as_problem(error)
    body, headers = encode_for(request.scope, problem)
    return ConnexionResponse(
        status_code=problem.status,
        body=body,
        content_type="application/json",
        # content type and length are set by ConnexionResponse itself: not twice
        headers={
            k.decode(): v.decode()
            for k, v in headers
            if k not in (b"content-length", b"content-type")
        },
    )
