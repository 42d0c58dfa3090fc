"""Counterparties, users, roles and entities from state: one object, shown the same in the
list, the detail and the sub-resources; the documented list filters honoured."""

from __future__ import annotations

from tests.conftest import UAT

API = "/api/v2.1/public"


def get(client, path: str, **params):
    response = client.get(f"{API}{path}", headers=UAT, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_counterparty_detail_is_its_list_entry_and_its_sub_resources(client):
    listed = {c["id"]: c for c in get(client, "/counter_parties/")["results"]}
    detail = get(client, "/counter_parties/41")
    assert detail == listed[41]
    assert detail["contacts"] == [
        {"id": 51, "name": "Gina Globex", "email": "gina@globex.test"},
        {"id": 53, "name": "Gus Gomez", "email": "gus@globex.test"},
    ]
    contacts = get(client, "/counter_parties/41/contacts")["results"]
    assert [{k: c[k] for k in ("id", "name", "email")} for c in contacts] == detail["contacts"]
    assert [c["is_primary"] for c in contacts] == [True, False]
    addresses = get(client, "/counter_parties/41/addresses/")["results"]
    assert addresses == [detail["primary_address"]]
    assert detail["primary_address"]["city_name"] == "Springfield"
    assert detail["custom_fields"]["segment"] == "enterprise"
    assert "primary_address" not in get(client, "/counter_parties/42")  # it has none


def test_counterparty_changes_show_everywhere(client):
    created = client.post(
        f"{API}/counter_parties/",
        headers=UAT,
        json={
            "is_individual": False,
            "organization_name": "Hooli Inc",
            "contact_name": "Gavin Belson",
            "contact_email": "gavin@hooli.test",
            "primary_address": {
                "line_one": "1 Hacker Way",
                "city_name": "Palo Alto",
                "country_name": "United States",
            },
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["contacts"][0]["email"] == "gavin@hooli.test"
    assert body["primary_address"]["state_name"] == "" and body["brand_name"] == "Hooli Inc"
    cid = body["id"]
    assert cid not in (41, 42)
    moved = client.post(
        f"{API}/counter_parties/{cid}/contacts",
        headers=UAT,
        json={"name": "Jared Dunn", "email": "jared@hooli.test", "is_primary": True},
    ).json()
    contacts = get(client, f"/counter_parties/{cid}/contacts")["results"]
    assert [(c["email"], c["is_primary"]) for c in contacts] == [
        ("gavin@hooli.test", False),
        ("jared@hooli.test", True),
    ]
    client.patch(
        f"{API}/counter_parties/{cid}/contacts/{moved['id']}/",
        headers=UAT,
        json={"name": "J. Dunn"},
    )
    detail = get(client, f"/counter_parties/{cid}")
    assert detail["contacts"][1]["name"] == "J. Dunn"
    assert detail == next(c for c in get(client, "/counter_parties/")["results"] if c["id"] == cid)


def test_counterparty_list_filters(client):
    def ids(**params):
        return [c["id"] for c in get(client, "/counter_parties/", **params)["results"]]

    assert ids() == [41, 42]
    assert ids(filter__client_email_address="ian@initech.test") == [42]
    assert ids(filter__client_email_address="GUS@globex.test") == [41]
    assert ids(filter__client_email_address="nobody@example.test") == []
    assert ids(**{"filter_custom__segment": "mid-market"}) == [42]


def test_users_roles_and_entities_come_from_the_fixtures(client):
    users = get(client, "/auth/users/")["results"]
    roles = {r["name"]: r["id"] for r in get(client, "/auth/roles/")["active_roles"]}
    assert set(roles) == {"ADMIN", "LEGAL", "VIEWER"}
    viewer = next(u for u in users if u["email"] == "viewer@acme.test")
    assert [(r["id"], r["name"]) for r in viewer["roles"]] == [(roles["VIEWER"], "VIEWER")]
    assert viewer["designation"] and viewer["is_active"] is True
    assert [
        u["email"] for u in get(client, "/auth/users/", user_email="legal@acme.test")["results"]
    ] == ["legal@acme.test"]
    assert [u["name"] for u in get(client, "/auth/users/", user_name="fay")["results"]] == [
        "Fay Former"
    ]
    v1 = client.get("/api/v1/public/auth/users", headers=UAT).json()["results"]
    assert v1[0]["first_name"] == "Ada" and v1[0]["username"] == "admin@acme.test"
    entities = get(client, "/organizations/entities/")
    assert [e["name"] for e in entities] == ["Acme Corp Inc.", "Acme Europe GmbH"]
    signing = get(client, "/contract_types/12/entities")
    assert [(s["entity_id"], s["entity_name"]) for s in signing] == [
        (31, "Acme Corp Inc."),
        (32, "Acme Europe GmbH"),
    ]
    assert signing[0]["address"]["city"] == entities[0]["primary_address"]["city_name"]
    assert [s["entity_id"] for s in get(client, "/contract_types/11/entities")] == [31]
    types = get(client, "/organizations/types/", jurisdiction_iso_code="DE")
    assert [t["name"] for t in types] == ["Gesellschaft mit beschraenkter Haftung"]
