"""A Hypothesis state machine drives random lifecycle and CRUD sequences over HTTP and checks
the mock against a small model written independently of the mock's transition table."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from starlette.testclient import TestClient

from tests.conftest import UAT

API = "/api/v2.1/public"
FINISHED = {"EXECUTED", "VOIDED"}
# action -> (states it is allowed from, resulting state; None = back to the state before hold)
MODEL = {
    "send": ({"DRAFT", "REDLINING"}, "REDLINING"),
    "mark": ({"DRAFT", "REDLINING"}, "SIGN"),
    "unmark": ({"SIGN"}, "REDLINING"),
    "sign": ({"SIGN"}, "EXECUTED"),
    "decline": ({"SIGN"}, "REDLINING"),
    "void": ({"DRAFT", "REDLINING", "SIGN", "ON_HOLD"}, "VOIDED"),
    "hold": ({"DRAFT", "REDLINING", "SIGN"}, "ON_HOLD"),
    "resume": ({"ON_HOLD"}, None),
}


def _request(client: TestClient, action: str, cid: str):
    if action in ("sign", "decline", "hold", "resume"):
        return client.post(f"/__admin/contracts/{cid}/{action}")
    path, body = {
        "send": ("send_to_counterparties", {"attachment_formats": ["PDF"]}),
        "mark": ("mark_for_execution/", {}),
        "unmark": ("unmark_for_execution", {}),
        "void": ("status/void", {"note": "test"}),
    }[action]
    return client.post(f"{API}/contracts/{cid}/{path}", headers=UAT, json=body)


@pytest.fixture
def machine_client(client):
    return client


def test_lifecycle_state_machine(machine_client):
    client = machine_client

    class Workspace(RuleBasedStateMachine):
        contracts = Bundle("contracts")
        counterparties = Bundle("counterparties")

        def __init__(self) -> None:
            super().__init__()
            client.post("/__admin/reset")
            self.status: dict[str, str] = {}
            self.before_hold: dict[str, str] = {}
            self.live_counterparties: set[int] = set()
            self.deleted_counterparties: set[int] = set()

        @rule(target=contracts)
        def create(self):
            response = client.post(
                f"{API}/contracts/",
                headers=UAT,
                json={
                    "contract_template_id": 21,
                    "contract_data": {"effective_date": "2026-01-01"},
                    "counter_party_details": [
                        {
                            "is_individual": True,
                            "poc_details": {"first_name": "A", "email": "a@b.test"},
                        }
                    ],
                },
            )
            assert response.status_code == 201, response.text
            cid = response.json()["id"]
            self.status[cid] = "DRAFT"
            return cid

        @rule(cid=contracts, action=st.sampled_from(sorted(MODEL)))
        def act(self, cid, action):
            allowed_from, target = MODEL[action]
            current = self.status[cid]
            response = _request(client, action, cid)
            if current in allowed_from:
                assert response.status_code in (200, 204), (action, current, response.text)
                if action == "hold":
                    self.before_hold[cid] = current
                self.status[cid] = target or self.before_hold.pop(cid)
            else:
                expected = 409 if current in FINISHED else 402
                assert response.status_code == expected, (action, current, response.text)
                assert current in response.json()["detail"]

        @rule(cid=contracts)
        def read_status(self, cid):
            response = client.get(f"{API}/contracts/{cid}/status", headers=UAT)
            assert response.json()["contract_status"] == self.status[cid]

        @rule(target=counterparties, name=st.text("abcxyz", min_size=1, max_size=8))
        def create_counterparty(self, name):
            response = client.post(
                f"{API}/counter_parties/", headers=UAT, json={"is_individual": False, "name": name}
            )
            assert response.status_code == 201
            counterparty_id = response.json()["id"]
            self.live_counterparties.add(counterparty_id)
            return counterparty_id

        @rule(counterparty_id=counterparties)
        def read_counterparty(self, counterparty_id):
            response = client.get(f"{API}/counter_parties/{counterparty_id}", headers=UAT)
            assert response.status_code == 200

        @invariant()
        def list_matches_model(self):
            listing = client.get(f"{API}/contracts/", headers=UAT, params={"limit": 100}).json()
            assert listing["total_results"] == len(self.status)
            assert {c["id"]: c["contract_status"] for c in listing["results"]} == self.status

    Workspace.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    Workspace.TestCase().runTest()
