"""The formats request values are checked against, in the pipeline's own `FormatChecker`.

Our own copy of draft 4's checker: registering on the shared `Draft4Validator.FORMAT_CHECKER`
would change validation for every user of jsonschema in the process (Schemathesis, the
integrator's own tests). Every validator of the pipeline is given this one instead, with the
`format` keyword of `integer_format` (int32/int64 bound integers only).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from jsonschema import Draft4Validator, FormatChecker

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")

FORMAT_CHECKER = FormatChecker(formats=())
FORMAT_CHECKER.checkers.update(Draft4Validator.FORMAT_CHECKER.checkers)


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    # Without rfc3339-validator installed, jsonschema would accept any string.
    if not isinstance(value, str):
        return True
    if not _RFC3339.fullmatch(value):
        raise ValueError("not an RFC 3339 date-time")
    datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    return True


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value) if len(value) == 10 else _fail("not a YYYY-MM-DD date")
    return True


@FORMAT_CHECKER.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    if isinstance(value, str):
        UUID(value) if len(value) in (32, 36) else _fail("not a UUID")
    return True


@FORMAT_CHECKER.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if isinstance(value, str):
        parts = urlsplit(value)
        if not parts.scheme or not (parts.netloc or parts.path) or not _is_visible(value):
            raise ValueError("not an absolute URI")
    return True


def _is_visible(value: str) -> bool:
    return value.isprintable() and not any(char.isspace() for char in value)


def _fail(message: str) -> None:
    raise ValueError(message)


_INT_RANGES = {"int32": 2**31, "int64": 2**63}


def _bounded(name: str) -> None:
    # OpenAPI's int32/int64 formats are ranges; jsonschema knows no such format.
    @FORMAT_CHECKER.checks(name, raises=ValueError)
    def check(value: object) -> bool:
        limit = _INT_RANGES[name]
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if numeric and not -limit <= value < limit:  # type: ignore[operator]
            raise ValueError(f"out of the {name} range")
        return True


for _name in _INT_RANGES:
    _bounded(_name)


def integer_format(validator: Any, name: Any, instance: Any, schema: dict[str, Any]) -> Any:
    """int32/int64 are widths of an OpenAPI `integer` (its data types pair them): beside another
    type they bound nothing. Box's `retention_length` is `{"type": "number", "format":
    "int32"}`, and a client (Schemathesis too) may send any number there."""
    if name in _INT_RANGES and not _may_be_integer(schema):
        return
    yield from Draft4Validator.VALIDATORS["format"](validator, name, instance, schema)


def _may_be_integer(schema: dict[str, Any]) -> bool:
    declared = schema.get("type")
    if declared is None:  # no type: the format is all that says what the value is
        return True
    return declared == "integer" or (isinstance(declared, list) and "integer" in declared)
