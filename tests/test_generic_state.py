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


def test_sub_resources_of_unknown_parents_are_404(client):
    assert client.get(f"{API}/counter_parties/9999/contacts", headers=UAT).status_code == 404
    assert client.get(f"{API}/contracts/9999/comments/", headers=UAT).status_code == 404


def test_comments_live_on_their_contract_and_are_logged(client):
    from tests.test_contracts_http import create

    created = create(client)
    cid = created["id"]
    # this family addresses the contract by its number, not its composite id
    url = f"{API}/contracts/{created['contract_id']}/comments/"
    posted = client.post(url, headers=UAT, json={"comment": "Please review clause 4"})
    assert posted.status_code == 201, posted.text
    activities = [a["activity"] for a in client.get(f"/__admin/activities?contract={cid}").json()]
    assert activities[0] == "CONTRACT_ACTIVITY_LOG_COMMENT_CREATED"


def test_counterparty_changes_are_logged(client):
    created = client.post(
        f"{API}/counter_parties/", headers=UAT, json={"is_individual": False, "name": "Hooli"}
    )
    counterparty_id = str(created.json()["id"])
    client.patch(
        f"{API}/counter_parties/{counterparty_id}", headers=UAT, json={"name": "Hooli XYZ"}
    )
    logged = [
        a["activity"] for a in client.get(f"/__admin/activities?contract={counterparty_id}").json()
    ]
    assert logged == ["COUNTER_PARTY_UPDATED", "COUNTER_PARTY_CREATED"]


def test_roles_and_users_are_readable(client):
    roles = client.get(f"{API}/auth/roles/", headers=UAT)
    assert roles.status_code == 200, roles.text
    names = {role["name"] for role in roles.json()["active_roles"]}
    assert {"ADMIN", "LEGAL", "VIEWER"} <= names


def test_created_ids_never_overwrite_fixture_objects(client):
    # the fixtures hold counterparties 41 and 42; creating more than that many must not
    # replace Globex Ltd
    for index in range(45):
        response = client.post(
            f"{API}/counter_parties/",
            headers=UAT,
            json={"is_individual": True, "name": f"p{index}"},
        )
        assert response.status_code == 201
        assert response.json()["id"] not in (41, 42)
    assert client.get(f"{API}/counter_parties/41", headers=UAT).json()["name"] == "Globex Ltd"


def test_a_recreated_item_moves_with_its_new_parent(app):
    store, workspace = app.runtime.store, app.runtime.workspace.id
    with store.transaction() as db:
        store.put_record(db, workspace, "things", "1", {"a": 1}, parent="old")
        store.put_record(db, workspace, "things", "1", {"a": 2}, parent="new")
    assert store.list_records(workspace, "things", "new") == [{"a": 2}]
    assert store.list_records(workspace, "things", "old") == []
