"""The console's server side: its page and files, the guard's browser rules, secrets masked.

The browser itself is driven in tests/test_console_browser.py; these run without one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.admin.console import CSP
from mockserver.admin.guard import SESSION_COOKIE
from mockserver.app import SpotcheckApp, create_app
from mockserver.settings import Settings
from mockserver.spec import LoadedSchema
from mockserver.webhooks.signing import SIGNATURE_HEADER, sign
from spotcheck.client.payloads import contract_from_template
from tests.conftest import UAT

STATIC = Path(__file__).resolve().parent.parent / "mockserver" / "admin" / "static"
ORIGIN = "http://127.0.0.1"
BROWSER = {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin", "User-Agent": "Mozilla/5.0"}
CONTRACT = contract_from_template("Globex Ltd", contact=("Gina", "g@globex.test"))


@pytest.fixture
def local(app: SpotcheckApp) -> TestClient:
    """A client that talks to the app as http://127.0.0.1 (the console's host rule)."""
    return TestClient(app, base_url=ORIGIN)


def csrf_of(page: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', page)
    assert found, page[:500]
    return found.group(1)


def test_the_page_has_a_strict_policy_and_no_inline_script(local: TestClient):
    response = local.get("/__admin/console")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CSP
    assert "script-src 'self';" in CSP and "unsafe" not in CSP and "default-src 'none'" in CSP
    assert response.headers["x-frame-options"] == "DENY"
    page = response.text
    csrf_of(page)
    assert "{{" not in page
    # every script has a src on this server; no inline handler, no other host
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/__admin/console/static/console.js" defer>'
    ]
    assert not re.search(r"\son\w+=", page)
    for name in ("index.html", "console.js", "console.css", "favicon.svg"):
        text = (STATIC / name).read_text()
        urls = re.findall(r"(?:https?:)?//[\w.-]+", text)
        assert [u for u in urls if u != "http://www.w3.org"] == [], name  # the SVG namespace
        assert "innerHTML" not in text and "eval(" not in text, name


