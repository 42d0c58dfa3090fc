"""The contract list's `filter__<field>[$op]=value` query parameters and `query`.

Operators: none or $eq, $ne, $in (comma separated), $gt, $gte, $lt, $lte. Values compare as
numbers when both sides are numbers, as datetimes when both parse, else as strings.
Every filter the vendor documents is read from the contract (a field the contract has no value
for matches nothing but `$ne`); a value of the wrong type (a number, a datetime, one of an
enum's values) is a 400. A filter name the vendor does not document is reported back in
`X-Spotcheck-Ignored-Filters`, not silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from mockserver.errors import ApiProblem, FieldError

_FILTER = re.compile(r"^filter__(?P<field>[a-z_]+)(?:\[\$(?P<op>eq|ne|in|gt|gte|lt|lte)\])?$")


def _signers(contract: dict[str, Any], signed: bool) -> list[str]:
    return [s["email"] for s in contract.get("signatories", []) if bool(s.get("signed")) == signed]


def _pending_with(contract: dict[str, Any]) -> str | None:
    if contract.get("status") != "SIGN":
        return None
    parties = {s["party"] for s in contract.get("signatories", []) if not s.get("signed")}
    if len(parties) > 1:
        return "BOTH"
    return "COUNTER_PARTY" if "COUNTERPARTY" in parties else "CREATOR_PARTY" if parties else None


def _parties(contract: dict[str, Any]) -> list[dict[str, Any]]:
    return list(contract.get("counter_party_details") or [])


# filter name -> how to read it from a stored contract (every filter the vendor documents)
FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "contract_id": lambda c: c["id"],
    "contract_type_id": lambda c: c.get("contract_type_id"),
    "contract_type_name": lambda c: c.get("contract_type_name"),
    "display_status": lambda c: c.get("status"),
    "contract_kind": lambda c: c.get("kind"),
    "created_at": lambda c: c.get("created"),
    "last_updated_on": lambda c: c.get("updated"),
    "execution_date": lambda c: c.get("execution_date"),
    "expiring_at": lambda c: c.get("expiring_at"),
    "client_name": lambda c: c.get("counter_party_name"),
    "client_brand_name": lambda c: c.get("counter_party_name"),
    "client_email": lambda c: [(p.get("poc_details") or {}).get("email") for p in _parties(c)],
    "client_email_address": lambda c: [
        (p.get("poc_details") or {}).get("email") for p in _parties(c)
    ],
    "contract_reference_id": lambda c: c.get("reference_id"),
    "contract_packet_name": lambda c: c.get("packet_name"),
    "entity_name": lambda c: c.get("entity_name"),
    "signatories": lambda c: [s["email"] for s in c.get("signatories", [])],
    "signatures_completed_by": lambda c: _signers(c, True),
    "signatures_pending_on": lambda c: _signers(c, False) if c.get("status") == "SIGN" else [],
    "signatures_rejected_by": lambda c: list(c.get("declined_by") or []),
    "pending_with": _pending_with,
    "tags": lambda c: list(c.get("tags") or []),
    # the creator: the user the contract is assigned to and its business and legal owner
    "assigned_to": lambda c: c.get("created_by_user_id"),
    "business_user_id": lambda c: c.get("created_by_user_id"),
    "legal_user_id": lambda c: c.get("created_by_user_id"),
    "approvals_pending": lambda c: "true" if c.get("approvals_pending") else "false",
}
# how a filter value must read (a value that does not is a 400)
_INTEGER = frozenset({"contract_type_id", "assigned_to", "business_user_id", "legal_user_id"})
_DATETIME = frozenset({"created_at", "last_updated_on", "execution_date", "expiring_at"})
_CHOICES = {
    "display_status": frozenset({"DRAFT", "EXECUTED", "ON_HOLD", "REDLINING", "SIGN", "VOIDED"}),
    "contract_kind": frozenset({"TEMPLATE", "HISTORICAL"}),
    "pending_with": frozenset({"CREATOR_PARTY", "COUNTER_PARTY", "BOTH"}),
    "approvals_pending": frozenset({"true", "false"}),
}


def _check_value(name: str, field: str, op: str, wanted: str) -> None:
    for value in wanted.split(",") if op == "in" else [wanted]:
        value = value.strip()
        if field in _INTEGER and not value.lstrip("-").isdigit():
            problem = "a whole number"
        elif field in _DATETIME and not _is_datetime(value):
            problem = "an ISO 8601 date or datetime"
        elif field in _CHOICES and value not in _CHOICES[field]:
            problem = "one of " + ", ".join(sorted(_CHOICES[field]))
        else:
            continue
        raise ApiProblem(
            400, f"{name}: {value!r} is not {problem}.", errors=[FieldError(name, problem)]
        )


def _is_datetime(value: str) -> bool:
    try:
        _when(value)
    except ValueError:
        return False
    return True


def _comparable(left: Any, right: str) -> tuple[Any, Any]:
    if isinstance(left, int | float) and not isinstance(left, bool):
        try:
            return float(left), float(right)
        except ValueError:
            return str(left), right
    if isinstance(left, str) and right[:4].isdigit() and left[:4].isdigit():
        try:
            return _when(left), _when(right)
        except ValueError:
            pass
    return ("" if left is None else str(left)), right


def _when(value: str) -> datetime:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # A name like "2025-06-01" has no zone: read it as UTC, or comparing it with an aware
    # filter value raises TypeError.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _matches(value: Any, op: str, wanted: str) -> bool:
    if isinstance(value, list):
        return (
            any(_matches(item, op, wanted) for item in value)
            if op != "ne"
            else all(_matches(i, op, wanted) for i in value)
        )
    if op == "in":
        return any(_matches(value, "eq", option.strip()) for option in wanted.split(","))
    if value is None:
        return op == "ne"
    left, right = _comparable(value, wanted)
    if type(left) is not type(right):
        left, right = str(left), str(right)
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    return {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]


def apply(
    contracts: Iterable[dict[str, Any]], query: Iterable[tuple[str, str]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The contracts matching every filter, and the names of filters this mock cannot apply."""
    selected = list(contracts)
    ignored: list[str] = []
    for name, wanted in query:
        if name == "query":
            needle = wanted.lower()
            selected = [
                c
                for c in selected
                if needle in c.get("contract_name", "").lower()
                or needle in c.get("counter_party_name", "").lower()
            ]
            continue
        found = _FILTER.match(name)
        if not found:
            continue
        field, op = found.group("field"), found.group("op") or "eq"
        reader = FIELDS.get(field)
        if reader is None:
            ignored.append(name)
            continue
        _check_value(name, field, op, wanted)
        try:
            selected = [c for c in selected if _matches(reader(c), op, wanted)]
        except ValueError as error:
            raise ApiProblem(400, f"{name}: {error}") from None
    return selected, ignored
