"""The resources a schema describes, inferred from its paths and bodies.

    POST /v2/trips             create       GET /v2/trips/{tripId}    read
    GET  /v2/trips             list         PUT|PATCH|DELETE ...      update, delete
    POST /v2/trips/{tripId}/cancel          an action on one item

A resource is an item path (its last segment a variable) and the collection path above it.
Its identifier field is the body field the item path's parameter names: `{tripId}` -> `id`
or `tripId`, `{external_customer_id}` -> `external_id`, `{code}` -> `code`. When the create
body carries that field the client chooses the id (Lago's codes). One version prefix
(`/v2`, `/v3`) is left out of the kind when every version names the item alike, so the
versions share state. The overlay key `x-spotcheck-resource` on an item path (`{idField,
kind}`) corrects what inference gets wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockserver.spec.walk import merged_object, operations, resolve

_VARIABLE = re.compile(r"^{(.+)}$")
_VERSION = re.compile(r"^v[0-9]+(\.[0-9]+)*$")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
OVERLAY_KEY = "x-spotcheck-resource"


@dataclass
class Resource:
    """One inferred resource: where it lives and which field carries its identity."""

    kind: str  # version-free literal segments, e.g. "balanceAccounts/sweeps"
    item_path: str
    id_param: str
    id_field: str
    wrapper: str | None = None  # {"customer": {...}}: bodies nest the object under this key
    client_chosen: bool = False  # the create body names the id (Lago's `code`)
    collection_path: str | None = None
    parent_params: tuple[str, ...] = ()
    methods: dict[str, str] = field(default_factory=dict)  # role -> "METHOD path"
    actions: list[str] = field(default_factory=list)
    wrappers: frozenset[str] = frozenset()  # every key a request or answer nests it under

    answers_id: bool = False  # the create answer has the identifier field

    @property
    def round_trip(self) -> bool:
        """Whether create -> read can be checked: both are documented and the create answers
        the object (some answer a list or a job)."""
        return "create" in self.methods and "read" in self.methods and self.answers_id


class ResourceModel:
    """Every resource of one document, and what each operation does to which."""

    def __init__(
        self, document: dict[str, Any], resource_path: Callable[[str], str] = lambda p: p
    ) -> None:
        self._document = document
        self._resource_path = resource_path
        self.resources: list[Resource] = []
        self._roles: dict[str, tuple[Resource, str]] = {}
        # object_schema answers on every generic answer: worked out once per schema node (the
        # node is kept with its answer, so its id() is never reused while cached)
        self._objects: dict[tuple[int, str | None], tuple[Any, tuple[dict[str, Any], str | None]]]
        self._objects = {}
        self._infer()

    def role(self, method: str, path: str) -> tuple[Resource, str] | None:
        """(resource, "create"|"list"|"read"|"update"|"replace"|"delete"|"action") or None."""
        return self._roles.get(f"{method.upper()} {path}")

    def lines(self) -> list[str]:
        """One line per resource, as `spotcheck schema resources FILE` prints them."""
        out = []
        for r in self.resources:
            chosen = ", client-chosen" if r.client_chosen else ""
            wrapped = f", in '{r.wrapper}'" if r.wrapper else ""
            roles = " ".join(sorted(r.methods)) + (f" +{len(r.actions)} actions" * bool(r.actions))
            out.append(
                f"{r.kind}: {r.item_path} id {{{r.id_param}}} -> {r.id_field}"
                f"{chosen}{wrapped}; {roles}"
            )
        return out

    def _infer(self) -> None:
        by_path: dict[str, dict[str, dict[str, Any]]] = {}
        for path, method, definition in operations(self._document):
            if "#" not in path:  # Box's fragment keys are variants of another operation
                by_path.setdefault(path, {})[method] = definition
        shapes = {_shape(self._resource_path(path)): path for path in by_path}
        for path in sorted(by_path):
            segments = _segments(self._resource_path(path))
            if not segments or not _VARIABLE.match(segments[-1]):
                continue
            collection = shapes.get(_shape("/".join(segments[:-1])))
            resource = self._resource(path, segments, collection, by_path)
            if resource is not None:
                self.resources.append(resource)
        _merge_versions(self.resources)
        depth: dict[str, int] = {}
        for resource in self.resources:
            depth[resource.kind] = min(depth.get(resource.kind, 99), len(resource.parent_params))
        for resource in self.resources:
            # /taxonomies/{ns} and /taxonomies/{ns}/{key}: two resources, one literal path
            # (while v2 and v2.1 of one path are one resource)
            if len(resource.parent_params) > depth[resource.kind]:
                resource.kind = f"{resource.kind}/{{{resource.id_param}}}"
        # An item path can also be a collection (/taxonomies/{ns} lists /{ns}/{key}): what
        # it is as an item wins, so reading it back finds the object created there.
        for resource in self.resources:
            for role, key in resource.methods.items():
                if role not in ("create", "list"):
                    self._roles[key] = (resource, role)
        for resource in self.resources:
            for role, key in resource.methods.items():
                self._roles.setdefault(key, (resource, role))
            for key in resource.actions:
                self._roles.setdefault(key, (resource, "action"))

    def _resource(
        self,
        path: str,
        segments: list[str],
        collection: str | None,
        by_path: dict[str, dict[str, dict[str, Any]]],
    ) -> Resource | None:
        item_ops = by_path[path]
        collection_ops = by_path.get(collection, {}) if collection else {}
        if not ({"get", "put", "patch", "delete"} & set(item_ops)):
            return None
        id_param = _VARIABLE.match(segments[-1]).group(1)  # type: ignore[union-attr]
        literals = [s for s in segments if not _VARIABLE.match(s)]
        parents = tuple(_VARIABLE.match(s).group(1) for s in segments[:-1] if _VARIABLE.match(s))  # type: ignore[union-attr]
        sample = item_ops.get("get") or collection_ops.get("post") or next(iter(item_ops.values()))
        body, wrapper = self.object_schema(_success_schema(self._document, sample))
        overlay = resolve(self._document, self._document["paths"][path]).get(OVERLAY_KEY) or {}
        id_field = overlay.get("idField") or _id_field(id_param, literals, body)
        created, created_in = self.object_schema(
            _success_schema(self._document, collection_ops.get("post") or {})
        )
        request = _request_schema(self._document, collection_ops)
        create_body, sent_in = self.object_schema(request, wrapper or created_in)
        if sent_in and sent_in not in (wrapper, created_in):
            # {"user": {"id": ...}}: a reference the object holds, not its envelope
            create_body, sent_in = merged_object(self._document, request), None
        created_fields = create_body.get("properties") or {}
        client_chosen = id_field in created_fields and (
            id_field != "id" or id_field in (create_body.get("required") or [])
        )
        resource = Resource(
            overlay.get("kind") or "/".join(literals),
            path,
            id_param,
            id_field,
            wrapper,
            client_chosen,
            collection,
            parents,
        )
        resource.wrappers = frozenset(w for w in (wrapper, sent_in, created_in) if w)
        resource.answers_id = id_field in (created.get("properties") or {}) and (
            "get" not in item_ops or id_field in (body.get("properties") or {})
        )  # a read that answers a listing (Box's /metadata_taxonomies/{ns}) is no read back
        roles = {"get": "read", "patch": "update", "put": "replace", "delete": "delete"}
        for method, role in roles.items():
            if method in item_ops:
                resource.methods[role] = f"{method.upper()} {path}"
        for method, role in (("post", "create"), ("get", "list")):
            if method in collection_ops:
                resource.methods[role] = f"{method.upper()} {collection}"
        resource.actions = [
            f"POST {other}"
            for other, methods in by_path.items()
            if "post" in methods and _is_action(path, other, by_path)
        ]
        return resource

    def object_schema(
        self, schema: Any, prefer: str | None = None
    ) -> tuple[dict[str, Any], str | None]:
        """The object's schema, and the key it is wrapped under (`{"customer": {...}}`)."""
        key = (id(schema), prefer)
        if key not in self._objects:
            self._objects[key] = (schema, self._object_schema(schema, prefer))
        return self._objects[key][1]

    def _object_schema(self, schema: Any, prefer: str | None) -> tuple[dict[str, Any], str | None]:
        resolved = merged_object(self._document, schema)
        objects = {
            name: inner
            for name, child in (resolved.get("properties") or {}).items()
            if (inner := merged_object(self._document, child)).get("properties")
        }
        others = [
            resolve(self._document, child).get("type")
            for name, child in (resolved.get("properties") or {}).items()
            if name not in objects
        ]
        # {"api_app": {...}, "warnings": [...]}: the one object, beside lists at most
        if len(objects) == 1 and all(kind == "array" for kind in others):
            ((name, inner),) = objects.items()
            return inner, name
        if prefer in objects:  # {"authorization": {...}, "subscription": {...}}
            return objects[prefer], prefer
        return resolved, None


