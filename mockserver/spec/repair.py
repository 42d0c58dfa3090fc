"""Repair the defects real vendor schemas ship with, and report each one.

Connexion validates a document against the OpenAPI 3.0 meta-schema before serving it and has
no switch to skip that, so the vendor's file must be mended first. Every change is recorded
as a `Defect`; `spotcheck schema lint FILE` prints them.
"""

from __future__ import annotations

import copy
import keyword
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import jsonschema
from connexion.json_schema import NullableTypeValidator
from connexion.spec import OpenAPISpecification, create_spec_validator
from jsonschema.validators import extend

from mockserver.errors import SchemaError
from mockserver.spec.metaschema import conforms
from mockserver.spec.quirks import mark_31_integers, repair_quirks, type_parameters
from mockserver.spec.walk import operations, resolve, visit_schemas

_PATH_VARIABLE = re.compile(r"{([^{}]+)}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Defect:
    """One problem found in a schema: what kind, where (JSON pointer or operation), and why."""

    kind: str
    where: str
    message: str
    repaired: bool = True

    def line(self) -> str:
        mark = "repaired" if self.repaired else "kept"
        return f"[{self.kind}] {self.where}: {self.message} ({mark})"


@dataclass
class RepairResult:
    document: dict[str, Any]
    defects: list[Defect]

    def counts(self) -> Counter[str]:
        return Counter(defect.kind for defect in self.defects)


def repair(document: dict[str, Any], *, in_place: bool = False) -> RepairResult:
    """Return a repaired deep copy of `document` and the defects found in it; with `in_place`,
    `document` itself, repaired (the loader's own parse, which nobody else holds)."""
    fixed = document if in_place else copy.deepcopy(document)
    defects: list[Defect] = []
    if str(fixed.get("openapi", "")).startswith("3.1"):
        mark_31_integers(fixed)  # before 3.1's type lists become 3.0's single types
    _serve_31_as_30(fixed, defects)
    defects.extend(Defect(*quirk) for quirk in repair_quirks(fixed))
    visit_schemas(fixed, lambda schema, pointer: _repair_schema(schema, pointer, defects))
    # after the 3.1 type lists are gone: a list of two types leaves no type at all
    defects.extend(Defect(*quirk) for quirk in type_parameters(fixed))
    _repair_defaults(fixed, defects)
    _repair_operations(fixed, defects)
    remaining = meta_schema_errors(fixed)
    if remaining:
        listing = "; ".join(remaining[:5])
        raise SchemaError(f"{len(remaining)} defects could not be repaired: {listing}")
    return RepairResult(fixed, defects)


def meta_schema_errors(document: dict[str, Any]) -> list[str]:
    """What Connexion's own start-up check would refuse in `document` (empty: it boots)."""
    if conforms(document):  # the fast check (metaschema.py); Connexion's writes the messages
        return []
    validator = create_spec_validator(document)(OpenAPISpecification.openapi_schema)
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message[:160]}"
        for error in validator.iter_errors(document)
    ]


def _serve_31_as_30(document: dict[str, Any], defects: list[Defect]) -> None:
    """Connexion validates and routes OpenAPI 3.0 only: a 3.1 document is served as 3.0, its
    3.1 schema keywords converted by the same repairs as a 3.0 file that uses them."""
    if not str(document.get("openapi", "")).startswith("3.1"):
        return
    defects.append(
        Defect("openapi-3.1", "#/openapi", f"{document['openapi']} served as 3.0.3 (Connexion)")
    )
    document["openapi"] = "3.0.3"
    for key in ("webhooks", "jsonSchemaDialect"):
        if key in document:
            document.pop(key)
            defects.append(Defect("openapi-3.1", f"#/{key}", "3.1 only; not served"))
    info = document.get("info") or {}
    for key in ("summary",):
        info.pop(key, None)
    license_ = info.get("license") or {}
    license_.pop("identifier", None)


def _repair_schema(schema: dict[str, Any], pointer: str, defects: list[Defect]) -> None:
    for bound, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(bound), (int, float)) and not isinstance(schema[bound], bool):
            schema[inclusive] = schema.pop(bound)
            schema[bound] = True
            defects.append(Defect("exclusive-bound", pointer, f"numeric {bound} is 3.1 only"))
    if "examples" in schema:
        examples = schema.pop("examples")
        if isinstance(examples, list) and examples and "example" not in schema:
            schema["example"] = examples[0]
        defects.append(
            Defect(
                "schema-examples",
                pointer,
                "'examples' is not allowed in a 3.0 schema; kept the first as 'example'",
            )
        )
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
        defects.append(
            Defect("const", pointer, "'const' is 3.1 only; turned into a one-value enum")
        )
    schema_type = schema.get("type")
    if isinstance(schema_type, list):
        others = [name for name in schema_type if name != "null"]
        if "null" in schema_type:
            schema["nullable"] = True
        if len(others) == 1:
            schema["type"] = others[0]
        else:
            schema.pop("type")
        defects.append(Defect("type-list", pointer, "a list of types is 3.1 only; kept 'nullable'"))
    elif schema_type == "null":
        schema.pop("type")
        schema["nullable"] = True
        schema.setdefault("enum", [None])
        defects.append(
            Defect(
                "type-null", pointer, "type 'null' is 3.1 only; made a nullable null-only schema"
            )
        )
    for keyword_name in ("anyOf", "oneOf"):
        branches = schema.get(keyword_name)
        if not isinstance(branches, list):
            continue
        kept = [branch for branch in branches if not _is_null_schema(branch)]
        if len(kept) != len(branches):
            schema[keyword_name] = kept or [{}]
            schema["nullable"] = True
            defects.append(
                Defect(
                    "type-null",
                    pointer,
                    f"a 'null' branch of {keyword_name} became 'nullable: true'",
                )
            )


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _repair_defaults(document: dict[str, Any], defects: list[Defect]) -> None:
    # Checked the way Connexion checks them: against the schema the default sits in.
    validator_class = extend(jsonschema.Draft4Validator, {"type": NullableTypeValidator})
    root_validator = validator_class(document)

    def check(schema: dict[str, Any], pointer: str) -> None:
        if "default" not in schema:
            return
        errors = list(root_validator.evolve(schema=schema).iter_errors(schema["default"]))
        if errors:
            schema.pop("default")
            defects.append(
                Defect(
                    "bad-default",
                    pointer,
                    f"default violates its own schema: {errors[0].message[:120]}",
                )
            )

    visit_schemas(document, check)


