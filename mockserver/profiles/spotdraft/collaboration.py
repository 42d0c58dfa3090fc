"""A contract's approvals, comments (with replies) and note, from state.

Approvals: created over the API (sent at once: PENDING), decided by the approver (in the
vendor's UI; here `POST /__admin/contracts/{id}/approvals/{approval_id}/{decision}`), each
decision kept as an approval action. They gate the lifecycle as the vendor's do: a PRE_SEND
approval not yet approved holds back sending to the counterparty, a PRE_SIGN one marking
for execution (402, a workflow-state error). Comments are created over the API; replies come
from colleagues in the UI (`POST /__admin/contracts/{id}/comments/{comment_id}/replies`).
Each contract has one note (its id is the contract's number), empty until written.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mockserver.behaviours import Handler, Registration
from mockserver.behaviours.activities import record_activity
from mockserver.behaviours.http import page_of, read_body
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem, FieldError
from mockserver.profiles.base import AdminRoute
from mockserver.profiles.spotdraft.contract_state import ContractStateRoutes
from mockserver.profiles.spotdraft.routing import (
    answer,
    fresh_id,
    versioned,
)
from mockserver.state.store import utc_now

APPROVALS, COMMENTS, NOTES = "contracts/approvals", "contracts/comments", "contracts/notes"
DECISIONS = {"approve": "APPROVED", "reject": "REJECTED", "suggest": "SUGGESTED", "skip": "SKIPPED"}
# which open approvals hold back which lifecycle action
GATES = {"send": "PRE_SEND", "mark_for_execution": "PRE_SIGN"}


class Collaboration(ContractStateRoutes):
    def registrations(self) -> tuple[Registration, ...]:
        table: dict[tuple[str, str], Handler] = {
            ("GET", "/contracts/approvals/{contract_id}/"): self.approvals,
            ("POST", "/contracts/approvals/{contract_id}/"): self.request_approvals,
            ("GET", "/contracts/{contract_id}/comments/"): self.comments,
            ("POST", "/contracts/{contract_id}/comments/"): self.comment,
            ("GET", "/contracts/{composite_id}/notes"): self.note,
            ("PUT", "/contracts/{contract_id}/notes/{note_id}"): self.write_note,
        }
        return versioned(table)

    def admin_routes(self) -> tuple[AdminRoute, ...]:
        return (
            AdminRoute(
                "/__admin/contracts/{composite_id}/approvals/{approval_id}/{decision}",
                self.decide,
                ("POST",),
            ),
            AdminRoute(
                "/__admin/contracts/{composite_id}/comments/{comment_id}/replies",
                self.reply,
                ("POST",),
            ),
        )

    def _children(self, kind: str, contract: dict[str, Any]) -> list[dict[str, Any]]:
        return self.store.list_records(self.workspace_id(), kind, contract["id"])

    def _user(self, email: str) -> dict[str, Any]:
        row = self.store.query_one(
            "SELECT id, name, email FROM users WHERE workspace_id = ? AND email = ?",
            (self.workspace_id(), email),
        )
        if row is None:
            return {"id": 0, "name": email.split("@")[0], "email": email}
        return {"id": int(row["id"]) % 100000, "name": row["name"], "email": row["email"]}

    # -- approvals -----------------------------------------------------------------------

    def check_gate(self, workspace_id: int, reference: str, action: str) -> None:
        """402 when an approval of the kind `action` needs is not approved (nor skipped)."""
        kind = GATES.get(action)
        if kind is None:
            return
        contract = self.contracts.get(workspace_id, reference)
        waiting = [
            a
            for a in self.store.list_records(workspace_id, APPROVALS, contract["id"])
            if a["approval_type"] == kind and a["status"] not in ("APPROVED", "SKIPPED")
        ]
        if waiting:
            names = ", ".join(a["approval_name"] for a in waiting)
            raise ApiProblem(
                402,
                f"Contract {contract['id']} waits for approval ({names}) before this step.",
                "approval_pending",
            )

    async def approvals(self, request: Request, context: RequestContext) -> Response:
        contract = self.contract(context)
        results = [
            {"approval_actions": a.get("actions", []), "approval": _approval_view(a)}
            for a in self._children(APPROVALS, contract)
        ]
        return answer(self.catalog, context, {"results": results})

    async def request_approvals(self, request: Request, context: RequestContext) -> Response:
        contract = self.contract(context)
        body = await read_body(request)
        wanted = body.get("approvals")
        if not isinstance(wanted, list) or not wanted:
            raise ApiProblem(
                400, "approvals must be a non-empty list.", errors=[FieldError("approvals", "")]
            )
        kind = {"DRAFT": "PRE_SEND", "REDLINING": "PRE_SIGN"}.get(contract["status"], "AD_HOC")
        creator = self._user(context.identity.user_email if context.identity else "")
        now = utc_now()
        created = []
        workspace = self.workspace_id()
        with self.store.transaction() as db:
            for index, item in enumerate(wanted):
                approver = self._approver(item)
                approval = {
                    "id": fresh_id(self.store, db, workspace, APPROVALS),
                    "contract_id": contract["contract_id"],
                    "approval_name": item["name"],
                    "approval_type": kind,
                    "org_user": approver,
                    "approver_user_id": item.get("approver_user_id"),
                    "approver_role_id": item.get("approver_role_id"),
                    "sent_for_approval": True,
                    "last_sent_at": now,
                    "notes": item.get("notes", ""),
                    "order": item.get("order", index + 1),
                    "created_by_org_user": creator,
                    "status": "PENDING",
                    "actions": [],
                }
                self.store.put_record(
                    db, workspace, APPROVALS, str(approval["id"]), approval, contract["id"]
                )
                created.append(_created_view(approval))
            record_activity(
                db, workspace, contract["id"], "CONTRACT_APPROVAL_REQUESTED", creator["email"]
            )
        return answer(self.catalog, context, created)

    def _approver(self, item: dict[str, Any]) -> dict[str, Any]:
        user_id = item.get("approver_user_id")
        if user_id is None:
            return {}
        row = self.store.query_one(
            "SELECT email FROM users WHERE workspace_id = ? AND id % 100000 = ?",
            (self.workspace_id(), int(user_id)),
        )
        if row is None:
            raise ApiProblem(
                400,
                f"approver_user_id {user_id} is not a member of this workspace.",
                errors=[FieldError("approvals.approver_user_id", "unknown user")],
            )
        return self._user(row["email"])

    async def decide(self, request: Request) -> Response:
        decision = DECISIONS.get(request.path_params["decision"])
        if decision is None:
            raise ApiProblem(404, f"Unknown decision: {', '.join(DECISIONS)}.")
        contract = self.contracts.get(self.workspace_id(), request.path_params["composite_id"])
        approval = next(
            (
                a
                for a in self._children(APPROVALS, contract)
                if str(a["id"]) == request.path_params["approval_id"]
            ),
            None,
        )
        if approval is None:
            raise ApiProblem(404, "No such approval on this contract.")
        body = await read_body(request)
        for action in approval["actions"]:
            action["latest"] = False
        approval["actions"].append(
            {
                "status": decision,
                "notes": body.get("notes", ""),
                "created": utc_now(),
                "latest": True,
            }
        )
        approval["status"] = decision
        with self.store.transaction() as db:
            self.store.put_record(
                db, self.workspace_id(), APPROVALS, str(approval["id"]), approval, contract["id"]
            )
        return JSONResponse({"id": approval["id"], "status": decision})

    # -- comments ------------------------------------------------------------------------

    async def comments(self, request: Request, context: RequestContext) -> Response:
        contract = self.contract(context)
        views = [_comment_view(c) for c in self._children(COMMENTS, contract)]
        page, limit, items = page_of(views, request)
        listing = {"page": page, "limit": limit, "total_results": len(views), "results": items}
        return answer(self.catalog, context, listing)

    async def comment(self, request: Request, context: RequestContext) -> Response:
        contract = self.contract(context)
        body = await read_body(request)
        text = str(body.get("comment") or "").strip()
        if not text:
            raise ApiProblem(400, "comment must not be empty.", errors=[FieldError("comment", "")])
        author = context.identity.user_email if context.identity else "anonymous"
        workspace = self.workspace_id()
        with self.store.transaction() as db:
            comment = {
                "id": fresh_id(self.store, db, workspace, COMMENTS),
                "contract_id": contract["contract_id"],
                "comment": text,
                "author": author,
                "created": utc_now(),
                "replies": [],
            }
            self.store.put_record(
                db, workspace, COMMENTS, str(comment["id"]), comment, contract["id"]
            )
            record_activity(
                db, workspace, contract["id"], "CONTRACT_ACTIVITY_LOG_COMMENT_CREATED", author
            )
        return answer(self.catalog, context, _comment_view(comment))

    async def reply(self, request: Request) -> Response:
        contract = self.contracts.get(self.workspace_id(), request.path_params["composite_id"])
        comment = next(
            (
                c
                for c in self._children(COMMENTS, contract)
                if str(c["id"]) == request.path_params["comment_id"]
            ),
            None,
        )
        if comment is None:
            raise ApiProblem(404, "No such comment on this contract.")
        body = await read_body(request)
        text = str(body.get("comment") or "").strip()
        if not text:
            raise ApiProblem(400, "comment must not be empty.")
        workspace = self.workspace_id()
        with self.store.transaction() as db:
            reply = {"id": fresh_id(self.store, db, workspace, COMMENTS), "comment": text}
            comment["replies"].append(reply)
            self.store.put_record(
                db, workspace, COMMENTS, str(comment["id"]), comment, contract["id"]
            )
        return JSONResponse(_comment_view(comment))

    # -- the note ------------------------------------------------------------------------

    def _note(self, contract: dict[str, Any]) -> dict[str, Any]:
        stored = self.store.get_record(self.workspace_id(), NOTES, str(contract["contract_id"]))
        return stored or {"id": contract["contract_id"], "text": ""}

    async def note(self, request: Request, context: RequestContext) -> Response:
        contract = self.contract(context)
        return answer(self.catalog, context, self._note(contract))

    async def write_note(self, request: Request, context: RequestContext) -> Response:
        contract = self.contract(context)
        note = self._note(contract)
        if str(note["id"]) != str(context.path_params["note_id"]):
            raise ApiProblem(404, f"No note {context.path_params['note_id']} on {contract['id']}.")
        body = await read_body(request)
        note["text"] = str(body.get("text", ""))
        tag = body.get("note_tag")
        if isinstance(tag, dict) and tag.get("name"):
            note["note_tag"] = str(tag["name"])
        with self.store.transaction() as db:
            self.store.put_record(
                db, self.workspace_id(), NOTES, str(note["id"]), note, contract["id"]
            )
        return answer(self.catalog, context, note)


def _approval_view(approval: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "id",
        "contract_id",
        "approval_name",
        "approval_type",
        "org_user",
        "sent_for_approval",
        "last_sent_at",
        "notes",
        "created_by_org_user",
        "status",
    )
    return {k: approval[k] for k in keys if approval.get(k) not in (None, {})}


def _created_view(approval: dict[str, Any]) -> dict[str, Any]:
    view = {
        "id": approval["id"],
        "contract_id": approval["contract_id"],
        "name": approval["approval_name"],
        "is_sent": approval["sent_for_approval"],
        "notes": approval["notes"],
        "order": approval["order"],
    }
    for key in ("approver_user_id", "approver_role_id"):
        if approval.get(key) is not None:
            view[key] = approval[key]
    return view


def _comment_view(comment: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": comment["id"],
        "contract_id": comment["contract_id"],
        "comment": comment["comment"],
        "replies": [{"id": r["id"], "comment": r["comment"]} for r in comment["replies"]],
    }