def _is_action(item: str, other: str, by_path: dict[str, dict[str, dict[str, Any]]]) -> bool:
    # POST /items/{id}/cancel: one literal below the item, not a collection of its own.
    if not other.startswith(item + "/"):
        return False
    rest = other[len(item) + 1 :].strip("/")
    return (
        bool(rest)
        and "/" not in rest
        and not _VARIABLE.match(rest)
        and not any(p.startswith(other + "/{") for p in by_path)
    )


def _merge_versions(resources: list[Resource]) -> None:
    """`v2/trips` and `v3/trips` become one kind when they name the item alike."""
    groups: dict[str, list[Resource]] = {}
    for resource in resources:
        first, _, rest = resource.kind.partition("/")
        if _VERSION.match(first) and rest:
            groups.setdefault(rest, []).append(resource)
    for kind, members in groups.items():
        if len({(m.id_field, len(m.parent_params)) for m in members}) == 1:
            for member in members:
                member.kind = kind


def _id_field(param: str, literals: list[str], body: dict[str, Any]) -> str:
    fields = list((body.get("properties") or {}).keys())
    if param in fields:
        return param
    words = _words(param)
    owner = set(_words(literals[-1])) if literals else set()
    owner |= {w.rstrip("s") for w in owner}
    # {external_customer_id} -> external_id: the param's words less the resource's own name.
    shorter = [w for w in words if w not in owner]
    for candidate in (words, shorter, ["id"], ["uuid"], words[-1:]):
        for name in fields:
            if candidate and _words(name) == candidate:
                return name
    scored = [(len(set(_words(n)) & set(words)), n) for n in fields if _words(n)[-1:] == ["id"]]
    best = max(scored, default=(0, "id"))
    return best[1] if best[0] else ("id" if "id" in fields or not fields else param)


def _words(name: str) -> list[str]:
    return [w.lower() for w in _WORDS.findall(name)]


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/") if s]


def _shape(path: str) -> str:
    return "/".join("{}" if _VARIABLE.match(s) else s for s in _segments(path))


def _success_schema(document: dict[str, Any], definition: dict[str, Any]) -> Any:
    responses = definition.get("responses") or {}
    for code in sorted(c for c in responses if str(c).startswith("2")):
        content = resolve(document, responses[code]).get("content") or {}
        for media_type, media in content.items():
            if "json" in media_type:
                return (media or {}).get("schema") or {}
    return {}


def _request_schema(document: dict[str, Any], collection_ops: dict[str, Any]) -> Any:
    body = resolve(document, (collection_ops.get("post") or {}).get("requestBody"))
    for media_type, media in (body.get("content") or {}).items():
        if "json" in media_type or "form" in media_type:
            return (media or {}).get("schema") or {}
    return {}
