"""The SpotDraft domain's control-plane endpoints: a counterparty's side of the lifecycle
(sign, decline, hold, resume), the steps a workspace user takes in the vendor's UI (send,
mark for execution, void: the console's buttons) and the signed download links contracts
hand out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mockserver.errors import ApiProblem
from mockserver.problems import render_for
from mockserver.profiles.base import AdminRoute
from mockserver.profiles.spotdraft.contracts import Actor, Contracts
from mockserver.state.files import verify_link

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

COUNTERPARTY_ACTIONS = ("sign", "decline", "hold", "resume")
WORKSPACE_ACTIONS = ("send", "mark_for_execution", "unmark_for_execution", "void")


def contract_admin_routes(runtime: Runtime, contracts: Contracts) -> tuple[AdminRoute, ...]:
    async def contract_action(request: Request) -> Response:
        action = request.path_params["action"]
        known = COUNTERPARTY_ACTIONS + WORKSPACE_ACTIONS
        if action not in known:
            raise ApiProblem(404, f"Unknown contract action {action!r}: {', '.join(known)}.")
        composite_id = request.path_params["composite_id"]
        actor = (
            Actor("counterparty@spotcheck.invalid", "counterparty")
            if action in COUNTERPARTY_ACTIONS
            else Actor("console@spotcheck.invalid", "workspace user (console)")
        )
        contract = contracts.transition(runtime.workspace.id, composite_id, action, actor)
        return JSONResponse({"id": contract["id"], "status": contract["status"]})

    async def file_download(request: Request) -> Response:
        composite_id = request.path_params["composite_id"]
        try:
            verify_link(
                runtime.workspace.jwt_secret,
                composite_id,
                request.query_params.get("expires", ""),
                request.query_params.get("signature", ""),
                runtime.clock.now(),
            )
            contract = contracts.get(runtime.workspace.id, composite_id)
        except ApiProblem as problem:
            return render_for(request.scope, problem).response()
        name = contract.get("file_name") or f"{composite_id}.pdf"
        return Response(
            contracts.file_bytes(contract),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return (
        AdminRoute("/__admin/contracts/{composite_id}/{action}", contract_action, ("POST",)),
        # Not behind the admin token: the link's own signature is the credential.
        AdminRoute("/__admin/files/{composite_id}", file_download, guarded=False),
    )
