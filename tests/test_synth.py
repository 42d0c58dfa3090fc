"""Every answer the mock synthesizes validates against the schema it came from."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.behaviours.synth import Synthesizer
from mockserver.spec.validation import SchemaChecker


def _component_schemas(schema):
    return sorted(schema.document["components"]["schemas"])


def test_every_component_schema_of_ours_gets_a_valid_example(our_schema):
    synthesizer = Synthesizer(our_schema.document)
    checker = SchemaChecker(our_schema.document)
    invalid = {}
    for name in _component_schemas(our_schema):
        ref = {"$ref": f"#/components/schemas/{name}"}
        errors = checker.errors(ref, synthesizer.example(ref))
        if errors:
            invalid[name] = errors[0]
    assert invalid == {}


def _invalid_success_answers(loaded):
    """Every documented success answer the catalog serves, checked against its schema."""
    from mockserver.behaviours.responses import ResponseCatalog

    catalog = ResponseCatalog(loaded)
    problems = []
    for operation in loaded.index.operations:
        status, schema = catalog.success_schema(operation)
        canned = catalog.success(operation)
        assert canned.status == status
        if schema is not None:
            errors = catalog.checker.errors(schema, canned.body)
            problems += [f"{operation.key}: {e}" for e in errors]
    return catalog, problems


def test_every_success_answer_validates(our_schema):
    assert _invalid_success_answers(our_schema)[1] == []


def test_synthesis_is_deterministic(our_schema):
    first = Synthesizer(our_schema.document).example(
        {"$ref": "#/components/schemas/ContractResponseV2"}
    )
    second = Synthesizer(our_schema.document).example(
        {"$ref": "#/components/schemas/ContractResponseV2"}
    )
    assert first == second


_scalar = st.sampled_from(
    [
        {"type": "string"},
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "uuid"},
        {"type": "string", "minLength": 12, "maxLength": 20},
        {"type": "string", "pattern": "^[0-9]+$"},
        {"type": "integer", "minimum": 5, "maximum": 9},
        {"type": "number", "minimum": -3.5},
        {"type": "integer", "multipleOf": 7, "minimum": 10},
        {"type": "boolean"},
        {"type": "string", "enum": ["A", "B"]},
        {"type": "string", "nullable": True},
    ]
)
_schemas = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.builds(
            lambda items, n: {"type": "array", "items": items, "minItems": n},
            inner,
            st.integers(0, 3),
        ),
        st.dictionaries(st.text("abcdef", min_size=1, max_size=4), inner, max_size=4).map(
            lambda props: {"type": "object", "properties": props, "required": sorted(props)[:1]}
        ),
        st.lists(inner, min_size=1, max_size=3).map(lambda options: {"anyOf": options}),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(_schemas)
def test_synthesized_values_validate_for_generated_schemas(schema):
    document = {"components": {"schemas": {"S": schema}}}
    value = Synthesizer(document).example({"$ref": "#/components/schemas/S"})
    assert SchemaChecker(document).errors(schema, value) == []


@pytest.mark.vendor
def test_vendor_success_answers_validate_and_bad_examples_are_replaced(vendor_schema):
    catalog, problems = _invalid_success_answers(vendor_schema)
    assert problems == []
    sources = {catalog.success(op).source for op in vendor_schema.index.operations}
    assert "example" in sources, "the vendor's valid examples are served as they are"
