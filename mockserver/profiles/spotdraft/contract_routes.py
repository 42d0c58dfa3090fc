"""HTTP behaviours of the contract operations, for every API version that has them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

import mockserver.profiles.spotdraft.filters as filters
from mockserver.behaviours import Handler, Registration
from mockserver.behaviours.generic import page_of, read_body
from mockserver.behaviours.responses import ResponseCatalog
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem
from mockserver.profiles.spotdraft.contracts import Actor, Contracts
from mockserver.profiles.spotdraft.routing import answer, api_version

VERSIONS = ("v2.1", "v2", "v1")


def public_view(contract: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The contract as the public API shows it."""
    return {
        "id": contract["id"],
        "contract_id": contract["contract_id"],
        "created": contract["created"],
        "contract_name": contract["contract_name"],
        "contract_link": f"{base_url}/contracts/{contract['id']}",
        "contract_status": contract["status"],
        "created_by": contract["created_by"],
        "created_by_user_name": contract.get("created_by_user_name", ""),
        "created_by_user_email": contract.get("created_by_user_email", ""),
        "counter_party_name": contract.get("counter_party_name", ""),
        "contract_type_name": contract.get("contract_type_name", ""),
        "contract_type_id": contract.get("contract_type_id", 0),
        "created_by_workspace": contract["created_by_workspace"],
        "external_metadata": contract.get("external_metadata") or {},
        "reference_id": contract.get("reference_id", ""),
    }


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _reference(context: RequestContext) -> str:
    for name in ("composite_id", "contract_id"):
        if name in context.path_params:
            return context.path_params[name]
    raise ApiProblem(404, "No contract id in the path.")


