"""Overlays applied at load: document the standard errors every operation can return.

The vendor's schema lists the success code of most operations and little else, yet the real
service answers 400/401/403/404/409/429 to any of them. Documenting those here lets clients
and Schemathesis see the whole contract. Codes the schema already documents are left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mockserver.errorbodies import DETAIL_STYLE, ErrorStyle
from mockserver.spec.walk import operations

# libyaml's C loader where libyaml is installed, as for the schema itself (loader.py)
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

STANDARD_ERRORS = {
    "400": "The request is malformed or fails validation",
    "401": "Credentials are missing or not valid in this environment",
    "402": "The object's workflow state does not allow this action",
    "403": "Authenticated, but not allowed",
    "404": "No such object, or not visible to this caller",
    "409": "Conflicts with the current state",
    "429": "Rate limited; retry after the given seconds",
}
BODY_ERRORS = {"415": "The body's media type is not accepted here"}


def _error_response(description: str, code: str, schema_name: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }
    if code == "429":
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer", "minimum": 0}, "required": True}
        }
    return response


def apply_standard_errors(document: dict[str, Any], style: ErrorStyle = DETAIL_STYLE) -> int:
    """Add the standard error responses (bodies in `style`) in place; returns how many."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(style.schema_name, style.schema)
    added = 0
    for _path, _method, operation in operations(document):
        responses = operation.setdefault("responses", {})
        wanted = dict(STANDARD_ERRORS)
        if operation.get("requestBody"):
            wanted.update(BODY_ERRORS)
        for code, description in wanted.items():
            if code not in responses:
                responses[code] = _error_response(description, code, style.schema_name)
                added += 1
    return added


def apply_examples(document: dict[str, Any], examples_file: Path) -> int:
    """Add our examples (`"METHOD path": {status: value}`) where the schema has none."""
    if not examples_file.is_file():
        return 0
    examples = yaml.load(examples_file.read_text(encoding="utf-8"), _YamlLoader) or {}
    added = 0
    for path, method, operation in operations(document):
        for status, value in (examples.get(f"{method.upper()} {path}") or {}).items():
            response = (operation.get("responses") or {}).get(str(status))
            media = ((response or {}).get("content") or {}).get("application/json")
            if media is not None and "example" not in media and "examples" not in media:
                media["example"] = value
                added += 1
    return added


def apply_links(document: dict[str, Any], links_file: Path) -> int:
    """Add our OpenAPI links (`"METHOD path": {status: {name: link}}`) where their operations
    exist; a link whose target operation is missing is left out."""
    if not links_file.is_file():
        return 0
    wanted = yaml.load(links_file.read_text(encoding="utf-8"), _YamlLoader) or {}
    present = {f"#/paths/{_escape(path)}/{method}" for path, method, _ in operations(document)}
    added = 0
    for path, method, operation in operations(document):
        for status, links in (wanted.get(f"{method.upper()} {path}") or {}).items():
            response = (operation.get("responses") or {}).get(str(status))
            if not isinstance(response, dict) or "$ref" in response:
                continue
            for name, link in links.items():
                if link.get("operationRef") in present:
                    response.setdefault("links", {})[name] = link
                    added += 1
    return added


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")
