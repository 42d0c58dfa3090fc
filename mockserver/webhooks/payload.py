"""Build the delivered body (`ContractActivityDomainModel`) from the real contract state."""

from __future__ import annotations

from typing import Any

# The schema component a delivered body follows (what `spotcheck diff` checks recordings with).
PAYLOAD_SCHEMA = "ContractActivityDomainModel"
_KINDS = {"TEMPLATE": "TEMPLATE_CONTRACT", "HISTORICAL": "THIRD_PARTY_CONTRACT"}


def _person(email: str) -> dict[str, str]:
    return {"name": email.split("@")[0], "email": email}


def activity_payload(
    activity: str, performed_by: str, timestamp: str, contract: dict[str, Any] | None
) -> dict[str, Any]:
    """The webhook body for one activity; `contract` is None for counterparty activities."""
    contract = contract or {}
    kind = _KINDS.get(contract.get("kind", ""), "TEMPLATE_CONTRACT")
    if contract.get("status") == "EXECUTED" and contract.get("kind") == "HISTORICAL":
        kind = "EXECUTED_CONTRACT"
    counterparties = [
        {
            "type": "INDIVIDUAL" if party.get("is_individual") else "ORGANIZATION",
            "organization_name": party.get("organization_name") or "",
            "poc_name": " ".join(
                filter(
                    None,
                    [(party.get("poc_details") or {}).get(k) for k in ("first_name", "last_name")],
                )
            ),
            "poc_email": (party.get("poc_details") or {}).get("email", ""),
        }
        for party in contract.get("counter_party_details") or []
    ]
    if not counterparties and contract.get("counter_party_name"):
        counterparties = [
            {"type": "ORGANIZATION", "organization_name": contract["counter_party_name"]}
        ]
    body: dict[str, Any] = {
        "activity": activity,
        "activity_data": {"performed_by": _person(performed_by), "timestamp": timestamp},
        "contract_id": int(contract.get("contract_id", 0)),
        "contract_title": contract.get("contract_name", ""),
        "contract_type": contract.get("contract_type_name", ""),
        "contract_type_name": contract.get("contract_type_name", ""),
        "contract_type_id": int(contract.get("contract_type_id") or 0),
        "contract_status": contract.get("status", ""),
        "contract_kind": kind,
        "business_user": _person(contract.get("created_by", performed_by)),
        "created_at": contract.get("created", timestamp),
        "counterparties": counterparties,
        "external_metadata": contract.get("external_metadata") or {},
        "contract_reference_id": contract.get("reference_id", ""),
    }
    if contract.get("template_id"):
        body["contract_template_id"] = int(contract["template_id"])
    return body
