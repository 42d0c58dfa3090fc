"""The vendor's documented contract flow, end to end, and every wrong step in it."""

from __future__ import annotations

import pytest

from tests.conftest import UAT

API = "/api/v2.1/public"
GLOBEX = {
    "is_individual": False,
    "organization_name": "Globex Ltd",
    "poc_details": {"first_name": "Gina", "last_name": "Globex", "email": "gina@globex.test"},
}


def create(client, external_id="crm-42", template=21, data=None, headers=UAT):
    body = {
        "contract_template_id": template,
        "contract_data": data
        if data is not None
        else {"effective_date": "2026-01-01", "term_months": 12},
        "counter_party_details": [GLOBEX],
        "external_metadata": {"id": external_id, "integration_name": "crm", "record_type": "deal"},
    }
    response = client.post(f"{API}/contracts/", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def status_of(client, composite_id):
    return client.get(f"{API}/contracts/{composite_id}/status", headers=UAT).json()[
        "contract_status"
    ]


def test_documented_flow_from_template_to_executed_and_download(client):
    created = create(client)
    cid = created["id"]
    assert cid.startswith("T-") and created["contract_status"] == "DRAFT"
    assert created["counter_party_name"] == "Globex Ltd"
    found = client.get(f"{API}/contracts/by_external_metadata/crm-42", headers=UAT)
    assert found.status_code == 200 and [
        c["contract_link"].endswith(cid) for c in found.json()
    ] == [True]
    send = client.post(
        f"{API}/contracts/{cid}/send_to_counterparties",
        headers=UAT,
        json={"attachment_formats": ["PDF"]},
    )
    assert send.status_code == 200 and status_of(client, cid) == "REDLINING"
    mark = client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={})
    assert mark.status_code == 200 and status_of(client, cid) == "SIGN"
    signed = client.post(f"/__admin/contracts/{cid}/sign")
    assert signed.json() == {"id": cid, "status": "EXECUTED"}
    assert status_of(client, cid) == "EXECUTED"
    link = client.post(f"{API}/contracts/{cid}/download_link", headers=UAT, json={}).json()
    download = client.get(link["url"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    activities = [a["activity"] for a in client.get(f"/__admin/activities?contract={cid}").json()]
    assert list(reversed(activities)) == [
        "CONTRACT_CREATED",
        "CONTRACT_EXTERNAL_METADATA_CREATED",
        "CONTRACT_SENT_TO_COUNTERPARTY",
        "CONTRACT_MARK_FOR_EXECUTION",
        "CONTRACT_SIGNATURE_REQUESTED",
        "CONTRACT_SIGNED",
        "CONTRACT_SIGNED",
        "CONTRACT_EXECUTED",
    ]


@pytest.mark.parametrize(
    ("steps", "action", "status", "state"),
    [
        ([], "unmark_for_execution", 402, "DRAFT"),
        (["sign"], "send_to_counterparties", 409, "EXECUTED"),
        (["void"], "mark_for_execution/", 409, "VOIDED"),
        (["mark"], "send_to_counterparties", 402, "SIGN"),
    ],
)
def test_illegal_transitions_name_the_current_state(client, steps, action, status, state):
    cid = create(client)["id"]
    for step in steps:
        if step == "sign":
            client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={})
            client.post(f"/__admin/contracts/{cid}/sign")
        elif step == "void":
            client.post(f"{API}/contracts/{cid}/status/void", headers=UAT, json={"note": "dup"})
        elif step == "mark":
            client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={})
    body = {"attachment_formats": ["PDF"]} if "send" in action else {}
    response = client.post(f"{API}/contracts/{cid}/{action}", headers=UAT, json=body)
    assert response.status_code == status
    assert state in response.json()["detail"]
    assert status_of(client, cid) == state


def test_signing_a_contract_not_out_for_signature_is_refused(client):
    cid = create(client)["id"]
    response = client.post(f"/__admin/contracts/{cid}/sign")
    assert response.status_code == 402
    assert "DRAFT" in response.json()["detail"]


def test_decline_sends_it_back_and_unmark_works(client):
    cid = create(client)["id"]
    client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={})
    assert client.post(f"/__admin/contracts/{cid}/decline").json()["status"] == "REDLINING"
    client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={})
    assert (
        client.post(f"{API}/contracts/{cid}/unmark_for_execution", headers=UAT, json={}).status_code
        == 200
    )
    assert status_of(client, cid) == "REDLINING"


def test_hold_and_resume_return_to_the_previous_state(client):
    cid = create(client)["id"]
    client.post(
        f"{API}/contracts/{cid}/send_to_counterparties",
        headers=UAT,
        json={"attachment_formats": ["PDF"]},
    )
    assert client.post(f"/__admin/contracts/{cid}/hold").json()["status"] == "ON_HOLD"
    assert client.post(f"/__admin/contracts/{cid}/resume").json()["status"] == "REDLINING"


@pytest.mark.parametrize(
    ("template", "data", "field"),
    [
        (99, {"effective_date": "2026-01-01"}, "contract_template_id"),
        (21, {}, "contract_data.effective_date"),
        (21, {"effective_date": "soon"}, "contract_data.effective_date"),
        (
            21,
            {"effective_date": "2026-01-01", "term_months": "twelve"},
            "contract_data.term_months",
        ),
        (21, {"effective_date": "2026-01-01", "colour": "red"}, "contract_data.colour"),
    ],
)
def test_contract_data_is_checked_against_the_template(client, template, data, field):
    body = {
        "contract_template_id": template,
        "contract_data": data,
        "counter_party_details": [GLOBEX],
    }
    response = client.post(f"{API}/contracts/", headers=UAT, json=body)
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


