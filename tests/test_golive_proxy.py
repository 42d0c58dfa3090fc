"""`spotcheck proxy`: validating, recording (masked HAR 1.2), safety rails, 502/504."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.golive.checks import SchemaSource
from mockserver.golive.har import path_of, read_entries
from mockserver.golive.proxy import ProxyOptions, proxy_app
from mockserver.golive.rails import UnsafeTarget
from mockserver.golive.seed import seed_fixtures
from mockserver.retryafter import retry_after_seconds
from mockserver.settings import SCHEMA_DIR
from tests.golive_upstream import (
    ACCESS_TOKEN,
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    HMAC_KEY,
    SECRETS,
    VIOLATIONS,
    running_upstream,
)
from tests.receiver import free_port

CREDENTIAL = {"client-id": CLIENT_ID, "client-secret": CLIENT_SECRET}
CONTRACT = {
    "contract_template_id": 21,
    "contract_data": {"effective_date": "2026-01-01"},
    "counter_party_details": [
        {
            "is_individual": False,
            "organization_name": "Globex Ltd",
            "poc_details": {"first_name": "Gina", "email": "gina@globex.test"},
        }
    ],
    "external_metadata": {"id": "crm-42"},
}


@pytest.fixture(scope="module")
def upstream() -> str:
    with running_upstream(slow_seconds=3.0) as url:
        yield url


def integrator_session(client: TestClient) -> dict[str, httpx.Response]:
    """What an integrator's app does through the proxy, against the upstream (test helper)."""
    calls = {
        "types": ("GET", f"{API}/contract_types/", None),
        "templates": ("GET", f"{API}/templates/", None),
        "template": ("GET", f"{API}/templates/21/", None),
        "template77": ("GET", f"{API}/templates/77/", None),
        "metadata": ("GET", f"{API}/templates/77/metadata", None),
        "key": ("GET", f"{API}/webhooks/hmac_key/", None),
        "create": ("POST", f"{API}/contracts/", CONTRACT),
        "status": ("GET", f"{API}/contracts/T-9001/status", None),
        "missing": ("GET", f"{API}/contracts/T-404/status", None),
        "task": (
            "POST",
            f"{API}/user_tasks/",
            {"title": "Review", "contract_id": 9001, "assignees": [{"org_user_id": 101}]},
        ),
    }
    return {
        name: client.request(method, path, headers=CREDENTIAL, json=body)
        for name, (method, path, body) in calls.items()
    }


def proxied(upstream: str, tmp_path: Path, out: io.StringIO, **options) -> TestClient:
    defaults = {"record": tmp_path, "rate_limit": 0.0, "allow_writes": True}
    return TestClient(proxy_app(ProxyOptions(upstream, **(defaults | options)), out))


def test_proxy_forwards_flags_exactly_the_violations_and_records_har(upstream, tmp_path):
    out = io.StringIO()
    with proxied(upstream, tmp_path, out) as client:
        answers = integrator_session(client)
    # The app gets upstream's answers unchanged, secrets included.
    assert answers["key"].json() == {"hmac_key": HMAC_KEY}
    assert answers["create"].status_code == 201 and answers["status"].status_code == 200
    assert answers["missing"].json() == {"error": {"type": "not_found"}}
    entries = read_entries(tmp_path)
    assert len(entries) == len(answers) == len(out.getvalue().splitlines())
    flagged = {
        (item["_spotcheck"]["operation"], violation["path"])
        for item in entries
        for violation in item["_spotcheck"]["violations"]
    }
    assert flagged == VIOLATIONS
    silent = [item["_spotcheck"]["silent"] for item in entries if item["_spotcheck"]["silent"]]
    assert silent == [[f"404 is not documented for GET {API}/contracts/{{composite_id}}/status"]]
    document = json.loads(next(tmp_path.glob("proxy-*.har")).read_text())
    assert document["log"]["version"] == "1.2"
    first = document["log"]["entries"][0]
    assert {"startedDateTime", "time", "request", "response", "cache", "timings"} <= set(first)
    assert first["request"]["url"] == f"{upstream}{API}/contract_types/"
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"GET {API}/contract_types/  200  ") and lines[0].endswith(" ok")
    assert any("violation" in line and "contract_type_id" in line for line in lines)


