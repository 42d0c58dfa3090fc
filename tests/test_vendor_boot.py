"""The mock boots from the verbatim vendor file and routes every one of its 182 operations."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from tests.conftest import UAT

pytestmark = pytest.mark.vendor

# client headers, plus HTTP Basic for the native-integration route
EVERY_SCHEME = {
    **UAT,
    "Authorization": "Basic " + base64.b64encode(b"uat-client-acme:uat-secret-acme-0001").decode(),
}


@pytest.fixture(scope="module")
def vendor_client(vendor_schema, tmp_path_factory):
    db = tmp_path_factory.mktemp("vendor") / "mock.db"
    app = create_app(
        Settings(spec=vendor_schema.source, db=str(db), rate_limit=0, validate_responses=True),
        vendor_schema,
    )
    with TestClient(app, follow_redirects=False) as client:
        yield client, app


def _concrete_path(app, operation):
    path = operation.path
    for name, schema in operation.path_schemas.items():
        path = path.replace("{" + name + "}", str(app.runtime.catalog.synthesizer.example(schema)))
    return path


def test_all_182_operations_are_routed_authenticated_and_answered(vendor_client):
    client, app = vendor_client
    operations = app.runtime.schema.index.operations
    assert len(operations) == 182
    unrouted, failed = [], []
    for operation in operations:
        path = _concrete_path(app, operation)
        synthesizer = app.runtime.catalog.synthesizer
        content = synthesizer.resolve(operation.definition.get("requestBody")).get("content") or {}
        body = (
            synthesizer.example(content["application/json"].get("schema"))
            if "application/json" in content
            else None
        )
        response = client.request(operation.method.upper(), path, headers=EVERY_SCHEME, json=body)
        # Routed means the request reached this operation (a 404 for an unknown object is
        # the operation's own answer); the journal records what each request was routed to.
        routed_to = client.get("/__admin/requests?limit=1").json()[0]["operation"]
        if routed_to != operation.key or response.status_code == 405:
            unrouted.append(f"{operation.key}: {response.status_code} {response.text[:120]}")
        elif response.status_code in (401, 403):
            failed.append(f"{operation.key}: auth {response.status_code}")
        elif response.status_code >= 500:
            failed.append(f"{operation.key}: {response.status_code}")
    assert unrouted == []
    assert failed == []


def test_vendor_auth_cases(vendor_client):
    client, _app = vendor_client
    url = "/api/v2.1/public/contract_types/"
    assert client.get(url, headers=UAT).status_code == 200
    assert client.get(url).status_code == 401
    assert client.get(url, headers={**UAT, "client-secret": "nope"}).status_code == 401
    assert client.get(url, headers={**UAT, "user-email": "former@acme.test"}).status_code == 403


def test_vendor_redirect_and_errors(vendor_client):
    client, _app = vendor_client
    response = client.get("/api/v2.1/public/contract_types", headers=UAT)
    assert (response.status_code, response.headers["location"]) == (
        302,
        "/api/v2.1/public/contract_types/",
    )
    assert (
        client.post(
            "/api/v2.1/public/contracts/",
            headers={**UAT, "content-type": "application/json"},
            content=b"\xff",
        ).status_code
        == 400
    )
