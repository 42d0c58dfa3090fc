"""A full-replacement family (PUT sends the whole object) on schemas that say otherwise, or
not: Dropbox Sign's `PUT /api_app/{client_id}` takes any subset of `ApiAppUpdateRequest`
(its create body requires `name` and `domains`), and CI's Schemathesis run caught the mock
refusing one (400 "PUT replaces the whole object"): such a PUT merges. PayPal's template PUT
sends the create body itself ("does not support partial updates"), and a body reached through
`components/requestBodies` and `allOf` still requires what it requires: those keep the rule.

Run on the corpus file where it lies; skipped, loudly, where the corpus is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml

from mockserver.behaviours.replacement import schema_allows_partial, server_fields
from mockserver.spec.index import Operation
from tests.corpus_run import auth_headers, served

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("SPOTCHECK_CORPUS_DIR") or ROOT.parent / "shared/specs/corpus")
DROPBOX = CORPUS / "dropboxsign-signature.yaml"
PAYPAL = CORPUS / "paypal-invoicing.json"
TRAVEL = ROOT / "openapi" / "samples" / "travel-users.yaml"


@contextmanager
def _client(spec: Path, db: Path) -> Iterator[httpx.Client]:
    if not spec.is_file():
        pytest.skip(f"no schema at {spec} (set SPOTCHECK_CORPUS_DIR): NOT run")
    with served(spec, db) as mock:
        assert mock.profile == "oauth2-client-credentials"  # PUT takes the whole object
        document = yaml.load(spec.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        with httpx.Client(base_url=mock.url, headers=auth_headers(mock, document)) as client:
            yield client


@pytest.fixture(scope="module")
def dropbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with _client(DROPBOX, tmp_path_factory.mktemp("dropbox") / "mock.db") as client:
        yield client


def test_an_update_body_that_requires_nothing_takes_a_subset_and_keeps_the_rest(dropbox):
    created = dropbox.post("/api_app", json={"name": "Signer", "domains": ["acme.test"]})
    assert created.status_code == 201, created.text
    client_id = created.json()["api_app"]["client_id"]
    update = {"callback_url": "https://acme.test/hook"}
    updated = dropbox.put(f"/api_app/{client_id}", json=update)
    assert updated.status_code == 200, updated.text
    app = dropbox.get(f"/api_app/{client_id}").json()["api_app"]
    assert (app["callback_url"], app["name"], app["domains"]) == (
        "https://acme.test/hook",
        "Signer",
        ["acme.test"],
    )


def test_a_put_that_sends_the_create_body_keeps_full_replacement(tmp_path: Path):
    with _client(PAYPAL, tmp_path / "mock.db") as paypal:
        made = paypal.post(
            "/v2/invoicing/templates",
            json={"name": "Std", "default_template": True, "unit_of_measure": "HOURS"},
        )
        assert made.status_code in (200, 201), made.text
        subset = paypal.put(f"/v2/invoicing/templates/{made.json()['id']}", json={"name": "R"})
        assert subset.status_code == 400, subset.text
        assert "unit_of_measure" in subset.text


def test_a_body_behind_request_bodies_and_all_of_still_requires_its_fields(tmp_path: Path):
    document = yaml.safe_load(TRAVEL.read_text(encoding="utf-8"))
    document["components"]["requestBodies"] = {
        "CompanyBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"allOf": [{"$ref": "#/components/schemas/CompanyInput"}]}
                }
            },
        }
    }
    item = document["paths"]["/v2/companies/{companyId}"]
    item["put"]["requestBody"] = {"$ref": "#/components/requestBodies/CompanyBody"}
    spec = tmp_path / "travel-wrapped.yaml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    with _client(spec, tmp_path / "mock.db") as travel:
        made = travel.post("/v2/companies", json={"name": "Acme", "country": "FR"})
        assert made.status_code == 201, made.text
        subset = travel.put(f"/v2/companies/{made.json()['id']}", json={"name": "Acme 2"})
        assert subset.status_code == 400, subset.text
        assert "country" in subset.text


@pytest.mark.parametrize("slash", ["", "/"])
def test_the_create_beside_a_put_is_found_with_or_without_a_trailing_slash(slash: str):
    def body(required: list[str]) -> dict[str, object]:
        schema = {"type": "object", "required": required, "properties": {"name": {}}}
        return {"content": {"application/json": {"schema": schema}}}

    collection, item = f"/things{slash}", f"/things/{{id}}{slash}"
    document = {
        "paths": {
            collection: {"post": {"requestBody": body(["name"])}},
            item: {"put": {"requestBody": body([])}},
        }
    }
    put = Operation("put", item, "update", (), document["paths"][item]["put"])
    assert schema_allows_partial(document, put)


def test_a_whole_object_put_keeps_what_the_mock_made_at_creation(tmp_path: Path):
    """Lago's `lago_id` and `created_at` are the server's, never the client's to send: a PUT
    of the plan (which merges, see above) leaves them as they were made."""
    with _client(CORPUS / "lago-billing.yaml", tmp_path / "mock.db") as lago:
        plan = {"name": "Startup", "code": "startup", "interval": "monthly"}
        plan |= {"amount_cents": 100, "amount_currency": "USD", "pay_in_advance": True}
        made = lago.post("/plans", json={"plan": plan})
        assert made.status_code in (200, 201), made.text
        before = made.json()["plan"]
        put = lago.put("/plans/startup", json={"plan": {**plan, "name": "Renamed"}})
        assert put.status_code == 200, put.text
        after = lago.get("/plans/startup").json()["plan"]
        assert after["name"] == "Renamed"
        assert (after["lago_id"], after["created_at"]) == (before["lago_id"], before["created_at"])


def test_a_wrapped_update_that_requires_nothing_merges(tmp_path: Path):
    """Lago wraps both bodies (`{"plan": {...}}`): inside, the create requires six fields and
    the update none, so a PUT naming one field changes that field and keeps the rest (it
    had cleared them, the wrapper hiding them from the completeness check)."""
    with _client(CORPUS / "lago-billing.yaml", tmp_path / "mock.db") as lago:
        plan = {"name": "Startup", "code": "startup", "interval": "monthly"}
        plan |= {"amount_cents": 100, "amount_currency": "USD", "pay_in_advance": True}
        made = lago.post("/plans", json={"plan": {**plan, "description": "first"}})
        assert made.status_code in (200, 201), made.text
        put = lago.put("/plans/startup", json={"plan": {"name": "Renamed"}})
        assert put.status_code == 200, put.text
        after = lago.get("/plans/startup").json()["plan"]
        assert (after["name"], after["description"], after["amount_cents"]) == (
            "Renamed",
            "first",
            100,
        )


def test_a_wrapped_whole_object_put_keeps_the_server_fields(
    tmp_path: Path,
):
    """Lago's add-ons keep full replacement (one schema for create and update): `lago_id`
    echoed back from a read (or made up) does not replace the server's, and a later PUT
    without it keeps it."""
    with _client(CORPUS / "lago-billing.yaml", tmp_path / "mock.db") as lago:
        add_on = {"name": "A", "code": "a", "amount_cents": 500, "amount_currency": "EUR"}
        made = lago.post("/add_ons", json={"add_on": add_on})
        assert made.status_code in (200, 201), made.text
        lago_id = made.json()["add_on"]["lago_id"]
        forged = {**add_on, "name": "A2", "lago_id": "00000000-0000-0000-0000-000000000000"}
        whole = lago.put("/add_ons/a", json={"add_on": forged})
        assert whole.status_code == 200, whole.text
        again = lago.put("/add_ons/a", json={"add_on": {**add_on, "name": "A3"}})
        assert again.status_code == 200, again.text
        after = lago.get("/add_ons/a").json()["add_on"]
        assert (after["name"], after["amount_cents"], after["lago_id"]) == ("A3", 500, lago_id)


def test_a_fixture_object_keeps_what_no_update_sets():
    current = {"id": "1", "name": "Fixture", "lago_id": "L", "created_at": "2024-01-01"}
    writable = {"name": {}, "code": {}}
    assert server_fields(current, writable, None) == {"id", "lago_id", "created_at"}
    assert server_fields(current, writable, {"name", "lago_id"}) == {"id", "created_at"}
    assert server_fields(current, {}, None) == set()  # a body the schema says nothing of
