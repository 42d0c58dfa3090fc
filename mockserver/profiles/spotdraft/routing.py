"""What every SpotDraft route module shares: one behaviour under each API version of its path,
and the answer shaped to the operation's documented success schema."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.responses import Response

from mockserver.behaviours import Handler, Registration
from mockserver.behaviours.generic import json_response
from mockserver.behaviours.responses import ResponseCatalog
from mockserver.behaviours.shaping import shaped
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem, FieldError
from mockserver.state.sql import Db
from mockserver.state.store import Store

VERSIONS = ("v2.1", "v2", "v1")


def versioned(table: Mapping[tuple[str, str], Handler]) -> tuple[Registration, ...]:
    """Each (method, suffix) behaviour registered under every API version of its path."""
    return tuple(
        Registration(
            tuple(f"{method} /api/{version}/public{suffix}" for version in VERSIONS), handler
        )
        for (method, suffix), handler in table.items()
    )


def answer(catalog: ResponseCatalog, context: RequestContext, data: Any) -> Response:
    """`data` as it is when it fits the operation's documented success schema (nothing added:
    an optional field the object has no value for stays absent), else laid over the
    documented shape."""
    assert context.operation is not None
    status, schema = catalog.success_schema(context.operation)
    if schema is not None and not catalog.checker.errors(schema, data):
        return json_response(status, data)
    status, body = shaped(catalog, context.operation, data)
    return json_response(status, body)


def api_version(context: RequestContext) -> str:
    """`v1`, `v2` or `v2.1`: the version the matched path names."""
    assert context.operation is not None
    return context.operation.path.split("/")[2]


def int_param(context: RequestContext, name: str) -> int:
    """A numeric path id; anything else names no object (404, as the vendor's router does)."""
    raw = context.path_params.get(name, "")
    if not str(raw).isdigit():
        raise ApiProblem(404, f"No object with {name} {raw!r}.")
    return int(raw)


def boolean_query(context_query: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A documented boolean query parameter; a value that is not one is a 400."""
    raw = context_query.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ApiProblem(
        400,
        f"{name} must be true or false, not {raw!r}.",
        errors=[FieldError(name, "not a boolean")],
    )


def fresh_id(store: Store, db: Db, workspace_id: int, kind: str) -> int:
    """The next number for `kind`, stepping over the ids fixture objects already hold."""
    number = store.next_id(db, workspace_id, kind)
    while db.execute(
        "SELECT 1 FROM records WHERE workspace_id = ? AND kind = ? AND id = ?",
        (workspace_id, kind, str(number)),
    ).fetchone():
        number = store.next_id(db, workspace_id, kind)
    return number


def contract_reference(context: RequestContext) -> str:
    """The contract a path names (`composite_id` T-12 / H-12, or `contract_id`)."""
    for name in ("composite_id", "contract_id"):
        if name in context.path_params:
            return str(context.path_params[name])
    raise ApiProblem(404, "No contract id in the path.")


class StateRoutes:
    """A group of behaviours answering from the store for the current workspace."""

    def __init__(
        self, store: Store, catalog: ResponseCatalog, workspace_id: Callable[[], int]
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.workspace_id = workspace_id  # read per request: a reset replaces the workspace