def test_recording_and_printed_lines_hold_no_secret(upstream, tmp_path):
    out = io.StringIO()
    with proxied(upstream, tmp_path, out) as client:
        integrator_session(client)
        client.get(f"{API}/templates/?api_key={CLIENT_SECRET}&page=1", headers=CREDENTIAL)
    recorded = b"".join(path.read_bytes() for path in tmp_path.rglob("*"))
    for secret in (*SECRETS, CLIENT_ID):
        assert secret.encode() not in recorded
        assert secret not in out.getvalue()
    assert b"[Filtered]" in recorded


def test_oauth_token_endpoint_is_proxied_and_its_token_never_recorded(upstream, tmp_path):
    out = io.StringIO()
    spec = str(SCHEMA_DIR / "samples" / "travel-users.yaml")
    with proxied(upstream, tmp_path, out, schema=SchemaSource(spec), allow_writes=False) as client:
        token = client.post(
            "/v2/auth/oauth2-token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        assert token.json()["access_token"] == ACCESS_TOKEN  # the app gets the real token
        listed = client.get("/v2/companies", headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})
    assert listed.status_code == 200
    recorded = b"".join(path.read_bytes() for path in tmp_path.rglob("*.har"))
    assert ACCESS_TOKEN.encode() not in recorded and CLIENT_SECRET.encode() not in recorded
    operations = [item["_spotcheck"]["operation"] for item in read_entries(tmp_path)]
    assert operations == ["POST /v2/auth/oauth2-token", "GET /v2/companies"]


def test_writes_are_refused_without_allow_writes(tmp_path):
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, json={"contract_name": "x", "contract_status": "DRAFT"})

    options = ProxyOptions(
        "http://uat.vendor.test", record=tmp_path, transport=httpx.MockTransport(answer)
    )
    with TestClient(proxy_app(options, io.StringIO())) as client:
        refused = client.post(f"{API}/contracts/", headers=CREDENTIAL, json=CONTRACT)
        read = client.get(f"{API}/contracts/T-1/status", headers=CREDENTIAL)
        preview = client.post(f"{API}/contracts/T-1/download_link", headers=CREDENTIAL, json={})
    assert refused.status_code == 403
    assert "--allow-writes" in refused.json()["detail"]  # the profile's error body
    assert read.status_code == preview.status_code == 200
    assert seen == [f"GET {API}/contracts/T-1/status", f"POST {API}/contracts/T-1/download_link"]
    assert read_entries(tmp_path)[0]["_spotcheck"]["refused"] is True


def test_production_target_is_refused_unless_allowed(tmp_path):
    production = "https://api.us.spotdraft.com"  # one of our schema's servers
    with pytest.raises(UnsafeTarget, match="--allow-production"):
        proxy_app(ProxyOptions(production))
    proxy_app(ProxyOptions(production, allow_production=True))
    with pytest.raises(UnsafeTarget):
        proxy_app(ProxyOptions("http://127.0.0.1:9", env="production"))


def test_upstream_down_is_502_and_slow_is_504_never_a_hang(upstream, tmp_path):
    down = f"http://127.0.0.1:{free_port()}"
    with proxied(down, tmp_path, io.StringIO()) as client:
        answer = client.get(f"{API}/contract_types/", headers=CREDENTIAL)
    assert answer.status_code == 502
    assert answer.json()["status_code"] == 502 and "unreachable" in answer.json()["detail"]
    with proxied(upstream, tmp_path, io.StringIO(), timeout=0.5) as client:
        started = time.monotonic()
        answer = client.get(f"{API}/slow/", headers=CREDENTIAL)
    assert answer.status_code == 504 and time.monotonic() - started < 2.5
    assert "within 0.5 s" in answer.json()["detail"]


