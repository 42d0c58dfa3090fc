"""The server's one clock (issue 18): `POST /__admin/clock` moves token, secret and link
expiry, the webhook retry schedule and the timestamps answers carry; seen over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver.settings import SCHEMA_DIR, Settings
from spotcheck.testing import MockServer, WebhookReceiver
from tests.conftest import UAT
from tests.mock_servers import vendor_mock
from tests.test_contracts_http import create

API = "/api/v2.1/public"
TRAVEL = str(SCHEMA_DIR / "samples" / "travel-users.yaml")
SLOW_RETRIES = (600.0, 3600.0)  # a retry never comes by itself within a test


vendor = vendor_mock(webhook_retry_delays=SLOW_RETRIES, webhook_timeout=2)


@pytest.fixture
def client(vendor: MockServer) -> Iterator[httpx.Client]:
    vendor.reset()
    with httpx.Client(base_url=vendor.url, timeout=10) as http:
        yield http


def row_when(mock: MockServer, ready: Any, timeout: float = 10) -> list[dict[str, Any]]:
    """The delivery rows once the only one is `ready` (attempts are recorded just after the
    receiver answers them)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = mock.deliveries()
        if len(rows) == 1 and ready(rows[0]):
            return rows
        assert time.monotonic() < deadline, rows
        time.sleep(0.05)


def move(client: httpx.Client, body: dict[str, object]) -> dict[str, object]:
    answer = client.post("/__admin/clock", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_advancing_expires_an_oauth_token() -> None:
    mock = MockServer(Settings(spec=TRAVEL, rate_limit=0, token_rate_limit=0))
    mock.start()
    try:
        with httpx.Client(base_url=mock.url, timeout=10) as client:
            grant = {
                "grant_type": "client_credentials",
                "client_id": mock.client_id,
                "client_secret": mock.client_secret,
            }
            token = client.post("/v2/auth/oauth2-token", data=grant).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            assert client.get("/v2/users", headers=headers).status_code == 200
            move(client, {"advance": "59m"})
            assert client.get("/v2/users", headers=headers).status_code == 200
            move(client, {"advance": "2m"})
            expired = client.get("/v2/users", headers=headers)
            assert expired.status_code == 401 and "expired" in expired.text
            move(client, {"real": True})
            assert client.get("/v2/users", headers=headers).status_code == 200
    finally:
        mock.stop()


def test_advancing_expires_a_download_link(client: httpx.Client) -> None:
    cid = create(client, "crm-link")["id"]
    link = client.post(f"{API}/contracts/{cid}/download_link", headers=UAT, json={}).json()
    assert client.get(link["url"]).status_code == 200
    move(client, {"advance": "14m"})
    assert client.get(link["url"]).status_code == 200
    move(client, {"advance": "2m"})
    expired = client.get(link["url"])
    assert expired.status_code == 403 and "expired" in expired.text


def test_setting_the_clock_moves_secret_expiry_and_rotation_windows(client: httpx.Client) -> None:
    old = {"client-id": "uat-client-rotating", "client-secret": "uat-secret-rotating-old"}
    expired = {"client-id": "uat-client-expired", "client-secret": "uat-secret-expired-0004"}
    path = f"{API}/contract_types/"
    assert client.get(path, headers=old).status_code == 200  # inside the rotation window
    assert client.get(path, headers=expired).status_code == 401
    move(client, {"set": "2023-06-01T00:00:00Z"})
    assert client.get(path, headers=expired).status_code == 200  # before its expiry
    move(client, {"set": "2100-01-01T00:00:00Z"})
    closed = client.get(path, headers=old)
    assert closed.status_code == 401 and "expired" in closed.text
    assert client.get(path, headers=UAT).status_code == 200


def test_answers_and_webhook_payloads_carry_the_servers_time(
    vendor: MockServer, client: httpx.Client
) -> None:
    receiver = WebhookReceiver(vendor.hmac_key)
    receiver.start()
    try:
        body = {"title": "t", "url": receiver.url, "only_for_activities": ["CONTRACT_CREATED"]}
        assert client.post(f"{API}/webhooks/", headers=UAT, json=body).status_code == 201
        assert move(client, {"set": "2027-01-01T00:00:00Z"})["now"].startswith("2027-01-01")
        created = create(client, "crm-2027")
        stamps = [value for key, value in created.items() if key in ("created", "updated")]
        assert stamps and all(str(stamp).startswith("2027-01-01") for stamp in stamps)
        (delivery,) = receiver.wait_for(1)
        assert "2027-01-01" in str(delivery["payload"])
    finally:
        receiver.stop()


def test_a_retry_becomes_due_when_the_clock_reaches_it(
    vendor: MockServer, client: httpx.Client
) -> None:
    receiver = WebhookReceiver(vendor.hmac_key)
    receiver.state.fail_times = 1  # the first attempt is answered 503
    receiver.start()
    try:
        body = {"title": "t", "url": receiver.url, "only_for_activities": ["CONTRACT_CREATED"]}
        assert client.post(f"{API}/webhooks/", headers=UAT, json=body).status_code == 201
        create(client, "crm-retry")
        (row,) = row_when(vendor, lambda row: row["attempts"] == 1)
        assert row["status"] == "pending"  # the first attempt failed: next try in 10 minutes
        move(client, {"advance": "9m"})
        time.sleep(0.5)
        assert receiver.deliveries == []  # not due yet
        move(client, {"advance": "1m"})
        receiver.wait_for(1, timeout=5)  # sent at once, not at the next real-time poll
        row_when(vendor, lambda row: row["status"] == "delivered")
    finally:
        receiver.stop()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"advance": "soon"},
        {"advance": -5},
        {"advance": "1h", "real": True},
        {"set": "2027-01-01"},
        {"set": "yesterday"},
        {"real": False},
        {"advance": "nan"},
    ],
)
def test_a_wrong_move_is_a_400_saying_what_to_send(client: httpx.Client, body: dict) -> None:
    answer = client.post("/__admin/clock", json=body)
    assert answer.status_code == 400
    assert "advance" in answer.text and "real" in answer.text
    assert client.get("/__admin/clock").json()["real"] is True


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("1d12h", 129600), ("500ms", 0.5)],
)
def test_durations(text: str, seconds: float) -> None:
    from mockserver.clock import parse_duration

    assert parse_duration(text) == seconds
