"""Webhook deliveries under fault rules (issue 18): delayed or dropped before sending, and
never lost - a dropped attempt is retried on the schedule."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from mockserver.settings import Settings
from spotcheck.testing import MockServer, WebhookReceiver
from tests.conftest import UAT
from tests.test_contracts_http import create

API = "/api/v2.1/public"
FAST = (0.2,) * 8


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    settings = Settings(
        rate_limit=0, webhook_delivery="loopback", webhook_retry_delays=FAST, webhook_timeout=2
    )
    mock = MockServer(settings)
    mock.start()
    yield mock
    mock.stop()


def settled(server: MockServer) -> list[dict[str, object]]:
    """The delivery rows once none is pending or in flight (the receiver may have an event
    a moment before the mock records the attempt that sent it)."""
    deadline = time.monotonic() + 10
    while True:
        rows = server.deliveries()
        if all(row["status"] not in ("pending", "sending") for row in rows):
            return rows
        assert time.monotonic() < deadline, rows
        time.sleep(0.05)


@pytest.fixture
def hooked(server: MockServer) -> Iterator[tuple[httpx.Client, WebhookReceiver]]:
    server.reset()
    receiver = WebhookReceiver(server.hmac_key)
    receiver.start()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        body = {"title": "t", "url": receiver.url, "only_for_activities": ["CONTRACT_CREATED"]}
        assert client.post(f"{API}/webhooks/", headers=UAT, json=body).status_code == 201
        yield client, receiver
    receiver.stop()


def test_dropped_attempts_are_retried_until_delivered(
    server: MockServer, hooked: tuple[httpx.Client, WebhookReceiver]
) -> None:
    client, receiver = hooked
    rule = {"on": "webhook", "action": "drop", "first": 2}
    assert client.post("/__admin/faults", json=rule).status_code == 201
    create(client, "crm-drop")
    (delivered,) = receiver.wait_for(1)
    assert delivered["activity"] == "CONTRACT_CREATED"
    (row,) = settled(server)
    assert row["status"] == "delivered" and row["attempts"] == 3
    assert receiver.state.arrivals == 1  # the dropped attempts never left the mock
    listed = client.get("/__admin/faults").json()["faults"]
    assert listed[0]["applied"] == 2 and listed[0]["matched"] == 3


def test_a_random_drop_loses_no_event_and_keeps_the_order(
    server: MockServer, hooked: tuple[httpx.Client, WebhookReceiver]
) -> None:
    client, receiver = hooked
    rule = {"on": "webhook", "action": "drop", "probability": 0.5, "seed": 11}
    assert client.post("/__admin/faults", json=rule).status_code == 201
    for n in range(3):
        create(client, f"crm-{n}")
    delivered = receiver.wait_for(3, timeout=20)
    sent = [event["contract_id"] for event in delivered]
    assert len(set(sent)) == 3 and sent == sorted(sent)  # each once, in the order created
    assert {row["status"] for row in settled(server)} == {"delivered"}


def test_a_delayed_delivery_still_arrives(
    server: MockServer, hooked: tuple[httpx.Client, WebhookReceiver]
) -> None:
    client, receiver = hooked
    rule = {
        "on": "webhook",
        "match": {"url": receiver.url},
        "action": "latency",
        "latency": {"kind": "fixed", "ms": 500},
    }
    assert client.post("/__admin/faults", json=rule).status_code == 201
    started = time.monotonic()
    create(client, "crm-slow")
    receiver.wait_for(1)
    assert time.monotonic() - started >= 0.5
    (row,) = settled(server)
    assert row["attempts"] == 1
