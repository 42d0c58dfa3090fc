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
