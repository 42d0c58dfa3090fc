"""The webhook API: the workspace key, subscriptions with the vendor's rules, re-triggering."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver.behaviours import Handler
from mockserver.behaviours.generic import json_response, read_body
from mockserver.behaviours.shaping import shaped
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem, FieldError
from mockserver.profiles.spotdraft.contracts import Contracts
from mockserver.settings import Settings
from mockserver.state.fixtures import Workspace
from mockserver.state.store import Store
from mockserver.webhooks.outbox import SUBSCRIPTIONS, cancel_queued, enqueue
from mockserver.webhooks.rules import has_control_or_surrogate, header_problems, url_problems

DEVELOPER_SETTINGS = "developer_settings"
# Headers the vendor sets on deliveries itself; a subscription may not forge them.
VENDOR_HEADER_PREFIXES = ("x-sd-", "x-spotdraft-")


class WebhookRoutes:
    def __init__(
        self,
        store: Store,
        contracts: Contracts,
        catalog: Any,
        workspace: Callable[[], Workspace],
        settings: Settings,
    ) -> None:
        self.store = store
        self.contracts = contracts
        self.catalog = catalog
        self.workspace = workspace
        self.settings = settings

    def routes(self) -> dict[str, Handler]:
        api = "/api/v2.1/public"
        return {
            f"GET {api}/webhooks/hmac_key/": self.hmac_key,
            f"POST {api}/webhooks/": self.subscribe,
            f"DELETE {api}/webhooks/{{webhook_id}}": self.unsubscribe,
            f"POST {api}/contracts/webhooks/re_trigger_latest/": self.re_trigger,
            "POST /api/v2/public/contracts/webhooks/re_trigger_latest/": self.re_trigger,
        }

    def _answer(self, context: RequestContext, data: Any) -> Response:
        assert context.operation is not None
        status, body = shaped(self.catalog, context.operation, data)
        return json_response(status, body)

    @staticmethod
    def _require_developer_settings(context: RequestContext) -> None:
        identity = context.identity
        if identity is None or DEVELOPER_SETTINGS not in identity.permissions:
            raise ApiProblem(403, "Managing webhooks needs the Developer Settings permission.")

    async def hmac_key(self, request: Request, context: RequestContext) -> Response:
        return self._answer(context, {"hmac_key": self.workspace().hmac_key})

    async def subscribe(self, request: Request, context: RequestContext) -> Response:
        self._require_developer_settings(context)
        body = await read_body(request)
        settings = self.settings
        problems = url_problems(
            body.get("url"),
            settings.env,
            settings.strict_webhook_urls,
            settings.webhook_allow_private,
        )
        problems += header_problems(body.get("custom_headers"), reserved=VENDOR_HEADER_PREFIXES)
        if not str(body.get("title", "")).strip():
            problems.append(FieldError("title", "must not be blank"))
        for name in ("title", "description"):
            if isinstance(body.get(name), str) and has_control_or_surrogate(body[name]):
                problems.append(
                    FieldError(name, "must not contain control characters or lone surrogates")
                )
        if not body.get("only_for_activities"):
            problems.append(FieldError("only_for_activities", "name at least one activity"))
        if problems:
            raise ApiProblem(
                400, f"Invalid webhook: {problems[0].field}: {problems[0].message}", errors=problems
            )
        assert context.identity is not None
        workspace_id = self.workspace().id
        with self.store.transaction() as db:
            webhook_id = self.store.next_id(db, workspace_id, "webhooks")
            subscription = {
                "id": webhook_id,
                "title": body["title"],
                "description": body.get("description", ""),
                "url": body["url"],
                "only_for_activities": sorted(set(body["only_for_activities"])),
                "custom_headers": body.get("custom_headers") or {},
                "status": "ACTIVE",
                "created_by_user": {
                    "id": context.identity.user_id,
                    "email": context.identity.user_email,
                    "name": context.identity.user_email.split("@")[0],
                },
            }
            self.store.put_record(db, workspace_id, SUBSCRIPTIONS, str(webhook_id), subscription)
        return self._answer(context, subscription)

    async def unsubscribe(self, request: Request, context: RequestContext) -> Response:
        self._require_developer_settings(context)
        webhook_id = context.path_params["webhook_id"]
        with self.store.transaction() as db:
            workspace_id = self.workspace().id
            if not self.store.delete_record(db, workspace_id, SUBSCRIPTIONS, webhook_id):
                raise ApiProblem(404, f"No webhook with id {webhook_id}.")
            # Same transaction: once the 204 is sent, nothing more goes to this subscription.
            cancel_queued(db, workspace_id, webhook_id, "cancelled: subscription deleted")
        return Response(status_code=204)

    async def re_trigger(self, request: Request, context: RequestContext) -> Response:
        body = await read_body(request)
        workspace_id = self.workspace().id
        contracts = [
            self.contracts.get(workspace_id, str(number)) for number in body.get("contract_ids", [])
        ]
        with self.store.transaction() as db:
            for contract in contracts:
                last = db.execute(
                    "SELECT id, activity, data FROM activities "
                    "WHERE workspace_id = ? AND contract_id = ? ORDER BY id DESC LIMIT 1",
                    (workspace_id, contract["id"]),
                ).fetchone()
                if last is not None:
                    enqueue(db, workspace_id, last[0], last[1], contract["id"], json.loads(last[2]))
        return self._answer(context, {"message": "Success"})
