"""Hostile client input: each answers 4xx (or 503) in the profile's error body, and the server
keeps serving.

Tested in tests/test_http_guard.py because the app never sees them: bytes the HTTP parser
refuses in the request line or the headers (NUL, DEL, a space in a header name) and a client
that never finishes its headers; uvicorn's protocol is guarded by mockserver/httpguard.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from contract_tests.masking import MASK, mask_report_dir
from mockserver.admin.app import MAX_TOKEN_TTL
from mockserver.app import SpotcheckApp, create_app
from mockserver.auth.monitor import AuthFailureMonitor
from mockserver.pipeline.bodylimit import BodyLimitMiddleware
from mockserver.profiles import auth_profile
from tests.conftest import UAT

API = "/api/v2.1/public"
COUNTERPARTIES = f"{API}/counter_parties/"
TYPES = f"{API}/contract_types/"
DEEP = b"[" * 100_000 + b"]" * 100_000
JSON = {"content-type": "application/json"}


def assert_refused(app: SpotcheckApp, response: Any, status: int) -> dict[str, Any]:
    """`response` has `status` and the body shape of the app's auth profile."""
    assert response.status_code == status, response.text
    body = response.json()
    jsonschema.validate(body, auth_profile(app.runtime.schema.profile).error_style.schema)
    return body


def assert_still_serving(client: TestClient) -> None:
    assert client.get(TYPES, headers=UAT).status_code == 200


def test_json_nested_100000_deep_to_the_api_is_400(app, client):
    response = client.post(COUNTERPARTIES, content=DEEP, headers={**UAT, **JSON})
    assert "nested deeper" in assert_refused(app, response, 400)["detail"]
    assert_still_serving(client)


def test_json_nested_just_past_the_bound_is_400_not_a_stack_overflow_later(app, client):
    # Parses (below the recursion limit) but would overflow validation or the store.
    body = {"is_individual": False, "name": "x", "extra": json.loads("[" * 900 + "]" * 900)}
    response = client.post(COUNTERPARTIES, json=body, headers=UAT)
    assert_refused(app, response, 400)


def test_json_nested_100000_deep_to_admin_tokens_is_400(app, client):
    response = client.post("/__admin/tokens", content=DEEP, headers=JSON)
    assert_refused(app, response, 400)
    assert_still_serving(client)


@pytest.mark.parametrize("limit", ["²", "١٢", "9" * 40, "-1"])
def test_admin_requests_limit_of_other_digits_is_400(app, client, limit):
    assert_refused(app, client.get("/__admin/requests", params={"limit": limit}), 400)


@pytest.mark.parametrize("delivery", ["²", "9" * 40])
def test_redeliver_of_other_digits_is_404(app, client, delivery):
    assert_refused(app, client.post(f"/__admin/deliveries/{delivery}/redeliver"), 404)


def test_client_name_filter_compares_a_date_like_name_with_a_datetime(app, client):
    body = {
        "contract_template_id": 21,
        "contract_data": {"effective_date": "2026-01-01", "term_months": 12},
        "counter_party_details": [
            {
                "is_individual": False,
                "organization_name": "2025-06-01",
                "poc_details": {"first_name": "D", "last_name": "Ate", "email": "d@date.test"},
            }
        ],
    }
    created = client.post(f"{API}/contracts/", json=body, headers=UAT)
    assert created.status_code == 201, created.text
    later = {"filter__client_name[$gt]": "2026-01-01T00:00:00Z"}
    earlier = {"filter__client_name[$lt]": "2026-01-01T00:00:00Z"}
    found = client.get(f"{API}/contracts/", params=later, headers=UAT)
    assert found.status_code == 200, found.text
    assert found.json()["total_results"] == 0
    found = client.get(f"{API}/contracts/", params=earlier, headers=UAT)
    assert found.json()["total_results"] == 1


def test_valid_body_sent_chunked_is_accepted_like_with_content_length(client):
    payload = json.dumps({"is_individual": False, "name": "Chunked Ltd"}).encode()
    response = client.post(
        COUNTERPARTIES, content=iter([payload[:10], payload[10:]]), headers={**UAT, **JSON}
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Chunked Ltd"


def test_body_over_the_limit_is_413_in_the_profile_body(settings, our_schema):
    app = create_app(settings.replace(max_body_bytes=1000), our_schema)
    body = json.dumps({"is_individual": False, "name": "x" * 2000})
    with TestClient(app) as client:
        assert_refused(app, client.post(COUNTERPARTIES, content=body, headers={**UAT, **JSON}), 413)
        chunked = iter([body.encode()[:600], body.encode()[600:]])
        assert_refused(app, client.post(COUNTERPARTIES, content=chunked, headers=UAT), 413)
        assert_still_serving(client)


def _drive(middleware: BodyLimitMiddleware, headers: list[tuple[bytes, bytes]]) -> tuple[int, int]:
    """(status, body messages read) for an endless 1 KB-per-message body."""
    reads = 0
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    async def inner(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        raise AssertionError("a body over the limit reached the app")

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(middleware(scope, receive, send))  # type: ignore[arg-type]
    return statuses[0], reads


def test_body_limit_is_decided_without_reading_the_whole_body():
    middleware = BodyLimitMiddleware(lambda *_: None, max_bytes=10 * 1024)  # type: ignore[arg-type]
    announced = [(b"content-length", str(200 * 1024 * 1024).encode())]
    assert _drive(middleware, announced) == (413, 0)
    status, reads = _drive(middleware, [(b"transfer-encoding", b"chunked")])
    assert status == 413 and reads == 11  # stops one message past 10 KB


@pytest.mark.parametrize("ttl", [0, -5, MAX_TOKEN_TTL + 1, 10**30])
def test_admin_token_ttl_out_of_bounds_is_400(app, client, ttl):
    body = {"user_email": "alice@acme.test", "ttl_seconds": ttl}
    assert (
        "ttl_seconds"
        in assert_refused(app, client.post("/__admin/tokens", json=body), 400)["detail"]
    )


@pytest.mark.parametrize("header", ["client-secret", "client-id", "Authorization"])
def test_a_credential_header_sent_twice_is_400(app, client, header):
    headers = [(name, value) for name, value in UAT.items()]
    extra = [(header, UAT.get(header, "Bearer x"))] * (1 if header in UAT else 2)
    body = assert_refused(app, client.get(TYPES, headers=headers + extra), 400)
    assert body["code"] == "duplicate_credential_header"
    assert_still_serving(client)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (f"{TYPES}%FF%FE", UAT),  # not UTF-8 once percent-decoded
        (f"{API}/contracts/?page=%FF", UAT),
        (TYPES, {**UAT, "user-email": b"\xff\xfe@x"}),
        (TYPES, {"client-id": b"uat-client-acme\xff", "client-secret": b"\x80"}),
    ],
)
def test_bad_bytes_that_reach_the_app_answer_in_the_profile_body(app, client, path, headers):
    response = client.get(path, headers=headers)
    assert 400 <= response.status_code < 500
    assert_refused(app, response, response.status_code)
    assert_still_serving(client)


