"""A stand-in for a vendor's real UAT, for the go-live tests: a small Starlette app that
answers like the twin except where it deviates on purpose (PLANTED), started on loopback.

Its credentials, tokens and hmac key are SECRETS: a test greps recordings for each.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.receiver import free_port, wait_for

CLIENT_ID = "upstream-client-7f3a"
CLIENT_SECRET = "upstream-secret-5c1e9b2d"
HMAC_KEY = "dXBzdHJlYW0taG1hYy1rZXktOTk4ODc3"
ACCESS_TOKEN = "upstream-token-0d4f6e8a2b"
SECRETS = (CLIENT_SECRET, HMAC_KEY, ACCESS_TOKEN)
API = "/api/v2.1/public"

# What the upstream does differently from its schema or the twin, by where it shows up:
# (operation, aspect, class the diff must give it).
PLANTED = {
    ("GET /api/v2.1/public/contract_types/", "field", "schema"),  # extra field `archived`
    ("GET /api/v2.1/public/templates/{template_id}/", "field", "schema"),  # required field gone
    ("GET /api/v2.1/public/templates/", "type", "schema"),  # contract_type_id as a string
    ("GET /api/v2.1/public/contracts/{composite_id}/status", "error-body", "schema"),
    ("POST /api/v2.1/public/user_tasks/", "status", "twin"),  # a documented 400, twin 201
}
# The schema violations the proxy must flag: the missing required field and the wrong type.
VIOLATIONS = {
    ("GET /api/v2.1/public/templates/{template_id}/", "contract_type_id"),
    ("GET /api/v2.1/public/templates/", "items.[].contract_type_id"),
}
TEMPLATES = [
    {"id": 21, "name": "Mutual NDA", "contract_type_id": "11"},
    {"id": 77, "name": "Supplier NDA (UAT)", "contract_type_id": "11"},
]


def _attribute(label: str, variable: str, kind: str, required: bool, **more: object) -> dict:
    """A template field as the vendor lists it: every key, empty where it does not apply."""
    empty = {"help_text": "", "parent_variable": "", "parent_type": "", "child_variable": ""}
    return {
        "display_label": label,
        "variable": variable,
        "type": kind,
        "required": required,
        "parent_required": False,
        "question": "",
        "options": [],
        "attributes": [],
        "default_value": None,
        **empty,
        **more,
    }


METADATA = {
    "attributes": [
        _attribute("Effective date", "effective_date", "date", True),
        _attribute(
            "Supplier tier",
            "supplier_tier",
            "enum",
            False,
            options=[{"label": "Gold", "value": "gold"}],
        ),
    ],
    # The twin derives this from the template's counterparty types (a seeded template keeps
    # the fixture's Organisation), so upstream answers the same here.
    "counter_party_kind": "Organisation",
}


def _error(status: int, detail: str) -> JSONResponse:
    body = {"detail": detail, "message": detail, "code": "error", "status_code": status}
    return JSONResponse(body, status_code=status)


def upstream_app(slow_seconds: float = 3.0) -> Starlette:
    contracts: dict[str, dict] = {}

    def authorized(request: Request) -> bool:
        headers = request.headers
        pair = (headers.get("client-id"), headers.get("client-secret"))
        keys = (headers.get("x-spot-api-key"), headers.get("x-spot-api-secret"))
        return (
            pair == (CLIENT_ID, CLIENT_SECRET)
            or keys == (CLIENT_ID, CLIENT_SECRET)
            or (headers.get("authorization") == f"Bearer {ACCESS_TOKEN}")
        )

    async def route(request: Request) -> Response:
        path, method = request.url.path, request.method
        if path == "/v2/auth/oauth2-token":
            form = await request.form()
            if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
                return JSONResponse({"debugIdentifier": "u-1", "errorMessages": []}, 401)
            token = {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
            return JSONResponse(token, headers={"cache-control": "no-store"})
        if not authorized(request):
            return _error(401, "Authentication credentials were not provided.")
        if path == "/v2/companies":
            return JSONResponse(
                {
                    "companies": [
                        {"id": "3f0c1d9e-8a43-4c55-9d0f-0c6a8d1f2e11", "name": "Acme Travel"}
                    ]
                }
            )
        if path == "/participants":
            return JSONResponse(
                {"data": [{"id": "p-1", "full_name": "Pat Doe", "email": "pat@example.test"}]}
            )
        if path == f"{API}/slow/":
            await asyncio.sleep(slow_seconds)
        if path == f"{API}/contract_types/":
            return JSONResponse(
                [
                    {"id": 11, "name": "Non-Disclosure Agreement", "archived": False},  # PLANTED
                    {"id": 12, "name": "Master Services Agreement", "archived": False},
                ]
            )
        if path == f"{API}/templates/":
            return JSONResponse({"items": TEMPLATES})  # PLANTED: contract_type_id a string
        if path == f"{API}/templates/21/":
            return JSONResponse({"id": 21, "name": "Mutual NDA", "tags": ["nda"]})  # PLANTED
        if path == f"{API}/templates/77/":
            return JSONResponse(
                {"id": 77, "name": "Supplier NDA (UAT)", "contract_type_id": 11, "tags": []}
            )
        if path == f"{API}/templates/77/metadata":
            return JSONResponse(METADATA)
        if path == f"{API}/webhooks/hmac_key/":
            return JSONResponse({"hmac_key": HMAC_KEY})
        if path == f"{API}/contracts/" and method == "POST":
            body = json.loads(await request.body())
            contract = {
                "id": "T-9001",
                "contract_id": 9001,
                "contract_status": "DRAFT",
                "contract_name": "Mutual NDA - Globex Ltd",
                "contract_type_name": "Non-Disclosure Agreement",
                "counter_party_name": "Globex Ltd",
                "created_by": "it@acme.test",
                "created_by_workspace": 7,
                "reference_id": "REF-04711",
                "contract_type_id": 11,
                "contract_link": "https://uat.vendor.test/contracts/T-9001",
                "created": "2026-01-05T10:00:00Z",
                "external_metadata": body.get("external_metadata"),
            }
            contracts["T-9001"] = contract
            return JSONResponse(contract, status_code=201)
        if path.startswith(f"{API}/contracts/") and path.endswith("/status"):
            composite = path.split("/")[-2]
            if composite not in contracts:
                return JSONResponse({"error": {"type": "not_found"}}, 404)  # PLANTED shape
            found = contracts[composite]
            return JSONResponse(
                {
                    "contract_name": found["contract_name"],
                    "contract_status": found["contract_status"],
                    "status": found["contract_status"],
                }
            )
        if path == f"{API}/user_tasks/":  # PLANTED: a documented refusal the twin lacks
            return _error(400, "Tasks need an open approval on the contract.")
        return _error(404, "Not found.")

    return Starlette(
        routes=[Route("/{path:path}", route, methods=["GET", "POST", "PATCH", "PUT", "DELETE"])]
    )


@contextmanager
def running_upstream(**kwargs: float) -> Iterator[str]:
    """Yield the base URL of the upstream app served on a free loopback port."""
    import threading

    import uvicorn

    port = free_port()
    config = uvicorn.Config(upstream_app(**kwargs), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 10, "upstream did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
