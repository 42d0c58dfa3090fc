"""Templates from state: a contract built the way the vendor's docs say - read the template's
metadata, fill `contract_data` from its attributes - is created, for every fixture template,
on the verbatim vendor schema; the documented list filters are honoured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.spec.validation import SchemaChecker
from tests.conftest import UAT

API = "/api/v2.1/public"
FIXTURE_TEMPLATES = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "uat.json").read_text(encoding="utf-8")
)["templates"]


@pytest.fixture(scope="module")
def vendor_document(vendor_spec: Path) -> dict[str, Any]:
    return yaml.safe_load(vendor_spec.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vendor_client(vendor_schema, tmp_path_factory):
    db = tmp_path_factory.mktemp("templates") / "mock.db"
    app = create_app(
        Settings(spec=vendor_schema.source, db=str(db), rate_limit=0, validate_responses=True),
        vendor_schema,
    )
    with TestClient(app, follow_redirects=False) as client:
        yield client


def _schema(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def value_for(attribute: dict[str, Any]) -> Any:
    """What an integrator sends for a descriptor, by the vendor's descriptor types only."""
    options = [option["value"] for option in attribute.get("options", [])]
    return {
        "string": f"{attribute['display_label']} as agreed",
        "int": 12,
        "float": 1250.5,
        "date": "2026-03-01",
        "boolean": True,
        "enum": options[0] if options else None,
        "array of options": options[:1],
        "array of strings": ["Phase one report", "Final report"],
    }[attribute["type"]]


def party_for(kind: str) -> dict[str, Any]:
    poc = {"first_name": "Gina", "last_name": "Globex", "email": "gina@globex.test"}
    if kind == "Individual":
        return {"is_individual": True, "poc_details": poc}
    return {"is_individual": False, "organization_name": "Globex Ltd", "poc_details": poc}


@pytest.mark.parametrize("template", FIXTURE_TEMPLATES, ids=lambda t: str(t["id"]))
def test_a_contract_built_from_the_metadata_is_created(vendor_client, vendor_document, template):
    checker = SchemaChecker(vendor_document)
    answer = vendor_client.get(f"{API}/templates/{template['id']}/metadata", headers=UAT)
    assert answer.status_code == 200, answer.text
    metadata = answer.json()
    assert checker.errors(_schema("TemplateMetaDataResponseV2"), metadata) == []
    attributes = metadata["attributes"]
    assert [a["variable"] for a in attributes] == [f["name"] for f in template["fields"]]
    assert [a["required"] for a in attributes] == [f["required"] for f in template["fields"]]
    kind = metadata["counter_party_kind"]
    body = {
        "contract_template_id": template["id"],
        "contract_data": {a["variable"]: value_for(a) for a in attributes},
        "counter_party_details": [party_for("Organisation" if kind == "Both" else kind)],
    }
    assert checker.errors(_schema("ExternalCreateContractSerializerV2_1"), body) == []
    created = vendor_client.post(f"{API}/contracts/", headers=UAT, json=body)
    assert created.status_code == 201, created.text
    assert checker.errors(_schema("ExternalCreateContractResponse"), created.json()) == []
    # Only the required attributes are enough; one required missing is a 400.
    required = {a["variable"]: value_for(a) for a in attributes if a["required"]}
    minimal = vendor_client.post(
        f"{API}/contracts/", headers=UAT, json={**body, "contract_data": required}
    )
    assert minimal.status_code == 201, minimal.text
    missing = dict(list(required.items())[1:])
    refused = vendor_client.post(
        f"{API}/contracts/", headers=UAT, json={**body, "contract_data": missing}
    )
    assert refused.status_code == 400
    assert next(iter(required)) in refused.json()["detail"]


def test_v1_metadata_uses_the_v1_types(vendor_client, vendor_document):
    answer = vendor_client.get("/api/v1/public/templates/22/metadata", headers=UAT)
    assert answer.status_code == 200
    body = answer.json()
    assert SchemaChecker(vendor_document).errors(_schema("TemplateMetaDataResponse"), body) == []
    assert {a["variable"]: a["type"] for a in body["attributes"]} == {
        "effective_date": "date",
        "contract_value": "number",
        "billing_currency": "dropdown",
        "auto_renewal": "check-box",
    }


def test_wrong_values_for_the_descriptors_are_refused(client):
    body = {
        "contract_template_id": 22,
        "contract_data": {
            "effective_date": "2026-01-01",
            "contract_value": 10,
            "billing_currency": "GBP",
        },
        "counter_party_details": [party_for("Organisation")],
    }
    refused = client.post(f"{API}/contracts/", headers=UAT, json=body)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "contract_data.billing_currency"
    individual = client.post(
        f"{API}/contracts/",
        headers=UAT,
        json={
            **body,
            "contract_data": {"effective_date": "2026-01-01", "contract_value": 10},
            "counter_party_details": [party_for("Individual")],
        },
    )
    assert individual.status_code == 400 and "Individual" in individual.json()["detail"]


def _listed(client, query: str) -> list[int]:
    answer = client.get(f"{API}/templates/?{query}", headers=UAT)
    assert answer.status_code == 200, answer.text
    return [t["id"] for t in answer.json()["items"]]


def test_template_list_filters(client):
    assert _listed(client, "") == [21, 22, 23]
    assert _listed(client, "include_archived=true") == [21, 22, 23, 24]
    assert _listed(client, "exclude_multi_party=true") == [21, 23]
    assert _listed(client, "cp_types=Individual") == [21, 23]
    assert _listed(client, "cp_types=Individual&cp_types_all=true") == [23]
    assert _listed(client, "cp_types=Organisation") == [21, 22]
    # tags: the template's tags within those passed; tags_all: those passed within its tags
    assert _listed(client, "tags=nda&tags=standard&tags=consulting") == [21, 23]
    assert _listed(client, "tags_all=sales&include_archived=true") == [22, 24]
    for bad in ("cp_types=Company", "include_archived=maybe", "exclude_multi_party=2"):
        answer = client.get(f"{API}/templates/?{bad}", headers=UAT)
        assert answer.status_code == 400, bad
        assert "detail" in answer.json()


def test_template_details_carry_the_tags_from_state_and_take_updates(client):
    detail = client.get(f"{API}/templates/21/", headers=UAT).json()
    assert detail == {
        "id": 21,
        "name": "Mutual NDA",
        "contract_type_id": 11,
        "tags": ["nda", "standard"],
    }
    patched = client.patch(f"{API}/templates/21/", headers=UAT, json={"tags": ["nda", "emea"]})
    assert patched.status_code == 200 and patched.json()["tags"] == ["nda", "emea"]
    assert client.get(f"{API}/templates/21/", headers=UAT).json()["tags"] == ["nda", "emea"]
    assert _listed(client, "tags_all=emea") == [21]
    assert client.get(f"{API}/templates/99/", headers=UAT).status_code == 404
