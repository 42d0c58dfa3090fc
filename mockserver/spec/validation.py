"""Validate a value against a schema of the document, with OpenAPI 3.0 `nullable` semantics."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema
from connexion.json_schema import NullableTypeValidator
from jsonschema.validators import extend

from mockserver.spec.per_schema import PerSchema


@cache  # one class for every checker: jsonschema's `extend` builds a new one per call
def _validator_class() -> Any:
    # int32/int64 bound integers only, as in request validation (pipeline.formats)
    from mockserver.pipeline.formats import integer_format

    return extend(
        jsonschema.Draft4Validator, {"type": NullableTypeValidator, "format": integer_format}
    )


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
        self._fast: PerSchema[Any] = PerSchema()

    def errors(self, schema: dict[str, Any], value: Any) -> list[str]:
        if self._fast_valid(schema, value):
            return []
        validator = self._root.evolve(schema=schema)
        return [
            f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message[:200]}"
            for error in validator.iter_errors(value)
        ]

    def _fast_valid(self, schema: dict[str, Any], value: Any) -> bool:
        fast = self._fast.get(schema, lambda: self._compile(schema))
        if fast is None:
            return False
        try:
            return bool(fast.is_valid(value))
        except (ValueError, TypeError, OverflowError, RecursionError):
            return False  # a value rs cannot take in (not JSON): Python judges it

    def _compile(self, schema: dict[str, Any]) -> Any:
        from mockserver.pipeline.compiled import Translator, fast_validator

        return fast_validator(schema, Translator(self._rules, self._document), self._formats)
