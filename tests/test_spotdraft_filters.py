"""Every documented filter of the contract list is read from state; a value of the wrong
type is a 400 in the vendor's body, never ignored."""

from __future__ import annotations

import pytest

from tests.conftest import UAT

API = "/api/v2.1/public"


def create(client, email: str, headers=UAT) -> str:
    body = {
        "contract_template_id": 21,
        "contract_data": {"effective_date": "2026-01-01"},
        "counter_party_details": [
            {
                "is_individual": False,
                "organization_name": "Globex Ltd",
                "poc_details": {"first_name": "Gina", "email": email},
            }
        ],
    }
    created = client.post(f"{API}/contracts/", headers=headers, json=body)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def ids(client, **params) -> list[str]:
    listed = client.get(f"{API}/contracts/", headers=UAT, params=params)
    assert listed.status_code == 200, listed.text
    assert "x-spotcheck-ignored-filters" not in listed.headers
    return sorted(c["id"] for c in listed.json()["results"])


def test_documented_filters_read_the_contracts(client):
    first = create(client, "gina@globex.test")
    second = create(client, "gus@globex.test", {**UAT, "user-email": "legal@acme.test"})
    client.post(
        f"{API}/contracts/{second}/send_to_counterparties",
        headers=UAT,
        json={"attachment_formats": ["PDF"]},
    )
    client.post(f"{API}/contracts/{second}/mark_for_execution/", headers=UAT, json={})
    assert ids(client, filter__client_email_address="gus@globex.test") == [second]
    assert ids(client, **{"filter__client_email[$in]": "gina@globex.test,x@y.test"}) == [first]
    assert ids(client, filter__assigned_to="102") == [second]  # Lee Legal created it
    assert ids(client, filter__business_user_id="101") == [first]
    assert ids(client, filter__pending_with="BOTH") == [second]
    assert ids(client, filter__signatures_pending_on="gus@globex.test") == [second]
    assert ids(client, filter__signatures_completed_by="gus@globex.test") == []
    assert ids(client, filter__entity_name="Acme Corp Inc.") == [first, second]
    assert ids(client, filter__approvals_pending="false") == [first, second]
    client.post(
        f"{API}/contracts/approvals/{first}/",
        headers=UAT,
        json={"approvals": [{"name": "Finance", "notes": "check"}]},
    )
    assert ids(client, filter__approvals_pending="true") == [first]
    assert ids(client, filter__tags="renewal") == []
    assert ids(client, **{"filter__expiring_at[$ne]": "2030-01-01T00:00:00Z"}) == [first, second]
    # v2 documents the same client filters
    v2 = client.get(
        "/api/v2/public/contracts/",
        headers=UAT,
        params={"filter__client_email_address": "gina@globex.test"},
    )
    assert [c["id"] for c in v2.json()["results"]] == [first]


@pytest.mark.parametrize(
    "params",
    [
        {"filter__assigned_to[$gt]": "many"},
        {"filter__contract_type_id[$in]": "11,twelve"},
        {"filter__created_at[$gte]": "last tuesday"},
        {"filter__display_status[$ne]": "SIGNED"},
        {"filter__pending_with": "NOBODY"},
        {"filter__approvals_pending": "maybe"},
    ],
)
def test_a_wrong_typed_filter_value_is_a_400(client, params):
    create(client, "gina@globex.test")
    refused = client.get(f"{API}/contracts/", headers=UAT, params=params)
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["status_code"] == 400 and next(iter(params)) in body["detail"]
