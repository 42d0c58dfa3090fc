"""The fast checks (issue 21) agree with the Python validators they stand in front of.

`spec/metaschema.py` answers "conforms" only where Connexion's meta-schema check finds nothing;
`pipeline/compiled.py` lets jsonschema-rs accept a body only where jsonschema accepts it.
Both are checked here on the vendor's real schema and on ours, valid and broken.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from connexion.json_schema import resolve_refs
from connexion.spec import OpenAPISpecification, create_spec_validator

from mockserver.pipeline.validators import BODY_SCHEMAS, FORMAT_CHECKER, RequestValidator
from mockserver.settings import Settings
from mockserver.spec.load import load_schema
from mockserver.spec.loader import read_document
from mockserver.spec.metaschema import conforms
from mockserver.spec.repair import repair


def _connexion_errors(document: dict[str, Any]) -> list[Any]:
    validator = create_spec_validator(document)(OpenAPISpecification.openapi_schema)
    return list(validator.iter_errors(document))


def _documents(vendor_spec: Any) -> list[dict[str, Any]]:
    return [read_document(str(vendor_spec)), read_document(Settings().spec)]


def test_meta_schema_fast_check_agrees_with_connexion(vendor_spec):
    for raw in _documents(vendor_spec):
        fixed = repair(raw).document
        assert conforms(fixed) and not _connexion_errors(fixed)
        assert conforms(raw) == (not _connexion_errors(raw))
        # a default that does not fit its schema: Connexion refuses it, so must the fast check
        broken = copy.deepcopy(fixed)
        parameter = {"name": "q", "in": "query", "schema": {"type": "integer", "default": "x"}}
        broken["paths"]["/zz"] = {
            "get": {"parameters": [parameter], "responses": {"200": {"description": "ok"}}}
        }
        assert _connexion_errors(broken) and not conforms(broken)
        broken = copy.deepcopy(fixed)
        broken["paths"]["/zz"] = {"get": {"responses": {"200": {}}}}  # no description
        assert _connexion_errors(broken) and not conforms(broken)


def _bodies(schema: dict[str, Any]) -> list[Any]:
    """Values near the schema: its example, each property dropped, wrong-typed, nulled."""
    example = schema.get("example")
    values: list[Any] = [None, {}, [], "text", 5, 5.0, True]
    if isinstance(example, dict):
        values.append(example)
        for key in example:
            values.append({k: v for k, v in example.items() if k != key})
            wrongs: list[Any] = [None, "x", 1, 1.5, [], {}, "2026-13-01", "not-a-uuid", 2**40]
            for wrong in wrongs:
                values.append({**example, key: wrong})
    return values


@pytest.mark.parametrize("which", ["vendor", "ours"])
def test_compiled_body_validation_agrees_with_jsonschema(vendor_spec, which):
    source = str(vendor_spec) if which == "vendor" else Settings().spec
    document = resolve_refs(load_schema(source, cache_dir="").document)  # as Connexion reads it
    checked = fast = 0
    for methods in document["paths"].values():
        for operation in methods.values():
            content = (operation.get("requestBody") or {}).get("content", {})
            body_schema = content.get("application/json", {}).get("schema")
            if not isinstance(body_schema, dict):
                continue
            compiled = BODY_SCHEMAS.compile(body_schema)
            fast += compiled.fast is not None
            python = RequestValidator(body_schema, format_checker=FORMAT_CHECKER)
            for value in _bodies(body_schema):
                assert compiled.is_valid(value) == python.is_valid(value), value
                checked += 1
    assert checked > 50 and fast > 0
