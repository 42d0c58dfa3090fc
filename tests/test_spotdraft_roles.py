"""Workspace roles (fixtures/README.md): an admin with Developer Settings, a legal editor, a
viewer, an inactive user; what each may do, through `user-email` and through a bearer token,
and the vendor's 403 body otherwise."""

from __future__ import annotations

import pytest

from mockserver.auth.tokens import issue_token
from mockserver.profiles.spotdraft.roles import DENIED
from spotcheck.client.payloads import contract_from_template
from tests.conftest import UAT

API = "/api/v2.1/public"
CONTRACT = contract_from_template("Globex Ltd", contact=("Gina", "gina@globex.test"))
WEBHOOK = {
    "title": "CRM sync",
    "url": "https://hooks.acme.test/spotdraft",
    "only_for_activities": ["CONTRACT_CREATED"],
}


def as_user(email: str) -> dict[str, str]:
    return {**UAT, "user-email": email}


def bearer_for(app, email: str) -> dict[str, str]:
    row = app.runtime.store.query_one(
        "SELECT id FROM users WHERE email = ? AND workspace_id = ?",
        (email, app.runtime.workspace.id),
    )
    token = issue_token(app.runtime.workspace.jwt_secret, row["id"], app.runtime.workspace.id)
    return {"Authorization": f"Bearer {token}", "X-SD-Auth-Type": "oauth-jwt"}


def assert_denied(response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["detail"] == DENIED
    assert body["status_code"] == 403


@pytest.mark.parametrize("via", ["user-email", "bearer"])
def test_a_viewer_reads_but_may_not_write(app, client, via):
    headers = (
        as_user("viewer@acme.test") if via == "user-email" else bearer_for(app, "viewer@acme.test")
    )
    assert client.get(f"{API}/contracts/", headers=headers).status_code == 200
    assert client.get(f"{API}/templates/21/metadata", headers=headers).status_code == 200
    assert_denied(client.post(f"{API}/contracts/", headers=headers, json=CONTRACT))
    assert_denied(
        client.post(f"{API}/counter_parties/", headers=headers, json={"name": "Hooli Inc"})
    )
    assert_denied(client.patch(f"{API}/templates/21/", headers=headers, json={"tags": []}))
    if via == "user-email":  # webhooks take client headers only (their `security`)
        assert_denied(client.post(f"{API}/webhooks/", headers=headers, json=WEBHOOK))
    # nothing was created
    listed = client.get(f"{API}/contracts/", headers=UAT).json()
    assert listed["total_results"] == 0
    # a POST that only reads is allowed: the download link of an existing contract
    created = client.post(f"{API}/contracts/", headers=UAT, json=CONTRACT).json()
    link = client.post(f"{API}/contracts/{created['id']}/download_link", headers=headers, json={})
    assert link.status_code == 200, link.text


def test_a_legal_editor_writes_contracts_but_not_developer_settings(app, client):
    bearer = bearer_for(app, "legal@acme.test")
    assert client.post(f"{API}/contracts/", headers=bearer, json=CONTRACT).status_code == 201
    headers = as_user("legal@acme.test")
    assert client.post(f"{API}/contracts/", headers=headers, json=CONTRACT).status_code == 201
    assert_denied(client.post(f"{API}/webhooks/", headers=headers, json=WEBHOOK))
    assert_denied(
        client.post(f"{API}/auth/users/", headers=headers, json={"email": "new@acme.test"})
    )


def test_the_admin_may_do_both(app, client):
    bearer = bearer_for(app, "admin@acme.test")
    assert client.post(f"{API}/contracts/", headers=bearer, json=CONTRACT).status_code == 201
    assert client.post(f"{API}/contracts/", headers=UAT, json=CONTRACT).status_code == 201
    created = client.post(f"{API}/webhooks/", headers=UAT, json=WEBHOOK)
    assert created.status_code == 201, created.text


def test_an_inactive_user_is_refused_everything(app, client):
    headers = as_user("former@acme.test")
    for response in (
        client.get(f"{API}/contracts/", headers=headers),
        client.post(f"{API}/contracts/", headers=headers, json=CONTRACT),
        client.get(f"{API}/contracts/", headers=bearer_for(app, "former@acme.test")),
    ):
        assert response.status_code == 403
        assert response.json()["status_code"] == 403
