"""A contract's approvals (states along the lifecycle), comments with replies and its note,
from state, on the vendor's paths (`/contracts/approvals/T-1/`)."""

from __future__ import annotations

from spotcheck.client.payloads import contract_from_template
from tests.conftest import UAT

API = "/api/v2.1/public"
SEND = {"attachment_formats": ["PDF"]}
BODY = contract_from_template("Globex Ltd", contact=("Gina", "gina@globex.test"))


def new_contract(client) -> str:
    created = client.post(f"{API}/contracts/", headers=UAT, json=BODY)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_approvals_gate_the_lifecycle_until_approved(client):
    cid = new_contract(client)
    assert client.get(f"{API}/contracts/approvals/{cid}/", headers=UAT).json() == {"results": []}
    requested = client.post(
        f"{API}/contracts/approvals/{cid}/",
        headers=UAT,
        json={
            "approvals": [
                {"name": "Finance review", "notes": "Over budget", "approver_user_id": 102}
            ]
        },
    )
    assert requested.status_code == 201, requested.text
    [approval] = requested.json()
    assert approval["name"] == "Finance review" and approval["is_sent"] is True
    listed = client.get(f"{API}/contracts/approvals/{cid}/", headers=UAT).json()["results"]
    assert listed[0]["approval"]["status"] == "PENDING"
    assert listed[0]["approval"]["approval_type"] == "PRE_SEND"
    assert listed[0]["approval"]["org_user"]["email"] == "legal@acme.test"
    assert listed[0]["approval"]["created_by_org_user"]["email"] == "admin@acme.test"
    # the same approvals under v2 and by contract number
    number = cid.split("-")[1]
    assert (
        client.get(f"/api/v2/public/contracts/approvals/{number}/", headers=UAT).json()["results"]
        == listed
    )
    held = client.post(f"{API}/contracts/{cid}/send_to_counterparties", headers=UAT, json=SEND)
    assert held.status_code == 402 and "Finance review" in held.json()["detail"]
    client.post(f"/__admin/contracts/{cid}/approvals/{approval['id']}/reject", json={"notes": "No"})
    assert (
        client.post(
            f"{API}/contracts/{cid}/send_to_counterparties", headers=UAT, json=SEND
        ).status_code
        == 402
    )
    client.post(f"/__admin/contracts/{cid}/approvals/{approval['id']}/approve", json={})
    sent = client.post(f"{API}/contracts/{cid}/send_to_counterparties", headers=UAT, json=SEND)
    assert sent.status_code == 200, sent.text
    actions = client.get(f"{API}/contracts/approvals/{cid}/", headers=UAT).json()["results"][0]
    assert [(a["status"], a["latest"]) for a in actions["approval_actions"]] == [
        ("REJECTED", False),
        ("APPROVED", True),
    ]
    assert actions["approval"]["status"] == "APPROVED"
    # once sent, a new approval is a pre-sign one
    client.post(
        f"{API}/contracts/approvals/{cid}/",
        headers=UAT,
        json={"approvals": [{"name": "Signatory check", "notes": ""}]},
    )
    assert (
        client.post(f"{API}/contracts/{cid}/mark_for_execution/", headers=UAT, json={}).status_code
        == 402
    )
    assert client.get(f"{API}/contracts/approvals/T-99999/", headers=UAT).status_code == 404


def test_comments_with_replies_and_the_note(client):
    cid = new_contract(client)
    number = cid.split("-")[1]  # the comment paths take the contract's number
    posted = client.post(
        f"{API}/contracts/{number}/comments/",
        headers=UAT,
        json={"comment": "Please check clause 4"},
    )
    assert posted.status_code == 201, posted.text
    comment = posted.json()
    assert comment["replies"] == [] and comment["contract_id"] == int(cid.split("-")[1])
    client.post(
        f"/__admin/contracts/{cid}/comments/{comment['id']}/replies",
        json={"comment": "Checked: fine"},
    )
    listed = client.get(f"{API}/contracts/{number}/comments/", headers=UAT).json()
    assert listed["total_results"] == 1
    assert [r["comment"] for r in listed["results"][0]["replies"]] == ["Checked: fine"]
    note = client.get(f"{API}/contracts/{cid}/notes", headers=UAT).json()
    assert note["text"] == ""
    written = client.put(
        f"{API}/contracts/{cid}/notes/{note['id']}",
        headers=UAT,
        json={"text": "Renewal owner: Lee", "note_tag": {"name": "renewal"}},
    )
    assert written.status_code == 200, written.text
    assert client.get(f"{API}/contracts/{cid}/notes", headers=UAT).json() == {
        "id": note["id"],
        "text": "Renewal owner: Lee",
        "note_tag": "renewal",
    }
    assert (
        client.put(
            f"{API}/contracts/{cid}/notes/424242", headers=UAT, json={"text": "x"}
        ).status_code
        == 404
    )
