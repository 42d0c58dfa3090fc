"""State for every operation without a domain behaviour, from the shape of its path.

A POST to a collection creates an item; GET on the collection lists them (paginated when the
documented answer has `results`); GET/PATCH/PUT/DELETE on the item path read, merge, replace
and remove it - 404 once it is gone. Operations whose answer is neither are served their
documented answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver import jsoncodec
from mockserver.behaviours.activities import GENERIC_ACTIVITIES, record_activity
from mockserver.behaviours.http import encoded_response, json_response, page_of, read_body
from mockserver.behaviours.identity import Identities, Identity
from mockserver.behaviours.listings import ListingMemo
from mockserver.behaviours.replacement import (
    UpdateRule,
    remember_sent,
    require_complete,
    sent_fields,
    server_fields,
    update_rule,
)
from mockserver.behaviours.resources import address
from mockserver.behaviours.responses import ResponseCatalog
from mockserver.behaviours.shaping import shaped
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem
from mockserver.spec.index import Operation
from mockserver.state.store import Db, Store, utc_now

# json_response, page_of and read_body re-exported: the domain routes import them from here
__all__ = ["Change", "GenericState", "ParentCheck", "json_response", "page_of", "read_body"]

ParentCheck = Callable[[int, str], object]


@dataclass(frozen=True)
class Change:
    """Who changes state, and the activity the vendor would log for it (if any)."""

    actor: str
    activity: str | None
    subject: str = ""
    contract: dict[str, Any] | None = None

    def record(self, db: Db, workspace_id: int, fallback_subject: str) -> None:
        if self.activity:
            subject = self.subject or fallback_subject
            record_activity(db, workspace_id, subject, self.activity, self.actor, self.contract)


class GenericState:
    def __init__(
        self,
        store: Store,
        catalog: ResponseCatalog,
        workspace_id: Callable[[], int],
        parents: Mapping[str, ParentCheck],
        uuid_ids: bool = False,
        full_replacement: bool = False,
        resource_path: Callable[[str], str] = lambda path: path,
        now: Callable[[], str] = utc_now,
    ) -> None:
        self.store = store
        self._now = now  # the server's clock, for created and updated times
        self.catalog = catalog
        self._workspace_id = workspace_id
        # path variable -> check that the object it names exists (raises a 404 otherwise)
        self._parents = parents
        self._uuid_ids = uuid_ids  # every new object gets a UUID (the profile says so)
        self._full_replacement = full_replacement  # a PUT must send the whole object
        self._listings = ListingMemo()  # list answers while their records stay the same
        self._update_rules: dict[str, UpdateRule] = {}  # per operation: the schema is fixed
        self._list_shapes: dict[str, tuple[str, ...]] = {}  # per operation, likewise
        self._resource_path = resource_path  # drops an API version prefix (the profiles')
        self._identities = Identities(lambda: catalog.synthesizer.document, resource_path)

    async def __call__(self, request: Request, context: RequestContext) -> Response:
        assert context.operation is not None
        # an unknown object's 404 is raised: answered in the body the operation documents
        # for it (behaviours/documented_errors.py, on Connexion's exception hook)
        return await self._answer(request, context, context.operation)

    async def _answer(
        self, request: Request, context: RequestContext, operation: Operation
    ) -> Response:
        where = address(operation, self._resource_path)
        params = context.path_params
        subject = ""  # what activities are about: the parent object's own id, if it has one
        contract = None
        for name in where.parent_params:
            check = self._parents.get(name)
            if check is not None:
                found = check(self._workspace_id(), params[name])
                if not subject and isinstance(found, dict) and "id" in found:
                    subject = str(found["id"])
                    contract = found if "contract_id" in found else None
        item_id = where.item_id(params)
        parent = where.parent_id(params)
        method = operation.method
        actor = context.identity.user_email if context.identity else "anonymous"
        change = Change(actor, GENERIC_ACTIVITIES.get((where.kind, method)), subject, contract)
        found = self._identities.of(operation)
        kind = found.kind if found else where.kind  # one kind for /v2/trips and /v3/trips
        if found and found.role == "action":
            # POST /trips/{id}/cancel acts on an existing trip only
            self._existing(kind, found.item_id(params) or "")
        elif item_id is None and method == "post":
            return await self._create(request, operation, kind, parent, change, found)
        elif item_id is None and method == "get":
            return self._list(request, operation, kind, parent)
        elif item_id is not None and method in ("get", "patch", "put", "delete"):
            return await self._item(request, operation, kind, parent, item_id, change, found)
        status, body = shaped(self.catalog, operation, {})
        return json_response(status, body)

    def _wrap(self, found: Identity | None, operation: Operation, item: Any) -> Any:
        return found.wrap(item, self.catalog.success_schema(operation)[1]) if found else item

    def _fitted(self, operation: Operation, found: Identity | None, item: Any) -> tuple[int, Any]:
        """The answer carrying `item`; where the stored fields cannot make a valid answer (a
        oneOf the merged object no longer picks one branch of) only its identity is kept."""
        status, body = shaped(self.catalog, operation, self._wrap(found, operation, item))
        _status, schema = self.catalog.success_schema(operation)
        if schema is None or not self.catalog.checker.errors(schema, body):
            return status, body
        field = found.id_field if found else "id"
        kept = {field: item.get(field)} if isinstance(item, dict) else {}
        status, body = shaped(self.catalog, operation, self._wrap(found, operation, kept))
        if self.catalog.checker.errors(schema, body):
            body = self.catalog.success(operation).body
        return status, body

    def _update_rule(self, operation: Operation, found: Identity | None) -> UpdateRule:
        rule = self._update_rules.get(operation.key)
        if rule is None:
            wrappers = found.resource.wrappers if found else ()
            rule = self._update_rules[operation.key] = update_rule(
                self.catalog.document, operation, wrappers
            )
        return rule

    def _existing(self, kind: str, item_id: str) -> dict[str, Any]:
        current = self.store.get_record(self._workspace_id(), kind, item_id)
        if current is None:
            raise ApiProblem(404, f"No {kind} object with id {item_id}.")
        return current

    def _id_for(self, operation: Operation, kind: str, found: Identity | None = None) -> Any:
        # The id takes the type of the item path's parameter when the schema has one.
        item_schema = self._item_param_schema(operation) or self._answered_id_schema(operation)
        answered = self._answered_id_schema(operation, found.id_field if found else "id")
        if found is not None:
            item_schema = found.id_schema(self.catalog.synthesizer) or item_schema
        fresh = str(uuid.uuid4())
        # the profile's UUIDs, unless the schema's id field refuses one (PayPal: 30 chars)
        if item_schema.get("format") == "uuid" or (
            self._uuid_ids and not self.catalog.checker.errors(answered, fresh)
        ):
            return fresh
        workspace = self._workspace_id()
        with self.store.transaction() as db:
            number = self.store.next_id(db, workspace, f"generic:{kind}")
            # Fixture objects keep their own ids: step over them rather than overwrite one.
            while db.execute(
                "SELECT 1 FROM records WHERE workspace_id = ? AND kind = ? AND id = ?",
                (workspace, kind, str(number)),
            ).fetchone():
                number = self.store.next_id(db, workspace, f"generic:{kind}")
        return number if item_schema.get("type", "integer") == "integer" else str(number)

    def _item_param_schema(self, operation: Operation) -> dict[str, Any]:
        item_param = address(operation, self._resource_path).item_param
        return operation.path_schemas.get(item_param, {}) if item_param else {}

    def _answered_id_schema(self, operation: Operation, field: str = "id") -> dict[str, Any]:
        """The schema of the id field in the operation's answer (a collection path names no
        item)."""
        _status, schema = self.catalog.success_schema(operation)
        resolve = self.catalog.synthesizer.resolve
        return resolve((resolve(schema).get("properties") or {}).get(field) or {})

    async def _create(
        self,
        request: Request,
        operation: Operation,
        kind: str,
        parent: str,
        change: Change,
        found: Identity | None = None,
    ) -> Response:
        body = await read_body(request)
        body = found.unwrap(body) if found else body
        item_id = found.chosen_id(body, self.catalog.synthesizer) if found else None
        if item_id is None:
            item_id = self._id_for(operation, kind, found)
        now = self._now()
        id_field = found.id_field if found else "id"
        # what the client did not send, synthesized for this object (its kind and id the
        # seed): the same values at every read, other values for the next object
        made = self._synthesized(operation, found, f"{kind}:{item_id}")
        item = {**made, **body, id_field: item_id}
        item.update(created=now, created_at=now, updated_at=now)
        workspace = self._workspace_id()
        with self.store.transaction() as db:
            self.store.put_record(db, workspace, kind, str(item_id), item, parent)
            remember_sent(self.store, db, workspace, kind, str(item_id), set(body))
            change.record(db, workspace, parent or str(item_id))
        status, shaped_body = self._fitted(operation, found, item)
        return json_response(status, shaped_body)

    def _synthesized(
        self, operation: Operation, found: Identity | None, seed: str
    ) -> dict[str, Any]:
        _status, schema = self.catalog.success_schema(operation)
        if schema is None:
            return {}
        if found is not None:
            schema = found.model.object_schema(schema)[0]
        made = self.catalog.synthesizer.example(schema, seed=seed)
        return made if isinstance(made, dict) else {}

    def _list(self, request: Request, operation: Operation, kind: str, parent: str) -> Response:
        texts = self.store.list_record_texts(self._workspace_id(), kind, parent or None)
        shape = self._list_shape(operation)
        listed: list[str] = texts
        form: tuple[Any, ...]
        wrap: Callable[[list[Any]], Any]
        if shape[0] == "array":
            form, wrap = shape, list
        elif shape[0] == "results":
            page, limit, listed = page_of(texts, request)
            form = ("results", page, limit, len(texts))

            def wrap(items: list[Any]) -> Any:
                return {"page": page, "limit": limit, "total_results": len(texts), "results": items}

        elif shape[0] == "wrapper":
            form, wrapper = shape, shape[1]  # e.g. {"active_roles": [...]}

            def wrap(items: list[Any]) -> Any:
                return {wrapper: items}

        else:
            form, listed = ("last",), texts[-1:]

            def wrap(items: list[Any]) -> Any:
                return items[-1] if items else {}

        chosen = tuple(listed)

        def make() -> tuple[int, Any]:
            return shaped(self.catalog, operation, wrap([jsoncodec.loads(t) for t in chosen]))

        status, content = self._listings.answer((operation.key, form), chosen, make)
        return encoded_response(status, content)

    def _list_shape(self, operation: Operation) -> tuple[str, ...]:
        """How the operation's answer holds a list, from its success schema (once per
        operation): ("array",), ("results",) (a page of them), ("wrapper", the one array
        property) or ("last",) (the answer is one object: the last)."""
        shape = self._list_shapes.get(operation.key)
        if shape is None:
            resolved = self.catalog.synthesizer.resolve(self.catalog.success_schema(operation)[1])
            properties = resolved.get("properties") or {}
            arrays = [
                name
                for name, child in properties.items()
                if self.catalog.synthesizer.resolve(child).get("type") == "array"
            ]
            if resolved.get("type") == "array":
                shape = ("array",)
            elif "results" in properties:
                shape = ("results",)
            else:
                shape = ("wrapper", arrays[0]) if len(arrays) == 1 else ("last",)
            self._list_shapes[operation.key] = shape
        return shape

    async def _item(
        self,
        request: Request,
        operation: Operation,
        kind: str,
        parent: str,
        item_id: str,
        change: Change,
        found: Identity | None = None,
    ) -> Response:
        workspace = self._workspace_id()
        current = self._existing(kind, item_id)
        if operation.method == "get":
            status, body = self._fitted(operation, found, current)
            return json_response(status, body)
        if operation.method == "delete":
            with self.store.transaction() as db:
                self.store.delete_record(db, workspace, kind, item_id)
            status, body = shaped(self.catalog, operation, {})
            return json_response(status, body)
        changes = await read_body(request)
        changes = found.unwrap(changes) if found else changes
        sent = sent_fields(self.store, workspace, kind, item_id)
        rule = self._update_rule(operation, found)
        made = server_fields(current, rule.writable, sent)
        # what the mock made is not the client's to change, even echoed back from a read
        changes = {key: value for key, value in changes.items() if key not in made}
        merge = operation.method == "patch"
        if self._full_replacement and operation.method == "put":
            merge = rule.partial
            if not merge:
                require_complete(self.catalog.document, rule.checked, current, changes, sent)
        if merge:
            kept = current
        elif sent is not None:  # what the mock made at creation (ids, times) outlives a PUT
            kept = {key: value for key, value in current.items() if key not in sent}
        else:  # a fixture's: what no update sets stays, with its creation time
            kept = {key: current[key] for key in made} | {"created": current.get("created")}
        id_field = found.id_field if found else "id"
        updated = {**kept, **changes, id_field: current.get(id_field), "updated_at": self._now()}
        with self.store.transaction() as db:
            self.store.put_record(db, workspace, kind, item_id, updated, parent)
            if not merge or sent is not None:  # a fixture's stay all known
                kept_names = sent or set() if merge else set()
                remember_sent(self.store, db, workspace, kind, item_id, kept_names | set(changes))
            change.record(db, workspace, parent or item_id)
        status, body = self._fitted(operation, found, updated)
        return json_response(status, body)
