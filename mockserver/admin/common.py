"""What the admin endpoints share: reading a JSON object body, one-process controls."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from mockserver.errors import ApiProblem
from mockserver.pipeline.jsonbody import loads_bounded
from mockserver.runtime import Runtime


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object ({} for an empty body), or a 400 saying what to send."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = loads_bounded(raw)
    except ValueError as error:
        raise ApiProblem(400, f"The admin request body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiProblem(400, "The admin request body must be a JSON object.")
    return body


def one_process(runtime: Runtime, what: str) -> None:
    """Faults and the clock live in the process that serves: with several workers a change
    would reach only the one that answered, so it is refused rather than half applied."""
    if runtime.settings.workers > 1:
        raise ApiProblem(
            409,
            f"{what} are kept per process and this server runs {runtime.settings.workers} "
            "workers: serve with --workers 1 to use them.",
        )