def test_upstream_429_retry_after_is_honoured_and_requests_paced(tmp_path):
    calls: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "0.4"}, json={"detail": "slow"})
        return httpx.Response(200, json=[{"id": 11, "name": "NDA"}])

    options = ProxyOptions(
        "http://uat.vendor.test", rate_limit=5, transport=httpx.MockTransport(answer)
    )
    with TestClient(proxy_app(options, io.StringIO())) as client:
        first = client.get(f"{API}/contract_types/", headers=CREDENTIAL)
        client.get(f"{API}/contract_types/", headers=CREDENTIAL)
    assert first.status_code == 200 and len(calls) == 3
    assert calls[1] - calls[0] >= 0.39  # waited for Retry-After
    assert calls[2] - calls[1] >= 0.19  # paced at 5/s


def test_api_key_profile_keys_are_masked_and_requests_checked(upstream, tmp_path):
    spec = str(SCHEMA_DIR / "samples" / "participants.yaml")
    keys = {"X-Spot-Api-Key": CLIENT_ID, "X-Spot-Api-Secret": CLIENT_SECRET}
    keys["X-Spot-Api-Version"] = "2024-11-15"
    out = io.StringIO()
    with proxied(upstream, tmp_path, out, schema=SchemaSource(spec)) as client:
        listed = client.get("/participants", headers=keys)
        created = client.post("/participants", headers=keys, json={"nickname": 7})
    assert listed.status_code == created.status_code == 200  # both forwarded
    entries = read_entries(tmp_path)
    operations = [e["_spotcheck"]["operation"] for e in entries]
    assert operations == ["GET /participants", "POST /participants"]
    request_problems = [v for v in entries[1]["_spotcheck"]["violations"] if v["side"] == "request"]
    assert request_problems and all(v["kind"] == "body" for v in request_problems)
    recorded = b"".join(path.read_bytes() for path in tmp_path.glob("*.har"))
    assert CLIENT_SECRET.encode() not in recorded and CLIENT_ID.encode() not in recorded
    assert b"2024-11-15" in recorded  # the version header is no secret


def test_a_target_with_a_base_path_keeps_the_clients_path_for_diff_and_seed(tmp_path):
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json={"items": [{"id": 5, "name": "T", "contract_type_id": 1}]})

    options = ProxyOptions(
        "http://uat.vendor.test/base",
        record=tmp_path,
        transport=httpx.MockTransport(answer),
        rate_limit=0,
    )
    with TestClient(proxy_app(options, io.StringIO())) as client:
        client.get(f"{API}/templates/", headers=CREDENTIAL)
    assert seen == [f"/base{API}/templates/"]
    (item,) = read_entries(tmp_path)
    assert item["request"]["url"] == f"http://uat.vendor.test/base{API}/templates/"
    assert path_of(item) == f"{API}/templates/"
    summary = seed_fixtures([item], SchemaSource().load(), tmp_path / "fixtures")
    assert summary.counts["templates"] == 1


def test_retry_after_as_an_http_date():
    assert retry_after_seconds("Thu, 01 Jan 1970 00:01:40 GMT", now=90.0) == 10.0
    assert retry_after_seconds("soon") is None


def test_a_body_over_the_limit_is_413_and_never_forwarded(tmp_path):
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(201, json={})

    options = ProxyOptions(
        "http://uat.vendor.test", transport=httpx.MockTransport(answer), max_body_bytes=1024
    )
    with TestClient(proxy_app(options, io.StringIO())) as client:
        big = client.post(f"{API}/contracts/", headers=CREDENTIAL, content=b"x" * 2048)
    assert big.status_code == 413 and big.json()["status_code"] == 413
    assert seen == []
