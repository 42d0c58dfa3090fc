"""Derive our own schema from a vendor's: the facts kept, the vendor's prose and examples not.

Paths, methods, parameters, fields, types, enums, required lists and security are facts of a
public API and carry over; descriptions, summaries, titles and examples are the vendor's
words and are dropped. `spotcheck schema derive VENDOR OUT` writes the result; our own
examples are added by an overlay at load (openapi/examples.yaml).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import yaml

from mockserver.spec.repair import repair

_PROSE_KEYS = frozenset(
    {
        "description",
        "summary",
        "title",
        "example",
        "examples",
        "externalDocs",
        "termsOfService",
        "contact",
    }
)
# Dicts whose keys are names (fields, paths, codes, media types), not OpenAPI keywords.
_NAME_MAPS = frozenset(
    {
        "properties",
        "paths",
        "schemas",
        "responses",
        "content",
        "securitySchemes",
        "headers",
        "callbacks",
        "links",
        "encoding",
        "variables",
        "mapping",
        "requestBodies",
        "parameters",
    }
)


def derive(vendor: dict[str, Any], title: str, servers: list[dict[str, str]]) -> dict[str, Any]:
    """Our schema: the repaired vendor document with every piece of prose removed."""
    document = _strip(repair(vendor).document, parent_key="")
    document["info"] = {"title": title, "version": str(vendor.get("info", {}).get("version", "1"))}
    document["servers"] = servers
    document.pop("tags", None)
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict):
                operation.pop("tags", None)
                for code, response in (operation.get("responses") or {}).items():
                    if isinstance(response, dict) and "$ref" not in response:
                        # OpenAPI requires a description; the HTTP reason phrase says enough.
                        response["description"] = _reason(code)
    return document


def _strip(node: Any, parent_key: str) -> Any:
    if isinstance(node, list):
        return [_strip(item, "") for item in node]
    if not isinstance(node, dict):
        return node
    if parent_key in _NAME_MAPS:
        return {key: _strip(value, "") for key, value in node.items()}
    return {
        key: _strip(value, key)
        for key, value in node.items()
        if key not in _PROSE_KEYS
        and not key.startswith("x-")
        and not _is_sentence_default(key, value)
    }


def _is_sentence_default(key: str, value: Any) -> bool:
    # Some defaults are the vendor's error sentences: prose, not facts.
    return key == "default" and isinstance(value, str) and value.count(" ") >= 2


def _reason(code: str) -> str:
    try:
        return HTTPStatus(int(code)).phrase
    except ValueError:
        return "Response"


def dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