def test_failed_login_tracking_is_bounded_and_forgets_the_oldest():
    monitor = AuthFailureMonitor(threshold=3, window=60, max_tracked=100)
    for number in range(1000):
        monitor.record(f"made-up-{number}", "192.0.2.1")
    assert len(monitor) == 100
    shown = {row["credential_id"] for row in monitor.snapshot()}
    assert "made-up-999" in shown and "made-up-0" not in shown
    for _ in range(5):  # one pair's timestamps are bounded too
        monitor.record("made-up-999", "192.0.2.1")
    rows = [row for row in monitor.snapshot() if row["credential_id"] == "made-up-999"]
    assert [row["in_window"] for row in rows] == [3]


def test_a_secret_in_the_client_id_header_is_never_logged_or_shown(settings, our_schema, caplog):
    app = create_app(settings.replace(auth_alert_threshold=2), our_schema)
    pasted = {"client-id": "uat-secret-acme-0001", "client-secret": "uat-secret-acme-0001"}
    with caplog.at_level(logging.WARNING), TestClient(app) as client:
        for _ in range(3):
            assert client.get(TYPES, headers=pasted).status_code == 401
        metrics = client.get("/__admin/metrics").text
        journal = client.get("/__admin/requests").text
    alerts = [r.getMessage() for r in caplog.records if r.name == "spotcheck.alerts"]
    assert len(alerts) == 1 and "unknown:" in alerts[0]
    for shown in (metrics, journal, caplog.text):
        assert "uat-secret-acme-0001" not in shown


def test_report_files_mask_hmac_key_tokens_and_secrets_in_bodies(tmp_path):
    import base64

    cassette = tmp_path / "vcr-1.yaml"
    answer = json.dumps({"hmac_key": "hk-live-123", "workspace": "Acme"})
    cassette.write_text(
        "http_interactions:\n"
        "- request:\n    uri: 'http://t/api/v2.1/public/webhooks/hmac_key/'\n    method: 'GET'\n"
        f"  response:\n    body:\n      string: {json.dumps(answer)}\n"
        "- request:\n    uri: 'http://t/oauth/token'\n    method: 'POST'\n"
        "    body:\n      string: 'grant_type=client_credentials&client_secret=s3cr3t'\n"
        '  response:\n    body:\n      string: \'{"access_token": "eyJ.x.y", "expires_in": 60}\'\n',
        encoding="utf-8",
    )
    event = {"content": {"$base64": base64.b64encode(answer.encode()).decode()}, "message": answer}
    (tmp_path / "ndjson-1.ndjson").write_text(json.dumps(event) + "\n", encoding="utf-8")
    assert len(mask_report_dir(tmp_path)) == 2
    text = "".join(path.read_text(encoding="utf-8") for path in tmp_path.iterdir())
    for secret in ("hk-live-123", "s3cr3t", "eyJ.x.y"):
        assert secret not in text
    line = json.loads((tmp_path / "ndjson-1.ndjson").read_text(encoding="utf-8"))
    decoded = json.loads(base64.b64decode(line["content"]["$base64"]))
    assert decoded == {"hmac_key": MASK, "workspace": "Acme"}
    assert "Acme" in cassette.read_text(encoding="utf-8")


def test_disk_full_during_a_write_is_503_and_reads_keep_working(settings, our_schema):
    app = create_app(settings, our_schema)
    store = app.runtime.store
    with TestClient(app) as client:
        assert_still_serving(client)
        pages = store.query("PRAGMA page_count")[0][0]
        # SQLite's own page cap: the next write that needs a new page fails as on a full disk
        store.query(f"PRAGMA max_page_count = {pages}")
        big = {"is_individual": False, "name": "x" * 200_000}
        body = assert_refused(app, client.post(COUNTERPARTIES, json=big, headers=UAT), 503)
        assert body["code"] == "unavailable"
        assert_still_serving(client)
        store.query("PRAGMA max_page_count = 1073741823")
        assert client.post(COUNTERPARTIES, json=big, headers=UAT).status_code == 201
