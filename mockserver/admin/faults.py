"""`/__admin/faults`: add, list and clear fault rules (shapes in the README, `faultrules`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.admin.common import json_object, one_process
from mockserver.errors import ApiProblem
from mockserver.runtime import Runtime


def fault_routes(runtime: Runtime) -> list[Route]:
    """The endpoints, unguarded: `admin_app` wraps them with the admin token check."""

    async def listing(request: Request) -> Response:
        return JSONResponse({"faults": [rule.as_json() for rule in runtime.faults.rules()]})

    async def add(request: Request) -> Response:
        one_process(runtime, "Fault rules")
        try:
            rule = runtime.faults.add(await json_object(request))
        except ValueError as error:
            raise ApiProblem(400, f"Invalid fault rule: {error}.") from None
        return JSONResponse(rule.as_json(), status_code=201)

    async def clear(request: Request) -> Response:
        deleted = len(runtime.faults.rules())
        runtime.faults.clear()
        return JSONResponse({"deleted": deleted})

    async def remove(request: Request) -> Response:
        rule_id = request.path_params["rule"]
        if not runtime.faults.remove(rule_id):
            raise ApiProblem(404, f"No fault rule {rule_id[:100]!r}.")
        return JSONResponse({"deleted": 1})

    return [
        Route("/__admin/faults", listing, methods=["GET"]),
        Route("/__admin/faults", add, methods=["POST"]),
        Route("/__admin/faults", clear, methods=["DELETE"]),
        Route("/__admin/faults/{rule}", remove, methods=["DELETE"]),
    ]
