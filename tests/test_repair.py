"""Each repair on a small document, then the vendor's file as shipped."""

from __future__ import annotations

import copy

import pytest

from mockserver.errors import SchemaError
from mockserver.spec.repair import meta_schema_errors, repair


def _doc(paths=None, schemas=None):
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": paths or {},
        "components": {"schemas": schemas or {}},
    }


def _kinds(result):
    return {defect.kind for defect in result.defects}


def test_31_keywords_become_30_equivalents():
    document = _doc(
        schemas={
            "Thing": {
                "type": "object",
                "examples": [{"a": 1}],
                "properties": {
                    "a": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "b": {"const": "fixed"},
                    "c": {"type": ["integer", "null"]},
                    "d": {"type": "integer", "default": "not an int"},
                },
            }
        }
    )
    assert meta_schema_errors(document), "the sample must be invalid before repair"
    result = repair(document)
    thing = result.document["components"]["schemas"]["Thing"]
    assert thing["example"] == {"a": 1} and "examples" not in thing
    assert thing["properties"]["a"] == {"anyOf": [{"type": "string"}], "nullable": True}
    assert thing["properties"]["b"] == {"enum": ["fixed"]}
    assert thing["properties"]["c"] == {"type": "integer", "nullable": True}
    assert "default" not in thing["properties"]["d"]
    assert {"schema-examples", "type-null", "const", "type-list", "bad-default"} <= _kinds(result)
    assert meta_schema_errors(result.document) == []
    assert "examples" in document["components"]["schemas"]["Thing"], "input is not mutated"


def test_operation_defects_are_repaired_and_reported():
    document = _doc(
        paths={
            "/things/{thing_id}": {
                "get": {
                    "operationId": "v2.1_things-get",
                    "parameters": [
                        {
                            "name": "other_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {"name": "filter[$in]", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "204": {"description": "x", "content": {"application/json": {"schema": {}}}}
                    },
                },
                "post": {
                    "operationId": "v2.1_things-get",
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"tags": {"type": "array"}},
                                }
                            },
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"tags": {"type": "array"}},
                                }
                            },
                        }
                    },
                    "responses": {"200": {"description": "x"}},
                },
            }
        }
    )
    result = repair(document)
    get = result.document["paths"]["/things/{thing_id}"]["get"]
    post = result.document["paths"]["/things/{thing_id}"]["post"]
    assert [p["name"] for p in get["parameters"] if p["in"] == "path"] == ["thing_id"]
    assert get["operationId"] == "v2_1_things_get"
    assert post["operationId"] == "v2_1_things_get_2"
    assert "content" not in get["responses"]["204"]
    assert list(post["requestBody"]["content"]) == ["application/json"]
    assert {
        "orphan-path-parameter",
        "undeclared-path-parameter",
        "operation-id",
        "query-name",
        "bodyless-status-content",
        "form-body-nested",
    } <= _kinds(result)
    query_defect = next(d for d in result.defects if d.kind == "query-name")
    assert not query_defect.repaired


def test_unrepairable_document_is_refused_with_the_reason():
    document = _doc(paths={"/x": {"get": {"responses": "not a mapping"}}})
    with pytest.raises(SchemaError, match="could not be repaired"):
        repair(document)


@pytest.mark.vendor
def test_vendor_file_boots_after_repair(vendor_spec):
    from mockserver.spec.loader import read_document

    original = read_document(str(vendor_spec))
    before = len(meta_schema_errors(copy.deepcopy(original)))
    result = repair(original)
    assert before == 106, "Connexion's check finds 106 errors in the file as shipped"
    assert meta_schema_errors(result.document) == []
    counts = result.counts()
    assert counts["orphan-path-parameter"] == 10
    assert counts["operation-id"] == 102
    assert counts["type-null"] == 48
    assert counts["query-name"] == 118
