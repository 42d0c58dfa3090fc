"""Contracts: creation (template, upload for review or signature, executed import), lookup,
lifecycle transitions and external metadata, kept in the store with an activity per change.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mockserver.profiles.spotdraft.lifecycle as lifecycle
import mockserver.profiles.spotdraft.templates as templates
from mockserver.auth.authenticator import Identity
from mockserver.behaviours.activities import list_activities, record_activity
from mockserver.errors import ApiProblem, FieldError
from mockserver.profiles.spotdraft.pdf import contract_pdf
from mockserver.state.store import Db, Store, utc_now

KIND = "contracts"


@dataclass(frozen=True)
class Actor:
    """Who performs an action: the credential's user or the `user-email` user."""

    email: str
    name: str
    user_id: int = 0  # the workspace user's id when authentication named one (0: look it up)

    @classmethod
    def of(cls, identity: Identity | None) -> Actor:
        if identity is None or not identity.user_email:
            return cls("system@spotcheck.invalid", "spotcheck")
        return cls(identity.user_email, identity.user_email.split("@")[0], identity.user_id)


class Contracts:
    def __init__(self, store: Store, now: Callable[[], str] = utc_now) -> None:
        self.store = store
        self._now = now  # the server's clock: every timestamp an answer or payload carries

    # -- reading -----------------------------------------------------------------------

    def get(self, workspace_id: int, reference: str) -> dict[str, Any]:
        """A contract by composite id (T-12 / H-12) or by its number (12)."""
        number = reference.split("-", 1)[1] if reference[:2] in ("T-", "H-") else reference
        contract = self.store.get_record(workspace_id, KIND, number) if number.isdigit() else None
        if contract is None or (reference[:2] in ("T-", "H-") and contract["id"] != reference):
            raise ApiProblem(404, f"No contract {reference} in this workspace.")
        return contract

    def all(self, workspace_id: int) -> list[dict[str, Any]]:
        return self.store.list_records(workspace_id, KIND)

    def by_external_id(self, workspace_id: int, external_id: str) -> list[dict[str, Any]]:
        return [
            c
            for c in self.all(workspace_id)
            if str((c.get("external_metadata") or {}).get("id", "")) == external_id
        ]

    def file_bytes(self, contract: dict[str, Any]) -> bytes:
        """The uploaded PDF as it was sent; otherwise the contract drawn as it is now."""
        encoded = contract.get("file_base64")
        raw = base64.b64decode(encoded) if encoded else b""
        if raw.startswith(b"%PDF-"):
            return raw
        workspace = self.store.query_one(
            "SELECT name FROM workspaces WHERE id = ?", (contract["created_by_workspace"],)
        )
        return contract_pdf(contract, workspace["name"] if workspace else "")

    # -- creating ----------------------------------------------------------------------

    def create_from_template(
        self, workspace_id: int, actor: Actor, body: dict[str, Any]
    ) -> dict[str, Any]:
        template_id = body.get("contract_template_id")
        template = (
            self.store.get_record(workspace_id, "templates", str(template_id))
            if template_id
            else None
        )
        if template is None:
            raise ApiProblem(
                400,
                f"contract_template_id {template_id} is not a template of this workspace.",
                errors=[FieldError("contract_template_id", "unknown template")],
            )
        data = body.get("contract_data") or {}
        templates.check_contract_data(template, data)
        templates.check_counterparties(template, body.get("counter_party_details"))
        contract_type = (
            self.store.get_record(
                workspace_id, "contract_types", str(template.get("contract_type_id"))
            )
            or {}
        )
        counterparties = body.get("counter_party_details") or []
        name = f"{template['name']} - {_counterparty_name(counterparties) or 'Draft'}"
        fields = {
            "kind": "TEMPLATE",
            "contract_name": name,
            "template_id": template["id"],
            "contract_type_id": template.get("contract_type_id", 0),
            "contract_type_name": contract_type.get("name", ""),
            "contract_data": data,
            "counter_party_details": counterparties,
            "counter_party_name": _counterparty_name(counterparties),
            "signatories": _signatories(counterparties, actor),
        }
        return self._create(
            workspace_id, actor, "T", lifecycle.DRAFT, fields, body.get("external_metadata")
        )

    def create_uploaded(
        self, workspace_id: int, actor: Actor, body: dict[str, Any], purpose: str
    ) -> dict[str, Any]:
        """Upload for review (REDLINING), for signature (SIGN) or an executed import (EXECUTED)."""
        contract_type = (
            self.store.get_record(workspace_id, "contract_types", str(body.get("contract_type_id")))
            or {}
        )
        encoded = body.get("file_base64") or body.get("file_content") or ""
        try:
            raw = base64.b64decode(encoded, validate=True) if encoded else b""
        except (binascii.Error, ValueError):
            raise ApiProblem(
                400,
                "The file is not valid base64.",
                errors=[FieldError("file_base64", "not base64")],
            ) from None
        counterparty = body.get("counterparty_organization_name") or _counterparty_name(
            body.get("counterparty_details") or []
        )
        status = {
            "review": lifecycle.REDLINING,
            "signature": lifecycle.SIGN,
            "executed": lifecycle.EXECUTED,
        }[purpose]
        fields = {
            "kind": "HISTORICAL",
            "contract_name": body.get("contract_name") or body.get("file_name", "Upload"),
            "contract_type_id": body.get("contract_type_id", 0),
            "contract_type_name": contract_type.get("name", ""),
            "file_name": body.get("file_name", "contract.pdf"),
            "file_base64": base64.b64encode(raw).decode(),
            "counter_party_name": counterparty or "",
            "signatories": _signatories(
                [{"organization_name": counterparty}] if counterparty else [], actor
            ),
        }
        return self._create(workspace_id, actor, "H", status, fields, body.get("external_metadata"))

    def _create(
        self,
        workspace_id: int,
        actor: Actor,
        prefix: str,
        status: str,
        fields: dict[str, Any],
        external: Any,
    ) -> dict[str, Any]:
        now = self._now()
        with self.store.transaction() as db:
            number = self.store.next_id(db, workspace_id, KIND)
            contract = {
                "id": f"{prefix}-{number}",
                "contract_id": number,
                "status": status,
                "created": now,
                "updated": now,
                "created_by": actor.email,
                "created_by_user_name": actor.name,
                "created_by_user_email": actor.email,
                "created_by_workspace": workspace_id,
                **self._owner(workspace_id, actor),
                "external_metadata": external if isinstance(external, dict) else {},
                "reference_id": f"REF-{number:05d}",
                **fields,
            }
            self._save(db, workspace_id, contract)
            self._activity(db, workspace_id, contract, "CONTRACT_CREATED", actor)
            if contract["external_metadata"]:
                self._activity(
                    db, workspace_id, contract, "CONTRACT_EXTERNAL_METADATA_CREATED", actor
                )
            if status == lifecycle.EXECUTED:
                self._activity(db, workspace_id, contract, "CONTRACT_EXECUTED", actor)
        return contract

    def _owner(self, workspace_id: int, actor: Actor) -> dict[str, Any]:
        """The creator's user id (the contract's assignee) and the entity it is made for
        (the workspace's primary one), for the contract list's filters."""
        user = (
            {"id": actor.user_id}
            if actor.user_id > 0
            else self.store.query_one(
                "SELECT id FROM users WHERE workspace_id = ? AND email = ?",
                (workspace_id, actor.email),
            )
        )
        entities = self.store.list_records(workspace_id, "organizations/entities")
        primary = next((e for e in entities if e.get("is_primary") or e.get("is_default")), None)
        owner: dict[str, Any] = {"entity_name": (primary or {}).get("name", "")}
        if user is not None:
            owner["created_by_user_id"] = int(user["id"]) % 100000
        return owner

    # -- changing ----------------------------------------------------------------------

    def transition(
        self, workspace_id: int, reference: str, action: str, actor: Actor, **details: Any
    ) -> dict[str, Any]:
        with self.store.transaction() as db:
            contract = self.get(workspace_id, reference)
            step = lifecycle.check(action, contract["status"], contract["id"])
            if action == "hold":
                contract["status_before_hold"] = contract["status"]
            if action == "sign":
                return self._sign(db, workspace_id, contract, actor)
            target = step.target or contract.pop("status_before_hold", lifecycle.DRAFT)
            contract["status"] = target
            if action == "decline":
                for signatory in contract.get("signatories", []):
                    signatory["signed"] = False
            contract.update({f"last_{action}": details} if details else {})
            self._save(db, workspace_id, contract)
            self._activity(db, workspace_id, contract, step.activity, actor)
            if action == "mark_for_execution":
                self._activity(db, workspace_id, contract, "CONTRACT_SIGNATURE_REQUESTED", actor)
        return contract

    def _sign(
        self, db: Db, workspace_id: int, contract: dict[str, Any], actor: Actor
    ) -> dict[str, Any]:
        # Every outstanding signatory signs, counterparty first, as the real signing flow ends.
        signatories = sorted(
            contract.get("signatories", []), key=lambda s: s["party"] != "COUNTERPARTY"
        )
        for signatory in signatories:
            if not signatory["signed"]:
                signatory["signed"] = True
                signatory["signed_at"] = self._now()
                self._activity(
                    db,
                    workspace_id,
                    contract,
                    "CONTRACT_SIGNED",
                    Actor(signatory["email"], signatory["name"]),
                )
        contract["signatories"] = signatories
        contract["status"] = lifecycle.EXECUTED
        contract["execution_date"] = self._now()
        self._save(db, workspace_id, contract)
        self._activity(db, workspace_id, contract, "CONTRACT_EXECUTED", actor)
        return contract

    def set_external_metadata(
        self, workspace_id: int, reference: str, metadata: dict[str, Any], actor: Actor
    ) -> dict[str, Any]:
        with self.store.transaction() as db:
            contract = self.get(workspace_id, reference)
            lifecycle.editable(contract["status"], contract["id"])
            activity = (
                "CONTRACT_EXTERNAL_METADATA_UPDATED"
                if contract.get("external_metadata")
                else "CONTRACT_EXTERNAL_METADATA_CREATED"
            )
            contract["external_metadata"] = {
                **(contract.get("external_metadata") or {}),
                **metadata,
            }
            self._save(db, workspace_id, contract)
            self._activity(db, workspace_id, contract, activity, actor)
        return contract

    def update_data(
        self, workspace_id: int, reference: str, data: dict[str, Any], actor: Actor
    ) -> dict[str, Any]:
        with self.store.transaction() as db:
            contract = self.get(workspace_id, reference)
            lifecycle.editable(contract["status"], contract["id"])
            contract["contract_data"] = {**(contract.get("contract_data") or {}), **data}
            self._save(db, workspace_id, contract)
            self._activity(db, workspace_id, contract, "CONTRACT_DATA_UPDATED", actor)
        return contract

    def activities(self, workspace_id: int, reference: str | None = None) -> list[dict[str, Any]]:
        return list_activities(self.store, workspace_id, reference)

    def _save(self, db: Db, workspace_id: int, contract: dict[str, Any]) -> None:
        contract["updated"] = self._now()
        self.store.put_record(db, workspace_id, KIND, str(contract["contract_id"]), contract)

    def _activity(
        self,
        db: Db,
        workspace_id: int,
        contract: dict[str, Any],
        activity: str,
        actor: Actor,
    ) -> None:
        record_activity(
            db, workspace_id, contract["id"], activity, actor.email, contract, self._now()
        )


def _counterparty_name(details: list[dict[str, Any]]) -> str:
    for party in details:
        poc = party.get("poc_details") or {}
        person = " ".join(filter(None, [poc.get("first_name"), poc.get("last_name")]))
        name = party.get("organization_name") or person
        if name:
            return str(name)
    return ""


def _signatories(counterparties: list[dict[str, Any]], actor: Actor) -> list[dict[str, Any]]:
    signatories = []
    for index, party in enumerate(counterparties):
        poc = party.get("poc_details") or {}
        person = " ".join(filter(None, [poc.get("first_name"), poc.get("last_name")]))
        signatories.append(
            {
                "party": "COUNTERPARTY",
                "name": person or party.get("organization_name") or f"Counterparty {index + 1}",
                "email": poc.get("email") or f"signer{index + 1}@counterparty.invalid",
                "signed": False,
            }
        )
    signatories.append(
        {"party": "COMPANY", "name": actor.name, "email": actor.email, "signed": False}
    )
    return signatories
