"""Repairs for defects that sit outside schema objects, seen in published vendor files.

Each one keeps the document bootable without changing what a request or an answer may be:
prose that is a `$ref` to a file we do not have becomes a plain string, an empty `required`
list (3.1 allows it, 3.0's meta-schema does not) is dropped, and a `$ref` that leaves the
document inside an example is data, so it is left as it is.
"""

from __future__ import annotations

from typing import Any

from mockserver.spec.walk import resolve, visit_schemas

# (kind, where, message) of one repair; repair.py makes each a Defect (no import back)
Quirk = tuple[str, str, str]

# Marks an integer schema of a 3.1 document (served as 3.0): 5.0 is one of its values.
INTEGER_31 = "x-spotcheck-integer-3.1"


def mark_31_integers(document: dict[str, Any]) -> None:
    """Keep 3.1's notion of an integer through the 3.0 conversion (validators read the mark)."""

    def mark(schema: dict[str, Any], _pointer: str) -> None:
        kinds = schema.get("type")
        if kinds == "integer" or (isinstance(kinds, list) and "integer" in kinds):
            schema[INTEGER_31] = True

    visit_schemas(document, mark)


def repair_quirks(document: dict[str, Any]) -> list[Quirk]:
    """Mend `document` in place; one entry per change."""
    defects: list[Quirk] = []
    for index, tag in enumerate(document.get("tags") or []):
        if isinstance(tag, dict) and not isinstance(tag.get("description", ""), str):
            tag["description"] = _prose(tag["description"])
            defects.append(("external-prose", f"#/tags/{index}/description", "a $ref, not text"))

    def empty_required(schema: dict[str, Any], pointer: str) -> None:
        if schema.get("required") == []:
            del schema["required"]
            defects.append(("empty-required", pointer, "'required: []' is 3.1 only"))

    visit_schemas(document, empty_required)
    moved = _external_refs(document)
    if moved:
        defects.append(
            (
                "external-ref",
                "#",
                f"{moved} $refs to files outside the document (examples, code samples, prose): "
                "examples now name them in externalValue, the rest are text",
            )
        )
    return defects


def _external_refs(node: Any) -> int:
    """Replace every `$ref` to another file; Connexion would try to read each one at start-up.

    Only data and prose refer outside in the files seen so far; a schema that did would be
    refused by the meta-schema check afterwards, so nothing is silently loosened."""
    count = 0
    children = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in list(children):
        ref = child.get("$ref") if isinstance(child, dict) else None
        if isinstance(ref, str) and not ref.startswith("#"):
            count += 1
            if key == "value" and isinstance(node, dict):
                del node["value"]
                node["externalValue"] = ref
            else:
                node[key] = _prose(child)
        elif isinstance(child, dict | list):
            count += _external_refs(child)
    return count


def _prose(node: Any) -> str:
    # The text lives in a file next to the vendor's schema; its name is the best we can show.
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return f"See {node['$ref']}."
    return str(node)


def type_parameters(document: dict[str, Any]) -> list[Quirk]:
    """Give every parameter schema a `type`: Connexion reads `schema["type"]` of any query
    parameter sent and fails (500) without one. The type is the one its enum or branches
    agree on, else string, which is what a query value is."""
    holders: list[tuple[str, Any]] = []
    components = document.get("components") or {}
    for name, parameter in (components.get("parameters") or {}).items():
        holders.append((f"#/components/parameters/{name}", parameter))
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for where, holder in (("", item), *((m, o) for m, o in item.items() if m in _METHODS)):
            for index, parameter in enumerate((holder or {}).get("parameters") or []):
                holders.append((f"#/paths/{path}/{where}/parameters/{index}", parameter))
    fixed: list[Quirk] = []
    for pointer, parameter in holders:
        schema = resolve(document, (parameter or {}).get("schema")) if parameter else {}
        plain = isinstance(parameter, dict) and "$ref" not in parameter
        if plain and schema and "type" not in schema:
            schema["type"] = _agreed_type(document, schema)
            fixed.append(("untyped-parameter", pointer, "no type; Connexion needs one"))
        items = resolve(document, schema.get("items")) if plain and schema else {}
        if schema and schema.get("type") == "array" and items and "type" not in items:
            items["type"] = _agreed_type(document, items)  # Connexion coerces each item
            fixed.append(("untyped-parameter", pointer, "array items without a type"))
    return fixed


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _agreed_type(document: dict[str, Any], schema: dict[str, Any]) -> str:
    kinds = {type(value).__name__ for value in schema.get("enum") or [] if value is not None}
    for keyword in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(keyword) or []:
            kind = resolve(document, branch).get("type")
            if isinstance(kind, str):
                kinds.add(kind)
    names = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
    agreed = {names.get(kind, kind) for kind in kinds}
    return agreed.pop() if len(agreed) == 1 else "string"