def test_unknown_contract_is_404(client):
    assert client.get(f"{API}/contracts/T-999/status", headers=UAT).status_code == 404
    assert client.get(f"{API}/contracts/by_external_metadata/nope", headers=UAT).status_code == 404


def test_list_paginates_and_filters(client):
    first = create(client, "a")["id"]
    second = create(
        client, "b", template=22, data={"effective_date": "2026-01-01", "contract_value": 100}
    )["id"]
    third = create(client, "c")["id"]
    client.post(
        f"{API}/contracts/{third}/send_to_counterparties",
        headers=UAT,
        json={"attachment_formats": ["PDF"]},
    )

    def ids(**params):
        response = client.get(f"{API}/contracts/", headers=UAT, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    everything = ids(limit=2, page=1)
    assert everything["total_results"] == 3 and len(everything["results"]) == 2
    assert len(ids(limit=2, page=2)["results"]) == 1
    assert [c["id"] for c in ids(**{"filter__display_status": "REDLINING"})["results"]] == [third]
    assert {
        c["id"] for c in ids(**{"filter__contract_id[$in]": f"{first},{second}"})["results"]
    } == {first, second}
    assert [c["id"] for c in ids(**{"filter__contract_type_id": "12"})["results"]] == [second]
    assert ids(**{"filter__created_at[$gt]": "2000-01-01T00:00:00Z"})["total_results"] == 3
    assert ids(**{"filter__created_at[$lt]": "2000-01-01T00:00:00Z"})["total_results"] == 0
    assert ids(**{"filter__display_status[$ne]": "DRAFT"})["total_results"] == 1
    assert ids(query="mutual")["total_results"] == 2
    # every documented filter is honoured (no contract has the tag); others are reported
    tagged = client.get(f"{API}/contracts/", headers=UAT, params={"filter__tags": "x"})
    assert tagged.json()["total_results"] == 0
    assert "x-spotcheck-ignored-filters" not in tagged.headers
    ignored = client.get(f"{API}/contracts/", headers=UAT, params={"filter__colour": "red"})
    assert ignored.headers["x-spotcheck-ignored-filters"] == "filter__colour"


def test_external_metadata_create_update_and_lookup(client):
    cid = create(client, "old-id")["id"]
    url = f"{API}/contracts/{cid}/external_metadata"
    assert client.get(url, headers=UAT).json()["external_metadata"]["id"] == "old-id"
    updated = client.post(
        url, headers=UAT, json={"external_metadata": {"id": "new-id", "integration_name": "crm"}}
    )
    assert updated.status_code == 200
    assert (
        client.get(f"{API}/contracts/by_external_metadata/new-id", headers=UAT).status_code == 200
    )
    assert (
        client.get(f"{API}/contracts/by_external_metadata/old-id", headers=UAT).status_code == 404
    )


def test_uploads_get_historical_ids_and_their_states(client):
    pdf = "JVBERi0xLjQKJWVuZAo="
    review = client.post(
        f"{API}/contracts/upload_review_contracts/",
        headers=UAT,
        json={
            "contract_name": "Vendor paper",
            "contract_type_id": 11,
            "file_name": "v.pdf",
            "file_base64": pdf,
        },
    )
    sign = client.post(
        f"{API}/contracts/upload_sign_contracts/",
        headers=UAT,
        json={
            "contract_name": "Order form",
            "contract_type_id": 12,
            "file_name": "o.pdf",
            "file_base64": pdf,
            "counterparty_organization_name": "Initech LLC",
        },
    )
    executed = client.post(
        f"{API}/contracts/executed_contracts/",
        headers=UAT,
        json={
            "contract_name": "Old MSA",
            "contract_type_id": 12,
            "file_name": "m.pdf",
            "file_content": pdf,
            "organization_entity_id": 31,
        },
    )
    states = {}
    for response in (review, sign, executed):
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["id"].startswith("H-")
        states[body["contract_name"]] = status_of(client, body["id"])
    assert states == {"Vendor paper": "REDLINING", "Order form": "SIGN", "Old MSA": "EXECUTED"}
    link = client.post(
        f"{API}/contracts/{executed.json()['id']}/download_link", headers=UAT, json={}
    ).json()
    assert client.get(link["url"]).content == b"%PDF-1.4\n%end\n"


def test_download_link_is_signed(client):
    cid = create(client)["id"]
    url = client.post(f"{API}/contracts/{cid}/download_link", headers=UAT, json={}).json()["url"]
    assert client.get(url.replace("signature=", "signature=0")).status_code == 403
    other = create(client, "other")["id"]
    assert client.get(url.replace(f"/files/{cid}", f"/files/{other}")).status_code == 403


def test_the_acting_user_is_recorded(client):
    cid = create(client, headers={**UAT, "user-email": "legal@acme.test"})["id"]
    activity = client.get(f"/__admin/activities?contract={cid}").json()[-1]
    assert activity["performed_by"] == "legal@acme.test"


def test_finished_contract_data_cannot_change(client):
    cid = create(client)["id"]
    client.post(f"{API}/contracts/{cid}/status/void", headers=UAT, json={"note": "gone"})
    response = client.post(
        f"{API}/contracts/{cid}/external_metadata",
        headers=UAT,
        json={"external_metadata": {"id": "x"}},
    )
    assert response.status_code == 409
    assert "VOIDED" in response.json()["detail"]
