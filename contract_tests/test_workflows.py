"""The documented integration flows, as Hypothesis properties over the target.

They create data, so they run against the mock, or a real target with --allow-writes
(test data carries a `spotcheck-` external id and is voided afterwards).
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_tests.runner import RunOptions, RunResult
from spotcheck.client.auth import ClientAuth
from spotcheck.client.payloads import contract_from_template
from spotcheck.client.target import is_mock

API = "/api/v2.1/public"
FLOW = settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_ID_ALPHABET = st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_.")


@pytest.fixture
def client(contract_run: RunResult, contract_options: RunOptions, contract_auth: ClientAuth):
    lacking = contract_options.contract().missing(f"POST {API}/contracts/")
    if lacking:
        pytest.skip(f"SpotDraft flows; this schema has no {', '.join(lacking)}")
    if not (contract_run.is_mock or contract_options.allow_writes):
        pytest.skip("creates data: runs against the mock, or with --allow-writes")
    headers = contract_auth.headers()
    with httpx.Client(base_url=contract_options.base_url, headers=headers, timeout=30) as http:
        yield http


def _create(client: httpx.Client, external_id: str, organization: str = "spotcheck test") -> dict:
    response = client.post(
        f"{API}/contracts/", json=contract_from_template(organization, external_id)
    )
    assert response.status_code == 201, response.text
    return response.json()


@FLOW
@given(suffix=st.text(_ID_ALPHABET, min_size=1, max_size=24))
def test_contract_created_with_an_external_id_is_found_by_it(client, suffix):
    external_id = f"spotcheck-{uuid.uuid4().hex[:8]}-{suffix}"
    created = _create(client, external_id)
    found = client.get(f"{API}/contracts/by_external_metadata/{external_id}")
    assert found.status_code == 200, found.text
    assert [c["contract_name"] for c in found.json()] == [created["contract_name"]]
    assert (
        client.get(f"{API}/contracts/{created['id']}/status").json()["contract_status"] == "DRAFT"
    )
    client.post(f"{API}/contracts/{created['id']}/status/void", json={"note": "spotcheck cleanup"})


@FLOW
@given(send_first=st.booleans())
def test_signature_flow_ends_executed_with_a_file(client, contract_options, send_first):
    if not is_mock(contract_options.base_url):
        pytest.skip("the counterparty's signature is played through the mock's admin API")
    created = _create(client, f"spotcheck-{uuid.uuid4()}")
    cid = created["id"]
    if send_first:
        sent = client.post(
            f"{API}/contracts/{cid}/send_to_counterparties", json={"attachment_formats": ["PDF"]}
        )
        assert sent.status_code == 200
    assert client.post(f"{API}/contracts/{cid}/mark_for_execution/", json={}).status_code == 200
    assert client.get(f"{API}/contracts/{cid}/status").json()["contract_status"] == "SIGN"
    assert client.post(f"/__admin/contracts/{cid}/sign").status_code == 200
    assert client.get(f"{API}/contracts/{cid}/status").json()["contract_status"] == "EXECUTED"
    link = client.post(f"{API}/contracts/{cid}/download_link", json={}).json()["url"]
    assert httpx.get(link).content.startswith(b"%PDF")
    again = client.post(
        f"{API}/contracts/{cid}/send_to_counterparties", json={"attachment_formats": ["PDF"]}
    )
    assert again.status_code == 409, "an executed contract cannot be sent again"


@FLOW
@given(
    name=st.text(_ID_ALPHABET, min_size=1, max_size=20),
    emails=st.lists(
        st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.test", fullmatch=True),
        min_size=1,
        max_size=3,
        unique=True,
    ),
)
def test_counterparty_then_its_contacts(client, name, emails):
    created = client.post(
        f"{API}/counter_parties/", json={"is_individual": False, "name": f"spotcheck {name}"}
    )
    assert created.status_code == 201, created.text
    counterparty_id = created.json()["id"]
    for email in emails:
        contact = client.post(
            f"{API}/counter_parties/{counterparty_id}/contacts",
            json={"name": "Contact", "email": email, "is_primary": False},
        )
        assert contact.status_code == 201, contact.text
    listed = client.get(f"{API}/counter_parties/{counterparty_id}/contacts").json()
    rows = listed.get("results", listed) if isinstance(listed, dict) else listed
    assert set(emails) <= {row.get("email") for row in rows}
