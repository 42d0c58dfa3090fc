"""What the workspace knows about a contract's progress, read from the contract and its
activity log: process metrics, recipients (its signatories), a recipient's or an embedded
counterparty's signing link, the scanned text, the users allowed to see it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from mockserver.behaviours import Handler, Registration
from mockserver.behaviours.http import page_of
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem, FieldError
from mockserver.profiles.spotdraft.contract_state import ContractStateRoutes
from mockserver.profiles.spotdraft.directory import DESIGNATIONS
from mockserver.profiles.spotdraft.routing import answer, versioned


class Insights(ContractStateRoutes):
    def registrations(self) -> tuple[Registration, ...]:
        table: dict[tuple[str, str], Handler] = {
            ("GET", "/contracts/{contract_id}/process_metrics/"): self.process_metrics,
            ("GET", "/contracts/{composite_id}/recipients/"): self.recipients,
            ("GET", "/contracts/{contract_id}/recipients/recipient_link/"): self.recipient_link,
            (
                "GET",
                "/contracts/embedded/contracts/{contract_id}/counter_party/",
            ): self.embedded_link,
            ("GET", "/contracts/{composite_id}/content/scanned"): self.scanned,
            ("GET", "/contracts/{contract_id}/authorized_users/"): self.authorized_users,
        }
        return versioned(table)

    def _contract(self, context: RequestContext) -> dict[str, Any]:
        return self.contract(context)

    def _first(self, contract: dict[str, Any], activity: str) -> str | None:
        for entry in self.contracts.activities(self.workspace_id(), contract["id"]):
            if entry["activity"] == activity:
                return str(entry["at"])
        return None

    async def process_metrics(self, request: Request, context: RequestContext) -> Response:
        contract = self._contract(context)
        activities = self.contracts.activities(self.workspace_id(), contract["id"])
        turns = [a for a in activities if a["activity"] == "CONTRACT_SENT_TO_COUNTERPARTY"]
        metrics: dict[str, Any] = {
            "contract_id": contract["contract_id"],
            "contract_status": contract["status"],
            "type_of_workflow": "TEMPLATE" if contract.get("kind") == "TEMPLATE" else "UPLOAD",
            "contract_signed_by_signatory_list": [
                {
                    "is_creator_party": s["party"] == "COMPANY",
                    "signed_datetime": s["signed_at"],
                    "signatory_email": s["email"],
                }
                for s in contract.get("signatories", [])
                if s.get("signed") and s.get("signed_at")
            ],
            "contract_turns": {"no_of_turns": len(turns)},
        }
        if turns:
            metrics["contract_turns"]["last_turn_change_datetime"] = str(turns[-1]["at"])
            metrics["contract_turns"]["last_turn_change_org_user_email"] = turns[-1]["performed_by"]
        for field, activity in (
            ("contract_sent_to_cp_datetime", "CONTRACT_SENT_TO_COUNTERPARTY"),
            ("marked_for_signature_datetime", "CONTRACT_SIGNATURE_REQUESTED"),
            ("contract_executed_datetime", "CONTRACT_EXECUTED"),
        ):
            when = self._first(contract, activity)
            if when:
                metrics[field] = when
        pending = {s["party"] for s in contract.get("signatories", []) if not s.get("signed")}
        if contract["status"] == "SIGN" and pending:
            metrics["pending_with"] = (
                "BOTH"
                if len(pending) > 1
                else "COUNTER_PARTY"
                if "COUNTERPARTY" in pending
                else "CREATOR_PARTY"
            )
        return answer(self.catalog, context, metrics)

    def _recipient(self, contract: dict[str, Any], index: int, signatory: dict[str, Any]) -> Any:
        sent = self._first(contract, "CONTRACT_SIGNATURE_REQUESTED")
        recipient: dict[str, Any] = {
            "id": contract["contract_id"] * 100 + index + 1,
            "recipient_type": "SIGNATORY",
            "user": {"id": index + 1, "email": signatory["email"], "name": signatory["name"]},
            "recipient_order": index + 1,
            "created": contract["created"],
            "is_sent_for_signature": sent is not None,
        }
        if sent:
            recipient["last_sent_for_signature_at"] = sent
        entry: dict[str, Any] = {
            "recipient": recipient,
            "status": "COMPLETED"
            if signatory.get("signed")
            else "IN_PROGRESS"
            if sent
            else "PENDING",
        }
        if signatory.get("signed_at"):
            entry["recipient_action"] = {"is_success": True, "timestamp": signatory["signed_at"]}
        return entry

    async def recipients(self, request: Request, context: RequestContext) -> Response:
        contract = self._contract(context)
        items = [
            self._recipient(contract, index, signatory)
            for index, signatory in enumerate(contract.get("signatories", []))
        ]
        return answer(self.catalog, context, {"items": items})

    def _signing_link(self, request: Request, contract: dict[str, Any], email: str) -> str:
        known = {s["email"].lower() for s in contract.get("signatories", [])}
        if email.lower() not in known:
            raise ApiProblem(
                404,
                f"{email} is not a recipient of contract {contract['id']}.",
                errors=[FieldError("recipient_email", "not a recipient")],
            )
        base = str(request.base_url).rstrip("/")
        return f"{base}/contracts/{contract['id']}/sign?recipient={quote(email)}"

    async def recipient_link(self, request: Request, context: RequestContext) -> Response:
        contract = self._contract(context)
        email = request.query_params.get("recipient_email", "")
        return answer(self.catalog, context, {"link": self._signing_link(request, contract, email)})

    async def embedded_link(self, request: Request, context: RequestContext) -> Response:
        contract = self._contract(context)
        counterparties = [
            s for s in contract.get("signatories", []) if s["party"] == "COUNTERPARTY"
        ]
        email = request.query_params.get("cp_email_id") or (
            counterparties[0]["email"] if counterparties else ""
        )
        if email.lower() not in {s["email"].lower() for s in counterparties}:
            raise ApiProblem(
                404, f"{email or 'No counterparty'} signs no part of {contract['id']}."
            )
        link = self._signing_link(request, contract, email) + "&embedded=true"
        return answer(self.catalog, context, {"url": link})

    async def scanned(self, request: Request, context: RequestContext) -> Response:
        contract = self._contract(context)
        lines = [contract["contract_name"], f"Between {contract.get('counter_party_name') or '-'}"]
        lines += [f"{k}: {v}" for k, v in (contract.get("contract_data") or {}).items()]
        return answer(
            self.catalog, context, {"contract_id": contract["id"], "content": "\n".join(lines)}
        )

    async def authorized_users(self, request: Request, context: RequestContext) -> Response:
        contract = self._contract(context)
        # The creator, and the workspace's admins, who see every contract.
        rows = self.store.query(
            "SELECT id, email, name, role FROM users WHERE workspace_id = ? AND active = 1 "
            "ORDER BY id",
            (self.workspace_id(),),
        )
        users = [
            {
                "id": int(row["id"]) % 100000,
                "email": row["email"],
                "name": row["name"],
                "designation": DESIGNATIONS.get(row["role"], "Team member"),
            }
            for row in rows
            if row["email"] == contract.get("created_by") or row["role"] == "ADMIN"
        ]
        page, limit, chosen = page_of(users, request)
        listing = {"page": page, "limit": limit, "total_results": len(users), "results": chosen}
        return answer(self.catalog, context, listing)