def _repair_operations(document: dict[str, Any], defects: list[Defect]) -> None:
    seen_ids: set[str] = set()
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        variables = set(_PATH_VARIABLE.findall(path))
        shared = _as_list(document["paths"][path].get("parameters"))
        parameters = [
            p for p in [*shared, *_as_list(operation.get("parameters"))] if isinstance(p, dict)
        ]
        declared = set()
        kept = []
        for parameter in _as_list(operation.get("parameters")):
            if (
                isinstance(parameter, dict)
                and parameter.get("in") == "path"
                and parameter.get("name") not in variables
            ):
                defects.append(
                    Defect(
                        "orphan-path-parameter",
                        where,
                        f"path parameter '{parameter.get('name')}' is not in the path; removed",
                    )
                )
                continue
            kept.append(parameter)
        if "parameters" in operation:
            operation["parameters"] = kept
        for parameter in parameters:
            if parameter.get("in") == "path" and parameter.get("name") in variables:
                declared.add(parameter["name"])
        for missing in sorted(variables - declared):
            operation.setdefault("parameters", []).append(
                {"name": missing, "in": "path", "required": True, "schema": {"type": "string"}}
            )
            defects.append(
                Defect(
                    "undeclared-path-parameter",
                    where,
                    f"'{{{missing}}}' was not declared; added as a string",
                )
            )
        for parameter in parameters:
            name = str(parameter.get("name", ""))
            if parameter.get("in") == "query" and not _IDENTIFIER.fullmatch(name):
                defects.append(
                    Defect(
                        "query-name",
                        where,
                        f"query parameter '{name}' is not a plain name; matched literally",
                        repaired=False,
                    )
                )
        _repair_operation_id(operation, where, method, path, seen_ids, defects)
        _repair_form_bodies(document, operation, where, defects)
        _repair_bodyless_responses(operation, where, defects)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_SCALARS = ("string", "integer", "number", "boolean")


def _as_list(node: Any) -> list[Any]:
    return node if isinstance(node, list) else []


def _repair_form_bodies(
    document: dict[str, Any], operation: dict[str, Any], where: str, defects: list[Defect]
) -> None:
    # A form field is one string: nested objects and arrays have no single unambiguous form
    # encoding ('roles=0' is both an int and a one-item list), so such bodies are JSON-only.
    body = resolve(document, operation.get("requestBody"))
    content = body.get("content") or {}
    if "application/json" not in content:
        return
    for media_type in _FORM_TYPES:
        if media_type not in content:
            continue
        schema = resolve(document, content[media_type].get("schema"))
        nested = [
            name
            for name, field in (schema.get("properties") or {}).items()
            if resolve(document, field).get("type") not in _SCALARS
        ]
        if nested or schema.get("type") not in (None, "object"):
            del content[media_type]
            fields = ", ".join(nested[:3]) or "the body"
            defects.append(
                Defect(
                    "form-body-nested",
                    where,
                    f"{media_type} dropped: {fields} cannot be sent as form fields; send JSON",
                )
            )


def _repair_bodyless_responses(
    operation: dict[str, Any], where: str, defects: list[Defect]
) -> None:
    responses = operation.get("responses")
    for code in ("204", "304"):
        response = responses.get(code) if isinstance(responses, dict) else None
        if isinstance(response, dict) and response.get("content"):
            del response["content"]
            defects.append(
                Defect(
                    "bodyless-status-content",
                    where,
                    f"a {code} response carries no body; its content was removed",
                )
            )


def _repair_operation_id(
    operation: dict[str, Any],
    where: str,
    method: str,
    path: str,
    seen: set[str],
    defects: list[Defect],
) -> None:
    original = operation.get("operationId")
    candidate = original or f"{method}_{path}"
    candidate = re.sub(r"\W+", "_", str(candidate)).strip("_") or method
    if candidate[0].isdigit() or keyword.iskeyword(candidate):
        candidate = f"op_{candidate}"
    unique = candidate
    counter = 2
    while unique in seen:
        unique = f"{candidate}_{counter}"
        counter += 1
    seen.add(unique)
    if unique != original:
        operation["operationId"] = unique
        defects.append(
            Defect(
                "operation-id",
                where,
                f"operationId {original!r} is not a unique Python name; now {unique!r}",
            )
        )
