"""Identity for the generic state: which kind an operation touches, and in which field.

The generic CRUD reads paths alone; this adds what the resource model knows from the bodies.
A created object is stored under the id it answers with, in the schema's identifier field
(`id`, `fooId`, `external_id`, a client-chosen `code`), so reading it back by that id finds
it; `/v2/trips` and `/v3/trips` share one kind; an object nested under a key
(`{"customer": {...}}`) is stored bare and answered nested again.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.behaviours.synth import Synthesizer
from mockserver.spec.index import Operation
from mockserver.spec.resource_model import Resource, ResourceModel


@dataclass(frozen=True)
class Identity:
    """What the model says about one operation."""

    resource: Resource
    role: str  # create, list, read, update, replace, delete, action
    model: ResourceModel

    @property
    def kind(self) -> str:
        return self.resource.kind

    @property
    def id_field(self) -> str:
        return self.resource.id_field

    def item_id(self, params: dict[str, str]) -> str | None:
        return params.get(re.sub(r"\W", "_", self.resource.id_param))

    def unwrap(self, body: dict[str, Any]) -> dict[str, Any]:
        """The object a request body carries (`{"customer": {...}}` -> `{...}`)."""
        for key in self.resource.wrappers:
            if isinstance(body.get(key), dict):
                return dict(body[key])
        return body

    def wrap(self, item: Any, answer_schema: Any) -> Any:
        """`item` as the operation's answer carries it: nested where its schema nests it
        (Lago's create answers `{"customer": {...}}`, some reads answer the bare object)."""
        _, wrapper = self.model.object_schema(answer_schema)
        if wrapper and isinstance(item, dict) and wrapper not in item:
            return {wrapper: item}
        return item

    def id_schema(self, synthesizer: Synthesizer) -> dict[str, Any]:
        """The schema of the item path's parameter: the type a new id takes."""
        item = synthesizer.document["paths"][self.resource.item_path]
        for holder in (item, *(item.get(m) or {} for m in ("get", "put", "patch", "delete"))):
            for parameter in holder.get("parameters") or []:
                parameter = synthesizer.resolve(parameter)
                if (
                    parameter.get("in") == "path"
                    and parameter.get("name") == self.resource.id_param
                ):
                    return synthesizer.resolve(parameter.get("schema"))
        return {}

    def chosen_id(self, body: dict[str, Any], synthesizer: Synthesizer) -> Any:
        """The id the client chose in a create body, if the resource lets it choose and the
        item path would take it (else the object could never be read back)."""
        if not self.resource.client_chosen:
            return None
        value = body.get(self.id_field)
        if not isinstance(value, str | int) or isinstance(value, bool):
            return None
        return value if _fits(self.id_schema(synthesizer), str(value)) else None


class Identities:
    """The resource model of the served document, built on first use."""

    def __init__(
        self, document: Callable[[], dict[str, Any]], resource_path: Callable[[str], str]
    ) -> None:
        self._document = document
        self._resource_path = resource_path
        self._model: ResourceModel | None = None

    def of(self, operation: Operation) -> Identity | None:
        if self._model is None:
            self._model = ResourceModel(self._document(), self._resource_path)
        found = self._model.role(operation.method, operation.path)
        return Identity(*found, self._model) if found else None


def _fits(schema: dict[str, Any], value: str) -> bool:
    if schema.get("type") == "integer" and not value.lstrip("-").isdigit():
        return False
    if schema.get("format") == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return False
    pattern = schema.get("pattern")
    try:
        return not pattern or re.search(pattern, value) is not None
    except re.error:
        return True
