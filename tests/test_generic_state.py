"""Operations without a domain behaviour still keep state, from the shape of their paths."""

from __future__ import annotations

from tests.conftest import UAT

API = "/api/v2.1/public"


def test_fixture_workspace_is_readable(client):
    types = client.get(f"{API}/contract_types/", headers=UAT).json()
    assert {t["name"] for t in types} == {"Non-Disclosure Agreement", "Master Services Agreement"}
    counterparty = client.get(f"{API}/counter_parties/41", headers=UAT)
    assert counterparty.status_code == 200 and counterparty.json()["name"] == "Globex Ltd"


def test_counterparty_create_read_update(client):
    created = client.post(
        f"{API}/counter_parties/",
        headers=UAT,
        json={
            "is_individual": False,
            "name": "Umbrella Corp",
        },
    )
    assert created.status_code == 201, created.text
    counterparty_id = created.json()["id"]
    read = client.get(f"{API}/counter_parties/{counterparty_id}", headers=UAT)
    assert read.status_code == 200 and read.json()["name"] == "Umbrella Corp"
    patched = client.patch(
        f"{API}/counter_parties/{counterparty_id}", headers=UAT, json={"name": "Umbrella plc"}
    )
    assert patched.status_code == 200
    assert (
        client.get(f"{API}/counter_parties/{counterparty_id}", headers=UAT).json()["name"]
        == "Umbrella plc"
    )
    # v2 and v2.1 share the resource, as in the real service
    assert (
        client.get(f"/api/v2/public/counter_parties/{counterparty_id}", headers=UAT).json()["name"]
        == "Umbrella plc"
    )


def test_contacts_live_under_their_counterparty_and_delete_is_final(client):
    url = f"{API}/counter_parties/41/contacts"
    created = client.post(
        url,
        headers=UAT,
        json={"name": "New Person", "email": "new@globex.test", "is_primary": False},
    )
    assert created.status_code == 201, created.text
    contact_id = created.json()["id"]
    listed = client.get(url, headers=UAT).json()
    emails = {c.get("email") for c in listed.get("results", listed) if isinstance(c, dict)}
    assert "new@globex.test" in emails
    item = f"{API}/counter_parties/41/contacts/{contact_id}/"
    assert client.delete(item, headers=UAT).status_code == 204
    assert client.delete(item, headers=UAT).status_code == 404
    assert client.patch(item, headers=UAT, json={"email": "x@y.test"}).status_code == 404


def test_unknown_item_is_404_with_a_body(client):
    response = client.get(f"{API}/counter_parties/987654", headers=UAT)
    assert response.status_code == 404
    assert "987654" in response.json()["detail"]


def test_reset_forgets_what_was_created(client):
    created = client.post(
        f"{API}/counter_parties/", headers=UAT, json={"is_individual": True, "name": "Temp"}
    ).json()
    client.post("/__admin/reset")
    assert client.get(f"{API}/counter_parties/{created['id']}", headers=UAT).status_code == 404
