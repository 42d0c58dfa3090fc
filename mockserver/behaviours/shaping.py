"""Fit state into the operation's documented response shape.

The canned (schema-valid) body is the frame; state overrides the fields the schema names.
So a stateful answer keeps every required field, and gains the real values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockserver.behaviours.responses import ResponseCatalog
from mockserver.spec.index import Operation


def _properties(catalog: ResponseCatalog, schema: Any) -> tuple[dict[str, Any], bool]:
    schema = catalog.synthesizer.resolve(schema)
    properties: dict[str, Any] = dict(schema.get("properties") or {})
    open_ended = schema.get("additionalProperties", True) is not False and not properties
    for part in schema.get("allOf") or []:
        more, more_open = _properties(catalog, part)
        properties.update(more)
        open_ended = open_ended and more_open
    return properties, open_ended


@dataclass(frozen=True)
class _Plan:
    """What `fit` reads of one schema object, worked out once: answers are fitted on every
    request, the schema never changes."""

    resolved: dict[str, Any]
    is_object: bool
    properties: dict[str, Any]
    open_ended: bool
    forbidden: frozenset[str]
    is_array: bool
    # scalars already found to fit (by type and value): state is read again and again
    accepted: set[tuple[type, Any]] = field(default_factory=set)


def _plan(catalog: ResponseCatalog, schema: Any) -> _Plan:
    plan: _Plan = catalog.shapes.get(schema, lambda: _make_plan(catalog, schema))
    return plan


def _make_plan(catalog: ResponseCatalog, schema: Any) -> _Plan:
    resolved = catalog.synthesizer.resolve(schema)
    if len(resolved.get("allOf") or []) == 1 and "properties" not in resolved:
        resolved = catalog.synthesizer.resolve(resolved["allOf"][0])
    is_object = _may_be(resolved, "object")
    properties, open_ended = _properties(catalog, resolved) if is_object else ({}, False)
    forbidden = frozenset(key for key, sub in properties.items() if _forbidden(catalog, sub))
    is_array = resolved.get("type") == "array"
    return _Plan(resolved, is_object, properties, open_ended, forbidden, is_array)


def fit(catalog: ResponseCatalog, schema: Any, frame: Any, data: Any) -> Any:
    """`data` laid over `frame`, keeping only what `schema` has room for."""
    plan = _plan(catalog, schema)
    resolved = plan.resolved
    if isinstance(data, dict) and plan.is_object:
        properties, forbidden = plan.properties, plan.forbidden
        base = (
            dict(frame) if isinstance(frame, dict) else catalog.synthesizer.example(resolved) or {}
        )
        if not isinstance(base, dict):
            base = {}
        for key, value in data.items():
            if key in forbidden:
                base.pop(key, None)  # an answer never carries it
            elif key in properties:
                base[key] = fit(catalog, properties[key], base.get(key), value)
            elif plan.open_ended:
                base[key] = value
        return base
    if isinstance(data, list) and plan.is_array:
        items = resolved.get("items") or {}
        item_frame = frame[0] if isinstance(frame, list) and frame else None
        fitted = [fit(catalog, items, item_frame, item) for item in data]
        # the schema's bounds hold for state too: an empty store still answers minItems
        least, most = resolved.get("minItems", 0), resolved.get("maxItems")
        if len(fitted) < least:
            padding = frame if isinstance(frame, list) and frame else None
            padding = padding or catalog.synthesizer.example({**resolved, "minItems": least})
            fitted += list(padding)[len(fitted) : least]
        return fitted[:most] if isinstance(most, int) else fitted
    # A request field may differ in type from the response field of the same name: only a
    # value the response schema accepts is carried over.
    known = (type(data), data) if isinstance(data, _SCALARS) else None
    if known is not None and known in plan.accepted:
        return data
    if _plainly_fits(resolved, data) or not catalog.checker.errors(resolved, data):
        if known is not None and len(plan.accepted) < _ACCEPTED_LIMIT:
            plan.accepted.add(known)
        return data
    return frame if frame is not None else catalog.synthesizer.example(resolved)


_SCALARS = (str, int, float, bool)
_ACCEPTED_LIMIT = 512  # values kept per schema object

_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}
_CONSTRAINTS = frozenset(
    {
        "enum",
        "format",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "multipleOf",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
    }
)


def _plainly_fits(schema: dict[str, Any], value: Any) -> bool:
    # The hot path of every stateful answer: a bare typed scalar needs no validator.
    kinds = _PLAIN_TYPES.get(schema.get("type", ""))
    if kinds is None or not _CONSTRAINTS.isdisjoint(schema):
        return False
    if isinstance(value, bool) and schema["type"] != "boolean":
        return False
    return isinstance(value, kinds)


def _forbidden(catalog: ResponseCatalog, schema: Any) -> bool:
    # writeOnly: sent, never answered (a signer's password echoed back breaks the schema)
    resolved = catalog.synthesizer.resolve(schema)
    return resolved.get("not") == {} or resolved.get("writeOnly") is True


def _may_be(schema: dict[str, Any], kind: str) -> bool:
    declared = schema.get("type")
    return declared is None or declared == kind


def shaped(catalog: ResponseCatalog, operation: Operation, data: Any) -> tuple[int, Any]:
    """(status, body) of the operation's success answer carrying `data`."""
    status, schema = catalog.success_schema(operation)
    if schema is None:
        return status, None
    return status, fit(catalog, schema, catalog.success(operation).body, data)
