"""The web console at `/__admin/console`: static files shipped in the package, and the few
JSON endpoints of its own (the rest it reads from the admin endpoints everybody uses).

The page and its files carry no data, so they are held only to the browser rules
(`guard.browser_only`); every endpoint that answers data or changes something is behind the
admin guard. The page gets the CSRF token in a `<meta>` tag; its script (no inline script:
the Content-Security-Policy forbids it) sends it back in `X-Spotcheck-Csrf`.

A family's part of the workspace page comes through its `Domain.console_sections`; record
kinds no section shows are listed as they are stored, masked.
"""

from __future__ import annotations

import html
import json
from importlib.resources import files
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mockserver.admin.exchanges import ExchangeLog
from mockserver.admin.guard import SESSION_COOKIE, AdminGuard, browser_only, guarded
from mockserver.errors import ApiProblem
from mockserver.masking import MASK, is_sensitive, mask_text, mask_value
from mockserver.profiles.base import AdminRoute, ConsoleSection
from mockserver.runtime import Runtime
from mockserver.webhooks.rules import mask_url
from mockserver.webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, sign

PREFIX = "/__admin/console"
STATIC = {
    "console.js": "text/javascript",
    "console.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
# The page may load its own files and call its own server: nothing else, nothing inline.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
_MAX_ROWS = 200  # rows per section: the console is for looking, not for exports


def _asset(name: str) -> bytes:
    return (files("mockserver.admin") / "static" / name).read_bytes()


def console_routes(
    runtime: Runtime,
    guard: AdminGuard,
    exchanges: ExchangeLog,
    sections: tuple[ConsoleSection, ...],
) -> tuple[AdminRoute, ...]:
    """The console's routes; the page, its files and its sign-in keep only the browser rules."""
    page_template = _asset("index.html").decode("utf-8")
    assets = {name: _asset(name) for name in STATIC}

    async def page(request: Request) -> Response:
        body = page_template.replace("{{csrf}}", html.escape(guard.csrf_token()))
        body = body.replace("{{token_required}}", "yes" if runtime.settings.admin_token else "no")
        return Response(body, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            raise ApiProblem(404, f"No console file {name!r}.")
        return Response(assets[name], media_type=STATIC[name], headers=SECURITY_HEADERS)

    async def sign_in(request: Request) -> Response:
        if not runtime.settings.admin_token:
            return JSONResponse({"signed_in": True, "token_required": False})
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            body = None
        token = body.get("token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not guard.token_matches(token):
            raise ApiProblem(401, "The admin token is wrong.")
        response = JSONResponse({"signed_in": True, "token_required": True})
        response.set_cookie(
            # path /: /metrics sits behind the same guard
            SESSION_COOKIE,
            guard.session_value(),
            path="/",
            httponly=True,
            samesite="strict",
        )
        return response

    async def sign_out(request: Request) -> Response:
        response = JSONResponse({"signed_in": False})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def exchange(request: Request) -> Response:
        request_id = request.path_params["request_id"]
        shown = exchanges.shown(request_id)
        if shown is None:
            raise ApiProblem(
                404,
                f"No detail kept for {request_id}: only the last requests this worker "
                "served are kept.",
            )
        return JSONResponse(shown)

    async def delivery(request: Request) -> Response:
        outbox_id = request.path_params["delivery"]
        if not (outbox_id.isascii() and outbox_id.isdigit() and len(outbox_id) <= 18):
            raise ApiProblem(404, f"No delivery {outbox_id}.")
        return JSONResponse(delivery_detail(runtime, int(outbox_id)))

    async def workspace(request: Request) -> Response:
        return JSONResponse(workspace_sections(runtime, sections))

    return (
        AdminRoute(PREFIX, browser_only(guard, page), guarded=False),
        AdminRoute(PREFIX + "/", browser_only(guard, page), guarded=False),
        AdminRoute(PREFIX + "/static/{name}", browser_only(guard, asset), guarded=False),
        AdminRoute(PREFIX + "/session", browser_only(guard, sign_in), ("POST",), guarded=False),
        AdminRoute(PREFIX + "/session/end", browser_only(guard, sign_out), ("POST",), False),
        AdminRoute(PREFIX + "/api/requests/{request_id}", guarded(guard, exchange), guarded=False),
        AdminRoute(PREFIX + "/api/deliveries/{delivery}", guarded(guard, delivery), guarded=False),
        AdminRoute(PREFIX + "/api/workspace", guarded(guard, workspace), guarded=False),
    )


def delivery_detail(runtime: Runtime, outbox_id: int) -> dict[str, Any]:
    """One delivery as the receiver saw it: headers (signature included), payload, attempts."""
    row = runtime.store.query_one(
        "SELECT id, workspace_id, subscription_id, delivery_id, activity, contract_id, url, "
        "headers, payload, status, attempts, created_at, finished_at, last_error "
        "FROM outbox WHERE id = ?",
        (outbox_id,),
    )
    if row is None:
        raise ApiProblem(404, f"No delivery {outbox_id}.")
    key = runtime.store.query_one(
        "SELECT hmac_key FROM workspaces WHERE id = ?", (row["workspace_id"],)
    )
    payload = bytes(row["payload"])
    custom = json.loads(row["headers"] or "{}")
    headers = {
        **{name: MASK if _secret(name) else value for name, value in custom.items()},
        "Content-Type": "application/json",
        # a signature of the body, not the key: what the receiver checks, safe to show
        SIGNATURE_HEADER: sign(payload, key["hmac_key"]) if key else "",
        DELIVERY_HEADER: row["delivery_id"],
    }
    text = payload.decode("utf-8", "replace")
    try:
        document = mask_value(json.loads(text))
    except ValueError:
        document = None
    attempts = runtime.store.query(
        "SELECT at, status_code, latency_ms, error, response_body FROM delivery_attempts "
        "WHERE outbox_id = ? ORDER BY id",
        (outbox_id,),
    )
    return {
        "id": row["id"],
        "delivery_id": row["delivery_id"],
        "event": row["activity"],
        "contract_id": row["contract_id"],
        "subscription_id": row["subscription_id"],
        "url": mask_url(row["url"]),
        "status": row["status"],
        "attempts": row["attempts"],
        "created_at": row["created_at"],
        "finished_at": row["finished_at"],
        "last_error": row["last_error"],
        "headers": headers,
        "payload": document if document is not None else mask_text(text),
        "attempt_log": [
            {
                "at": attempt["at"],
                "status_code": attempt["status_code"],
                "latency_ms": attempt["latency_ms"],
                "error": attempt["error"],
                "body": mask_text(attempt["response_body"] or ""),
            }
            for attempt in attempts
        ],
    }


def _secret(name: str) -> bool:
    return is_sensitive(name) or name.lower() in ("cookie", "proxy-authorization")


def workspace_sections(runtime: Runtime, sections: tuple[ConsoleSection, ...]) -> dict[str, Any]:
    """The family's sections, then every other record kind of the workspace as stored."""
    shown: list[dict[str, Any]] = []
    covered: set[str] = set()
    for section in sections:
        covered.update(section.kinds)
        rows = section.rows()
        shown.append(
            {
                "title": section.title,
                "columns": list(section.columns),
                "rows": [mask_value(row) for row in rows[:_MAX_ROWS]],
                "total": len(rows),
                "actions": [
                    {"label": a.label, "path": a.path, "when": sorted(a.when)}
                    for a in section.actions
                ],
            }
        )
    workspace_id = runtime.workspace.id
    kinds = runtime.store.query(
        "SELECT kind, COUNT(*) AS n FROM records WHERE workspace_id = ? GROUP BY kind "
        "ORDER BY kind",
        (workspace_id,),
    )
    for kind_row in kinds:
        kind = str(kind_row["kind"])
        if kind in covered:
            continue
        records = runtime.store.list_records(workspace_id, kind)[:_MAX_ROWS]
        shown.append(
            {
                "title": kind,
                "columns": ["id", "record"],
                "rows": [
                    {"id": str(r.get("id", "")), "record": json.dumps(mask_value(r))[:400]}
                    for r in records
                ],
                "total": int(kind_row["n"]),
                "actions": [],
            }
        )
    return {"workspace": runtime.workspace.name, "env": runtime.settings.env, "sections": shown}
