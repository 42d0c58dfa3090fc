"""Our own overlay file: what the mock should know about a schema that the schema itself does
not say, kept apart from the vendor's file so that file stays verbatim::

    x-spotcheck-versions: {...}          # date-named versions (mockserver.spec.versions)
    operations:
      "POST /graphql":                   # method and path template of an operation
        x-spotcheck-graphql: {...}        # a GraphQL endpoint (mockserver.behaviours.graphql)

Only `x-spotcheck-*` keys are taken; they replace what the schema declares under the same key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mockserver.errors import SchemaError
from mockserver.spec.walk import operations

_PREFIX = "x-spotcheck-"


def apply_overlay_file(document: dict[str, Any], overlay: Path) -> None:
    """Merge the overlay's `x-spotcheck-*` keys into `document` in place."""
    try:
        data = yaml.safe_load(overlay.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SchemaError(f"overlay {overlay} cannot be read: {error}") from None
    if not isinstance(data, dict):
        raise SchemaError(f"overlay {overlay} must be a mapping")
    unknown = [key for key in data if key != "operations" and not key.startswith(_PREFIX)]
    if unknown:
        raise SchemaError(f"overlay {overlay}: unknown keys {unknown} (x-spotcheck-*, operations)")
    document.update({key: value for key, value in data.items() if key.startswith(_PREFIX)})
    wanted = dict(data.get("operations") or {})
    found = {
        f"{method.upper()} {path}": operation for path, method, operation in operations(document)
    }
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise SchemaError(f"overlay {overlay} names operations the schema lacks: {missing}")
    for key, extensions in wanted.items():
        found[key].update({k: v for k, v in dict(extensions).items() if k.startswith(_PREFIX)})
