"""Request bodies shared by the contract suite, the Locust users and the benchmark.

No imports beyond the standard library's typing: Locust (gevent) and the benchmark load it too.
"""

from __future__ import annotations

from typing import Any

# The NDA template of the fixture workspaces (fixtures/uat.json, fixtures/production.json).
NDA_TEMPLATE_ID = 21


def contract_from_template(
    organization: str,
    external_id: str | None = None,
    integration: str = "spotcheck",
    contact: tuple[str, str] = ("Spot", "spot@check.test"),
    template_id: int = NDA_TEMPLATE_ID,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A contract from a fixture template (the NDA unless `template_id` names another, filled
    with `data`) with one organisation as counterparty, tagged with `external_id` (so test
    data can be found, and cleaned up) when given."""
    first_name, email = contact
    body: dict[str, Any] = {
        "contract_template_id": template_id,
        "contract_data": data if data is not None else {"effective_date": "2026-01-01"},
        "counter_party_details": [
            {
                "is_individual": False,
                "organization_name": organization,
                "poc_details": {"first_name": first_name, "email": email},
            }
        ],
    }
    if external_id is not None:
        body["external_metadata"] = {"id": external_id, "integration_name": integration}
    return body
