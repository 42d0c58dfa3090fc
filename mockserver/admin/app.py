"""The control plane under /__admin/ (the WireMock convention).

Guarded by a token (`X-Spotcheck-Admin-Token`) when one is configured; the CLI insists on a
token when the server is bound beyond loopback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router

from mockserver.admin.clock import clock_routes
from mockserver.admin.common import json_object
from mockserver.admin.faults import fault_routes
from mockserver.admin.guard import AdminGuard, guarded
from mockserver.admin.verify import verify_routes
from mockserver.auth.tokens import issue_token
from mockserver.behaviours.activities import list_activities
from mockserver.errors import ApiProblem
from mockserver.problems import render_for
from mockserver.profiles.base import AdminRoute
from mockserver.runtime import Runtime

Endpoint = Callable[[Request], Awaitable[Response]]

# A token for a test lives minutes to days; 10**30 seconds overflows the clock of any client.
MAX_TOKEN_TTL = 30 * 24 * 3600


def problem_response(request: Request, problem: ApiProblem) -> Response:
    """`problem` in the profile's error body, with the request's id."""
    return render_for(request.scope, problem).response()


def _guarded(runtime: Runtime, endpoint: Endpoint) -> Endpoint:
    # the admin token, or the console's session and the browser rules (guard.py)
    return guarded(AdminGuard(runtime.settings, lambda: runtime.workspace.jwt_secret), endpoint)


def admin_app(runtime: Runtime, extra_routes: Sequence[AdminRoute] = ()) -> Router:
    """The admin endpoints, with the ones the schema's families add (`Domain.admin_routes`)."""

    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "env": runtime.settings.env,
                "workspace": runtime.workspace.name,
                "operations": len(runtime.schema.index),
                "schema": runtime.schema.source,
            }
        )

    async def reset(request: Request) -> Response:
        runtime.reset()
        return JSONResponse({"status": "reset"})

    async def requests(request: Request) -> Response:
        limit = request.query_params.get("limit")
        # isdigit() alone accepts "²", which int() refuses
        if limit is not None and not (limit.isascii() and limit.isdigit() and len(limit) < 19):
            raise ApiProblem(400, "limit must be a non-negative integer.")
        await runtime.journal.settle()
        return JSONResponse(runtime.journal.entries(int(limit) if limit else None))

    async def tokens(request: Request) -> Response:
        body = await json_object(request)
        email = body.get("user_email")
        ttl = body.get("ttl_seconds", 3600)
        if not isinstance(email, str) or not isinstance(ttl, int) or isinstance(ttl, bool):
            raise ApiProblem(400, 'Send {"user_email": str, "ttl_seconds": int}.')
        if not 1 <= ttl <= MAX_TOKEN_TTL:
            raise ApiProblem(400, f"ttl_seconds must be between 1 and {MAX_TOKEN_TTL}.")
        user = runtime.store.query_one(
            "SELECT id FROM users WHERE workspace_id = ? AND email = ?",
            (runtime.workspace.id, email),
        )
        if user is None:
            raise ApiProblem(404, f"No user {email!r} in the {runtime.settings.env} workspace.")
        workspace = runtime.workspace
        token = issue_token(
            workspace.jwt_secret, user["id"], workspace.id, ttl, now=runtime.clock.now()
        )
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": ttl})

    async def defects(request: Request) -> Response:
        return JSONResponse(
            [
                {"kind": d.kind, "where": d.where, "message": d.message, "repaired": d.repaired}
                for d in runtime.schema.defects
            ]
        )

    async def activities(request: Request) -> Response:
        contract = request.query_params.get("contract")
        return JSONResponse(
            list(reversed(list_activities(runtime.store, runtime.workspace.id, contract)))
        )

    async def deliveries(request: Request) -> Response:
        filters = {
            k: request.query_params.get(k, "") for k in ("contract", "subscription", "status")
        }
        return JSONResponse(runtime.webhooks.outbox.deliveries(filters))

    async def redeliver(request: Request) -> Response:
        outbox_id = request.path_params["delivery"]
        # ASCII digits only ("²" passes isdigit) and within SQLite's 64-bit integers
        known = outbox_id.isascii() and outbox_id.isdigit() and len(outbox_id) <= 18
        if not known or not runtime.webhooks.outbox.redeliver(int(outbox_id)):
            raise ApiProblem(404, f"No finished delivery {outbox_id} to send again.")
        return JSONResponse({"status": "pending"})

    async def audit(request: Request) -> Response:
        kind = request.query_params.get("kind")
        await runtime.journal.settle()  # the requests are in the trail before it is read
        return JSONResponse(runtime.audit.entries(kind))

    async def metrics(request: Request) -> Response:
        await runtime.journal.settle()
        return JSONResponse(
            {
                "requests": runtime.journal.total,
                "auth_failures": runtime.auth_failures.snapshot(),
                "token_requests": runtime.token_requests.snapshot(),
                "alert_threshold": runtime.settings.auth_alert_threshold,
                "alert_window_seconds": runtime.settings.auth_alert_window,
            }
        )

    routes = [
        Route("/__admin/health", _guarded(runtime, health), methods=["GET"]),
        Route("/__admin/reset", _guarded(runtime, reset), methods=["POST"]),
        Route("/__admin/requests", _guarded(runtime, requests), methods=["GET"]),
        Route("/__admin/tokens", _guarded(runtime, tokens), methods=["POST"]),
        Route("/__admin/schema/defects", _guarded(runtime, defects), methods=["GET"]),
        Route("/__admin/activities", _guarded(runtime, activities), methods=["GET"]),
        Route("/__admin/audit", _guarded(runtime, audit), methods=["GET"]),
        Route("/__admin/metrics", _guarded(runtime, metrics), methods=["GET"]),
        Route("/__admin/deliveries", _guarded(runtime, deliveries), methods=["GET"]),
        Route(
            "/__admin/deliveries/{delivery}/redeliver",
            _guarded(runtime, redeliver),
            methods=["POST"],
        ),
    ]
    # the integrator's test kit: faults, the clock, verification
    kit = [*fault_routes(runtime), *clock_routes(runtime), *verify_routes(runtime)]
    routes += [Route(r.path, _guarded(runtime, r.endpoint), methods=r.methods) for r in kit]
    routes += [
        Route(
            extra.path,
            _guarded(runtime, extra.endpoint) if extra.guarded else extra.endpoint,
            methods=list(extra.methods),
        )
        for extra in extra_routes
    ]
    return Router(routes=routes)
