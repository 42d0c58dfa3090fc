"""Defects of a published schema, in the contract suite's terms: what the schema says that no
server can keep, or says in a form its own OpenAPI version does not have.

The suite does not mend them. Each is a `SchemaGap` reported with the run, and a finding one
of them explains (the same operation, a check it misleads, its status) is classed as a gap,
not as the server breaking the contract:
- `bodyless-status-content`: a 204/304 answer documented with a body (HTTP forbids one);
- `form-body-nested`: a form-encoded body that is not an object, or whose fields are objects
  or arrays (a form field is one string: such data has no encoding a server could read back);
- `orphan-path-parameter`: a path parameter the path does not contain (never sent, so
  never refused);
- `undeclared-path-parameter`: a `{variable}` of the path no parameter declares;
- `bad-default`, `newer-keyword`: a default its own schema refuses, keywords of OpenAPI 3.1
  in a 3.0 document (`examples` lists, `const`, `type: null`, type lists): reported only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VARIABLE = re.compile(r"{([^{}]+)}")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_SCALARS = ("string", "integer", "number", "boolean")


@dataclass(frozen=True)
class SchemaGap:
    kind: str
    where: str  # "METHOD /path", or a JSON pointer for what no operation owns
    message: str
    checks: frozenset[str] = frozenset()  # the checks whose findings on `where` it explains
    status: int | None = None  # only findings answered with this status, when set

    def explains(self, operation: str, check: str, status: int | None) -> bool:
        if operation != self.where or check not in self.checks:
            return False
        return self.status is None or self.status == status


def schema_gaps(document: dict[str, Any]) -> Iterator[SchemaGap]:
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method in METHODS and isinstance(operation, dict):
                where = f"{method.upper()} {path}"
                yield from _path_parameters(document, path, item, operation, where)
                yield from _bodies(document, operation, where)
    if str(document.get("openapi", "")).startswith("3.0"):
        yield from _walk_schemas(document)


def _resolve(document: dict[str, Any], node: Any) -> Any:
    seen = 0
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        node = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        seen += 1
    return node if node is not None else {}


def _path_parameters(
    document: dict[str, Any], path: str, item: dict[str, Any], operation: dict[str, Any], where: str
) -> Iterator[SchemaGap]:
    variables = set(_VARIABLE.findall(path))
    declared = set()
    for parameter in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter = _resolve(document, parameter)
        if not isinstance(parameter, dict) or parameter.get("in") != "path":
            continue
        name = str(parameter.get("name", ""))
        declared.add(name)
        if name not in variables:
            yield SchemaGap(
                "orphan-path-parameter",
                where,
                f"path parameter '{name}' is not in the path: it is never sent",
                frozenset({"negative_data_rejection"}),
            )
    for missing in sorted(variables - declared):
        yield SchemaGap(
            "undeclared-path-parameter",
            where,
            f"'{{{missing}}}' is not declared: no rule says what it may be",
            frozenset({"negative_data_rejection", "positive_data_acceptance"}),
        )


def _bodies(document: dict[str, Any], operation: dict[str, Any], where: str) -> Iterator[SchemaGap]:
    responses = operation.get("responses") or {}
    for code in ("204", "304"):
        response = _resolve(document, responses.get(code))
        if isinstance(response, dict) and response.get("content"):
            yield SchemaGap(
                "bodyless-status-content",
                where,
                f"a {code} answer is documented with a body; HTTP gives it none",
                frozenset({"content_type_conformance", "response_schema_conformance"}),
                int(code),
            )
    content = (_resolve(document, operation.get("requestBody")) or {}).get("content") or {}
    for media_type in _FORMS:
        if media_type not in content:
            continue
        schema = _resolve(document, (content[media_type] or {}).get("schema"))
        nested = [
            name
            for name, field in ((schema or {}).get("properties") or {}).items()
            if _resolve(document, field).get("type") not in _SCALARS
        ]
        kind = (schema or {}).get("type")
        if nested or kind not in (None, "object"):
            what = (
                f"fields {', '.join(nested[:3])} are not scalars"
                if nested
                else f"a body of type {kind}"
            )
            yield SchemaGap(
                "form-body-nested",
                where,
                f"{media_type}: {what}; no form encoding carries it",
                frozenset({"positive_data_acceptance", "status_code_conformance"}),
                415,  # what a server answers the form it cannot read
            )


def _walk_schemas(document: dict[str, Any]) -> Iterator[SchemaGap]:
    """3.1 keywords and self-contradicting defaults in the schemas of a 3.0 document."""
    check = jsonschema.Draft4Validator(document)
    stack: list[tuple[str, Any]] = [("#", document)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, list):
            stack.extend((f"{pointer}/{i}", child) for i, child in enumerate(node))
            continue
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        newer = [
            word
            for word, found in (
                ("examples", isinstance(node.get("examples"), list)),
                ("const", "const" in node and "type" in node),
                ("type: null", kind == "null"),
                ("a type list", isinstance(kind, list)),
            )
            if found
        ]
        if newer:
            yield SchemaGap("newer-keyword", pointer, f"OpenAPI 3.1 only: {', '.join(newer)}")
        if "default" in node and isinstance(kind, str) and "properties" not in node:
            errors = list(check.evolve(schema=node).iter_errors(node["default"]))
            if errors and not (node["default"] is None and node.get("nullable")):
                message = f"default {node['default']!r} breaks its own schema"
                yield SchemaGap("bad-default", pointer, message)
        for key, child in node.items():
            # values (examples, defaults, enums) and extensions are data, not schemas
            if key not in ("example", "examples", "default", "enum") and not key.startswith("x-"):
                stack.append((f"{pointer}/{key}", child))
