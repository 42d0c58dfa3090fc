"""Where an operation keeps its state: a collection kind, a parent and an id.

    GET  /counter_parties/{counterparty_id}/contacts
         -> kind "counter_parties/contacts", parent "41", collection operation
    PATCH /counter_parties/{counterparty_id}/contacts/{contact_id}/
         -> kind "counter_parties/contacts", parent "41", item "52"

The path is read after the profiles' `resource_path` (an API version prefix dropped), so two
versions of the same resource share state, as they do in the real service.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mockserver.spec.index import Operation

_VARIABLE = re.compile(r"^{(.+)}$")


@dataclass(frozen=True)
class ResourceAddress:
    kind: str
    parent: str
    item_param: str | None  # the path variable naming the item, if this is an item path
    parent_params: tuple[str, ...]

    def item_id(self, params: dict[str, str]) -> str | None:
        return params.get(self.item_param) if self.item_param else None

    def parent_id(self, params: dict[str, str]) -> str:
        return "/".join(params.get(name, "") for name in self.parent_params)


def address(operation: Operation, resource_path: Callable[[str], str]) -> ResourceAddress:
    """Where `operation` keeps state; `resource_path` drops what names no resource."""
    path = resource_path(operation.path).strip("/")
    segments = path.split("/") if path else []
    item_param = None
    if segments and _VARIABLE.match(segments[-1]):
        item_param = _group(segments.pop())
    literals = [s for s in segments if not _VARIABLE.match(s)]
    parents = tuple(_group(s) for s in segments if _VARIABLE.match(s))
    return ResourceAddress("/".join(literals), "", item_param, parents)


def _group(segment: str) -> str:
    return re.sub(r"\W", "_", segment[1:-1])
