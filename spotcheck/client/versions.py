"""Date-named versions as a client reads them (`x-spotcheck-versions`, in the schema or in our
overlay file): which dates it may pin, the default, and how an older version reads the
(latest) schema - renamed properties carry their old names.

    x-spotcheck-versions:
      versions: ["2024-06-01", "2024-11-15"]
      changes:
        - {version: "2024-11-15", rename: {from: name, to: full_name}}
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from spotcheck.client.errors import ClientError

VERSIONS_KEY = "x-spotcheck-versions"


@dataclass(frozen=True)
class DatedVersions:
    dates: tuple[str, ...]
    default: str
    renames: tuple[tuple[str, str, str], ...]  # (since, old name, new name)

    def pinned(self, requested: str | None) -> str:
        """The version a client pinning `requested` gets; ClientError for an unknown one."""
        if not requested:
            return self.default
        if requested not in self.dates:
            raise ClientError(f"API version {requested!r} is not one of {', '.join(self.dates)}")
        return requested

    def reading(self, document: dict[str, Any], pinned: str, header: str) -> dict[str, Any]:
        """A copy of `document` as a client pinned to `pinned` reads it; a version `header`
        the schema declares as a parameter admits only `pinned`."""
        back = {new: old for since, old, new in self.renames if pinned < since}
        older = copy.deepcopy(document)
        if back:
            _rename(older, back)
        for parameter in _parameters(older):
            if header and str(parameter.get("name", "")).lower() == header.lower():
                parameter["schema"] = {"type": "string", "enum": [pinned]}
        return older


def dated_versions(declared: Any) -> DatedVersions | None:
    """The versions an `x-spotcheck-versions` value declares (None: none declared)."""
    if declared is None:
        return None
    try:
        dates = tuple(sorted(str(date) for date in declared["versions"]))
        renames = tuple(
            (str(c["version"]), str(c["rename"]["from"]), str(c["rename"]["to"]))
            for c in declared.get("changes") or ()
        )
        return DatedVersions(dates, str(declared.get("default") or dates[-1]), renames)
    except (KeyError, TypeError, IndexError) as error:
        raise ClientError(f"{VERSIONS_KEY} is malformed: missing {error}") from None


def _parameters(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every parameter written inline in an operation or a path item."""
    found = []
    for item in (document.get("paths") or {}).values():
        holders = [item, *item.values()] if isinstance(item, dict) else []
        for holder in holders:
            if isinstance(holder, dict) and isinstance(holder.get("parameters"), list):
                found += [p for p in holder["parameters"] if isinstance(p, dict)]
    return found


def _rename(node: Any, back: dict[str, str]) -> None:
    """Rename properties (and their `required` entries) in every schema below `node`."""
    if isinstance(node, list):
        for item in node:
            _rename(item, back)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict) and back.keys() & properties.keys():
        node["properties"] = {back.get(k, k): v for k, v in properties.items()}
    if isinstance(node.get("required"), list) and isinstance(properties, dict):
        node["required"] = [back.get(name, name) for name in node["required"]]
    for child in node.values():
        _rename(child, back)
