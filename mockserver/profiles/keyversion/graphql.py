"""A GraphQL endpoint over the same state as the REST operations (Spot Thought-style).

The operation carries its GraphQL schema and what each root field does::

    x-spotcheck-graphql:
      sdl: |
        type Participant { id: ID!  full_name: String! }
        type Query { participants: [Participant!]!  participant(id: ID!): Participant }
        type Mutation { createParticipant(full_name: String!): Participant! }
      resolvers:                       # root field -> what it does, on which REST kind
        participants: {list: participants}
        participant: {get: participants}
        createParticipant: {create: participants}

It shares the REST operations' headers (security runs before it) and their versions: for a
request pinned before a field rename, the schema and the answers use the old field name.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InputValueDefinitionNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    build_ast_schema,
    graphql,
    parse,
    visit,
)
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mockserver.context import RequestContext
from mockserver.errors import ApiProblem, SchemaError
from mockserver.spec.versions import GRAPHQL_KEY, Rename, VersionPlan, renamed
from mockserver.state.store import Store, utc_now

Resolver = Callable[..., Any]
_ACTIONS = {"list", "get", "create"}


class _RenameFields(Visitor):
    """Rewrites the latest SDL into an older version's: field and argument names go back."""

    def __init__(self, old_names: dict[str, str]) -> None:
        super().__init__()
        self.old_names = old_names

    def _renamed(self, node: Any) -> Any:
        if node.name.value not in self.old_names:
            return None
        older = copy.copy(node)
        older.name = NameNode(value=self.old_names[node.name.value])
        return older

    def enter_field_definition(self, node: FieldDefinitionNode, *_: Any) -> Any:
        return self._renamed(node)

    def enter_input_value_definition(self, node: InputValueDefinitionNode, *_: Any) -> Any:
        return self._renamed(node)


class GraphQLEndpoint:
    def __init__(
        self,
        declaration: dict[str, Any],
        store: Store,
        workspace_id: Callable[[], int],
        versions: VersionPlan | None,
        path: str,
        now: Callable[[], str] = utc_now,
    ) -> None:
        self._now = now  # the server's clock
        try:
            self._sdl: DocumentNode = parse(str(declaration["sdl"]))
            self._resolvers = {
                str(field): (str(action), str(kind))
                for field, spec in dict(declaration.get("resolvers") or {}).items()
                for action, kind in dict(spec).items()
            }
            build_ast_schema(self._sdl)
            unknown = {action for action, _ in self._resolvers.values()} - _ACTIONS
            if unknown:
                raise ValueError(f"unknown actions {sorted(unknown)} (list, get, create)")
        except (KeyError, TypeError, ValueError, GraphQLError) as error:
            raise SchemaError(f"{GRAPHQL_KEY} on {path} is not usable: {error}") from None
        self._store = store
        self._workspace_id = workspace_id
        self._versions = versions
        self._path = path
        self._schemas: dict[tuple[Rename, ...], GraphQLSchema] = {}

    async def __call__(self, request: Request, context: RequestContext) -> Response:
        try:
            payload = json.loads(await request.body())
        except ValueError:
            raise ApiProblem(400, "A GraphQL request is a JSON object with a query.") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            raise ApiProblem(400, "A GraphQL request is a JSON object with a query.")
        variables = payload.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise ApiProblem(400, "GraphQL variables must be a JSON object.")
        read_only = context.identity is not None and "write" not in context.identity.scopes
        if read_only and _is_mutation(payload["query"], payload.get("operationName")):
            raise ApiProblem(403, "This credential is read-only.", "read_only_credential")
        renames = (
            self._versions.renames_for(context.api_version, self._path)
            if self._versions and context.api_version
            else ()
        )
        result = await graphql(
            self._schema(renames),
            payload["query"],
            root_value=self._root(renames),
            variable_values=variables,
            operation_name=payload.get("operationName"),
        )
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return JSONResponse(body)

    def _schema(self, renames: tuple[Rename, ...]) -> GraphQLSchema:
        schema = self._schemas.get(renames)
        if schema is None:
            older = visit(self._sdl, _RenameFields({r.new: r.old for r in renames}))
            schema = self._schemas[renames] = build_ast_schema(older)
        return schema

    def _root(self, renames: tuple[Rename, ...]) -> dict[str, Resolver]:
        return {
            field: self._resolver(action, kind, renames)
            for field, (action, kind) in self._resolvers.items()
        }

    def _resolver(self, action: str, kind: str, renames: tuple[Rename, ...]) -> Resolver:
        store, workspace_id = self._store, self._workspace_id

        def as_pinned(record: Any) -> Any:
            return renamed(record, renames, to_latest=False)

        def list_all(_info: Any, **_args: Any) -> Any:
            return as_pinned(store.list_records(workspace_id(), kind))

        def get_one(_info: Any, id: str, **_args: Any) -> Any:
            return as_pinned(store.get_record(workspace_id(), kind, str(id)))

        def create(_info: Any, **args: Any) -> Any:
            fields = renamed(args.get("input", args), renames, to_latest=True)
            now = self._now()
            record = {**fields, "id": str(uuid.uuid4()), "created_at": now, "updated_at": now}
            with store.transaction() as db:
                store.put_record(db, workspace_id(), kind, record["id"], record, "")
            return as_pinned(record)

        actions: dict[str, Resolver] = {"list": list_all, "get": get_one, "create": create}
        return actions[action]


def _is_mutation(query: str, operation_name: Any) -> bool:
    """Whether the operation a request runs is a mutation (a query that does not parse runs
    nothing: GraphQL itself reports it)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    chosen = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        )
    ]
    return any(definition.operation == OperationType.MUTATION for definition in chosen)
