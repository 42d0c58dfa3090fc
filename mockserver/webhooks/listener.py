"""`spotcheck webhooks listen`: a local receiver that checks the vendor's signature.

It prints one line per delivery (activity, contract, delivery id, signature, answer), keeps
them at `GET /__listener/events`, and either answers itself or, with `--forward-to URL`,
forwards the exact bytes and headers to the integrator's app and answers the mock with the
app's status and body - so the mock retries exactly as the vendor would.

It can be told to misbehave (answer a status N times, answer slowly) to exercise the
sender's retries: at start (`--fail-status 503 --fail-times 3 --delay 2`) or live with
`POST /__listener/config {"fail_status": 503, "fail_times": 3, "delay": 2}`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.hopheaders import HOP_BY_HOP
from mockserver.webhooks.rules import mask_url
from mockserver.webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, verify


@dataclass
class ListenerState:
    hmac_key: str | None
    fail_status: int = 503
    fail_times: int = 0
    delay: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)
    forward_to: str | None = None
    only_events: frozenset[str] = frozenset()  # empty: every activity
    as_json: bool = True
    arrivals: int = 0  # requests seen, counted before any delay (tests watch attempts in flight)
    # `listen --record DIR`: each delivery kept as a HAR entry (see golive.webhooks)
    record: Callable[[Request, bytes, dict[str, Any], Response], None] | None = None


def _line(event: dict[str, Any], as_json: bool) -> str:
    keys = ("delivery_id", "activity", "contract_id", "signature", "answered")
    if as_json:
        return json.dumps({k: event[k] for k in keys} | {"at": event["at"]})
    app = f" app {event['answered']}" if event.get("forwarded") else f" -> {event['answered']}"
    return (
        f"{event['at']}  {event['activity'] or '?'}  contract {event['contract_id']}  "
        f"delivery {event['delivery_id']}  signature {event['signature']}{app}"
    )


def listener_app(state: ListenerState, out: TextIO = sys.stdout) -> Starlette:
    client: dict[str, httpx.AsyncClient] = {}

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # Generous: the mock's own per-attempt timeout decides when a slow app is too slow.
        client["http"] = httpx.AsyncClient(timeout=120.0, follow_redirects=False)
        yield
        await client["http"].aclose()

    async def forward(request: Request, body: bytes) -> Response:
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        assert state.forward_to is not None
        try:
            answer = await client["http"].post(state.forward_to, content=body, headers=headers)
        except httpx.HTTPError as failure:
            where = mask_url(state.forward_to)
            detail = {"detail": f"listen could not reach {where}: {type(failure).__name__}"}
            return JSONResponse(detail, status_code=502)
        kept = {"content-type": answer.headers.get("content-type", "text/plain")}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    async def receive(request: Request) -> Response:
        state.arrivals += 1
        body = await request.body()
        signature = request.headers.get(SIGNATURE_HEADER, "")
        valid = bool(state.hmac_key) and verify(body, state.hmac_key or "", signature)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        activity = payload.get("activity") if isinstance(payload, dict) else None
        if state.only_events and activity not in state.only_events:
            return JSONResponse({"received": True, "skipped": "not in --events"})
        if state.delay:
            await asyncio.sleep(state.delay)
        failing = state.fail_times > 0
        if failing:
            state.fail_times -= 1
            response: Response = JSONResponse(
                {"detail": "told to fail"}, status_code=state.fail_status
            )
        elif state.forward_to:
            response = await forward(request, body)
        elif state.hmac_key and not valid:
            response = JSONResponse({"detail": "signature mismatch"}, status_code=401)
        else:
            response = JSONResponse({"received": True})
        event = {
            "at": time.strftime("%H:%M:%S"),
            "delivery_id": request.headers.get(DELIVERY_HEADER),
            "path": request.url.path,
            "signature": "valid" if valid else ("unchecked" if not state.hmac_key else "INVALID"),
            "answered": response.status_code,
            "forwarded": bool(state.forward_to) and not failing,
            "activity": activity,
            "contract_id": payload.get("contract_id") if isinstance(payload, dict) else None,
            "headers": {k: v for k, v in request.headers.items() if k.lower().startswith("x-")},
            "payload": payload,
        }
        state.events.append(event)
        if state.record is not None:
            state.record(request, body, event, response)
        print(_line(event, state.as_json), file=out, flush=True)
        return response

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
        ],
        lifespan=lifespan,
    )


def run_listener(host: str, port: int, state: ListenerState) -> None:
    import uvicorn

    target = f", forwarding to {mask_url(state.forward_to)}" if state.forward_to else ""
    print(
        f"listening on http://{host}:{port}/ (signature check "
        f"{'on' if state.hmac_key else 'off'}{target})",
        flush=True,
    )
    uvicorn.run(listener_app(state), host=host, port=port, log_level="warning", access_log=False)
