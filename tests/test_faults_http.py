"""Fault injection (issue 18) seen by a real HTTP client: httpx against uvicorn on 127.0.0.1,
serving the vendor's own schema."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from spotcheck.testing import MockServer
from tests.mock_servers import vendor_mock

CONTRACTS = "/api/v2.1/public/contracts/"
CONTRACT_TYPES = "/api/v2.1/public/contract_types/"
UAT = {"client-id": "uat-client-acme", "client-secret": "uat-secret-acme-0001"}


server = vendor_mock()


@pytest.fixture
def client(server: MockServer) -> Iterator[httpx.Client]:
    server.reset()
    with httpx.Client(base_url=server.url, headers=UAT, timeout=10) as http:
        yield http


def add_fault(client: httpx.Client, rule: dict[str, object]) -> dict[str, object]:
    response = client.post("/__admin/faults", json=rule)
    assert response.status_code == 201, response.text
    return response.json()


def test_latency_fixed_delays_the_real_answer(client: httpx.Client) -> None:
    add_fault(client, {"action": "latency", "latency": {"kind": "fixed", "ms": 400}})
    started = time.perf_counter()
    response = client.get(CONTRACT_TYPES)
    assert time.perf_counter() - started >= 0.4
    assert response.status_code == 200


def test_latency_uniform_and_lognormal_stay_in_their_bounds(client: httpx.Client) -> None:
    add_fault(
        client,
        {"action": "latency", "latency": {"kind": "uniform", "min_ms": 150, "max_ms": 200}},
    )
    add_fault(
        client,
        {
            "action": "latency",
            "match": {"method": "GET"},
            "latency": {"kind": "lognormal", "median_ms": 50, "sigma": 0.01},
            "seed": 3,
        },
    )
    started = time.perf_counter()
    assert client.get(CONTRACT_TYPES).status_code == 200
    assert time.perf_counter() - started >= 0.15 + 0.045  # both rules' latency added


def test_status_503_in_the_profiles_error_body(client: httpx.Client) -> None:
    add_fault(client, {"match": {"path": CONTRACTS}, "action": "status", "status": 503})
    response = client.get(CONTRACTS)
    assert response.status_code == 503
    normal_error = client.get("/api/v2.1/public/no_such_thing/")
    assert normal_error.status_code == 404
    assert set(response.json()) == set(normal_error.json())  # the same error shape
    assert client.get(CONTRACT_TYPES).status_code == 200  # another path is not faulted


def test_429_carries_retry_after(client: httpx.Client) -> None:
    add_fault(client, {"action": "status", "status": 429, "retry_after": 7, "first": 1})
    throttled = client.get(CONTRACT_TYPES)
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "7"
    assert client.get(CONTRACT_TYPES).status_code == 200  # first N: only the first


def test_connection_reset(client: httpx.Client) -> None:
    add_fault(client, {"action": "reset"})
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as raised:
        client.get(CONTRACT_TYPES)
    assert "reset" in str(raised.value).lower() or isinstance(raised.value, httpx.ReadError)


def test_empty_response(client: httpx.Client) -> None:
    add_fault(client, {"action": "empty"})
    with pytest.raises(httpx.RemoteProtocolError, match="without sending"):
        client.get(CONTRACT_TYPES)


def test_truncated_body(client: httpx.Client) -> None:
    add_fault(client, {"action": "truncate"})
    with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|complete message body"):
        client.get(CONTRACT_TYPES)


def test_malformed_body_is_a_complete_answer_no_parser_reads(client: httpx.Client) -> None:
    add_fault(client, {"action": "malformed", "match": {"operation": "GET " + CONTRACT_TYPES}})
    response = client.get(CONTRACT_TYPES)
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_match_by_template_operation_id_and_credential(client: httpx.Client) -> None:
    template = "/api/v2.1/public/contracts/{composite_id}/status"
    add_fault(client, {"match": {"path": template}, "action": "status", "status": 502})
    assert client.get("/api/v2.1/public/contracts/T-1/status").status_code == 502
    client.delete("/__admin/faults")
    add_fault(
        client,
        {
            "match": {"operation": "v2_1_public_contract_types_retrieve"},
            "action": "status",
            "status": 500,
        },
    )
    assert client.get(CONTRACT_TYPES).status_code == 500
    client.delete("/__admin/faults")
    add_fault(
        client,
        {"match": {"credential": "someone-else"}, "action": "status", "status": 500},
    )
    assert client.get(CONTRACT_TYPES).status_code == 200  # not this credential
    add_fault(
        client,
        {"match": {"credential": UAT["client-id"]}, "action": "status", "status": 504},
    )
    assert client.get(CONTRACT_TYPES).status_code == 504


def test_probability_with_a_seed_repeats_exactly(client: httpx.Client) -> None:
    def run() -> list[int]:
        client.delete("/__admin/faults")
        add_fault(client, {"action": "status", "status": 503, "probability": 0.5, "seed": 42})
        return [client.get(CONTRACT_TYPES).status_code for _ in range(16)]

    first, second = run(), run()
    assert first == second
    assert 0 < first.count(503) < 16


def test_the_journal_names_the_fault(client: httpx.Client) -> None:
    rule = add_fault(client, {"action": "status", "status": 503, "id": "outage"})
    client.get(CONTRACT_TYPES)
    entry = client.get("/__admin/requests").json()[0]
    assert entry["refused_by"] == "fault" and entry["fault"] == "outage" == rule["id"]
    listed = client.get("/__admin/faults").json()["faults"]
    assert listed[0]["matched"] == 1 and listed[0]["applied"] == 1
    assert client.delete("/__admin/faults/outage").json() == {"deleted": 1}
    assert client.delete("/__admin/faults/outage").status_code == 404


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ({"action": "explode"}, "action must be one of"),
        ({"action": "status", "status": 404}, "status must be 429 or 500-599"),
        ({"action": "latency"}, "a latency rule needs"),
        ({"action": "reset", "first": 1, "probability": 0.5}, "not both"),
        ({"action": "reset", "match": {"host": "x"}}, "match may name"),
        ({"action": "latency", "latency": {"kind": "fixed", "ms": 10**9}}, "latency ms"),
        ({"on": "webhook", "action": "reset"}, "for webhook rules"),
    ],
)
def test_a_wrong_rule_is_a_400_saying_what_to_send(
    client: httpx.Client, rule: dict[str, object], says: str
) -> None:
    response = client.post("/__admin/faults", json=rule)
    assert response.status_code == 400
    assert says in response.text
