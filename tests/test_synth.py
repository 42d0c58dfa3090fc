"""Every answer the mock synthesizes validates against the schema it came from."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.behaviours.synth import Synthesizer, has_placeholder
from mockserver.spec import LoadedSchema
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


# Every operation of every real vendor schema: the answer the mock serves and one synthesized
# for a created object both obey the operation's response schema and carry no placeholder.
_CORPUS = Path(
    os.environ.get("SPOTCHECK_CORPUS_DIR")
    or Path(__file__).resolve().parent.parent.parent / "shared/specs/corpus"
)
_CORPUS_FILES = sorted(p for p in _CORPUS.glob("*") if p.suffix in (".json", ".yaml", ".yml"))


def _synthesis_problems(loaded: LoadedSchema) -> tuple[int, list[str]]:
    from mockserver.behaviours.responses import ResponseCatalog

    catalog = ResponseCatalog(loaded)
    problems, walked = [], 0
    for operation in loaded.index.operations:
        _status, schema = catalog.success_schema(operation)
        if schema is None:
            continue
        walked += 1
        seeded = catalog.synthesizer.example(schema, seed=f"{operation.key}:1")
        assert seeded == catalog.synthesizer.example(schema, seed=f"{operation.key}:1")
        for label, body in (("served", catalog.success(operation).body), ("seeded", seeded)):
            errors = catalog.checker.errors(schema, body)
            if errors or has_placeholder(body):
                problems.append(f"{operation.key} {label}: {errors[:1]} {str(body)[:120]}")
    return walked, problems


@pytest.mark.corpus
@pytest.mark.parametrize("path", _CORPUS_FILES, ids=[p.name for p in _CORPUS_FILES])
def test_corpus_answers_obey_their_schemas(
    path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from mockserver.settings import DEFAULT_CACHE
    from mockserver.spec import load_schema

    # the cache `spotcheck serve` fills (tests/test_corpus.py boots the same files)
    walked, problems = _synthesis_problems(load_schema(str(path), cache_dir=DEFAULT_CACHE))
    assert walked > 10 and problems == [], "\n".join(problems[:20])


@pytest.mark.vendor
def test_vendor_answers_obey_their_schemas(vendor_schema):
    walked, problems = _synthesis_problems(vendor_schema)
    assert walked > 100 and problems == [], "\n".join(problems[:20])


def test_values_are_realistic_seeded_and_within_bounds():
    schema = {
        "type": "object",
        "required": ["name", "owner_email", "amount", "created_at", "currency", "code"],
        "properties": {
            "name": {"type": "string"},
            "owner_email": {"type": "string"},
            "amount": {"type": "number", "exclusiveMinimum": 0, "multipleOf": 0.01},
            "created_at": {"type": "string"},
            "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "code": {"type": "string", "maxLength": 4},
            "count": {"type": "integer", "format": "int32", "minimum": 2**31 - 3},
            "secret": {"type": "string", "writeOnly": True},
            "id": {"type": "string", "readOnly": True},
        },
    }
    synth = Synthesizer({})
    first, again, other = (synth.example(schema, seed=s) for s in ("a:1", "a:1", "a:2"))
    assert first == again and first != other
    assert SchemaChecker({}).errors(schema, first) == []
    assert "@" in first["owner_email"] and first["amount"] > 0 and len(first["code"]) <= 4
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["created_at"])
    assert first["count"] <= 2**31 - 1 and "secret" not in first and "id" in first
    assert not has_placeholder([synth.example(schema), first, other])
    request = synth.for_requests().example(schema)
    assert "id" not in request and "secret" in request
    assert synth.example({"type": ["string", "null"], "format": "uuid"}).count("-") == 4
