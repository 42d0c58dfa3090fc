"""Validate a value against a schema of the document, with OpenAPI 3.0 `nullable` semantics."""

from __future__ import annotations

from typing import Any

import jsonschema
from connexion.json_schema import NullableTypeValidator
from jsonschema.validators import extend

_Validator = extend(jsonschema.Draft4Validator, {"type": NullableTypeValidator})


class SchemaChecker:
    """Checks values against schemas that may `$ref` anything in `document`."""

    def __init__(self, document: dict[str, Any]) -> None:
        # Formats count: a vendor example whose date-time is a Unix timestamp is not served.
        from mockserver.pipeline.validators import FORMAT_CHECKER  # the pipeline's own checks

        self._root = _Validator(document, format_checker=FORMAT_CHECKER)

    def errors(self, schema: dict[str, Any], value: Any) -> list[str]:
        validator = self._root.evolve(schema=schema)
        return [
            f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message[:200]}"
            for error in validator.iter_errors(value)
        ]
