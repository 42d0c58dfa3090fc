"""Repairs for defects that sit outside schema objects, seen in published vendor files.

Each one keeps the document bootable without changing what a request or an answer may be:
prose that is a `$ref` to a file we do not have becomes a plain string, an empty `required`
list (3.1 allows it, 3.0's meta-schema does not) is dropped, and a `$ref` that leaves the
document inside an example is data, so it is left as it is.
"""

from __future__ import annotations

from typing import Any

from mockserver.spec.walk import visit_schemas

# (kind, where, message) of one repair; repair.py makes each a Defect (no import back)
Quirk = tuple[str, str, str]


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