class ContractRoutes:
    def __init__(
        self,
        contracts: Contracts,
        catalog: ResponseCatalog,
        workspace_id: Callable[[], int],
        links: Callable[[str, str], str],
        gate: Callable[[int, str, str], None] = lambda workspace, reference, action: None,
    ) -> None:
        self.contracts = contracts
        self.gate = gate  # what holds a lifecycle step back (an approval not yet given)
        self.catalog = catalog
        self.workspace_id = workspace_id
        self.links = links

    def registrations(self) -> tuple[Registration, ...]:
        """Each behaviour under every API version of its path (the schema has some)."""
        table: dict[tuple[str, str], Handler] = {
            ("POST", "/contracts/"): self.create,
            ("POST", "/contracts"): self.create,
            ("GET", "/contracts/"): self.list,
            ("GET", "/contracts"): self.list,
            ("POST", "/contracts/upload_review_contracts/"): self.upload("review"),
            ("POST", "/contracts/upload_sign_contracts/"): self.upload("signature"),
            ("POST", "/contracts/executed_contracts/"): self.upload("executed"),
            ("GET", "/contracts/by_external_metadata/{external_metadata_id}"): self.by_external_id,
            ("GET", "/contracts/{composite_id}/status"): self.status,
            ("GET", "/contracts/{contract_id}/status"): self.status,
            ("GET", "/contracts/{contract_id}/external_metadata"): self.external_metadata,
            ("POST", "/contracts/{contract_id}/external_metadata"): self.set_external_metadata,
            ("PATCH", "/contracts/{contract_id}/contract_data"): self.update_data,
            ("POST", "/contracts/{composite_id}/download_link"): self.download_link,
            ("POST", "/contracts/{contract_id}/download_link"): self.download_link,
            ("GET", "/contracts/{composite_id}/content"): self.content,
        }
        for action, suffixes in {
            "send": (
                "/contracts/{composite_id}/send_to_counterparties",
                "/contracts/{contract_id}/send_to_counterparties",
            ),
            "mark_for_execution": ("/contracts/{composite_id}/mark_for_execution/",),
            "unmark_for_execution": ("/contracts/{composite_id}/unmark_for_execution",),
            "void": ("/contracts/{composite_id}/status/void",),
        }.items():
            for suffix in suffixes:
                table[("POST", suffix)] = self.action(action)
        return tuple(
            Registration(
                tuple(f"{method} /api/{version}/public{suffix}" for version in VERSIONS), handler
            )
            for (method, suffix), handler in table.items()
        )

    def _answer(self, context: RequestContext, data: Any) -> Response:
        return answer(self.catalog, context, data)

    async def create(self, request: Request, context: RequestContext) -> Response:
        body = await read_body(request)
        contract = self.contracts.create_from_template(
            self.workspace_id(), Actor.of(context.identity), body
        )
        return self._answer(context, public_view(contract, _base(request)))

    def upload(self, purpose: str) -> Handler:
        async def handler(request: Request, context: RequestContext) -> Response:
            body = await read_body(request)
            contract = self.contracts.create_uploaded(
                self.workspace_id(), Actor.of(context.identity), body, purpose
            )
            return self._answer(context, public_view(contract, _base(request)))

        return handler

    async def list(self, request: Request, context: RequestContext) -> Response:
        workspace = self.workspace_id()
        contracts = self.contracts.all(workspace)
        for contract in contracts:  # filter__approvals_pending reads the contract's approvals
            contract["approvals_pending"] = any(
                approval["status"] == "PENDING"
                for approval in self.contracts.store.list_records(
                    workspace, "contracts/approvals", contract["id"]
                )
            )
        selected, ignored = filters.apply(contracts, request.query_params.multi_items())
        selected.sort(key=lambda c: c["contract_id"], reverse=True)
        page, limit, items = page_of(selected, request)
        listing = {
            "page": page,
            "limit": limit,
            "total_results": len(selected),
            "results": [
                # v1 lists contracts by their number
                {**public_view(c, _base(request)), "id": c["contract_id"]}
                if api_version(context) == "v1"
                else public_view(c, _base(request))
                for c in items
            ],
        }
        response = self._answer(context, listing)
        if ignored:
            response.headers["X-Spotcheck-Ignored-Filters"] = ",".join(ignored)
        return response

    async def by_external_id(self, request: Request, context: RequestContext) -> Response:
        external_id = context.path_params["external_metadata_id"]
        found = self.contracts.by_external_id(self.workspace_id(), external_id)
        if not found:
            raise ApiProblem(404, f"No contract has external metadata id {external_id!r}.")
        views = [{**public_view(c, _base(request)), "id": c["contract_id"]} for c in found]
        return self._answer(context, views)

    async def status(self, request: Request, context: RequestContext) -> Response:
        contract = self.contracts.get(self.workspace_id(), _reference(context))
        return self._answer(
            context,
            {
                "contract_name": contract["contract_name"],
                "contract_status": contract["status"],
                "status": contract["status"],
            },
        )

    async def external_metadata(self, request: Request, context: RequestContext) -> Response:
        contract = self.contracts.get(self.workspace_id(), _reference(context))
        return self._answer(context, {"external_metadata": contract.get("external_metadata") or {}})

    async def set_external_metadata(self, request: Request, context: RequestContext) -> Response:
        body = await read_body(request)
        metadata = body.get("external_metadata")
        if not isinstance(metadata, dict):
            raise ApiProblem(400, "external_metadata must be an object.")
        contract = self.contracts.set_external_metadata(
            self.workspace_id(), _reference(context), metadata, Actor.of(context.identity)
        )
        return self._answer(context, {"external_metadata": contract["external_metadata"]})

    async def update_data(self, request: Request, context: RequestContext) -> Response:
        body = await read_body(request)
        data = body.get("contract_data", body)
        contract = self.contracts.update_data(
            self.workspace_id(), _reference(context), data, Actor.of(context.identity)
        )
        return self._answer(context, {"contract_data": contract["contract_data"]})

    def action(self, action: str) -> Handler:
        async def handler(request: Request, context: RequestContext) -> Response:
            details = await read_body(request)
            self.gate(self.workspace_id(), _reference(context), action)
            contract = self.contracts.transition(
                self.workspace_id(),
                _reference(context),
                action,
                Actor.of(context.identity),
                **details,
            )
            return self._answer(context, {"contract_status": contract["status"]})

        return handler

    async def download_link(self, request: Request, context: RequestContext) -> Response:
        contract = self.contracts.get(self.workspace_id(), _reference(context))
        file_name = contract.get("file_name") or f"{contract['id']}.pdf"
        url = self.links(str(request.base_url), contract["id"])
        return self._answer(context, {"url": url, "file_name": file_name})

    async def content(self, request: Request, context: RequestContext) -> Response:
        contract = self.contracts.get(self.workspace_id(), _reference(context))
        text = "\n".join(f"{k}: {v}" for k, v in (contract.get("contract_data") or {}).items())
        return self._answer(
            context,
            {
                "contract_id": contract["id"],
                "content_format": "text",
                "content": f"{contract['contract_name']}\n{text}",
                "extraction_status": "completed",
                "last_updated": contract["updated"],
            },
        )
