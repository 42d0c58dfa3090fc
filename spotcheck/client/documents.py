"""A published schema as a client reads it: the text of a file or URL, parsed as JSON or YAML
into an OpenAPI 3 document. Nothing is mended (the mock's loader mends; a client takes what
the vendor publishes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from spotcheck.client.errors import ClientError

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(source: str) -> str:
    if source.startswith(("http://", "https://")):
        import httpx

        try:
            answer = httpx.get(source, timeout=30.0, follow_redirects=True)
            answer.raise_for_status()
        except httpx.HTTPError as error:
            raise ClientError(f"cannot fetch schema {source}: {error}") from None
        return answer.text
    path = Path(source)
    if not path.is_file():
        raise ClientError(f"schema file not found: {source}")
    return path.read_text(encoding="utf-8")


def parse_document(text: str, source: str) -> dict[str, Any]:
    """The OpenAPI 3 document in `text` (JSON or YAML), keys as strings (YAML's 200: is an int)."""
    try:
        document = (
            json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, _YamlLoader)
        )
    except (ValueError, yaml.YAMLError) as error:
        raise ClientError(f"{source} is neither JSON nor YAML: {error}") from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3."):
        raise ClientError(f"{source} is not an OpenAPI 3.x document")
    if not isinstance(document.get("paths"), dict):
        raise ClientError(f"{source} has no paths")
    return json.loads(json.dumps(document, default=str))
