"""Form-style query arrays that Connexion's comma split misreads.

Connexion joins a parameter's values with commas and splits them again, which is right for
arrays of scalars only. `name=` is the empty array (OpenAPI's style table), and for objects -
for which OpenAPI defines no form serialization - each value is read as JSON (Box documents
`mdfilters=[{...}]`) or as the Python literal requests-based clients (Schemathesis) write.
What neither reads stays a string, which the schema then refuses.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import QueryParams

_MAX_LITERAL = 10_000  # longer values are not parsed as literals (a query is bounded anyway)


def form_array(param: Mapping[str, Any], scope: Mapping[str, Any]) -> list[Any] | None:
    """The values of array query parameter `param` in the request of `scope`; None where
    Connexion's own reading holds (not a form-style array, absent, or scalars)."""
    schema = param.get("schema") or {}
    if schema.get("type") != "array" or param.get("style", "form") != "form":
        return None
    raw = QueryParams(scope.get("query_string", b"")).getlist(param["name"])
    if raw == [""]:
        return []
    items = schema.get("items") or {}
    if not raw or (items.get("type") != "object" and "properties" not in items):
        return None
    values: list[Any] = []
    for text in raw:
        decoded = _decoded(text)
        values += decoded if isinstance(decoded, list) else [decoded]
    return values


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    if len(text) > _MAX_LITERAL:
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return text
