"""Full replacement (a profile's PUT sends the whole object) for the generic state.

A PUT must name every writable field the client has set on the object, not those the mock
synthesized for it at creation: the names a client sent are kept beside the object, as a
record kind of their own (never listed with it nor answered).

Where the schema's update body requires nothing (Dropbox Sign's `ApiAppUpdateRequest`), the
schema itself says any subset is a valid update: that PUT merges into the object, whatever
the family's rule, or a client sending what the schema allows would be refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.errors import ApiProblem, FieldError
from mockserver.spec.index import Operation
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


def schema_allows_partial(resolve: Callable[[Any], dict[str, Any]], operation: Operation) -> bool:
    """The update's JSON body requires no field: any subset is what the schema allows."""
    return not resolve(_json_body_schema(operation)).get("required")


def require_complete(
    resolve: Callable[[Any], dict[str, Any]],
    operation: Operation,
    current: dict[str, Any],
    sent: dict[str, Any],
    known: set[str] | None,
) -> None:
    """A 400 naming the writable fields of `current` the client set but left out of `sent`."""
    schema = resolve(_json_body_schema(operation))
    missing = sorted(
        name
        for name, child in (schema.get("properties") or {}).items()
        if name not in sent
        and (known is None or name in known)
        and name != "id"
        and current.get(name) is not None
        and not resolve(child).get("readOnly")
    )
    if missing:
        raise ApiProblem(
            400,
            "PUT replaces the whole object: send every field. Missing: " + ", ".join(missing) + ".",
            "incomplete_object",
            [FieldError(name, "missing from a full update") for name in missing],
        )


def _json_body_schema(operation: Operation) -> Any:
    content = (operation.definition.get("requestBody") or {}).get("content") or {}
    return (content.get("application/json") or {}).get("schema") or {}