def test_static_files_and_their_types(local: TestClient):
    js = local.get("/__admin/console/static/console.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    css = local.get("/__admin/console/static/console.css")
    assert css.headers["content-type"].startswith("text/css")
    assert local.get("/__admin/console/static/../app.py").status_code == 404
    assert local.get("/__admin/console/static/nothing.js").status_code == 404


def test_a_browser_changes_state_only_with_the_csrf_token_from_its_own_origin(local: TestClient):
    csrf = csrf_of(local.get("/__admin/console").text)
    assert local.post("/__admin/reset", headers=BROWSER).status_code == 403
    wrong = {**BROWSER, "X-Spotcheck-Csrf": "0" * 64}
    assert local.post("/__admin/reset", headers=wrong).status_code == 403
    other_site = {**BROWSER, "Origin": "http://evil.example", "X-Spotcheck-Csrf": csrf}
    assert local.post("/__admin/reset", headers=other_site).status_code == 403
    no_origin = {"User-Agent": "Mozilla/5.0", "X-Spotcheck-Csrf": csrf}
    assert local.post("/__admin/reset", headers=no_origin).status_code == 403
    right = {**BROWSER, "X-Spotcheck-Csrf": csrf}
    assert local.post("/__admin/reset", headers=right).status_code == 200
    # state changes only through POST: a GET on them is refused by the router
    assert local.get("/__admin/reset", headers=BROWSER).status_code == 405


def test_other_sites_and_rebound_host_names_are_refused(app: SpotcheckApp, local: TestClient):
    cross = {"Sec-Fetch-Site": "cross-site", "User-Agent": "Mozilla/5.0"}
    assert local.get("/__admin/requests", headers=cross).status_code == 403
    rebound = TestClient(app, base_url="http://attacker.example:8080")
    refused = rebound.get("/__admin/requests", headers={"User-Agent": "Mozilla/5.0"})
    assert refused.status_code == 403
    assert "127.0.0.1 or localhost" in refused.json()["detail"]
    assert rebound.get("/__admin/console").status_code == 403


def test_programs_keep_working_as_before(client: TestClient):
    """curl, httpx and the CLI send no Origin: nothing changes for them."""
    assert client.post("/__admin/reset").status_code == 200
    assert client.get("/__admin/requests").status_code == 200


def test_with_a_token_the_console_signs_in_once_and_never_shows_it(
    tmp_path: Path, our_schema: LoadedSchema
):
    token = "console-admin-token-1234"
    app = create_app(Settings(db=str(tmp_path / "t.db"), admin_token=token), our_schema)
    browser = TestClient(app, base_url=ORIGIN)
    page = browser.get("/__admin/console")
    assert page.status_code == 200 and token not in page.text
    assert '<meta name="token-required" content="yes">' in page.text
    csrf = csrf_of(page.text)
    headers = {**BROWSER, "X-Spotcheck-Csrf": csrf}
    assert browser.get("/__admin/requests", headers=BROWSER).status_code == 401
    wrong = browser.post("/__admin/console/session", headers=headers, json={"token": "guess"})
    assert wrong.status_code == 401
    assert browser.post("/__admin/console/session", json={"token": token}).status_code == 403
    signed = browser.post("/__admin/console/session", headers=headers, json={"token": token})
    assert signed.status_code == 200
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and token not in cookie
    assert browser.cookies.get(SESSION_COOKIE)
    assert browser.get("/__admin/requests", headers=BROWSER).status_code == 200
    assert browser.get("/metrics", headers=BROWSER).status_code == 200
    assert browser.post("/__admin/reset", headers=BROWSER).status_code == 403  # no CSRF token
    assert browser.post("/__admin/reset", headers=headers).status_code == 200
    assert browser.post("/__admin/console/session/end", headers=headers).status_code == 200
    assert browser.get("/__admin/requests", headers=BROWSER).status_code == 401
    # a program with the token still needs nothing else
    program = TestClient(app)
    assert (
        program.post("/__admin/reset", headers={"X-Spotcheck-Admin-Token": token}).status_code
        == 200
    )


def test_a_request_is_shown_with_every_secret_masked(client: TestClient, local: TestClient):
    secret_query = "q-secret-123"
    body = {**CONTRACT, "client_secret": "body-secret-456", "note": "visible"}
    headers = {**UAT, "Authorization": "Bearer bearer-secret-789", "Cookie": "s=cookie-secret"}
    answer = client.post(
        f"/api/v2.1/public/contracts/?api_key={secret_query}", headers=headers, json=body
    )
    request_id = answer.headers["x-request-id"]
    shown = local.get(f"/__admin/console/api/requests/{request_id}")
    assert shown.status_code == 200
    text = shown.text
    for secret in ("uat-secret-acme-0001", "body-secret-456", "bearer-secret-789", secret_query):
        assert secret not in text
    assert "cookie-secret" not in text
    detail = shown.json()
    request_headers = dict(detail["request"]["headers"])
    assert request_headers["client-secret"] == "[Filtered]"
    assert request_headers["authorization"] == "[Filtered]"
    assert request_headers["client-id"] == "uat-client-acme"
    assert detail["request"]["body"]["json"]["note"] == "visible"
    assert detail["query"] == "api_key=[Filtered]"
    assert detail["status"] == answer.status_code
    assert '-H "client-secret: $CLIENT_SECRET"' in detail["curl"]
    assert "api_key=$API_KEY" in detail["curl"]
    assert dict(detail["response"]["headers"])["x-request-id"] == request_id
    assert local.get("/__admin/console/api/requests/req-nope").status_code == 404


def test_a_delivery_shows_its_signature_payload_and_masked_headers(
    client: TestClient, local: TestClient, app: SpotcheckApp
):
    subscription = {
        "title": "t",
        "url": "http://127.0.0.1:9/hooks?token=url-secret",
        "only_for_activities": ["CONTRACT_CREATED"],
        "custom_headers": {"X-Api-Key": "hook-secret", "X-Team": "payments"},
    }
    assert (
        client.post("/api/v2.1/public/webhooks/", headers=UAT, json=subscription).status_code == 201
    )
    contract = client.post("/api/v2.1/public/contracts/", headers=UAT, json=CONTRACT).json()
    delivery = client.get("/__admin/deliveries").json()[0]
    shown = local.get(f"/__admin/console/api/deliveries/{delivery['id']}")
    assert shown.status_code == 200
    assert "hook-secret" not in shown.text and "url-secret" not in shown.text
    detail = shown.json()
    assert detail["event"] == "CONTRACT_CREATED" and detail["contract_id"] == contract["id"]
    assert detail["headers"]["X-Api-Key"] == "[Filtered]"
    assert detail["headers"]["X-Team"] == "payments"
    payload = app.runtime.store.query_one(
        "SELECT payload FROM outbox WHERE id = ?", (delivery["id"],)
    )["payload"]
    key = app.runtime.workspace.hmac_key
    assert detail["headers"][SIGNATURE_HEADER] == sign(bytes(payload), key)
    assert detail["payload"] == json.loads(payload)
    assert local.get("/__admin/console/api/deliveries/999999").status_code == 404
    assert local.get("/__admin/console/api/deliveries/x1").status_code == 404


def test_the_workspace_comes_from_the_family_and_the_store(client: TestClient, local: TestClient):
    client.post("/api/v2.1/public/contracts/", headers=UAT, json=CONTRACT)
    shown = local.get("/__admin/console/api/workspace").json()
    sections = {section["title"]: section for section in shown["sections"]}
    contracts = sections["Contracts"]
    assert contracts["rows"][0]["status"] == "DRAFT"
    actions = {action["label"]: action for action in contracts["actions"]}
    assert "DRAFT" in actions["send"]["when"] and actions["sign"]["when"] == ["SIGN"]
    assert actions["mark for execution"]["path"] == "/__admin/contracts/{id}/mark_for_execution"
    assert [row["name"] for row in sections["Templates"]["rows"]][:2] == [
        "Mutual NDA",
        "MSA (services)",
    ]
    assert "effective_date: date*" in sections["Templates"]["rows"][0]["fields"]
    assert sections["Counterparties"]["total"] == 2
    # kinds no section shows are listed as stored; those a section shows are not listed again
    assert "contract_types" in sections and "templates" not in sections
    # the console's action route takes a workspace user's step
    contract_id = contracts["rows"][0]["id"]
    csrf = csrf_of(local.get("/__admin/console").text)
    sent = local.post(
        f"/__admin/contracts/{contract_id}/send", headers={**BROWSER, "X-Spotcheck-Csrf": csrf}
    )
    assert sent.status_code == 200 and sent.json()["status"] == "REDLINING"
    refused = local.post(
        f"/__admin/contracts/{contract_id}/sign", headers={**BROWSER, "X-Spotcheck-Csrf": csrf}
    )
    assert refused.status_code == 402  # the lifecycle: sign only from SIGN


def test_a_schema_without_a_family_shows_its_stored_records(tmp_path: Path):
    spec = Path(__file__).resolve().parent.parent / "openapi" / "samples" / "participants.yaml"
    app = create_app(Settings(db=str(tmp_path / "p.db"), spec=str(spec)))
    shown = TestClient(app, base_url=ORIGIN).get("/__admin/console/api/workspace").json()
    assert "Contracts" not in {section["title"] for section in shown["sections"]}
    assert all(section["actions"] == [] for section in shown["sections"])
