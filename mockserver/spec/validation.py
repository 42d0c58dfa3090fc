"""Validate a value against a schema of the document, with OpenAPI 3.0 `nullable` semantics."""

from __future__ import annotations

from typing import Any

import jsonschema
from connexion.json_schema import NullableTypeValidator
from jsonschema.validators import extend


def _validator_class() -> Any:
    # int32/int64 bound integers only, as in request validation (pipeline.formats)
    from mockserver.pipeline.formats import integer_format

    return extend(
        jsonschema.Draft4Validator, {"type": NullableTypeValidator, "format": integer_format}
    )


_CACHE_LIMIT = 4096


class SchemaChecker:
    """Checks values against schemas that may `$ref` anything in `document`.

    Each schema is compiled once for jsonschema-rs (`pipeline.compiled`, its `$ref`s inlined):
    a value it finds valid costs no Python walk; any other is judged and explained by
    jsonschema, so the verdicts and messages are jsonschema's."""

    def __init__(self, document: dict[str, Any]) -> None:
        # Formats count: a vendor example whose date-time is a Unix timestamp is not served.
        from mockserver.pipeline.compiled import Rules, format_callbacks
        from mockserver.pipeline.formats import FORMAT_CHECKER  # the pipeline's own checks

        self._document = document
        self._root = _validator_class()(document, format_checker=FORMAT_CHECKER)
        self._formats = format_callbacks(FORMAT_CHECKER)
        self._rules = Rules(nullable_type=True)  # NullableTypeValidator: `type` only
        self._fast: dict[int, tuple[dict[str, Any], Any]] = {}

    def errors(self, schema: dict[str, Any], value: Any) -> list[str]:
        if self._fast_valid(schema, value):
            return []
        validator = self._root.evolve(schema=schema)
        return [
            f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message[:200]}"
            for error in validator.iter_errors(value)
        ]

    def _fast_valid(self, schema: dict[str, Any], value: Any) -> bool:
        cached = self._fast.get(id(schema))
        if cached is None or cached[0] is not schema:
            from mockserver.pipeline.compiled import Translator, fast_validator

            if len(self._fast) >= _CACHE_LIMIT:
                self._fast.clear()
            translator = Translator(self._rules, self._document)
            cached = (schema, fast_validator(schema, translator, self._formats))
            self._fast[id(schema)] = cached
        fast = cached[1]
        if fast is None:
            return False
        try:
            return bool(fast.is_valid(value))
        except (ValueError, TypeError, OverflowError, RecursionError):
            return False  # a value rs cannot take in (not JSON): Python judges it
