"""Visit every schema object of an OpenAPI document, wherever it sits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

SchemaVisitor = Callable[[dict[str, Any], str], None]


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path template, lower-case method, operation object) for every operation."""
    for path, item in _mapping(document.get("paths")).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation


def visit_schemas(document: dict[str, Any], visitor: SchemaVisitor) -> None:
    """Call `visitor(schema, pointer)` on every schema object, parents before children."""
    components = _mapping(document.get("components"))
    for name, schema in _mapping(components.get("schemas")).items():
        _visit(schema, f"#/components/schemas/{name}", visitor)
    for name, parameter in _mapping(components.get("parameters")).items():
        _visit_holder(parameter, f"#/components/parameters/{name}", visitor)
    for name, response in _mapping(components.get("responses")).items():
        _visit_response(response, f"#/components/responses/{name}", visitor)
    for name, body in _mapping(components.get("requestBodies")).items():
        _visit_content(body, f"#/components/requestBodies/{name}", visitor)
    for path, item in _mapping(document.get("paths")).items():
        item = _mapping(item)
        base = f"#/paths/{_escape(path)}"
        for index, parameter in enumerate(_sequence(item.get("parameters"))):
            _visit_holder(parameter, f"{base}/parameters/{index}", visitor)
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            op_base = f"{base}/{method}"
            for index, parameter in enumerate(_sequence(operation.get("parameters"))):
                _visit_holder(parameter, f"{op_base}/parameters/{index}", visitor)
            if isinstance(operation.get("requestBody"), dict):
                _visit_content(operation["requestBody"], f"{op_base}/requestBody", visitor)
            for code, response in _mapping(operation.get("responses")).items():
                _visit_response(response, f"{op_base}/responses/{code}", visitor)


def _mapping(node: Any) -> dict[str, Any]:
    # Malformed documents are reported by the meta-schema check, not crashed on here.
    return node if isinstance(node, dict) else {}


def _sequence(node: Any) -> list[Any]:
    return node if isinstance(node, list) else []


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _visit_holder(holder: Any, pointer: str, visitor: SchemaVisitor) -> None:
    if isinstance(holder, dict) and isinstance(holder.get("schema"), dict):
        _visit(holder["schema"], f"{pointer}/schema", visitor)


def _visit_content(holder: Any, pointer: str, visitor: SchemaVisitor) -> None:
    if not isinstance(holder, dict):
        return
    for media_type, media in _mapping(holder.get("content")).items():
        _visit_holder(media, f"{pointer}/content/{_escape(media_type)}", visitor)


def _visit_response(response: Any, pointer: str, visitor: SchemaVisitor) -> None:
    if not isinstance(response, dict):
        return
    _visit_content(response, pointer, visitor)
    for name, header in _mapping(response.get("headers")).items():
        _visit_holder(header, f"{pointer}/headers/{name}", visitor)


def _visit(schema: Any, pointer: str, visitor: SchemaVisitor) -> None:
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    visitor(schema, pointer)
    for name, child in _mapping(schema.get("properties")).items():
        _visit(child, f"{pointer}/properties/{name}", visitor)
    for keyword in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(keyword), dict):
            _visit(schema[keyword], f"{pointer}/{keyword}", visitor)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for index, child in enumerate(_sequence(schema.get(keyword))):
            _visit(child, f"{pointer}/{keyword}/{index}", visitor)


def resolve(document: dict[str, Any], node: Any, max_hops: int = 50) -> dict[str, Any]:
    """Follow local `$ref`s from `node` to the object they name ({} if they lead nowhere)."""
    hops = 0
    while isinstance(node, dict) and "$ref" in node and hops < max_hops:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            return {}
        node = document
        for token in ref[2:].split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or token not in node:
                return {}
            node = node[token]
        hops += 1
    return node if isinstance(node, dict) else {}


def merged_object(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    """An object schema with its allOf parts' properties and required lists merged in."""
    resolved = resolve(document, schema)
    properties = dict(resolved.get("properties") or {})
    required = list(resolved.get("required") or [])
    for part in resolved.get("allOf") or []:
        inner = merged_object(document, part)
        properties.update(inner.get("properties") or {})
        required += inner.get("required") or []
    return {**resolved, "properties": properties, "required": required}
