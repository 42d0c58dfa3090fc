from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.app import create_app
from tests.conftest import UAT


def test_health_reports_environment_and_operations(client):
    body = client.get("/__admin/health").json()
    assert body["status"] == "ok"
    assert body["env"] == "uat"
    assert body["operations"] == 182


def test_journal_records_who_and_never_a_secret(client):
    client.get(
        "/api/v2.1/public/contract_types/",
        headers={
            **UAT,
            "user-email": "legal@acme.test",
            "X-Forwarded-For": "203.0.113.9",
            "User-Agent": "acme-sync/1.2",
        },
    )
    client.get(
        "/api/v2.1/public/contract_types/", headers={**UAT, "client-secret": "a-wrong-secret"}
    )
    entries = client.get("/__admin/requests").json()
    assert [entry["status"] for entry in entries[:2]] == [401, 200]
    ok = entries[1]
    assert ok["credential_id"] == "uat-client-acme"
    assert ok["user_email"] == "legal@acme.test"
    assert ok["x_forwarded_for"] == "203.0.113.9"
    assert ok["user_agent"] == "acme-sync/1.2"
    assert ok["operation"] == "GET /api/v2.1/public/contract_types/"
    assert ok["latency_ms"] > 0
    text = client.get("/__admin/requests").text
    assert "uat-secret-acme-0001" not in text
    assert "a-wrong-secret" not in text


def test_requests_limit_and_reset(client):
    for _ in range(3):
        client.get("/api/v2.1/public/contract_types/", headers=UAT)
    assert len(client.get("/__admin/requests?limit=2").json()) == 2
    assert client.get("/__admin/requests?limit=two").status_code == 400
    assert client.post("/__admin/reset").status_code == 200
    assert client.get("/__admin/requests").json() == []


def test_admin_token_guards_the_control_plane(settings, our_schema):
    guarded = create_app(settings.replace(admin_token="let-me-in"), our_schema)
    with TestClient(guarded) as client:
        assert client.get("/__admin/health").status_code == 401
        ok = client.get("/__admin/health", headers={"X-Spotcheck-Admin-Token": "let-me-in"})
        assert ok.status_code == 200


def test_token_endpoint_validates_its_input(client):
    assert client.post("/__admin/tokens", content=b"{").status_code == 400
    assert client.post("/__admin/tokens", json={"user_email": 5}).status_code == 400
    assert (
        client.post("/__admin/tokens", json={"user_email": "nobody@acme.test"}).status_code == 404
    )


def test_schema_defects_are_listed(client):
    defects = client.get("/__admin/schema/defects").json()
    assert {d["kind"] for d in defects} == {"query-name"}


def test_reset_forgets_everything_a_test_can_see(client):
    """Journal, request count, audit, auth-failure counts and token metrics: all back to zero."""
    client.get("/api/v2.1/public/contract_types/", headers={**UAT, "client-secret": "wrong"})
    client.app.runtime.token_requests.count("uat-client-acme", "issued")
    before = client.get("/__admin/metrics").json()
    assert before["requests"] and before["auth_failures"] and before["token_requests"]
    assert client.get("/__admin/audit").json()
    client.post("/__admin/reset")
    after = client.get("/__admin/metrics").json()
    assert (after["requests"], after["auth_failures"], after["token_requests"]) == (0, [], {})
    assert client.get("/__admin/requests").json() == []
    assert client.get("/__admin/audit").json() == []
