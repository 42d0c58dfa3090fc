"""`spotcheck webhooks listen`: a local receiver that checks the vendor's signature.

It prints one JSON line per delivery, keeps them at `GET /__listener/events`, and can be
told to misbehave (answer a status N times, answer slowly) to exercise the sender's retries:
at start (`--fail-status 503 --fail-times 3 --delay 2`) or live with
`POST /__listener/config {"fail_status": 503, "fail_times": 3, "delay": 2}`.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field
from typing import Any, TextIO

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, verify


@dataclass
class ListenerState:
    hmac_key: str | None
    fail_status: int = 503
    fail_times: int = 0
    delay: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)


def listener_app(state: ListenerState, out: TextIO = sys.stdout) -> Starlette:
    async def receive(request: Request) -> Response:
        body = await request.body()
        signature = request.headers.get(SIGNATURE_HEADER, "")
        valid = bool(state.hmac_key) and verify(body, state.hmac_key or "", signature)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if state.delay:
            await asyncio.sleep(state.delay)
        failing = state.fail_times > 0
        if failing:
            state.fail_times -= 1
        event = {
            "delivery_id": request.headers.get(DELIVERY_HEADER),
            "path": request.url.path,
            "signature": "valid" if valid else ("unchecked" if not state.hmac_key else "INVALID"),
            "answered": state.fail_status if failing else 200,
            "activity": payload.get("activity") if isinstance(payload, dict) else None,
            "contract_id": payload.get("contract_id") if isinstance(payload, dict) else None,
            "headers": {k: v for k, v in request.headers.items() if k.lower().startswith("x-")},
            "payload": payload,
        }
        state.events.append(event)
        summary = {
            k: event[k] for k in ("delivery_id", "activity", "contract_id", "signature", "answered")
        }
        print(json.dumps(summary), file=out, flush=True)
        if failing:
            return JSONResponse({"detail": "told to fail"}, status_code=state.fail_status)
        if state.hmac_key and not valid:
            return JSONResponse({"detail": "signature mismatch"}, status_code=401)
        return JSONResponse({"received": True})

    async def events(request: Request) -> Response:
        return JSONResponse(state.events)

    async def configure(request: Request) -> Response:
        changes = await request.json()
        for name in ("fail_status", "fail_times", "delay"):
            if name in changes:
                setattr(state, name, type(getattr(state, name))(changes[name]))
        return JSONResponse(
            {"fail_status": state.fail_status, "fail_times": state.fail_times, "delay": state.delay}
        )

    return Starlette(
        routes=[
            Route("/__listener/events", events, methods=["GET"]),
            Route("/__listener/config", configure, methods=["POST"]),
            Route("/{path:path}", receive, methods=["POST"]),
        ]
    )


def run_listener(host: str, port: int, state: ListenerState) -> None:
    import uvicorn

    print(
        f"listening on http://{host}:{port}/ (signature check {'on' if state.hmac_key else 'off'})",
        flush=True,
    )
    uvicorn.run(listener_app(state), host=host, port=port, log_level="warning", access_log=False)
