"""The SpotDraft domain on a served schema: contract and webhook routes, and the parents its
paths name (a contract, a counterparty) checked before generic state answers under them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockserver.behaviours import Registration
from mockserver.errors import ApiProblem
from mockserver.profiles.base import Domain
from mockserver.profiles.spotdraft.admin_routes import contract_admin_routes
from mockserver.profiles.spotdraft.collaboration import Collaboration
from mockserver.profiles.spotdraft.console import spotdraft_console
from mockserver.profiles.spotdraft.contract_routes import ContractRoutes
from mockserver.profiles.spotdraft.contracts import Contracts
from mockserver.profiles.spotdraft.counterparties import CounterpartyRoutes
from mockserver.profiles.spotdraft.directory import DirectoryRoutes
from mockserver.profiles.spotdraft.insights import Insights
from mockserver.profiles.spotdraft.keypointers import KeyPointerRoutes
from mockserver.profiles.spotdraft.roles import authorize
from mockserver.profiles.spotdraft.templates import TemplateRoutes
from mockserver.profiles.spotdraft.webhook_routes import WebhookRoutes
from mockserver.state.files import signed_link

if TYPE_CHECKING:
    from mockserver.runtime import Runtime


def spotdraft_domain(runtime: Runtime) -> Domain:
    """The domain's routes for the operations the schema has; none on another family's."""
    contracts = Contracts(runtime.store, runtime.clock.iso)
    collaboration = Collaboration(
        runtime.store, contracts, runtime.catalog, lambda: runtime.workspace.id
    )
    contract_routes = ContractRoutes(
        contracts,
        runtime.catalog,
        lambda: runtime.workspace.id,  # read per request: a reset replaces the workspace
        lambda base, composite_id: signed_link(
            base, runtime.workspace.jwt_secret, composite_id, runtime.clock.now()
        ),
        collaboration.check_gate,
    ).registrations()
    webhooks = WebhookRoutes(
        runtime.store,
        contracts,
        runtime.catalog,
        lambda: runtime.workspace,
        runtime.settings,
    ).routes()
    workspace_id = lambda: runtime.workspace.id  # noqa: E731 - read per request (a reset)
    registrations = (
        *contract_routes,
        *collaboration.registrations(),
        *Insights(runtime.store, contracts, runtime.catalog, workspace_id).registrations(),
        *KeyPointerRoutes(runtime.store, contracts, runtime.catalog, workspace_id).registrations(),
        *TemplateRoutes(runtime.store, runtime.catalog, workspace_id).registrations(),
        *CounterpartyRoutes(runtime.store, runtime.catalog, workspace_id).registrations(),
        *DirectoryRoutes(runtime.store, runtime.catalog, workspace_id).registrations(),
        *(Registration((key,), handler) for key, handler in webhooks.items()),
    )
    known = {operation.key for operation in runtime.schema.index.operations}
    if not any(known.intersection(entry.keys) for entry in registrations):
        return Domain()  # another family's schema: none of this applies

    def counterparty_exists(workspace: int, counterparty_id: str) -> dict[str, object]:
        counterparty = runtime.store.get_record(workspace, "counter_parties", counterparty_id)
        if counterparty is None:
            raise ApiProblem(404, f"No counterparty with id {counterparty_id}.")
        return counterparty

    parents = {
        "contract_id": contracts.get,
        "composite_id": contracts.get,
        "counterparty_id": counterparty_exists,
    }
    return Domain(
        registrations,
        parents,
        admin_routes=(
            *contract_admin_routes(runtime, contracts),
            *collaboration.admin_routes(),
        ),
        authorize=authorize,
        console_sections=spotdraft_console(runtime, contracts),
    )
