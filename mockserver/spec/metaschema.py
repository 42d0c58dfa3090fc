"""The OpenAPI 3.0 meta-schema check, fast when the document passes (start-up, issue 21).

Connexion's check (`connexion.spec.create_spec_validator`) is the OpenAPI 3.0 meta-schema in
Python's jsonschema plus one rule: an object's `default` must fit the object read as a
schema. On the vendor's 914 KB file it took most of a cold start. Here jsonschema-rs checks
the meta-schema (formats unchecked, as Connexion's validator has no format checker) and
jsonschema checks every `default` in the document - a superset of the objects Connexion
checks - so a "conforms" here means Connexion finds nothing; anything else is left to
Connexion's validator, which writes the messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema_rs
from connexion.json_schema import NullableTypeValidator
from connexion.spec import OpenAPISpecification
from jsonschema import Draft4Validator
from jsonschema.validators import extend


@cache
def _meta_schema() -> Any:
    schema = OpenAPISpecification.openapi_schema
    return jsonschema_rs.Draft4Validator(schema, validate_formats=False)


_InstanceValidator = extend(Draft4Validator, {"type": NullableTypeValidator})


def conforms(document: dict[str, Any]) -> bool:
    """True when Connexion's start-up check would find no error in `document`."""
    try:
        if not _meta_schema().is_valid(document):
            return False
    except (ValueError, TypeError, OverflowError, RecursionError):
        return False  # not JSON-like (a date YAML read as a date, say): Connexion decides
    instance = _InstanceValidator(document)
    for node in _with_default(document):
        if not instance.evolve(schema=node).is_valid(node["default"]):
            return False
    return True


def _with_default(node: Any) -> Iterator[dict[str, Any]]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if "default" in current:
                yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
