"""Verification (issue 18): exact counts over the journal, expectations with count and order,
and near misses that name the stage that refused them; over real HTTP on the vendor schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.settings import Settings
from spotcheck.testing import MockServer
from tests.conftest import UAT
from tests.mock_servers import vendor_mock
from tests.test_contracts_http import create

API = "/api/v2.1/public"
CONTRACTS = f"{API}/contracts/"
TYPES = f"{API}/contract_types/"
WRONG = {"client-id": "uat-client-acme", "client-secret": "not-the-secret"}


server = vendor_mock()


@pytest.fixture(scope="module")
def traffic(server: MockServer) -> dict[str, Any]:
    """One integrator's session: reads, a wrong secret, a bad body, a create, a lifecycle
    refusal and an injected outage."""
    server.reset()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get(TYPES, headers=UAT).status_code == 200
        assert client.get(TYPES, headers=UAT).status_code == 200
        assert client.post(CONTRACTS, headers=WRONG, json={}).status_code == 401
        assert (
            client.post(CONTRACTS, headers=UAT, json={"contract_template_id": "x"}).status_code
            == 400
        )
        cid = create(client, "crm-verify")["id"]
        void = f"{API}/contracts/{cid}/status/void"
        assert client.post(void, headers=UAT, json={"note": "done"}).status_code == 204
        again = client.post(void, headers=UAT, json={"note": "again"})
        assert again.status_code in (402, 409)
        fault = {"match": {"path": TYPES}, "action": "status", "status": 503, "first": 1}
        assert client.post("/__admin/faults", json=fault).status_code == 201
        assert client.get(TYPES, headers=UAT).status_code == 503
    return {"cid": cid, "again": again.status_code}


def count(server: MockServer, **criteria: str) -> int:
    answer = httpx.get(f"{server.url}/__admin/requests/count", params=criteria)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["count"])


def verify(server: MockServer, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/__admin/verify", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_counts_are_exact(server: MockServer, traffic: dict[str, Any]) -> None:
    assert count(server, method="GET", path=TYPES) == 3
    assert count(server, method="GET", path=TYPES, status="200") == 2
    assert count(server, operation="v2_1_public_contract_types_retrieve", status="5xx") == 1
    assert count(server, method="POST", path=CONTRACTS) == 3
    assert count(server, method="POST", path=CONTRACTS, credential="uat-client-acme") == 2
    assert count(server, path=f"{API}/contracts/{{composite_id}}/status/void") == 2
    assert count(server, status="201") == 1
    assert count(server) == 8


def test_each_refusal_names_its_stage(server: MockServer, traffic: dict[str, Any]) -> None:
    entries = list(reversed(httpx.get(f"{server.url}/__admin/requests").json()))
    stages = [(entry["status"], entry["refused_by"]) for entry in entries]
    assert stages == [
        (200, None),
        (200, None),
        (401, "auth"),
        (400, "validation"),
        (201, None),
        (204, None),
        (traffic["again"], "lifecycle"),
        (503, "fault"),
    ]


def test_a_met_expectation_lists_what_matched(server: MockServer, traffic: dict[str, Any]) -> None:
    answer = verify(
        server,
        {"expect": [{"method": "POST", "path": CONTRACTS, "status": 201, "count": 1}]},
    )
    assert answer["ok"] is True and answer["complete"] is True
    (result,) = answer["results"]
    assert result["count"] == 1 and len(result["matched"]) == 1 and "near_misses" not in result


def test_a_missed_expectation_shows_near_misses_and_who_refused(
    server: MockServer, traffic: dict[str, Any]
) -> None:
    expectation = {
        "method": "POST",
        "path": CONTRACTS,
        "status": 201,
        "credential": "uat-client-acme",
        "count": 2,
    }
    answer = verify(server, {"expect": [expectation]})
    assert answer["ok"] is False
    (result,) = answer["results"]
    assert result["count"] == 1
    misses = result["near_misses"]
    shown = [(miss["status"], miss["refused_by"], miss["differs"]) for miss in misses]
    assert shown[0] == (400, "validation", ["status"])  # the closest first
    assert (401, "auth", ["status", "credential"]) in shown
    assert (traffic["again"], "lifecycle", ["path", "status"]) in shown


def test_order(server: MockServer, traffic: dict[str, Any]) -> None:
    read = {"method": "GET", "path": TYPES, "status": 200}
    made = {"method": "POST", "path": CONTRACTS, "status": 201}
    assert verify(server, {"expect": [read, made], "order": True})["order"]["ok"] is True
    backwards = verify(server, {"expect": [made, read], "order": True})
    assert backwards["ok"] is False
    assert backwards["order"]["failed_at"] == 1 and backwards["order"]["after"] is not None


def test_rate_limit_refusals_name_their_stage(vendor_spec: Path) -> None:
    mock = MockServer(Settings(spec=str(vendor_spec), rate_limit=1, webhook_delivery="loopback"))
    mock.start()
    try:
        with httpx.Client(base_url=mock.url, headers=UAT, timeout=10) as client:
            statuses = [client.get(TYPES).status_code for _ in range(4)]
        assert 429 in statuses
        refused = mock.requests(status=429)
        assert refused and {entry["refused_by"] for entry in refused} == {"rate_limit"}
    finally:
        mock.stop()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"expect": "all"},
        {"expect": [{"status": "abc"}]},
        {"expect": [{"count": -1}]},
        {"expect": [{"count": {"most": 2}}]},
        {"expect": [{"method": ["GET"]}]},
    ],
)
def test_a_wrong_verify_body_is_a_400(server: MockServer, body: dict[str, Any]) -> None:
    answer = httpx.post(f"{server.url}/__admin/verify", json=body)
    assert answer.status_code == 400 and answer.json()
