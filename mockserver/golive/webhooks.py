"""Real webhook deliveries, recorded and compared with the twin's payload for the same activity.

`spotcheck webhooks listen --record DIR` keeps each delivery it receives (the listener's
signature verdict with it) as a HAR entry in `DIR/webhooks-*.har`, body masked like the
proxy's. `spotcheck diff DIR` then compares every delivery whose signature held with the
payload the twin recorded for the same activity (on the contract the replay mapped to), by
the same rules as answers; a delivery whose signature did not hold is reported, not compared.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver.golive.compare import SCHEMA, Comparer, Difference
from mockserver.golive.har import HarRecorder, Message, body_text, entry, request_of
from mockserver.golive.scrub import Scrubber
from mockserver.webhooks.payload import PAYLOAD_SCHEMA, activity_payload


class WebhookRecorder:
    """The listener's `record` hook: one masked HAR entry per delivery."""

    def __init__(self, folder: Path) -> None:
        self.har = HarRecorder(folder, "webhooks")
        self.scrubber = Scrubber()

    def __call__(
        self, request: Request, body: bytes, event: dict[str, Any], response: Response
    ) -> None:
        scrub = self.scrubber
        media = request.headers.get("content-type", "")
        text, is_base64 = body_text(body)
        sent = Message(
            scrub.headers(list(request.headers.items())),
            text if is_base64 else scrub.body(text, media),
            media,
            is_base64,
        )
        answer_text, answer_base64 = body_text(bytes(response.body))
        answer = Message(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers],
            answer_text,
            response.headers.get("content-type", ""),
            answer_base64,
        )
        notes = {
            "kind": "webhook",
            "activity": event.get("activity"),
            "delivery_id": event.get("delivery_id"),
            "signature": event.get("signature"),
        }
        url = scrub.text(str(request.url))
        self.har.add(
            entry("POST", url, [], sent, response.status_code, answer, time.time(), 0, notes)
        )


def compare_delivery(
    number: int,
    item: dict[str, Any],
    comparer: Comparer,
    twin_payloads: list[tuple[str, dict[str, Any]]],
    same: dict[str, str],
) -> list[Difference]:
    """Differences between one recorded delivery and the twin's payload for its activity;
    `twin_payloads` are (contract id, payload) the twin emitted for that activity, newest first."""
    notes = item.get("_spotcheck") or {}
    activity = str(notes.get("activity") or "?")
    label = f"webhook {activity}"
    if notes.get("signature") != "valid":
        detail = (
            f"signature {notes.get('signature')}: the delivery is not the vendor's, not compared"
        )
        return [Difference(number, label, "signature", SCHEMA, detail)]
    try:  # the vendor's deliveries are JSON, whatever content type they were labelled with
        upstream = json.loads(request_of(item).raw())
    except ValueError:
        upstream = None
    if not isinstance(upstream, dict):
        return []
    contract = same.get(str(upstream.get("contract_id")), str(upstream.get("contract_id")))
    chosen = next(
        (p for c, p in twin_payloads if c.split("-")[-1] == contract.split("-")[-1]), None
    )
    if chosen is None:
        chosen = twin_payloads[0][1] if twin_payloads else _built(activity, upstream)
    components = (comparer.checker.document.get("components") or {}).get("schemas") or {}
    schema: Any = (
        {"$ref": f"#/components/schemas/{PAYLOAD_SCHEMA}"} if PAYLOAD_SCHEMA in components else None
    )
    return comparer.compare_bodies(number, label, upstream, chosen, schema, same)


def _built(activity: str, upstream: dict[str, Any]) -> dict[str, Any]:
    """The twin's payload for an activity it did not emit during the replay (no contract)."""
    data = upstream.get("activity_data") or {}
    performer = (data.get("performed_by") or {}).get("email") or "someone@example.test"
    return activity_payload(activity, str(performer), str(data.get("timestamp") or ""), None)


def twin_payloads(store: Any, workspace_id: int, activity: str) -> list[tuple[str, dict[str, Any]]]:
    """(contract id, payload) of every `activity` the twin recorded, newest first."""
    rows = store.query(
        "SELECT contract_id, data FROM activities WHERE workspace_id = ? AND activity = ? "
        "ORDER BY id DESC",
        (workspace_id, activity),
    )
    return [(str(row["contract_id"]), json.loads(row["data"])) for row in rows]
