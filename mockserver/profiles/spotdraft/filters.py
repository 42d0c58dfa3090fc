"""The contract list's `filter__<field>[$op]=value` query parameters and `query`.

Operators: none or $eq, $ne, $in (comma separated), $gt, $gte, $lt, $lte. Values compare as
numbers when both sides are numbers, as datetimes when both parse, else as strings.
Documented filters this mock keeps no data for are reported back, not silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from mockserver.errors import ApiProblem

_FILTER = re.compile(r"^filter__(?P<field>[a-z_]+)(?:\[\$(?P<op>eq|ne|in|gt|gte|lt|lte)\])?$")

# filter name -> how to read it from a stored contract
FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "contract_id": lambda c: c["id"],
    "contract_type_id": lambda c: c.get("contract_type_id"),
    "contract_type_name": lambda c: c.get("contract_type_name"),
    "display_status": lambda c: c.get("status"),
    "contract_kind": lambda c: c.get("kind"),
    "created_at": lambda c: c.get("created"),
    "last_updated_on": lambda c: c.get("updated"),
    "execution_date": lambda c: c.get("execution_date"),
    "client_name": lambda c: c.get("counter_party_name"),
    "contract_reference_id": lambda c: c.get("reference_id"),
    "signatories": lambda c: [s["email"] for s in c.get("signatories", [])],
}


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
        try:
            selected = [c for c in selected if _matches(reader(c), op, wanted)]
        except ValueError as error:
            raise ApiProblem(400, f"{name}: {error}") from None
    return selected, ignored
