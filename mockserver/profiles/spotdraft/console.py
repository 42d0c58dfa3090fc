"""The SpotDraft workspace on the console: contracts with their lifecycle status and the steps
the vendor's UI takes (send, mark for execution, sign, ...), templates with their metadata,
counterparties and webhook subscriptions.

Each action is a button that POSTs to this family's admin route
`/__admin/contracts/{id}/{action}` (`admin_routes.py`); it is offered only in the statuses
the lifecycle allows it from (`lifecycle.TRANSITIONS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.profiles.base import ConsoleAction, ConsoleSection
from mockserver.profiles.spotdraft.contracts import KIND, Contracts
from mockserver.profiles.spotdraft.lifecycle import TRANSITIONS
from mockserver.webhooks.outbox import SUBSCRIPTIONS
from mockserver.webhooks.rules import mask_url

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

# what the console offers, in the order the vendor's UI walks a contract
CONSOLE_ACTIONS = ("send", "mark_for_execution", "sign", "decline", "hold", "resume", "void")


def contract_row(contract: dict[str, Any]) -> dict[str, Any]:
    signatories = contract.get("signatories") or []
    return {
        "id": contract["id"],
        "name": contract.get("contract_name") or contract.get("file_name") or "",
        "status": contract.get("status", ""),
        "counterparty": contract.get("counter_party_name", ""),
        "template": contract.get("template_id", ""),
        "signed": f"{sum(1 for s in signatories if s.get('signed'))}/{len(signatories)}",
        "updated": contract.get("updated", ""),
    }


def template_row(template: dict[str, Any]) -> dict[str, Any]:
    fields = template.get("fields") or []
    return {
        "id": template.get("id"),
        "name": template.get("name", ""),
        "contract_type": template.get("contract_type_id", ""),
        "tags": ", ".join(template.get("tags") or []),
        "counterparty_types": ", ".join(template.get("cp_types") or []),
        "fields": ", ".join(
            f"{f.get('name')}: {f.get('type')}{'*' if f.get('required') else ''}" for f in fields
        ),
    }


def spotdraft_console(runtime: Runtime, contracts: Contracts) -> tuple[ConsoleSection, ...]:
    def records(kind: str) -> list[dict[str, Any]]:
        return runtime.store.list_records(runtime.workspace.id, kind)

    def contract_rows() -> list[dict[str, Any]]:
        newest_first = sorted(
            contracts.all(runtime.workspace.id), key=lambda c: -int(c.get("contract_id", 0))
        )
        return [contract_row(c) for c in newest_first]

    actions = tuple(
        ConsoleAction(
            name.replace("_", " "),
            "/__admin/contracts/{id}/" + name,
            TRANSITIONS[name].sources,
        )
        for name in CONSOLE_ACTIONS
    )
    return (
        ConsoleSection(
            "Contracts",
            ("id", "name", "status", "counterparty", "template", "signed", "updated"),
            contract_rows,
            actions,
            kinds=(KIND,),
        ),
        ConsoleSection(
            "Templates",
            ("id", "name", "contract_type", "tags", "counterparty_types", "fields"),
            lambda: [template_row(t) for t in records("templates")],
            kinds=("templates",),
        ),
        ConsoleSection(
            "Counterparties",
            ("id", "name", "is_individual"),
            lambda: records("counter_parties"),
            kinds=("counter_parties",),
        ),
        ConsoleSection(
            "Webhook subscriptions",
            ("id", "title", "url", "status", "only_for_activities"),
            lambda: [
                {
                    **s,
                    "url": mask_url(str(s.get("url", ""))),
                    "only_for_activities": ", ".join(s.get("only_for_activities") or []),
                }
                for s in records(SUBSCRIPTIONS)
            ],
            kinds=(SUBSCRIPTIONS,),
        ),
    )
