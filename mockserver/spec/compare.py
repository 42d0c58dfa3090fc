"""Compare two schemas of the same API operation by operation: what one lacks or types apart.

Used to prove our own schema carries every fact of the vendor's: operations, parameters,
request and response fields, types, enums, required lists and security.
"""

from __future__ import annotations

from typing import Any

from mockserver.spec.walk import operations, resolve

_MAX_DEPTH = 12


def shape(
    document: dict[str, Any], schema: Any, depth: int = 0, seen: frozenset[str] = frozenset()
) -> Any:
    """The facts of a schema, with refs followed and prose ignored; cycles cut off."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if ref in seen or depth > _MAX_DEPTH:
        return {"ref": ref}
    seen = seen | {ref} if ref else seen
    schema = resolve(document, schema)
    facts: dict[str, Any] = {}
    for key in (
        "type",
        "format",
        "nullable",
        "pattern",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
    ):
        if key in schema:
            facts[key] = schema[key]
    if "enum" in schema:
        facts["enum"] = sorted(map(repr, schema["enum"]))
    if schema.get("required"):
        facts["required"] = sorted(schema["required"])
    if "properties" in schema:
        facts["properties"] = {
            name: shape(document, child, depth + 1, seen)
            for name, child in schema["properties"].items()
        }
    if isinstance(schema.get("items"), dict):
        facts["items"] = shape(document, schema["items"], depth + 1, seen)
    for keyword in ("allOf", "anyOf", "oneOf"):
        if keyword in schema:
            facts[keyword] = [shape(document, child, depth + 1, seen) for child in schema[keyword]]
    return facts


def _diff(expected: Any, actual: Any, where: str, out: list[str]) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{where}: missing {key!r}")
            else:
                _diff(value, actual[key], f"{where}.{key}", out)
        return
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            _diff(left, right, f"{where}[{index}]", out)
        return
    if expected != actual:
        out.append(f"{where}: expected {expected!r}, found {actual!r}")


def _parameters(document: dict[str, Any], path: str, operation: dict[str, Any]) -> dict[str, Any]:
    shared = document["paths"][path].get("parameters") or []
    found = {}
    for parameter in [*shared, *(operation.get("parameters") or [])]:
        parameter = resolve(document, parameter)
        key = f"{parameter.get('in')}:{parameter.get('name')}"
        found[key] = {
            "required": bool(parameter.get("required")),
            "schema": shape(document, parameter.get("schema")),
        }
    return found


def _bodies(document: dict[str, Any], holder: Any) -> dict[str, Any]:
    content = resolve(document, holder).get("content") or {}
    return {media: shape(document, (value or {}).get("schema")) for media, value in content.items()}


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Every fact of `expected` that `actual` lacks or contradicts (empty: nothing missing)."""
    problems: list[str] = []
    ours = {(path, method): op for path, method, op in operations(actual)}
    for path, method, operation in operations(expected):
        where = f"{method.upper()} {path}"
        other = ours.get((path, method))
        if other is None:
            problems.append(f"{where}: operation missing")
            continue
        _diff(
            _parameters(expected, path, operation),
            _parameters(actual, path, other),
            f"{where} parameters",
            problems,
        )
        _diff(operation.get("security"), other.get("security"), f"{where} security", problems)
        _diff(
            _bodies(expected, operation.get("requestBody")),
            _bodies(actual, other.get("requestBody")),
            f"{where} body",
            problems,
        )
        for code, response in (operation.get("responses") or {}).items():
            other_response = (other.get("responses") or {}).get(code)
            if other_response is None:
                problems.append(f"{where}: response {code} missing")
                continue
            _diff(
                _bodies(expected, response),
                _bodies(actual, other_response),
                f"{where} response {code}",
                problems,
            )
    return problems
