"""Issue 16 on small inline schemas: the resource model, answers that obey the schema, and
request validation that keeps discriminators and 3.1's integers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mockserver.behaviours.synth import Synthesizer
from mockserver.pipeline.validators import FORMAT_CHECKER, RequestValidator
from mockserver.spec.quirks import INTEGER_31
from mockserver.spec.resource_model import ResourceModel
from mockserver.spec.validation import SchemaChecker


def _op(response: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> dict:
    operation: dict[str, Any] = {
        "responses": {"200": {"content": {"application/json": {"schema": response or {}}}}}
    }
    if body is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": body}}}
    return operation


TRIP = {"type": "object", "properties": {"tripId": {"type": "string"}, "name": {"type": "string"}}}
COUPON = {"type": "object", "properties": {"coupon": {"$ref": "#/components/schemas/Coupon"}}}
DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "paths": {
        "/v2/trips": {"post": _op(TRIP, TRIP), "get": _op()},
        "/v2/trips/{tripId}": {"get": _op(TRIP), "delete": _op()},
        "/v3/trips/{tripId}": {"get": _op(TRIP)},
        "/v3/trips": {"post": _op(TRIP, TRIP)},
        "/v2/trips/{tripId}/cancel": {"post": _op()},
        "/coupons": {"post": _op(COUPON, COUPON)},
        "/coupons/{code}": {"get": _op(COUPON)},
        "/customers/{external_customer_id}": {
            "get": _op({"properties": {"external_id": {"type": "string"}}})
        },
    },
    "components": {
        "schemas": {
            "Coupon": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string"}, "lago_id": {"type": "string"}},
            }
        }
    },
}


def test_the_model_names_identifier_fields_versions_and_actions() -> None:
    model = ResourceModel(DOCUMENT)
    trips = model.role("get", "/v2/trips/{tripId}")
    assert trips is not None and trips[0].id_field == "tripId" and trips[0].kind == "trips"
    v3 = model.role("post", "/v3/trips")
    assert v3 is not None and v3[0].kind == "trips"  # one family across versions
    assert model.role("post", "/v2/trips/{tripId}/cancel")[1] == "action"  # type: ignore[index]
    coupon, _ = model.role("get", "/coupons/{code}")  # type: ignore[misc]
    assert (coupon.id_field, coupon.wrapper, coupon.client_chosen) == ("code", "coupon", True)
    customer, _ = model.role("get", "/customers/{external_customer_id}")  # type: ignore[misc]
    assert customer.id_field == "external_id"


def test_pattern_strings_match_and_repeat() -> None:
    synth = Synthesizer({})
    schema = {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"}
    value = synth.example(schema)
    assert re.fullmatch("[A-Z]{3}-[0-9]{4}", value) and synth.example(schema) == value


def test_one_of_answers_are_valid_under_exactly_one_branch() -> None:
    schema = {"oneOf": [{"type": "number"}, {"type": "integer"}]}
    assert not SchemaChecker({}).errors(schema, Synthesizer({}).example(schema))


def test_discriminator_values_name_a_mapped_schema() -> None:
    document = {
        "components": {
            "schemas": {
                "Pet": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {"kind": {"type": "string"}},
                    "discriminator": {
                        "propertyName": "kind",
                        "mapping": {"dog": "#/components/schemas/Dog"},
                    },
                },
                "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}]},
            }
        }
    }
    assert Synthesizer(document).example({"$ref": "#/components/schemas/Pet"})["kind"] == "dog"


def _errors(schema: dict[str, Any], value: Any) -> list[str]:
    validator = RequestValidator(schema, format_checker=FORMAT_CHECKER)
    return [error.message for error in validator.iter_errors(value)]


def test_a_discriminated_one_of_takes_a_body_several_branches_fit() -> None:
    page = {"type": "object", "properties": {"requestType": {"type": "string"}}}
    schema = {"oneOf": [page, page], "discriminator": {"propertyName": "requestType"}}
    assert _errors(schema, {"requestType": "PAGE_TOKEN"}) == []
    assert _errors({"oneOf": [page, page]}, {"requestType": "PAGE_TOKEN"})  # plain oneOf


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"type": "integer", INTEGER_31: True}, 5.0, True),
        ({"type": "integer"}, 5.0, False),
        ({"type": "integer", "format": "int32"}, 2**31, False),
        ({"type": "integer", "format": "int32"}, 2**31 - 1, True),
    ],
)
def test_integers_keep_their_version_and_range(schema: dict, value: Any, valid: bool) -> None:
    assert (not _errors(schema, value)) is valid


ERROR_BODY = {
    "type": "object",
    "required": ["status", "error"],
    "properties": {"status": {"type": "integer"}, "error": {"type": "string"}},
}
WIDGET = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "widgetId": {"type": "string", "readOnly": True},
        "name": {"type": "string"},
        "owner_email": {"type": "string", "format": "email"},
        "price": {"type": "number", "minimum": 1},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
FILTER = {"type": "object", "properties": {"field": {"type": "string"}}, "required": ["field"]}


def _answers(schema: dict[str, Any], status: str = "200") -> dict[str, Any]:
    return {
        status: {"description": "ok", "content": {"application/json": {"schema": schema}}},
        "400": {"description": "bad", "content": {"application/json": {"schema": ERROR_BODY}}},
        "404": {"description": "gone", "content": {"application/json": {"schema": ERROR_BODY}}},
    }


WIDGETS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "widgets", "version": "1"},
    "paths": {
        "/widgets": {
            "post": {
                "operationId": "createWidget",
                "requestBody": {"content": {"application/json": {"schema": WIDGET}}},
                "responses": _answers(WIDGET, "201"),
            },
            "get": {
                "operationId": "listWidgets",
                "parameters": [
                    {
                        "name": "filters",
                        "in": "query",
                        "schema": {"type": "array", "items": FILTER},
                    },
                    {
                        "name": "tags",
                        "in": "query",
                        "schema": {"type": "array", "items": {"type": "string", "enum": ["a"]}},
                    },
                ],
                "responses": _answers({"type": "array", "items": WIDGET}),
            },
        },
        "/widgets/{widgetId}": {
            "get": {
                "operationId": "getWidget",
                "parameters": [
                    {
                        "name": "widgetId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": _answers(WIDGET),
            }
        },
    },
}


@pytest.fixture(scope="module")
def widgets(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import json

    from starlette.testclient import TestClient

    from mockserver.app import create_app
    from mockserver.settings import Settings
    from mockserver.spec import load_schema

    folder = tmp_path_factory.mktemp("widgets")
    spec = folder / "widgets.json"
    spec.write_text(json.dumps(WIDGETS), encoding="utf-8")
    settings = Settings(db=str(folder / "mock.db"), rate_limit=0, webhook_delivery="loopback")
    with TestClient(create_app(settings, load_schema(str(spec)))) as client:
        yield client


def test_refusals_answer_the_body_the_operation_documents(widgets: Any) -> None:
    checker = SchemaChecker(WIDGETS)
    refused = widgets.post("/widgets", json={"name": 5})
    assert refused.status_code == 400
    assert not checker.errors(ERROR_BODY, refused.json()), refused.text
    assert refused.json()["status"] == 400 and "name" in refused.json()["error"]
    unknown = widgets.get("/widgets/no-such-widget")
    assert unknown.status_code == 404 and not checker.errors(ERROR_BODY, unknown.json())
    # refused at the edge (a control character no route takes), still the operation's 404
    control = widgets.get("/widgets/a%01b")
    assert control.status_code == 404 and not checker.errors(ERROR_BODY, control.json())


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ('filters=[{"field": "name"}]', 200),  # JSON, as Box documents mdfilters
        ("filters={'field': 'name'}", 200),  # the Python literal requests-based clients send
        ('filters=[{"field": 5}]', 400),
        ("filters=name", 400),
        ("tags=", 200),  # form style: the empty array
        ("tags=b", 400),
    ],
)
def test_query_arrays_are_read_as_clients_write_them(widgets: Any, query: str, status: int) -> None:
    assert widgets.get(f"/widgets?{query}").status_code == status


def test_created_objects_keep_their_own_synthesized_fields(widgets: Any) -> None:
    first = widgets.post("/widgets", json={"name": "Desk lamp"}).json()
    second = widgets.post("/widgets", json={"name": "Desk chair"}).json()
    assert first["owner_email"] != second["owner_email"]  # seeded by each object's identity
    assert "@" in first["owner_email"] and first["price"] >= 1
    read = widgets.get(f"/widgets/{first['widgetId']}").json()
    assert read == first  # what the create answered is what it keeps
