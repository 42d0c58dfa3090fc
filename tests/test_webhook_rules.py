"""Subscription rules (a 400 naming the rule) and no webhook URL secret shown anywhere."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.webhooks.rules import mask_url
from tests.conftest import UAT
from tests.receiver import free_port, receiver, wait_for
from tests.test_contracts_http import create

API = "/api/v2.1/public"
PRIVATE = "SPOTCHECK_WEBHOOK_ALLOW_PRIVATE=1"


def post_subscription(client, url="https://hooks.example.com/x", **extra):
    body = {"title": "t", "url": url, "only_for_activities": ["CONTRACT_CREATED"], **extra}
    # ensure_ascii: a lone surrogate travels as the \ud800 escape, as a JSON client sends it
    return client.post(
        f"{API}/webhooks/",
        headers={**UAT, "content-type": "application/json"},
        content=json.dumps(body),
    )


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://127.0.0.1:9000/\ud800", "lone surrogates"),
        ("https://hooks.example.com/a\r\nX-Injected: 1", "control characters"),
        ("hooks.example.com/x", "absolute http(s) URL"),
        ("https://127.0.0.1:99999/x", "absolute http(s) URL"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[fe80::1]/x", "link-local"),
        ("https://[::ffff:169.254.169.254]/x", "link-local"),
        ("https://metadata.google.internal/computeMetadata/v1/", "cloud metadata"),
        ("https://METADATA.google.internal./x", "cloud metadata"),
        ("https://100.100.100.200/x", "cloud metadata"),
        ("https://10.0.0.1/x", PRIVATE),
        ("https://192.168.1.1/x", PRIVATE),
        ("https://172.16.5.4/x", PRIVATE),
        ("https://[fd12::1]/x", PRIVATE),
        ("https://0.0.0.0/x", "unspecified"),
        ("http://hooks.example.com/x", "must use https"),
    ],
)
def test_refused_urls_are_400_naming_the_rule(client, url, rule):
    response = post_subscription(client, url)
    assert response.status_code == 400, response.text
    assert rule in response.text
    assert "url" in {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    ("headers", "rule"),
    [
        ({"X-Team\r\nX-Evil": "1"}, "RFC 7230 tokens"),
        ({"X-Team\n": "1"}, "RFC 7230 tokens"),
        ({"X-Te am": "1"}, "RFC 7230 tokens"),
        ({"X-Team": "a\r\nX-Evil: 1"}, "no CR, LF or NUL"),
        ({"X-Team": "a\nb"}, "no CR, LF or NUL"),
        ({"X-Team": "a\x00b"}, "no CR, LF or NUL"),
        ({"X-Team": "caf\u00e9"}, "printable ASCII"),
        ({"X-Team": "\ud800"}, "no CR, LF or NUL"),
        ({"X-Team": 5}, "must be strings"),
    ],
)
def test_refused_headers_are_400_naming_the_rule(client, headers, rule):
    response = post_subscription(client, custom_headers=headers)
    assert response.status_code == 400, response.text
    assert rule in response.text
    assert "\r" not in response.text and "\n" not in json.dumps(response.json()["errors"])


def test_title_with_a_lone_surrogate_is_refused_not_a_500(client):
    response = post_subscription(client, title="\ud800")
    assert response.status_code == 400
    assert "lone surrogates" in response.text


def test_private_addresses_with_the_setting_and_loopback_always(settings, our_schema):
    with TestClient(create_app(settings.replace(webhook_allow_private=True), our_schema)) as c:
        assert post_subscription(c, "https://10.0.0.1/x").status_code == 201
        assert post_subscription(c, "https://169.254.169.254/x").status_code == 400
        assert post_subscription(c, "https://metadata.google.internal/x").status_code == 400
    with TestClient(create_app(settings, our_schema)) as c:
        assert post_subscription(c, "http://127.0.0.1:9000/hook").status_code == 201
        assert post_subscription(c, "http://localhost:9000/hook").status_code == 201
        assert post_subscription(c, "https://[::1]:9000/hook").status_code == 201


def test_a_bad_stored_subscription_never_fails_an_api_write(client):
    # As an older version could have stored it, before the rules existed.
    runtime = client.app.runtime
    with runtime.store.transaction() as db:
        runtime.store.put_record(
            db,
            runtime.workspace.id,
            "webhooks",
            "999",
            {
                "id": 999,
                "url": "http://127.0.0.1:9000/\ud800",
                "custom_headers": {"X-Bad": "a\r\nb"},
                "only_for_activities": ["CONTRACT_CREATED"],
                "status": "ACTIVE",
            },
        )
    assert create(client)["contract_status"] == "DRAFT"


def test_no_secret_of_a_webhook_url_is_shown(settings, our_schema, tmp_path, caplog):
    audit_file = tmp_path / "audit.jsonl"
    quick = settings.replace(webhook_retry_delays=(0.2,) * 5, audit_log=str(audit_file))
    port = free_port()
    url = f"http://hookuser:pa55word@127.0.0.1:{port}/hooks?token=s3cret&team=t0psecret"
    caplog.set_level(logging.INFO, logger="spotcheck")
    with TestClient(create_app(quick, our_schema)) as client:
        key = client.get(f"{API}/webhooks/hmac_key/", headers=UAT).json()["hmac_key"]
        assert post_subscription(client, url).status_code == 201
        create(client)
        # first a failed attempt (nothing listens yet), then the delivery
        wait_for(lambda: client.get("/__admin/deliveries").json()[0]["attempts"], 10, "a try")
        with receiver(key, port=port) as (_url, state):
            wait_for(lambda: state.events, 10, "the delivery")
            wait_for(
                lambda: client.get("/__admin/deliveries").json()[0]["status"] == "delivered",
                10,
                "delivered",
            )
        shown = [
            client.get("/__admin/audit").text,
            client.get("/__admin/deliveries").text,
            client.get("/__admin/requests").text,
            audit_file.read_text(),
            caplog.text,
        ]
    for text in shown:
        for secret in ("pa55word", "hookuser", "s3cret", "t0psecret"):
            assert secret not in text
    masked = client.get("/__admin/deliveries").json()[0]["url"]
    assert masked == f"http://***@127.0.0.1:{port}/hooks?token=***&team=***"


def test_mask_url_keeps_what_helps_and_hides_the_rest():
    assert mask_url("https://h.example/p?a=1&b") == "https://h.example/p?a=***&***"
    assert mask_url("https://u@[::1]:8443/p") == "https://***@[::1]:8443/p"
    assert mask_url("https://h.example/p#frag") == "https://h.example/p"
    assert mask_url("http://[bad") == "<unparseable URL>"
