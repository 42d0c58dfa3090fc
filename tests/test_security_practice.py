"""The security practice the seeds ask for: audit trail, alerts on authentication failures,
IP allow-lists, read-only scopes, secret rotation and expiry."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.auth.monitor import AuthFailureMonitor
from tests.conftest import UAT

TYPES = "/api/v2.1/public/contract_types/"
COUNTERPARTIES = "/api/v2.1/public/counter_parties/"


def _credential(client_id: str, secret: str) -> dict[str, str]:
    return {"client-id": client_id, "client-secret": secret}


def test_read_only_credential_reads_but_may_not_write(client):
    readonly = _credential("uat-client-readonly", "uat-secret-readonly-0003")
    assert client.get(TYPES, headers=readonly).status_code == 200
    refused = client.post(
        COUNTERPARTIES, headers=readonly, json={"is_individual": False, "name": "x"}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "read_only_credential"
    assert (
        client.post(
            COUNTERPARTIES, headers=UAT, json={"is_individual": False, "name": "x"}
        ).status_code
        == 201
    )


def test_rotation_window_accepts_both_secrets(client):
    assert (
        client.get(
            TYPES, headers=_credential("uat-client-rotating", "uat-secret-rotating-new")
        ).status_code
        == 200
    )
    assert (
        client.get(
            TYPES, headers=_credential("uat-client-rotating", "uat-secret-rotating-old")
        ).status_code
        == 200
    )
    assert (
        client.get(TYPES, headers=_credential("uat-client-rotating", "something-else")).status_code
        == 401
    )


def test_expired_secret_is_401_saying_so(client):
    response = client.get(
        TYPES, headers=_credential("uat-client-expired", "uat-secret-expired-0004")
    )
    assert response.status_code == 401
    assert response.json()["code"] == "secret_expired"
    assert "expired" in response.json()["detail"]


def test_ip_allow_list(settings, our_schema):
    office = _credential("uat-client-office", "uat-secret-office-0005")
    app = create_app(settings, our_schema)
    with TestClient(app, client=("10.20.3.4", 5000)) as inside:
        assert inside.get(TYPES, headers=office).status_code == 200
    with TestClient(app, client=("192.0.2.7", 5000)) as outside:
        response = outside.get(TYPES, headers=office)
        assert response.status_code == 403
        assert response.json()["code"] == "ip_not_allowed"


def test_audit_trail_in_memory_and_as_json_lines(settings, our_schema, tmp_path):
    log = tmp_path / "audit.jsonl"
    app = create_app(settings.replace(audit_log=str(log)), our_schema)
    with TestClient(app) as client:
        client.get(
            TYPES, headers={**UAT, "X-Forwarded-For": "198.51.100.4", "User-Agent": "crm-sync/2"}
        )
        client.get(TYPES, headers={**UAT, "client-secret": "wrong-secret-value"})
        entries = client.get("/__admin/audit?kind=request").json()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["status"] for e in lines] == [200, 401]
    assert lines[0]["x_forwarded_for"] == "198.51.100.4"
    assert lines[0]["user_agent"] == "crm-sync/2"
    assert lines[0]["credential_id"] == "uat-client-acme"
    assert [e["status"] for e in entries] == [401, 200]
    text = log.read_text()
    assert "uat-secret-acme-0001" not in text and "wrong-secret-value" not in text


def test_a_burst_of_auth_failures_raises_an_alert(settings, our_schema, caplog):
    app = create_app(settings.replace(auth_alert_threshold=5, auth_alert_window=60), our_schema)
    with TestClient(app) as client:
        for _ in range(6):
            client.get(TYPES, headers={**UAT, "client-secret": "guess"})
        metrics = client.get("/__admin/metrics").json()
    row = next(r for r in metrics["auth_failures"] if r["credential_id"] == "uat-client-acme")
    assert row["total"] == 6 and row["alerting"] is True
    alerts = [r.getMessage() for r in caplog.records if r.name == "spotcheck.alerts"]
    assert len(alerts) == 1 and "uat-client-acme" in alerts[0]


def test_monitor_window_forgets_old_failures():
    now = [0.0]
    monitor = AuthFailureMonitor(threshold=3, window=10, clock=lambda: now[0])
    for _ in range(2):
        monitor.record("c", "1.2.3.4")
    now[0] = 20.0
    monitor.record("c", "1.2.3.4")
    assert monitor.snapshot()[0]["in_window"] == 1
    assert monitor.snapshot()[0]["alerting"] is False


def test_webhook_deliveries_are_audited(settings, our_schema):
    from tests.receiver import receiver, subscribe_created, wait_for
    from tests.test_contracts_http import create

    fast = settings.replace(webhook_retry_delays=(0.2,) * 5)
    with TestClient(create_app(fast, our_schema)) as client:
        key = client.get("/api/v2.1/public/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key) as (url, _state):
            subscribe_created(client, url)
            create(client)
            entries = wait_for(
                lambda: client.get("/__admin/audit?kind=webhook_delivery").json(), 10, "audit"
            )
    assert entries[0]["outcome"] == "delivered" and entries[0]["status"] == 200
    assert entries[0]["url"] == url
