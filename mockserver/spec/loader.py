"""Read a schema document from a file or URL, YAML or JSON."""

from __future__ import annotations

import json
from typing import Any

import yaml

from mockserver.errors import SchemaError
from spotcheck.client.documents import read_text as client_read_text
from spotcheck.client.errors import ClientError

# libyaml's C loader reads the 914 KB vendor file ~4x faster than the pure-Python one.
_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_document(source: str) -> dict[str, Any]:
    """Parse the schema at `source` (a path or an http(s) URL) into a dict."""
    return parse_document(read_text(source), source)


def read_text(source: str) -> str:
    """The text of the schema at `source` (a path or an http(s) URL), read as a client reads
    it (`spotcheck.client.documents`); a failure is a SchemaError here."""
    try:
        return client_read_text(source)
    except ClientError as error:
        raise SchemaError(str(error)) from None


def parse_document(text: str, source: str = "<string>") -> dict[str, Any]:
    try:
        document = (
            json.loads(text)
            if text.lstrip().startswith("{")
            else yaml.load(text, Loader=_YamlLoader)
        )
    except (ValueError, yaml.YAMLError) as error:
        raise SchemaError(f"{source} is neither JSON nor YAML: {error}") from None
    if isinstance(document, dict) and "swagger" in document:
        raise SchemaError(
            f"{source} is Swagger {document['swagger']} (OpenAPI 2.0), which is not supported: "
            "convert it to OpenAPI 3 first (for example with swagger2openapi)"
        )
    if not isinstance(document, dict) or not (str(document.get("openapi", "")).startswith("3.")):
        raise SchemaError(f"{source} is not an OpenAPI 3.x document")
    if not isinstance(document.get("paths"), dict):
        raise SchemaError(f"{source} has no paths")
    return _string_keys(document)


def _string_keys(node: Any) -> Any:
    # YAML allows integer keys (response codes); JSON Schema tools expect strings.
    if isinstance(node, dict):
        return {str(key): _string_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_string_keys(item) for item in node]
    return node
