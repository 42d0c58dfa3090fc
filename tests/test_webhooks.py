"""Webhooks like SpotDraft's: signed, filtered, durable, retried, ordered."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from tests.conftest import UAT
from tests.receiver import free_port, receiver, wait_for
from tests.test_contracts_http import create

API = "/api/v2.1/public"
FAST = (0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2)
VIEWER = {**UAT, "user-email": "viewer@acme.test"}


def independent_signature(body: bytes, key_b64: str) -> str:
    """Written from the vendor's published recipe, not from mockserver's code."""
    return hmac.new(base64.b64decode(key_b64), body, hashlib.sha512).hexdigest()


@pytest.fixture
def fast_settings(settings):
    return settings.replace(webhook_retry_delays=FAST, webhook_timeout=1.0)


def subscribe(client, url, activities, headers=UAT, **extra):
    body = {"title": "receiver", "url": url, "only_for_activities": activities, **extra}
    return client.post(f"{API}/webhooks/", headers=headers, json=body)


def drive_to_executed(client, external_id="crm-1"):
    cid = create(client, external_id)["id"]
    client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={})
    assert client.post(f"/__admin/contracts/{cid}/sign").status_code == 200
    return cid


def test_vendor_playbook_delivers_signed_events_in_order(fast_settings, our_schema):
    with TestClient(create_app(fast_settings, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        assert len(base64.b64decode(key)) == 32
        with receiver(key) as (url, state):
            activities = ["CONTRACT_CREATED", "CONTRACT_SIGNED", "CONTRACT_EXECUTED"]
            created = subscribe(client, url, activities, custom_headers={"X-Team": "integrations"})
            assert created.status_code == 201, created.text
            assert created.json()["status"] == "ACTIVE"
            cid = drive_to_executed(client)
            wait_for(lambda: len(state.events) >= 4, 10, "four deliveries")
        received = [event["activity"] for event in state.events]
        assert received == [
            "CONTRACT_CREATED",
            "CONTRACT_SIGNED",
            "CONTRACT_SIGNED",
            "CONTRACT_EXECUTED",
        ]
        for event in state.events:
            body = json.dumps(event["payload"], separators=(",", ":")).encode()
            assert event["headers"]["x-sd-webhook-content-hash"] == independent_signature(body, key)
            assert event["headers"]["x-team"] == "integrations"
            assert event["signature"] == "valid"
            assert event["payload"]["contract_id"] == int(cid.split("-")[1])
        assert len({event["delivery_id"] for event in state.events}) == 4
        executed = state.events[-1]["payload"]
        assert executed["contract_status"] == "EXECUTED"
        assert executed["external_metadata"]["id"] == "crm-1"
        schema = {"$ref": "#/components/schemas/ContractActivityDomainModel"}
        checker = client.app.runtime.catalog.checker
        assert all(checker.errors(schema, event["payload"]) == [] for event in state.events)


def test_subscription_gets_only_the_activities_it_asked_for(fast_settings, our_schema):
    with TestClient(create_app(fast_settings, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with (
            receiver(key) as (executed_url, executed_only),
            receiver(key) as (created_url, created_only),
        ):
            subscribe(client, executed_url, ["CONTRACT_EXECUTED"])
            subscribe(client, created_url, ["CONTRACT_CREATED", "COUNTER_PARTY_CREATED"])
            drive_to_executed(client)
            client.post(
                f"{API}/counter_parties/",
                headers=UAT,
                json={"is_individual": False, "name": "Hooli"},
            )
            wait_for(
                lambda: executed_only.events and len(created_only.events) >= 2, 10, "deliveries"
            )
            client.get("/__admin/health")
        assert [e["activity"] for e in executed_only.events] == ["CONTRACT_EXECUTED"]
        assert [e["activity"] for e in created_only.events] == [
            "CONTRACT_CREATED",
            "COUNTER_PARTY_CREATED",
        ]


def test_receiver_down_then_up_still_gets_everything_in_order(fast_settings, our_schema):
    port = free_port()
    with TestClient(create_app(fast_settings, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        url = f"http://127.0.0.1:{port}/hooks"
        subscribe(client, url, ["CONTRACT_CREATED", "CONTRACT_MARK_FOR_EXECUTION"])
        cid = create(client)["id"]
        client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={})

        def failed_attempts():
            rows = client.get("/__admin/deliveries").json()
            return sum(len(r["attempt_log"]) for r in rows) >= 2 and rows

        rows = wait_for(failed_attempts, 10, "failed attempts while the receiver is down")
        assert all(r["status"] == "pending" for r in rows)
        assert "ConnectError" in rows[-1]["attempt_log"][0]["error"]
        with receiver(key, port=port) as (_url, state):
            wait_for(lambda: len(state.events) >= 2, 10, "deliveries once the receiver is up")
        assert [e["activity"] for e in state.events] == [
            "CONTRACT_CREATED",
            "CONTRACT_MARK_FOR_EXECUTION",
        ]
        delivered = client.get("/__admin/deliveries?status=delivered").json()
        assert len(delivered) == 2


def test_pending_events_survive_a_restart(fast_settings, our_schema):
    port = free_port()
    with TestClient(create_app(fast_settings, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        subscribe(client, f"http://127.0.0.1:{port}/hooks", ["CONTRACT_CREATED"])
        create(client)
        wait_for(
            lambda: client.get("/__admin/deliveries").json()[0]["attempts"] >= 1, 10, "an attempt"
        )
    # the first server is gone; the event waits in the store
    with (
        receiver(key, port=port) as (_url, state),
        TestClient(create_app(fast_settings, our_schema)) as client,
    ):
        wait_for(lambda: state.events, 10, "delivery after restart")
        assert [e["activity"] for e in state.events] == ["CONTRACT_CREATED"]
        assert client.get("/__admin/deliveries").json()[0]["status"] == "delivered"


def test_slow_receiver_times_out_and_is_retried(fast_settings, our_schema):
    slow = fast_settings.replace(webhook_timeout=0.3)
    with TestClient(create_app(slow, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key, delay=1.0) as (url, state):
            subscribe(client, url, ["CONTRACT_CREATED"])
            create(client)
            wait_for(
                lambda: client.get("/__admin/deliveries").json()[0]["attempt_log"],
                10,
                "a first attempt",
            )
            state.delay = 0.0
            wait_for(
                lambda: client.get("/__admin/deliveries").json()[0]["status"] == "delivered",
                10,
                "delivery",
            )
        log = client.get("/__admin/deliveries").json()[0]["attempt_log"]
        assert "timeout" in log[0]["error"]
        assert log[-1]["status_code"] == 200


def test_429_and_5xx_are_retried_and_the_delivery_id_is_stable(fast_settings, our_schema):
    with TestClient(create_app(fast_settings, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key, fail_status=503, fail_times=2) as (url, state):
            subscribe(client, url, ["CONTRACT_CREATED"])
            create(client)
            wait_for(
                lambda: [e for e in state.events if e["answered"] == 200],
                10,
                "a successful delivery",
            )
        assert [e["answered"] for e in state.events] == [503, 503, 200]
        assert len({e["delivery_id"] for e in state.events}) == 1


def test_last_retry_gives_up_and_disables_the_subscription(settings, our_schema):
    impatient = settings.replace(webhook_retry_delays=(0.1, 0.1), webhook_timeout=1.0)
    with TestClient(create_app(impatient, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key, fail_status=500, fail_times=100) as (url, state):
            subscription = subscribe(client, url, ["CONTRACT_CREATED"]).json()
            create(client)
            wait_for(
                lambda: client.get("/__admin/deliveries").json()[0]["status"] == "given_up",
                10,
                "give up",
            )
            assert len(state.events) == 3  # the first try and two retries
            runtime = client.app.runtime
            stored = runtime.store.get_record(
                runtime.workspace.id, "webhooks", str(subscription["id"])
            )
            assert stored["status"] == "DISABLED_BY_ERROR"
            create(client, "another")  # a disabled subscription gets nothing new
            assert len(client.get("/__admin/deliveries").json()) == 1
            state.fail_times = 0
            delivery = client.get("/__admin/deliveries").json()[0]["id"]
            assert client.post(f"/__admin/deliveries/{delivery}/redeliver").status_code == 200
            wait_for(lambda: state.events[-1]["answered"] == 200, 10, "redelivery")


def test_re_trigger_latest_resends_each_contracts_last_event(fast_settings, our_schema):
    with TestClient(create_app(fast_settings, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        with receiver(key) as (url, state):
            subscribe(client, url, ["CONTRACT_CREATED", "CONTRACT_SENT_TO_COUNTERPARTY"])
            contract = create(client)
            client.post(
                f"{API}/contracts/{contract['id']}/send_to_counterparties",
                headers=UAT,
                json={"attachment_formats": ["PDF"]},
            )
            wait_for(lambda: len(state.events) >= 2, 10, "two deliveries")
            again = client.post(
                f"{API}/contracts/webhooks/re_trigger_latest/",
                headers=UAT,
                json={"contract_ids": [contract["contract_id"]]},
            )
            assert again.status_code == 200
            wait_for(lambda: len(state.events) >= 3, 10, "the re-sent event")
        assert state.events[-1]["activity"] == "CONTRACT_SENT_TO_COUNTERPARTY"
        assert state.events[-1]["delivery_id"] != state.events[1]["delivery_id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://receiver.example.com/hook"}, "url"),
        ({"url": "ftp://127.0.0.1/hook"}, "url"),
        ({"custom_headers": {"Authorization": "x"}}, "custom_headers.Authorization"),
        ({"custom_headers": {"X-SD-Signature": "forged"}}, "custom_headers.X-SD-Signature"),
        ({"title": "   "}, "title"),
    ],
)
def test_subscription_rules(client, body, field):
    request = {
        "title": "t",
        "url": "https://hooks.example.com/x",
        "only_for_activities": ["CONTRACT_CREATED"],
        **body,
    }
    response = client.post(f"{API}/webhooks/", headers=UAT, json=request)
    assert response.status_code == 400, response.text
    assert field in {error["field"] for error in response.json()["errors"]}


def test_unknown_or_no_activity_is_refused(client):
    for activities in ([], ["CONTRACT_TELEPORTED"]):
        response = subscribe(client, "https://hooks.example.com/x", activities)
        assert response.status_code == 400


def test_production_refuses_http_even_to_loopback(settings, our_schema):
    with TestClient(create_app(settings.replace(env="production"), our_schema)) as client:
        production = {"client-id": "prod-client-acme", "client-secret": "prod-secret-acme-0001"}
        response = subscribe(
            client, "http://127.0.0.1:9000/hook", ["CONTRACT_CREATED"], headers=production
        )
        assert response.status_code == 400
        assert (
            subscribe(
                client, "https://hooks.example.com/x", ["CONTRACT_CREATED"], headers=production
            ).status_code
            == 201
        )


def test_managing_webhooks_needs_developer_settings(client):
    assert (
        subscribe(
            client, "https://hooks.example.com/x", ["CONTRACT_CREATED"], headers=VIEWER
        ).status_code
        == 403
    )
    created = subscribe(client, "https://hooks.example.com/x", ["CONTRACT_CREATED"]).json()
    assert client.delete(f"{API}/webhooks/{created['id']}", headers=VIEWER).status_code == 403
    assert client.get(f"{API}/webhooks/hmac_key/", headers=VIEWER).status_code == 200
    assert client.delete(f"{API}/webhooks/{created['id']}", headers=UAT).status_code == 204
    assert client.delete(f"{API}/webhooks/{created['id']}", headers=UAT).status_code == 404


def test_hmac_key_differs_per_environment_and_survives_restart(settings, our_schema):
    uat = create_app(settings, our_schema).runtime
    production = create_app(settings.replace(env="production"), our_schema).runtime
    assert uat.workspace.hmac_key != production.workspace.hmac_key
    assert create_app(settings, our_schema).runtime.workspace.hmac_key == uat.workspace.hmac_key


def test_loopback_only_delivery_never_leaves_the_machine(fast_settings, our_schema):
    with TestClient(
        create_app(fast_settings.replace(webhook_delivery="loopback"), our_schema)
    ) as client:
        subscribe(client, "https://hooks.example.com/x", ["CONTRACT_CREATED"])
        create(client)
        row = wait_for(
            lambda: (
                client.get("/__admin/deliveries").json()[0]["attempt_log"]
                and client.get("/__admin/deliveries").json()[0]
            ),
            10,
            "an attempt",
        )
        assert "SPOTCHECK_WEBHOOK_DELIVERY=loopback" in row["attempt_log"][0]["error"]
        assert row["attempt_log"][0]["status_code"] is None


def test_a_429_retry_after_is_honoured_as_seconds_or_a_date():
    from email.utils import formatdate

    from mockserver.webhooks.dispatcher import retry_delay

    assert retry_delay(1, (5.0, 30.0), 429, "60") == 60.0
    assert retry_delay(1, (5.0, 30.0), 429, "2.5") == 5.0  # the schedule's own delay is longer
    in_two_minutes = formatdate(time.time() + 120, usegmt=True)
    assert 110 < retry_delay(1, (5.0, 30.0), 429, in_two_minutes) <= 120
    assert retry_delay(1, (5.0, 30.0), 429, "soon") == 5.0
    assert retry_delay(1, (5.0, 30.0), 503, "60") == 5.0  # only a 429's is read
