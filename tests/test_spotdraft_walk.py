"""The consistency walk (issue 15): every GET of the vendor's schema, for every fixture object
(and a contract created from a template, one uploaded), on the verbatim vendor file. Each
answer must be valid against the schema and carry no placeholder (the text "string", a zero
id, a value copied from the vendor's examples), and an object must read the same wherever it
appears: a list entry is its detail, a nested object is its sub-resource entry."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.spec.validation import SchemaChecker
from spotcheck.client.payloads import contract_from_template
from tests.conftest import UAT

pytestmark = pytest.mark.vendor

FIXTURES = Path(__file__).parents[1] / "fixtures"
# path parameter -> the fixture objects walked for it ({"T"}: the contract created below)
OBJECTS: dict[str, tuple[str, ...]] = {
    "template_id": ("21", "22", "23", "24"),
    "counterparty_id": ("41", "42"),
    "contract_type_id": ("11", "12"),
    "clickwrap_public_id": ("6f1c2b9e-3d4a-4c8e-9b7f-2a1d5e8c0f34",),
    "external_metadata_id": ("crm-7",),
}
# required query parameters: a fixture contract type, the company's signatory (both contracts)
REQUIRED_QUERY = {
    "contract_type_id": "11",
    "recipient_email": "admin@acme.test",
    "questionnaire_type": "TEMPLATE",
}
# Item GETs of objects the fixtures hold none of: nothing to walk (their lists are empty).
NO_FIXTURE_OBJECT = {
    "obligation_id",
    "legal_intake_id",
    "obligation_type_id",
    "email_audit_key",
    "file_id",
    "field_name",
}
# Answers still generated rather than read from state, each with why (shrinks as behaviours
# land; the test fails when one is fixed without being taken off, or a new one appears).
KNOWN_GAPS: dict[str, str] = {}


def _meaningful(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) >= 8
    return isinstance(value, int) and not isinstance(value, bool) and value >= 100


def _examples(document: dict[str, Any]) -> tuple[set[Any], set[str]]:
    """Every scalar of the vendor's examples (long enough to mean something) that is no enum
    value: a mock answering one of them is showing the vendor's sample, not its state."""
    found: set[Any] = set()
    enums: set[Any] = set()

    def walk(node: Any, in_example: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "enum" and isinstance(value, list):
                    enums.update(v for v in value if isinstance(v, str))
                walk(value, in_example or key in ("example", "examples"))
        elif isinstance(node, list):
            for item in node:
                walk(item, in_example)
        elif in_example and _meaningful(node):
            found.add(node)

    walk(document, False)
    fixture_text = " ".join(path.read_text(encoding="utf-8") for path in FIXTURES.glob("*.json"))
    return {v for v in found - enums if str(v) not in fixture_text}, enums


def placeholders(body: Any, examples: set[Any], enums: set[str], where: str = "") -> list[str]:
    found = []
    if isinstance(body, dict):
        for key, value in body.items():
            at = f"{where}.{key}" if where else key
            if (key == "id" or key.endswith("_id")) and value == 0:
                found.append(f"{at}: zero id")
            found += placeholders(value, examples, enums, at)
    elif isinstance(body, list):
        for index, item in enumerate(body):
            found += placeholders(item, examples, enums, f"{where}[{index}]")
    elif body == "string" and "string" not in enums:
        found.append(f"{where}: 'string'")
    elif isinstance(body, str | int) and not isinstance(body, bool) and body in examples:
        found.append(f"{where}: the vendor's example {body!r}")
    return found


@pytest.fixture(scope="module")
def walked(vendor_schema, vendor_spec, tmp_path_factory):
    document = yaml.safe_load(Path(vendor_spec).read_text(encoding="utf-8"))
    db = tmp_path_factory.mktemp("walk") / "mock.db"
    app = create_app(
        Settings(spec=vendor_schema.source, db=str(db), rate_limit=0, validate_responses=False),
        vendor_schema,
    )
    with TestClient(app, follow_redirects=False) as client:
        api = "/api/v2.1/public"
        created = client.post(
            f"{api}/contracts/",
            headers=UAT,
            json=contract_from_template(
                "Globex Ltd",
                "crm-7",
                "salesforce",
                contact=("Gina", "gina@globex.test"),
                template_id=22,
                data={"effective_date": "2026-01-01", "contract_value": 9000},
            ),
        ).json()
        uploaded = client.post(
            f"{api}/contracts/upload_sign_contracts/",
            headers=UAT,
            json={
                "contract_name": "Initech order form",
                "contract_type_id": 12,
                "file_name": "order.pdf",
                "file_base64": base64.b64encode(b"%PDF-1.4\n%end\n").decode(),
                "counterparty_organization_name": "Initech LLC",
            },
        ).json()
        cid = created["id"]
        client.post(
            f"{api}/contracts/{cid.split('-')[1]}/comments/",
            headers=UAT,
            json={"comment": "Clause 7 needs the new liability cap"},
        )
        client.post(
            f"{api}/contracts/approvals/{cid}/",
            headers=UAT,
            json={"approvals": [{"name": "Finance review", "notes": "Value over 5k"}]},
        )
        contracts = (cid, uploaded["id"])
        answers: dict[tuple[str, str], Any] = {}
        for operation in app.runtime.schema.index.operations:
            if operation.method != "get":
                continue
            names = list(operation.path_schemas)
            if NO_FIXTURE_OBJECT.intersection(names):
                continue
            paths = [operation.path]
            for name in names:
                schema = operation.path_schemas[name]
                if name in ("contract_id", "composite_id"):
                    values = [
                        c.split("-")[1]
                        if schema.get("type") == "integer" or schema.get("pattern") == "^[0-9]+$"
                        else c
                        for c in contracts
                    ]
                else:
                    values = list(OBJECTS[name])
                paths = [p.replace("{" + name + "}", v) for p in paths for v in values]
            query = {
                p["name"]: REQUIRED_QUERY[p["name"]]
                for p in operation.definition.get("parameters", [])
                if p.get("in") == "query" and p.get("required")
            }
            for path in paths:
                response = client.get(path, headers=UAT, params=query)
                answers[(operation.key, path)] = (response.status_code, response.json())
        yield document, app, answers


def test_every_get_answers_valid_and_without_placeholders(walked):
    document, app, answers = walked
    checker = SchemaChecker(document)
    examples, enums = _examples(document)
    operations = {op.key: op for op in app.runtime.schema.index.operations}
    problems: dict[str, list[str]] = {}
    for (key, path), (status, body) in answers.items():
        operation = operations[key]
        found = [] if status == 200 else [f"{path}: status {status}: {body}"]
        _status, schema = app.runtime.catalog.success_schema(operation)
        if status == 200 and schema is not None:
            found += [f"{path}: schema: {e}" for e in checker.errors(schema, body)]
            found += [f"{path}: {p}" for p in placeholders(body, examples, enums)]
        if found:
            problems.setdefault(key, []).extend(found)
    assert len({key for key, _path in answers}) >= 60
    unexpected = {k: v for k, v in problems.items() if k not in KNOWN_GAPS}
    assert unexpected == {}, "\n".join(f"{k}: {v[:3]}" for k, v in unexpected.items())
    assert sorted(set(KNOWN_GAPS) - set(problems)) == []  # fixed: take it off the list


def _answer(answers, key: str, path: str) -> Any:
    status, body = answers[(key, path)]
    assert status == 200, body
    return body


def test_an_object_reads_the_same_everywhere(walked):
    _document, _app, answers = walked
    v21 = "/api/v2.1/public"
    templates = _answer(answers, f"GET {v21}/templates/", f"{v21}/templates/")["items"]
    for entry in templates:
        detail = _answer(
            answers, f"GET {v21}/templates/{{template_id}}/", f"{v21}/templates/{entry['id']}/"
        )
        assert {k: detail[k] for k in entry} == entry
    listed = _answer(answers, f"GET {v21}/counter_parties/", f"{v21}/counter_parties/")
    for entry in listed["results"]:
        cp = entry["id"]
        detail = _answer(
            answers,
            f"GET {v21}/counter_parties/{{counterparty_id}}",
            f"{v21}/counter_parties/{cp}",
        )
        assert detail == entry
        contacts = _answer(
            answers,
            f"GET {v21}/counter_parties/{{counterparty_id}}/contacts",
            f"{v21}/counter_parties/{cp}/contacts",
        )["results"]
        assert [{k: c[k] for k in ("id", "name", "email")} for c in contacts] == entry["contacts"]
        addresses = _answer(
            answers,
            f"GET {v21}/counter_parties/{{counterparty_id}}/addresses/",
            f"{v21}/counter_parties/{cp}/addresses/",
        )["results"]
        if "primary_address" in entry:
            assert entry["primary_address"] in addresses
    contracts = _answer(answers, f"GET {v21}/contracts/", f"{v21}/contracts/")["results"]
    for entry in contracts:
        status = _answer(
            answers,
            f"GET {v21}/contracts/{{composite_id}}/status",
            f"{v21}/contracts/{entry['id']}/status",
        )
        assert status["contract_status"] == entry["contract_status"]
        assert status["contract_name"] == entry["contract_name"]
    [by_external] = _answer(
        answers,
        f"GET {v21}/contracts/by_external_metadata/{{external_metadata_id}}",
        f"{v21}/contracts/by_external_metadata/crm-7",
    )
    entry = next(c for c in contracts if c["contract_name"] == by_external["contract_name"])
    assert by_external["contract_link"] == entry["contract_link"]
    entities = _answer(
        answers, f"GET {v21}/organizations/entities/", f"{v21}/organizations/entities/"
    )
    signing = _answer(
        answers,
        f"GET {v21}/contract_types/{{contract_type_id}}/entities",
        f"{v21}/contract_types/12/entities",
    )
    assert [(e["id"], e["name"]) for e in entities] == [
        (s["entity_id"], s["entity_name"]) for s in signing
    ]
    roles = _answer(answers, f"GET {v21}/auth/roles/", f"{v21}/auth/roles/")["active_roles"]
    v1_roles = _answer(answers, "GET /api/v1/public/auth/roles", "/api/v1/public/auth/roles")
    assert [(r["id"], r["name"]) for r in roles] == [(r["id"], r["name"]) for r in v1_roles]
