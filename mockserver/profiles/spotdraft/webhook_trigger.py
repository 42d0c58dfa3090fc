"""`spotcheck webhooks trigger ACTIVITY`: make a genuine event by using the mock's API.

Each activity has a recipe: the calls an integrator (or the counterparty, through the admin
API) makes for the vendor to emit it - CONTRACT_EXECUTED is create, send, mark for execution,
sign. The events are the mock's own, so payloads, signatures and order are the real thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.errors import SpotcheckError
from mockserver.webhooks.mockclient import MockClient

API = "/api/v2.1/public"
HMAC_KEY_PATH = f"{API}/webhooks/hmac_key/"
_COUNTERPARTY = {
    "is_individual": False,
    "organization_name": "Globex Ltd",
    "poc_details": {"first_name": "Gina", "last_name": "Globex", "email": "gina@globex.test"},
}


Step = Callable[[MockClient, str], None]


def _create(client: MockClient, external_id: str) -> str:
    body = {
        "contract_template_id": 21,
        "contract_data": {"effective_date": "2026-01-01", "term_months": 12},
        "counter_party_details": [_COUNTERPARTY],
        "external_metadata": {"id": external_id, "integration_name": "spotcheck-trigger"},
    }
    return str(client.call("POST", f"{API}/contracts/", body)["id"])


def _action(path: str, body: dict[str, Any] | None = None) -> Step:
    def step(client: MockClient, composite_id: str) -> None:
        client.call("POST", f"{API}/contracts/{composite_id}{path}", body or {})

    return step


def _admin(action: str) -> Step:
    def step(client: MockClient, composite_id: str) -> None:
        client.call("POST", f"/__admin/contracts/{composite_id}/{action}", admin=True)

    return step


def _numeric(path: str, method: str, body: dict[str, Any]) -> Step:
    def step(client: MockClient, composite_id: str) -> None:
        number = composite_id.split("-")[-1]
        client.call(method, f"{API}/contracts/{number}{path}", body)

    return step


_SEND = _action("/send_to_counterparties", {"attachment_formats": ["PDF"]})
_MARK = _action("/mark_for_execution/")
_SIGN = _admin("sign")
# activity -> the steps after creating the contract (or on the contract given with --contract)
RECIPES: dict[str, tuple[Step, ...]] = {
    "CONTRACT_CREATED": (),
    "CONTRACT_EXTERNAL_METADATA_CREATED": (),
    "CONTRACT_EXTERNAL_METADATA_UPDATED": (
        _numeric("/external_metadata", "POST", {"record_type": "deal"}),
    ),
    "CONTRACT_DATA_UPDATED": (_numeric("/contract_data", "PATCH", {"term_months": 24}),),
    "CONTRACT_SENT_TO_COUNTERPARTY": (_SEND,),
    "CONTRACT_MARK_FOR_EXECUTION": (_MARK,),
    "CONTRACT_SIGNATURE_REQUESTED": (_MARK,),
    "CONTRACT_UNMARK_FOR_EXECUTION": (_MARK, _action("/unmark_for_execution")),
    "CONTRACT_SIGNED": (_SEND, _MARK, _SIGN),
    "CONTRACT_EXECUTED": (_SEND, _MARK, _SIGN),
    "CONTRACT_SIGNATURE_DECLINED": (_MARK, _admin("decline")),
    "CONTRACT_VOIDED": (_action("/status/void", {"note": "spotcheck trigger"}),),
    "COUNTER_PARTY_CREATED": (),
}
_NEEDS_NEW = {"CONTRACT_CREATED", "CONTRACT_EXTERNAL_METADATA_CREATED", "COUNTER_PARTY_CREATED"}


def trigger(client: MockClient, activity: str, contract: str | None = None) -> str:
    """Drive the mock until it emits `activity`; returns what it acted on."""
    if activity not in RECIPES:
        raise SpotcheckError(f"cannot trigger {activity}; --list shows what can be triggered")
    if contract and activity in _NEEDS_NEW:
        raise SpotcheckError(f"{activity} makes something new: --contract does not apply")
    if activity == "COUNTER_PARTY_CREATED":
        made = client.call(
            "POST", f"{API}/counter_parties/", {"is_individual": False, "name": "Hooli"}
        )
        return f"counterparty {made.get('id', '?')}"
    composite_id = contract or _create(client, "spotcheck-trigger")
    for step in RECIPES[activity]:
        step(client, composite_id)
    return f"contract {composite_id}"
