"""Path matching at the edge (issue 22): a path value the schema refuses is a 404 in the
profile's body, never a 3xx; the vendor's 302 is for documented paths whose trailing slash
differs, and its Location keeps the documented form; TRACE and QUERY get the profile's 405."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.app import SpotcheckApp, create_app
from mockserver.settings import Settings
from mockserver.spec import load_schema
from tests.conftest import UAT

API = "/api/v2.1/public"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
TRAVEL = str(Path(Settings.spec).parent / "samples" / "travel-users.yaml")

# Each would have been a 307 (Starlette's slash redirect) or a 302 to a URL nothing serves.
REFUSED = [
    f"{API}/workspace/files/%0A/",  # the case: a newline, then the documented slash
    f"{API}/contracts/approvals/abc%0A/",
    f"{API}/contracts/approvals/%0D%0A/",
    f"{API}/contracts/approvals/a%00b/",
    f"{API}/contracts/approvals/a%09/",
    f"{API}/contracts/approvals/a%7F/",
    f"{API}/counter_parties/1%0A",  # int("1\n") == 1: a converter takes no such value
    f"{API}/contracts/T-1%0A/status",
    f"{API}/workspace/files/a%2Fb/",  # an encoded slash is not a segment boundary
    f"{API}/workspace/files/a%2F/",
    f"{API}/contract_types%2F",  # decodes to a documented path, but was not sent as one
    f"{API}/counter_parties/abc/",  # slash toggled, but 'abc' is no integer: not a 302
    f"{API}/counter_parties/%201",
    f"{API}/counter_parties/1_0",
    f"{API}/contracts/X-1/status/",  # the pattern refuses 'X', with or without the slash
]


def _assert_vendor_404(response: Any, where: str) -> None:
    assert response.status_code == 404, f"{where}: {response.status_code}"
    assert "location" not in response.headers, where
    if response.request.method != "HEAD":
        body = response.json()
        assert body["code"] == "not_found" and body["status_code"] == 404, where
        assert body["detail"].startswith("Not found"), where


@pytest.mark.parametrize("path", REFUSED)
@pytest.mark.parametrize("method", METHODS)
def test_refused_path_value_is_a_404_never_a_redirect(client, method, path):
    response = client.request(method, path, headers=UAT)
    _assert_vendor_404(response, f"{method} {path}")


def test_refusal_names_the_reason(client):
    newline = client.get(f"{API}/workspace/files/%0A/", headers=UAT).json()["detail"]
    assert newline == "Not found: the path has a control character."
    slash = client.get(f"{API}/workspace/files/a%2Fb/", headers=UAT).json()["detail"]
    assert slash == "Not found: the path has an encoded slash."


@pytest.mark.parametrize(
    ("sent", "location"),
    [
        (f"{API}/contract_types", f"{API}/contract_types/"),
        (f"{API}/contract_types?page=2&limit=5", f"{API}/contract_types/?page=2&limit=5"),
        (f"{API}/contracts/T-1/status/", f"{API}/contracts/T-1/status"),
        (f"{API}/workspace/files/abc", f"{API}/workspace/files/abc/"),
        # the client's percent-encoding is kept as sent (a decoded '€' is not even latin-1)
        (f"{API}/workspace/files/%E2%82%AC%20x", f"{API}/workspace/files/%E2%82%AC%20x/"),
        (f"{API}/counter_parties/7/", f"{API}/counter_parties/7"),
    ],
)
@pytest.mark.parametrize("method", ("GET", "POST", "DELETE"))
def test_slash_mismatch_on_a_documented_path_is_the_vendors_302(client, method, sent, location):
    response = client.request(method, sent, headers=UAT)
    assert response.status_code == 302, f"{method} {sent}: {response.status_code}"
    assert response.headers["location"] == location


def test_a_documented_path_with_an_odd_but_accepted_value_is_served(client):
    # Not everything unusual is refused: a string id without a pattern takes a space and a '€'.
    response = client.get(f"{API}/workspace/files/%E2%82%AC%20x/", headers=UAT)
    assert response.status_code not in (301, 302, 307, 308)
    assert response.status_code < 500


def _connexion(app: SpotcheckApp) -> Any:
    """The Connexion stack behind the edge (journal -> edge -> faults -> the error boundary
    around Connexion's validation)."""
    layer: Any = app._asgi
    while type(layer).__name__ != "ErrorBoundary":
        layer = layer.app
    return layer


async def _call(asgi: Any, path: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"client-id", UAT["client-id"].encode())],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
    }
    await asgi(scope, receive, send)
    return sent


def test_connexions_router_never_redirects_even_unguarded(app):
    # Defence in depth: were the edge to let such a path through, Starlette's router (a '.*'
    # mount that stops at a newline, a '$' that matches before one) used to answer 307.
    messages = asyncio.run(_call(_connexion(app), f"{API}/workspace/files/\n/"))
    status = messages[0]["status"]
    assert status == 404, status


@pytest.fixture(scope="module")
def travel_app(tmp_path_factory: pytest.TempPathFactory) -> SpotcheckApp:
    db = tmp_path_factory.mktemp("travel") / "mock.db"
    settings = Settings(db=str(db), rate_limit=0, webhook_delivery="loopback", cache_dir="")
    return create_app(settings, load_schema(TRAVEL, cache_dir=""))


@pytest.mark.parametrize("method", ("TRACE", "QUERY"))
def test_trace_and_query_get_the_profiles_405(client, method):
    response = client.request(method, f"{API}/contract_types/", headers=UAT)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.json() == {
        "detail": f'Method "{method}" not allowed.',
        "message": f'Method "{method}" not allowed.',
        "code": "method_not_allowed",
        "status_code": 405,
    }


@pytest.mark.parametrize("method", ("TRACE", "QUERY"))
def test_trace_and_query_get_the_oauth2_profiles_405(travel_app, method):
    with TestClient(travel_app, follow_redirects=False) as travel:
        path = next(op.path for op in travel_app.runtime.schema.index.operations)
        response = travel.request(method, path.replace("{", "x").replace("}", ""))
    assert response.status_code == 405, response.text
    body = response.json()
    assert body["errorMessages"][0]["errorCode"] and "debugIdentifier" in body
