"""The base of behaviours that answer about one contract from the store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.behaviours.responses import ResponseCatalog
from mockserver.context import RequestContext
from mockserver.profiles.spotdraft.contracts import Contracts
from mockserver.profiles.spotdraft.routing import StateRoutes, contract_reference
from mockserver.state.store import Store


class ContractStateRoutes(StateRoutes):
    def __init__(
        self,
        store: Store,
        contracts: Contracts,
        catalog: ResponseCatalog,
        workspace_id: Callable[[], int],
    ) -> None:
        super().__init__(store, catalog, workspace_id)
        self.contracts = contracts

    def contract(self, context: RequestContext) -> dict[str, Any]:
        """The contract the request's path names (404 when the workspace has none)."""
        return self.contracts.get(self.workspace_id(), contract_reference(context))
