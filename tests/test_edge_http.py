"""The vendor's edges: redirects, unknown routes, bad input - always a clear 4xx, never a 500."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from tests.conftest import UAT

CONTRACTS = "/api/v2.1/public/contracts/"


def test_trailing_slash_mismatch_is_a_302_to_the_documented_url(client):
    response = client.get("/api/v2.1/public/contract_types?page=2", headers=UAT)
    assert response.status_code == 302
    assert response.headers["location"] == "/api/v2.1/public/contract_types/?page=2"
    extra_slash = client.get("/api/v2.1/public/contracts/T-1/status/", headers=UAT)
    assert extra_slash.status_code == 302
    assert extra_slash.headers["location"] == "/api/v2.1/public/contracts/T-1/status"


def test_redirected_post_is_not_silently_replayed(client):
    response = client.post("/api/v2.1/public/contracts", headers=UAT, json={})
    assert response.status_code == 302


def test_unknown_path_is_404_in_the_vendor_body(client):
    response = client.get("/api/v9/public/nothing/", headers=UAT)
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Not found.",
        "message": "Not found.",
        "code": "not_found",
        "status_code": 404,
    }


def test_wrong_method_is_405_with_allow(client):
    response = client.delete("/api/v2.1/public/contract_types/", headers=UAT)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_path_value_of_the_wrong_type_matches_no_route(client):
    response = client.get("/api/v2.1/public/counter_parties/not-a-number", headers=UAT)
    assert response.status_code == 404
    assert "counterparty_id" in response.json()["detail"]


def test_schema_invalid_body_lists_every_field_error(client):
    response = client.post(
        CONTRACTS, headers=UAT, json={"contract_template_id": "twenty-one", "unknown": 1}
    )
    assert response.status_code == 400
    body = response.json()
    fields = {error["field"] for error in body["errors"]}
    assert "contract_template_id" in fields
    assert any("required" in error["message"] for error in body["errors"])
    assert body["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/json", b"\xff\xfe{}"),  # not UTF-8
        ("application/json", b'{"a": '),  # truncated
        ("application/json", b"null"),  # JSON null for an object body
        ("application/json", b"[1, 2]"),
        (
            "multipart/form-data; boundary=xyz",
            b'--xyz\r\nContent-Disposition: form-data; name="a;b"\r\n\r\n1\r\n--xyz--\r\n',
        ),
        ("multipart/form-data", b"no boundary at all"),
        ("application/x-www-form-urlencoded", b"%E0=%E0&a=1"),
    ],
)
def test_malformed_bodies_are_400_and_the_server_keeps_serving(client, content_type, raw):
    response = client.post(CONTRACTS, headers={**UAT, "content-type": content_type}, content=raw)
    assert response.status_code in (400, 415), response.text
    assert response.json()["status_code"] == response.status_code
    assert client.get("/api/v2.1/public/contract_types/", headers=UAT).status_code == 200


def test_unsupported_media_type_is_415(client):
    response = client.post(CONTRACTS, headers={**UAT, "content-type": "text/csv"}, content=b"a,b")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_form_and_multipart_bodies_are_accepted_where_the_schema_keeps_them(client):
    url = "/api/v2.1/public/counter_parties/41/contacts"
    fields = {"name": "Form Person", "email": "form@globex.test", "is_primary": "false"}
    form = client.post(url, headers=UAT, data=fields)
    assert form.status_code == 201, form.text
    multipart = client.post(url, headers=UAT, files={k: (None, v) for k, v in fields.items()})
    assert multipart.status_code == 201, multipart.text
    invalid = client.post(url, headers=UAT, data={"name": "No Email"})
    assert invalid.status_code == 400
    assert "email" in invalid.text


def test_form_encoding_of_a_nested_body_is_415_naming_json(client):
    response = client.post(CONTRACTS, headers=UAT, data={"contract_template_id": "21"})
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_invalid_query_value_is_400_naming_the_parameter(client):
    response = client.get(CONTRACTS, headers=UAT, params={"page": "first"})
    assert response.status_code == 400
    assert "page" in response.json()["detail"]


def test_every_operation_answers_a_valid_request_without_a_server_error(client, app):
    """One request per operation with synthesized valid input; response validation is on."""
    synthesizer = app.runtime.catalog.synthesizer
    failures = []
    for operation in app.runtime.schema.index.operations:
        path = operation.path
        for name, schema in operation.path_schemas.items():
            value = synthesizer.example(schema)
            path = path.replace("{" + name + "}", str(value))
        body = None
        content = synthesizer.resolve(operation.definition.get("requestBody")).get("content") or {}
        if "application/json" in content:
            body = synthesizer.example(content["application/json"].get("schema"))
        response = client.request(operation.method.upper(), path, headers=UAT, json=body)
        if response.status_code >= 500:
            failures.append(f"{operation.key}: {response.status_code} {response.text[:200]}")
    assert failures == []


def test_rate_limit_answers_429_with_retry_after_and_spares_admin(settings, our_schema):
    limited = create_app(settings.replace(rate_limit=3), our_schema)
    with TestClient(limited) as client:
        statuses = [
            client.get("/api/v2.1/public/contract_types/", headers=UAT).status_code
            for _ in range(6)
        ]
        assert statuses[:3] == [200, 200, 200]
        assert 429 in statuses[3:]
        throttled = client.get("/api/v2.1/public/contract_types/", headers=UAT)
        assert throttled.status_code == 429
        assert int(throttled.headers["retry-after"]) >= 1
        assert throttled.json()["code"] == "throttled"
        assert all(client.get("/__admin/health").status_code == 200 for _ in range(10))


def test_error_answers_carry_one_content_type(client):
    response = client.get("/api/v2.1/public/counter_parties/987654", headers=UAT)
    assert response.status_code == 404
    content_types = [v for k, v in response.headers.multi_items() if k == "content-type"]
    assert content_types == ["application/json"]


def test_a_body_of_whitespace_alone_is_rejected(client):
    url = "/api/v2/public/counter_parties/41/addresses/61/"
    for body in (b"\x0c", b" \n", b"\r"):  # whitespace is not a JSON text, JSON's own neither
        response = client.patch(
            url, headers={**UAT, "content-type": "application/json"}, content=body
        )
        assert response.status_code == 400, (body, response.text)
    empty = client.patch(url, headers={**UAT, "content-type": "application/json"}, content=b"")
    assert empty.status_code == 200, empty.text  # no body at all, and none is required
