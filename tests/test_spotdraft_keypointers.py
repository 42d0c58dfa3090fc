"""Key pointers from the templates' fields: a contract type's definitions, a contract's values
and the update of one value (checked against its field, seen in contract_data)."""

from __future__ import annotations

from spotcheck.client.payloads import contract_from_template
from tests.conftest import UAT

API = "/api/v2.1/public"


def test_definitions_values_and_an_update_agree(client):
    body = contract_from_template(
        "Globex Ltd",
        contact=("Gina", "gina@globex.test"),
        template_id=22,
        data={"effective_date": "2026-01-01", "contract_value": 9000},
    )
    cid = client.post(f"{API}/contracts/", headers=UAT, json=body).json()["id"]
    definitions = client.get(f"{API}/key_pointers/", headers=UAT, params={"contract_type_id": 12})
    assert definitions.status_code == 200, definitions.text
    variables = [d["descriptors"][0]["variable"] for d in definitions.json()]
    # MSA (22), the individual consulting agreement (23) and the archived reseller (24)
    assert variables[:4] == ["effective_date", "contract_value", "billing_currency", "auto_renewal"]
    assert "hourly_rate" in variables and "territory" in variables
    values = client.get(f"{API}/contracts/{cid}/key_pointers", headers=UAT).json()
    assert [(v["field_name"], v["value"], v["data_type"]) for v in values] == [
        ("effective_date", "2026-01-01", "DATE"),
        ("contract_value", 9000, "FLOAT"),
    ]
    value_id = values[1]["id"]
    url = f"{API}/contracts/{cid}/key_pointers/{value_id}"
    updated = client.patch(url, headers=UAT, json={"value": 12500.5})
    assert updated.status_code == 200, updated.text
    assert updated.json()["value"] == 12500.5
    after = client.get(f"{API}/contracts/{cid}/key_pointers", headers=UAT).json()
    assert after[1] == updated.json()
    assert client.patch(url, headers=UAT, json={"value": "lots"}).status_code == 400
    assert client.patch(f"{url}9", headers=UAT, json={"value": 1}).status_code == 404
    wrong = client.get(f"{API}/key_pointers/", headers=UAT, params={"contract_type_id": "x"})
    assert wrong.status_code == 400
