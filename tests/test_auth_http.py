"""Authentication as the vendor decides it, through the whole app (create_app)."""

from __future__ import annotations

import base64

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.auth.tokens import issue_token
from tests.conftest import PRODUCTION, UAT

CONTRACT_TYPES = "/api/v2.1/public/contract_types/"  # client headers OR bearer
NATIVE = "/api/v1/public/native_integration/solution/7/cred-1/"  # HTTP Basic only
# clickwrap-id + Origin, or open
CLICKWRAP = "/api/v2.1/public/clickwrap/6f1c2b9e-3d4a-4c8e-9b7f-2a1d5e8c0f34/"
WEBHOOK_SAMPLE = "/api/v1/public/webhook-sample/"  # open


def _token(client: TestClient, email: str, ttl: int = 3600) -> str:
    response = client.post("/__admin/tokens", json={"user_email": email, "ttl_seconds": ttl})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_fixture_credential_is_accepted(client):
    response = client.get(CONTRACT_TYPES, headers=UAT)
    assert response.status_code == 200
    assert isinstance(response.json(), list)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "not_authenticated"),
        ({"client-id": "uat-client-acme"}, 401, "not_authenticated"),
        ({**UAT, "client-secret": "uat-secret-acme-0002"}, 401, "invalid_credentials"),
        ({**UAT, "client-id": "nobody"}, 401, "invalid_credentials"),
        (PRODUCTION, 401, "invalid_credentials"),
        ({**UAT, "user-email": "legal@acme.test"}, 200, None),
        ({**UAT, "user-email": "LEGAL@acme.test"}, 200, None),
        ({**UAT, "user-email": "former@acme.test"}, 403, "user_inactive"),
        ({**UAT, "user-email": "stranger@example.com"}, 403, "unknown_user"),
    ],
)
def test_client_header_matrix(client, headers, status, code):
    response = client.get(CONTRACT_TYPES, headers=headers)
    assert response.status_code == status, response.text
    if code:
        body = response.json()
        assert body["code"] == code
        assert body["status_code"] == status
        assert body["detail"] and body["message"]


def test_production_server_refuses_uat_credential_and_accepts_its_own(settings, our_schema):
    production = create_app(settings.replace(env="production"), our_schema)
    with TestClient(production) as client:
        assert client.get(CONTRACT_TYPES, headers=UAT).status_code == 401
        assert client.get(CONTRACT_TYPES, headers=PRODUCTION).status_code == 200


def test_environment_credential_is_added_at_start_up(settings, our_schema):
    configured = settings.replace(client_id="ci-client", client_secret="ci-secret-from-env")
    with TestClient(create_app(configured, our_schema)) as client:
        ok = client.get(
            CONTRACT_TYPES,
            headers={"client-id": "ci-client", "client-secret": "ci-secret-from-env"},
        )
        assert ok.status_code == 200
        journal = client.get("/__admin/requests").json()
        assert journal[0]["credential_id"] == "ci-client"
        assert journal[0]["user_email"] == "admin@acme.test"


def test_bearer_token_needs_the_auth_type_header_on_dual_routes(client):
    token = _token(client, "legal@acme.test")
    bearer = {"Authorization": f"Bearer {token}"}
    missing = client.get(CONTRACT_TYPES, headers=bearer)
    assert missing.status_code == 401
    assert missing.json()["code"] == "auth_type_required"
    ok = client.get(CONTRACT_TYPES, headers={**bearer, "X-SD-Auth-Type": "oauth-jwt"})
    assert ok.status_code == 200


def test_expired_forged_and_inactive_tokens_are_refused(app, client):
    auth_type = {"X-SD-Auth-Type": "oauth-jwt"}
    # /__admin/tokens takes only a positive TTL: an already expired token is minted directly
    workspace = app.runtime.workspace
    user = app.runtime.store.query_one("SELECT id FROM users WHERE email = 'legal@acme.test'")
    expired = issue_token(workspace.jwt_secret, user["id"], workspace.id, ttl_seconds=-10)
    response = client.get(
        CONTRACT_TYPES, headers={"Authorization": f"Bearer {expired}", **auth_type}
    )
    assert (response.status_code, response.json()["code"]) == (401, "token_expired")
    good = _token(client, "legal@acme.test")
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    response = client.get(
        CONTRACT_TYPES, headers={"Authorization": f"Bearer {forged}", **auth_type}
    )
    assert (response.status_code, response.json()["code"]) == (401, "token_invalid")
    inactive = _token(client, "former@acme.test")
    response = client.get(
        CONTRACT_TYPES, headers={"Authorization": f"Bearer {inactive}", **auth_type}
    )
    assert response.status_code == 403


def test_token_from_another_environment_is_refused(settings, our_schema, client):
    uat_token = _token(client, "legal@acme.test")
    with TestClient(create_app(settings.replace(env="production"), our_schema)) as production:
        response = production.get(
            CONTRACT_TYPES,
            headers={"Authorization": f"Bearer {uat_token}", "X-SD-Auth-Type": "oauth-jwt"},
        )
        assert response.status_code == 401


def _basic(user: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()}


def test_native_integration_route_takes_http_basic_only(client):
    accepted = client.post(
        NATIVE, headers=_basic("uat-client-acme", "uat-secret-acme-0001"), json={}
    )
    assert accepted.status_code not in (401, 403), accepted.text
    assert (
        client.post(NATIVE, headers=_basic("uat-client-acme", "wrong"), json={}).status_code == 401
    )
    assert (
        client.post(NATIVE, headers={"Authorization": "Basic !!notbase64"}, json={}).status_code
        == 401
    )
    assert client.post(NATIVE, headers=UAT, json={}).status_code == 401


def test_clickwrap_route_checks_origin_but_stays_open_without_headers(client):
    allowed = {
        "clickwrap-id": "6f1c2b9e-3d4a-4c8e-9b7f-2a1d5e8c0f34",
        "Origin": "https://shop.acme.test",
    }
    assert client.get(CLICKWRAP, headers=allowed).status_code == 200
    refused = client.get(CLICKWRAP, headers={**allowed, "Origin": "https://evil.test"})
    assert refused.status_code == 403
    assert client.get(CLICKWRAP).status_code == 200  # the operation also allows anonymous use


def test_open_operation_needs_no_credentials(client, app):
    runtime = app.runtime
    body_schema = {"$ref": "#/components/schemas/ContractActivityDomainModel"}
    valid_body = runtime.catalog.synthesizer.example(body_schema)
    assert client.post(WEBHOOK_SAMPLE, json=valid_body).status_code == 200
    assert client.post(WEBHOOK_SAMPLE, json={}).status_code == 400


def test_auth_is_decided_before_body_validation(client):
    response = client.post("/api/v2.1/public/contracts/", json={"not": "valid"})
    assert response.status_code == 401
