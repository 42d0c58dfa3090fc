"""The webhook contract: a receiver on loopback, and the checks on one received delivery."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from spotcheck.client.servers import serve_in_thread

SIGNATURE_HEADER = "x-sd-webhook-content-hash"  # the published HMAC-SHA512 of the raw body


def delivery_problems(event: dict[str, Any], hmac_key: str, wanted: set[str]) -> list[str]:
    """What is wrong with a delivery: its signature (the published HMAC-SHA512 recipe) or
    its activity (not one the subscription asked for)."""
    problems = []
    expected = hmac.new(base64.b64decode(hmac_key), event["raw"], hashlib.sha512).hexdigest()
    if not hmac.compare_digest(expected, event.get("signature", "")):
        problems.append("X-SD-WEBHOOK-CONTENT-HASH does not match the body")
    if event.get("activity") not in wanted:
        problems.append(f"activity {event.get('activity')} is outside the subscription's filter")
    return problems


@contextmanager
def webhook_receiver(port: int | None = None) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Yield (URL, events) of a receiver on loopback: each event keeps the raw body, its
    signature header and its activity."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    events: list[dict[str, Any]] = []

    async def receive(request: Request) -> Response:
        raw = await request.body()
        try:
            activity = (await request.json()).get("activity")
        except ValueError:
            activity = None
        events.append(
            {
                "raw": raw,
                "signature": request.headers.get(SIGNATURE_HEADER, ""),
                "activity": activity,
            }
        )
        return JSONResponse({"received": True})

    receiver = Starlette(routes=[Route("/hooks", receive, methods=["POST"])])
    with serve_in_thread(receiver, port) as base:
        yield f"{base}/hooks", events
