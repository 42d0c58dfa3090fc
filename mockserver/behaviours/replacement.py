"""Full replacement (a profile's PUT sends the whole object) for the generic state.

A PUT must name every writable field the client has set on the object, not those the mock
synthesized for it at creation: the names a client sent are kept beside the object, as a
record kind of their own (never listed with it nor answered).

Where the schema itself says a PUT takes a subset, that PUT merges into the object whatever
the family's rule: its body requires nothing while creating one on the collection requires
fields, in a schema of its own (Dropbox Sign's `ApiAppUpdateRequest` beside
`ApiAppCreateRequest`; Lago's inside its `{"plan": {...}}` wrapper). A PUT whose body is the
create body (PayPal's templates, "does not support partial updates") or has no create beside
it keeps the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mockserver.errors import ApiProblem, FieldError
from mockserver.spec.index import Operation
from mockserver.spec.walk import merged_object, resolve
from mockserver.state.store import Store


def remember_sent(
    store: Store, db: Any, workspace: int, kind: str, item_id: str, names: set[str]
) -> None:
    """Within the write's transaction `db`: the fields the client has set on the object."""
    store.put_record(db, workspace, f"{kind}#sent", item_id, {"fields": sorted(names)})


def sent_fields(store: Store, workspace: int, kind: str, item_id: str) -> set[str] | None:
    """What the client has set; None for an object it did not create (a fixture's), whose
    fields all count."""
    found = store.get_record(workspace, f"{kind}#sent", item_id)
    return set(found["fields"]) if found else None


def schema_allows_partial(document: dict[str, Any], operation: Operation) -> bool:
    """Whether the schema makes this PUT a partial update (see the module's docstring)."""
    update = _json_body(document, operation.definition)
    collection = operation.path.rstrip("/").rsplit("/", 1)[0]
    paths = document.get("paths") or {}
    item = paths.get(collection) or paths.get(collection + "/") or {}
    create = item.get("post")
    created = _json_body(document, create) if isinstance(create, dict) else None
    if update is None or created is None:
        return False
    update, created = _inside_one_wrapper(document, update, created)
    if _required(document, update) or resolve(document, created) is resolve(document, update):
        return False
    return bool(_required(document, created))


def _inside_one_wrapper(document: dict[str, Any], update: Any, created: Any) -> tuple[Any, Any]:
    """Both bodies wrap the object in the same one field (Lago's `{"plan": {...}}`): what
    is inside; else the bodies themselves."""
    names = [list(_properties(document, body)) for body in (update, created)]
    if len(names[0]) != 1 or names[0] != names[1]:
        return update, created
    field = names[0][0]
    inner = [_properties(document, body)[field] for body in (update, created)]
    wraps = all(
        field in _required(document, body) and _properties(document, part)
        for body, part in zip((update, created), inner, strict=True)
    )
    return (inner[0], inner[1]) if wraps else (update, created)


@dataclass(frozen=True)
class UpdateRule:
    """What an update operation's schema says, worked out once per operation."""

    writable: dict[str, Any]  # the object's properties the body may set (inside a wrapper)
    checked: dict[str, Any]  # the body's own properties, which a whole-object PUT must send
    partial: bool  # the schema makes this PUT a partial update


def update_rule(
    document: dict[str, Any], operation: Operation, wrappers: Iterable[str]
) -> UpdateRule:
    # completeness by the body's own fields, not inside a wrapper: a wrapped subset is data
    # the schema allows, and refusing it is a change of its own, not made
    return UpdateRule(
        writable_properties(document, operation, wrappers),
        writable_properties(document, operation, ()),
        operation.method == "put" and schema_allows_partial(document, operation),
    )


def writable_properties(
    document: dict[str, Any], operation: Operation, wrappers: Iterable[str]
) -> dict[str, Any]:
    """The object's properties an update body may set, inside its wrapper when the body
    nests it (Lago's `{"add_on": {...}}`); {} when the body's schema says nothing."""
    found = _properties(document, _json_body(document, operation.definition))
    for key in wrappers:
        inner = _properties(document, found[key]) if key in found else {}
        if inner:
            return inner
    return found


def server_fields(
    current: dict[str, Any], writable: dict[str, Any], sent: set[str] | None
) -> set[str]:
    """Fields of `current` no update sets: not writable, and not an extra field the client
    chose to send (ids and times the mock made; `lago_id`). {} where nothing is known."""
    if not writable:
        return set()
    return {name for name in current if name not in writable and (sent is None or name not in sent)}


def require_complete(
    document: dict[str, Any],
    writable: dict[str, Any],
    current: dict[str, Any],
    sent: dict[str, Any],
    known: set[str] | None,
) -> None:
    """A 400 naming the writable fields of `current` the client set but left out of `sent`."""
    missing = sorted(
        name
        for name, child in writable.items()
        if name not in sent
        and (known is None or name in known)
        and name != "id"
        and current.get(name) is not None
        and not resolve(document, child).get("readOnly")
    )
    if missing:
        raise ApiProblem(
            400,
            "PUT replaces the whole object: send every field. Missing: " + ", ".join(missing) + ".",
            "incomplete_object",
            [FieldError(name, "missing from a full update") for name in missing],
        )


def _json_body(document: dict[str, Any], definition: dict[str, Any]) -> Any:
    """The schema of an operation's JSON request body (as written: maybe a $ref), or None."""
    body = resolve(document, definition.get("requestBody") or {})
    content = body.get("content") or {}
    media = "application/json" if "application/json" in content else None
    media = media or next((name for name in content if "json" in name), None)
    return (content.get(media) or {}).get("schema") if media else None


def _required(document: dict[str, Any], schema: Any) -> set[str]:
    return {str(name) for name in merged_object(document, schema)["required"]}


def _properties(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    return dict(merged_object(document, schema)["properties"])
