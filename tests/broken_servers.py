"""Deliberately broken servers for the contract suite's own tests: each has one defect."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DEFECTS = (
    "none",
    "wrong_field_type",
    "dropped_required_field",
    "server_error_on_one_input",
    "auth_ignored",
    "undocumented_status",
    "wrong_content_type",
    "undocumented_standard_error",
)


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "message": detail, "status_code": status}, status_code=status
    )


def broken_app(defect: str) -> Starlette:
    assert defect in DEFECTS

    def authorized(request: Request) -> bool:
        if defect == "auth_ignored":
            return True
        return (
            request.headers.get("client-id") == "uat-client-acme"
            and request.headers.get("client-secret") == "uat-secret-acme-0001"
        )

    def thing(thing_id: int) -> dict:
        body: dict = {"id": thing_id, "name": f"thing {thing_id}"}
        if defect == "wrong_field_type":
            body["id"] = str(thing_id)
        if defect == "dropped_required_field":
            del body["name"]
        return body

    async def list_things(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "Authentication credentials were not provided.")
        limit = request.query_params.get("limit", "10")
        if not limit.isdigit() or not 1 <= int(limit) <= 50:
            return _error(400, "limit must be 1-50")
        if defect == "server_error_on_one_input" and int(limit) >= 40:
            return Response("Internal Server Error", status_code=500)
        if defect == "undocumented_status":
            return _error(418, "I'm a teapot")
        body = [thing(i) for i in range(1, 3)]
        if defect == "wrong_content_type":
            return Response(json.dumps(body), media_type="text/html")
        return JSONResponse(body)

    async def get_thing(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "Authentication credentials were not provided.")
        raw = request.path_params["thing_id"]
        if not raw.lstrip("-").isdigit():
            return _error(400, "thing_id must be an integer")
        if defect == "undocumented_standard_error" or int(raw) > 100:
            return _error(404, "Not found.")  # a standard error the schema forgot
        return JSONResponse(thing(int(raw)))

    async def framework_error(request: Request, error: Exception) -> Response:
        status = getattr(error, "status_code", 500)
        return _error(status, str(getattr(error, "detail", "error")))

    return Starlette(
        exception_handlers={404: framework_error, 405: framework_error},
        routes=[
            Route("/api/v2.1/public/things/", list_things),
            Route("/api/v2.1/public/things/{thing_id}", get_thing),
        ],
    )


def rate_limited_app(counter: dict[str, int]) -> Starlette:
    """A sound server that answers 429 + Retry-After to the first request it sees per path."""
    sound = broken_app("none")
    seen: set[str] = set()

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            counter["requests"] = counter.get("requests", 0) + 1
            if scope["path"] not in seen:
                seen.add(scope["path"])
                counter["throttled"] = counter.get("throttled", 0) + 1
                response = JSONResponse(
                    {"detail": "slow down", "message": "slow down"},
                    status_code=429,
                    headers={"Retry-After": "1"},
                )
                await response(scope, receive, send)
                return
        await sound(scope, receive, send)

    return app  # type: ignore[return-value]
