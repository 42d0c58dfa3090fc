"""`/__admin/clock`: read and move the server's clock (`mockserver.clock`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.admin.common import json_object, one_process
from mockserver.clock import parse_duration, parse_moment
from mockserver.errors import ApiProblem
from mockserver.runtime import Runtime

USAGE = 'Send one of {"advance": "2h"}, {"set": "2027-01-01T00:00:00Z"} or {"real": true}.'


def clock_routes(runtime: Runtime) -> list[Route]:
    """The endpoints, unguarded: `admin_app` wraps them with the admin token check."""

    async def read(request: Request) -> Response:
        return JSONResponse(runtime.clock.snapshot())

    async def move(request: Request) -> Response:
        one_process(runtime, "The clock's moves")
        body = await json_object(request)
        if len(body) != 1:
            raise ApiProblem(400, USAGE)
        try:
            _apply(runtime, *next(iter(body.items())))
        except ValueError as error:
            raise ApiProblem(400, f"{error}. {USAGE}") from None
        return JSONResponse(runtime.clock.snapshot())

    return [
        Route("/__admin/clock", read, methods=["GET"]),
        Route("/__admin/clock", move, methods=["POST"]),
    ]


def _apply(runtime: Runtime, key: str, value: Any) -> None:
    clock = runtime.clock
    if key == "advance":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError("advance takes a duration: 90s, 15m, 2h, 1d or seconds")
        clock.advance(parse_duration(str(value)))
    elif key == "set":
        if not isinstance(value, str):
            raise ValueError("set takes an ISO 8601 date-time with a zone")
        clock.set(parse_moment(value))
    elif key == "real" and value is True:
        clock.to_real()
    else:
        raise ValueError(f"unknown clock move {key[:50]!r}")
