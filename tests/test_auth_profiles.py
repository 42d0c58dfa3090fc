"""The Spotnana-style and Spot Thought-style auth profiles, on the sample schemas we wrote in
each style (openapi/samples/), and a profile forced onto a schema that declares another."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.auth.tokens import issue_token
from mockserver.errors import SchemaError, SettingsError
from mockserver.profiles import API_KEY_VERSION, OAUTH2, SPOTDRAFT
from mockserver.settings import SCHEMA_DIR, Settings
from mockserver.spec import LoadedSchema, load_schema

SAMPLES = SCHEMA_DIR / "samples"
TRAVEL = str(SAMPLES / "travel-users.yaml")
PARTICIPANTS = str(SAMPLES / "participants.yaml")
TOKEN = "/v2/auth/oauth2-token"
GRANT = {
    "grant_type": "client_credentials",
    "client_id": "uat-client-acme",
    "client_secret": "uat-secret-acme-0001",
}
KEY = {"X-Spot-Api-Key": "acct_sandbox_1001", "X-Spot-Api-Secret": "sk_test_sandbox_1001"}
OLD = {**KEY, "X-Spot-Api-Version": "2024-06-01"}


@pytest.fixture(scope="module")
def travel_schema() -> LoadedSchema:
    return load_schema(TRAVEL)


@pytest.fixture(scope="module")
def participants_schema() -> LoadedSchema:
    return load_schema(PARTICIPANTS)


@pytest.fixture
def travel(settings: Settings, travel_schema: LoadedSchema):
    with TestClient(create_app(settings, travel_schema)) as client:
        yield client


@pytest.fixture
def participants(settings: Settings, participants_schema: LoadedSchema):
    with TestClient(create_app(settings, participants_schema)) as client:
        yield client


def bearer(client: TestClient, **grant: str) -> dict[str, str]:
    answer = client.post(TOKEN, data={**GRANT, **grant})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def error_codes(answer) -> list[str]:
    return [message["errorCode"] for message in answer.json()["errorMessages"]]


# --- choosing a profile ------------------------------------------------------------------


def test_profile_is_read_from_security_schemes(our_schema, travel_schema, participants_schema):
    assert our_schema.profile == SPOTDRAFT
    assert travel_schema.profile == OAUTH2
    assert participants_schema.profile == API_KEY_VERSION


def test_unknown_profile_is_a_settings_error():
    with pytest.raises(SettingsError, match="profile must be one of"):
        Settings(profile="kerberos")


def test_forced_profile_replaces_the_declared_security(settings):
    things = str(Path(__file__).parent / "data" / "things.yaml")
    schema = load_schema(things, profile=OAUTH2, cache_dir="")
    assert schema.profile == OAUTH2
    assert f"POST {TOKEN}" in {operation.key for operation in schema.index.operations}
    with TestClient(create_app(settings, schema)) as client:
        path = next(op.path for op in schema.index.operations if op.method == "get")
        refused = client.get(path, headers={"client-id": "uat-client-acme"})
        assert refused.status_code == 401
        assert error_codes(refused) == ["UNAUTHORIZED"]
        assert client.get(path, headers=bearer(client)).status_code == 200


# --- oauth2-client-credentials (Spotnana-style) ------------------------------------------


def test_token_endpoint_issues_a_bearer_token(travel):
    answer = travel.post(TOKEN, data=GRANT)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert answer.headers["cache-control"] == "no-store"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert travel.get("/v2/users", headers=headers).json() == {"users": []}


def test_token_endpoint_takes_http_basic_client_authentication(travel):
    basic = base64.b64encode(b"uat-client-acme:uat-secret-acme-0001").decode()
    answer = travel.post(
        TOKEN,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"client_secret": "wrong"}, 401, "INVALID_CREDENTIALS"),
        (
            {"client_id": "prod-client-acme", "client_secret": "prod-secret-acme-0001"},
            401,
            "INVALID_CREDENTIALS",
        ),
        ({"grant_type": "password"}, 400, "INVALID_REQUEST"),
        ({"client_secret": ""}, 401, "INVALID_CLIENT"),
    ],
)
def test_token_endpoint_refusals_use_the_vendor_error_body(travel, form, status, code):
    answer = travel.post(TOKEN, data={**GRANT, **form})
    assert answer.status_code == status
    body = answer.json()
    assert body["debugIdentifier"] == answer.headers["x-request-id"]
    assert body["errorMessages"][0]["errorCode"] == code


def test_token_endpoint_has_its_own_rate_limit(settings, travel_schema):
    app = create_app(settings.replace(token_rate_limit=3), travel_schema)
    legal = {"client_id": "uat-client-legal", "client_secret": "uat-secret-legal-0002"}
    with TestClient(app) as client:
        answers = [client.post(TOKEN, data=GRANT) for _ in range(5)]
        other_client = client.post(TOKEN, data={**GRANT, **legal})
        cached = {"Authorization": f"Bearer {answers[0].json()['access_token']}"}
        api_call = client.get("/v2/users", headers=cached)
        metrics = client.get("/__admin/metrics").json()["token_requests"]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert error_codes(answers[-1]) == ["TOO_MANY_REQUESTS"]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert other_client.status_code == 200  # each client has a bucket of its own
    assert api_call.status_code == 200  # a cached token goes on working
    assert metrics == {
        "uat-client-acme": {"issued": 3, "throttled": 2},
        "uat-client-legal": {"issued": 1, "throttled": 0},
    }


@pytest.mark.parametrize(
    ("token", "code"),
    [("not-a-token", "TOKEN_INVALID"), ("expired", "TOKEN_EXPIRED")],
)
def test_expired_or_unknown_token_is_401(travel, token, code):
    runtime = travel.app.runtime
    if token == "expired":
        token = issue_token(runtime.workspace.jwt_secret, 1, runtime.workspace.id, ttl_seconds=-5)
    answer = travel.get("/v2/users", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert error_codes(answer) == [code]


def test_every_call_needs_a_token(travel):
    answer = travel.post("/v2/companies", json={"name": "Acme"})
    assert answer.status_code == 401 and error_codes(answer) == ["UNAUTHORIZED"]


def test_created_resources_get_uuids_and_put_takes_the_whole_object(travel):
    headers = bearer(travel)
    company = travel.post("/v2/companies", json={"name": "Acme", "country": "US"}, headers=headers)
    assert company.status_code == 201
    company_id = company.json()["id"]
    assert len(company_id) == 36 and company_id.count("-") == 4
    path = f"/v2/companies/{company_id}"
    partial = travel.put(path, json={"name": "Acme Travel"}, headers=headers)
    assert partial.status_code == 400
    assert "country" in partial.json()["errorMessages"][0]["message"]
    parameters = [m.get("errorParameters") for m in partial.json()["errorMessages"][1:]]
    assert parameters == [[{"name": "field", "value": "country"}]]
    whole = travel.put(path, json={"name": "Acme Travel", "country": "GB"}, headers=headers)
    assert whole.status_code == 200 and whole.json()["country"] == "GB"
    assert travel.get(path, headers=headers).json()["name"] == "Acme Travel"


def test_read_only_client_gets_a_read_only_token(travel):
    headers = bearer(
        travel, client_id="uat-client-readonly", client_secret="uat-secret-readonly-0003"
    )
    assert travel.get("/v2/companies", headers=headers).status_code == 200
    refused = travel.post("/v2/companies", json={"name": "X"}, headers=headers)
    assert refused.status_code == 403 and error_codes(refused) == ["READ_ONLY_CREDENTIAL"]


def test_rotation_and_expiry_apply_at_the_token_endpoint(travel):
    rotating = {"client_id": "uat-client-rotating"}
    assert (
        travel.post(
            TOKEN, data={**GRANT, **rotating, "client_secret": "uat-secret-rotating-old"}
        ).status_code
        == 200
    )
    assert (
        travel.post(
            TOKEN, data={**GRANT, **rotating, "client_secret": "uat-secret-rotating-new"}
        ).status_code
        == 200
    )
    expired = travel.post(
        TOKEN,
        data={
            **GRANT,
            "client_id": "uat-client-expired",
            "client_secret": "uat-secret-expired-0004",
        },
    )
    assert expired.status_code == 401 and error_codes(expired) == ["SECRET_EXPIRED"]
    assert "expired" in expired.json()["errorMessages"][0]["message"]


def test_production_workspace_takes_only_production_clients(settings, travel_schema):
    with TestClient(create_app(settings.replace(env="production"), travel_schema)) as client:
        assert client.post(TOKEN, data=GRANT).status_code == 401
        production = {"client_id": "prod-client-acme", "client_secret": "prod-secret-acme-0001"}
        assert client.post(TOKEN, data={**GRANT, **production}).status_code == 200


def test_token_requests_are_audited_without_secrets(settings, travel_schema, tmp_path):
    log = tmp_path / "audit.jsonl"
    app = create_app(settings.replace(audit_log=str(log)), travel_schema)
    with TestClient(app) as client:
        token = client.post(TOKEN, data=GRANT).json()["access_token"]
        client.get("/v2/users", headers={"Authorization": f"Bearer {token}", "User-Agent": "t/1"})
        client.post(TOKEN, data={**GRANT, "client_secret": "guessed-secret"})
        metrics = client.get("/__admin/metrics").json()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["path"], e["status"], e["credential_id"]) for e in lines] == [
        (TOKEN, 200, "uat-client-acme"),
        ("/v2/users", 200, "uat-client-acme"),
        (TOKEN, 401, None),
    ]
    assert lines[1]["user_agent"] == "t/1"
    text = log.read_text()
    assert "uat-secret-acme-0001" not in text and "guessed-secret" not in text and token not in text
    failures = {row["credential_id"]: row["total"] for row in metrics["auth_failures"]}
    assert failures == {"uat-client-acme": 1}


# --- api-key-version (Spot Thought-style) -------------------------------------------------


def test_key_and_secret_are_checked_before_anything_else(participants):
    # an invalid body without credentials: 401, not a validation error
    missing = participants.post("/participants", json={"nonsense": True})
    assert missing.status_code == 401
    wrong = participants.get("/participants", headers={**KEY, "X-Spot-Api-Secret": "sk_test_no"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    live_key = {"X-Spot-Api-Key": "acct_live_2001", "X-Spot-Api-Secret": "sk_live_production_2001"}
    assert participants.get("/participants", headers=live_key).status_code == 401
    assert participants.get("/participants", headers=KEY).status_code == 200


def test_read_only_key_may_not_write(participants):
    reports = {
        "X-Spot-Api-Key": "acct_sandbox_reports",
        "X-Spot-Api-Secret": "sk_test_sandbox_reports",
    }
    assert participants.get("/participants", headers=reports).status_code == 200
    refused = participants.post(
        "/participants", json={"full_name": "R", "email": "r@x.test"}, headers=reports
    )
    assert refused.status_code == 403
    # GraphQL reads over POST: a query is allowed, a mutation is a write
    query = participants.post(
        "/graphql", json={"query": "{ participants { id } }"}, headers=reports
    )
    assert query.status_code == 200 and query.json() == {"data": {"participants": []}}
    mutation = 'mutation { createParticipant(full_name: "R", email: "r@x.test") { id } }'
    written = participants.post("/graphql", json={"query": mutation}, headers=reports)
    assert written.status_code == 403 and written.json()["code"] == "read_only_credential"


def test_without_a_version_the_latest_answers(participants):
    created = participants.post(
        "/participants", json={"full_name": "Ann Lee", "email": "ann@x.test"}, headers=KEY
    )
    assert created.status_code == 201
    assert created.headers["x-spot-api-version"] == "2024-11-15"
    assert created.json()["full_name"] == "Ann Lee" and "name" not in created.json()


def test_a_pinned_older_version_reads_and_writes_the_old_field_name(participants):
    created = participants.post(
        "/participants", json={"name": "Bob", "email": "b@x.test"}, headers=OLD
    )
    assert created.status_code == 201, created.text
    assert created.headers["x-spot-api-version"] == "2024-06-01"
    assert created.json()["name"] == "Bob" and "full_name" not in created.json()
    item = f"/participants/{created.json()['id']}"
    assert participants.get(item, headers=KEY).json()["full_name"] == "Bob"
    missing = participants.get("/participants/00000000-0000-4000-8000-000000000000", headers=OLD)
    assert missing.status_code == 404 and missing.headers["x-spot-api-version"] == "2024-06-01"
    assert participants.get(item, headers=OLD).json()["name"] == "Bob"
    # the latest version refuses the old shape
    latest = participants.post(
        "/participants", json={"name": "Cy", "email": "c@x.test"}, headers=KEY
    )
    assert latest.status_code == 400 and "full_name" in latest.json()["detail"]


def test_unknown_version_is_400_listing_the_known_ones(participants):
    answer = participants.get("/participants", headers={**KEY, "X-Spot-Api-Version": "2023-01-01"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "unknown_api_version"
    assert "2024-06-01, 2024-11-15" in answer.json()["detail"]


def test_graphql_shares_the_headers_state_and_versions(participants):
    query = {"query": "{ participants { id full_name } }"}
    assert participants.post("/graphql", json=query).status_code == 401
    created = participants.post(
        "/participants", json={"full_name": "Dee", "email": "d@x.test"}, headers=KEY
    ).json()
    latest = participants.post("/graphql", json=query, headers=KEY).json()
    assert latest == {"data": {"participants": [{"id": created["id"], "full_name": "Dee"}]}}
    old = participants.post("/graphql", json={"query": "{ participants { name } }"}, headers=OLD)
    assert old.json() == {"data": {"participants": [{"name": "Dee"}]}}
    not_in_latest = participants.post(
        "/graphql", json={"query": "{ participants { name } }"}, headers=KEY
    ).json()
    assert not_in_latest["data"] is None and "name" in not_in_latest["errors"][0]["message"]
    mutation = (
        'mutation { createParticipant(name: "Eve", email: "e@x.test", role: HOST) { id name } }'
    )
    made = participants.post("/graphql", json={"query": mutation}, headers=OLD).json()
    made_id = made["data"]["createParticipant"]["id"]
    assert participants.get(f"/participants/{made_id}", headers=KEY).json()["full_name"] == "Eve"
    variables = participants.post(
        "/graphql",
        json={
            "query": "query One($id: ID!) { participant(id: $id) { full_name } }",
            "variables": {"id": made_id},
        },
        headers=KEY,
    ).json()
    assert variables == {"data": {"participant": {"full_name": "Eve"}}}


def test_api_key_requests_keep_forwarded_for_and_user_agent(participants):
    participants.get(
        "/participants",
        headers={**KEY, "X-Forwarded-For": "203.0.113.9", "User-Agent": "crm/3"},
    )
    entry = participants.get("/__admin/audit?kind=request").json()[0]
    assert entry["x_forwarded_for"] == "203.0.113.9" and entry["user_agent"] == "crm/3"
    assert entry["credential_id"] == "acct_sandbox_1001"
    assert "sk_test_sandbox_1001" not in json.dumps(entry)


def test_openapi_31_documents_are_served(participants_schema):
    kinds = {defect.kind for defect in participants_schema.defects}
    assert "openapi-3.1" in kinds
    assert participants_schema.document["openapi"] == "3.0.3"


def test_ip_allow_list_applies_to_the_token_and_every_call(travel):
    office = {"client_id": "uat-client-office", "client_secret": "uat-secret-office-0005"}
    refused = travel.post(TOKEN, data={**GRANT, **office})  # the test client is not 10.20/16
    assert refused.status_code == 403 and error_codes(refused) == ["IP_NOT_ALLOWED"]
    runtime = travel.app.runtime
    workspace = runtime.workspace
    row = runtime.store.query_one(
        "SELECT u.id FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.client_id = ?",
        ("uat-client-office",),
    )
    # a token obtained in the office does not work from elsewhere
    token = issue_token(
        workspace.jwt_secret, row["id"], workspace.id, credential_id="uat-client-office"
    )
    answer = travel.get("/v2/users", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and error_codes(answer) == ["IP_NOT_ALLOWED"]


def test_a_burst_of_wrong_api_secrets_raises_an_alert(settings, participants_schema, caplog):
    app = create_app(settings.replace(auth_alert_threshold=3), participants_schema)
    wrong = {**KEY, "X-Spot-Api-Secret": "sk_test_guess"}
    with TestClient(app) as client:
        for _ in range(4):
            assert client.get("/participants", headers=wrong).status_code == 401
        metrics = client.get("/__admin/metrics").json()
    row = next(r for r in metrics["auth_failures"] if r["credential_id"] == "acct_sandbox_1001")
    assert row["total"] == 4 and row["alerting"] is True
    alerts = [r.getMessage() for r in caplog.records if r.name == "spotcheck.alerts"]
    assert len(alerts) == 1 and "acct_sandbox_1001" in alerts[0]
    assert not any("sk_test_guess" in r.getMessage() for r in caplog.records)


def test_our_spotdraft_schema_served_with_api_keys(settings):
    schema = load_schema(Settings().spec, profile=API_KEY_VERSION, cache_dir="")
    with TestClient(create_app(settings, schema)) as client:
        path = "/api/v2.1/public/contract_types/"
        spotdraft_headers = {
            "client-id": "uat-client-acme",
            "client-secret": "uat-secret-acme-0001",
        }
        assert client.get(path, headers=spotdraft_headers).status_code == 401
        answer = client.get(path, headers=KEY)
        assert answer.status_code == 200 and answer.json()


def test_a_token_expires_after_its_ttl(settings, travel_schema):
    app = create_app(settings.replace(token_ttl=2), travel_schema)
    with TestClient(app) as client:
        issued = client.post(TOKEN, data=GRANT).json()
        headers = {"Authorization": f"Bearer {issued['access_token']}"}
        assert issued["expires_in"] == 2
        assert client.get("/v2/users", headers=headers).status_code == 200  # lives >= 2 s
        time.sleep(3.1)  # whole seconds, rounded up: at most 3 s
        expired = client.get("/v2/users", headers=headers)
    assert expired.status_code == 401 and error_codes(expired) == ["TOKEN_EXPIRED"]


def test_versions_and_graphql_can_come_from_our_overlay_file(settings, tmp_path):
    """The vendor's schema stays verbatim: what only we declare sits in an overlay file."""
    import yaml

    document = yaml.safe_load(Path(PARTICIPANTS).read_text())
    overlay = {
        "x-spotcheck-versions": document.pop("x-spotcheck-versions"),
        "operations": {
            "POST /graphql": {
                "x-spotcheck-graphql": document["paths"]["/graphql"]["post"].pop(
                    "x-spotcheck-graphql"
                )
            }
        },
    }
    (tmp_path / "vendor.yaml").write_text(yaml.safe_dump(document))
    (tmp_path / "ours.yaml").write_text(yaml.safe_dump(overlay))
    bare = load_schema(str(tmp_path / "vendor.yaml"), cache_dir="")
    assert bare.versions is None
    schema = load_schema(
        str(tmp_path / "vendor.yaml"), cache_dir="", overlay_file=str(tmp_path / "ours.yaml")
    )
    assert schema.versions is not None and schema.versions.dates == ("2024-06-01", "2024-11-15")
    with TestClient(create_app(settings, schema)) as client:
        old = client.post("/participants", json={"name": "Old", "email": "o@x.test"}, headers=OLD)
        assert old.status_code == 201 and old.json()["name"] == "Old"
        graph = client.post("/graphql", json={"query": "{ participants { name } }"}, headers=OLD)
        assert graph.json() == {"data": {"participants": [{"name": "Old"}]}}


def test_an_overlay_naming_a_missing_operation_is_refused(tmp_path):
    (tmp_path / "ours.yaml").write_text('operations: {"POST /nowhere": {x-spotcheck-graphql: {}}}')
    with pytest.raises(SchemaError, match="POST /nowhere"):
        load_schema(PARTICIPANTS, cache_dir="", overlay_file=str(tmp_path / "ours.yaml"))


def test_a_deleted_clients_tokens_stop_working(travel):
    headers = bearer(travel)
    assert travel.get("/v2/users", headers=headers).status_code == 200
    store = travel.app.runtime.store
    with store.transaction() as db:
        db.execute("DELETE FROM credentials WHERE client_id = ?", ("uat-client-acme",))
    refused = travel.get("/v2/users", headers=headers)
    assert refused.status_code == 401 and error_codes(refused) == ["TOKEN_INVALID"]
