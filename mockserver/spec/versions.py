"""Date-named API versions (Spot Thought-style), declared in `x-spotcheck-versions`.

The schema describes the latest version. Each declared change says from which date on it
applies; a request pinned to an earlier date (in the header the profile names, see
`mockserver.profiles.version_header`) is answered as before::

    x-spotcheck-versions:
      versions: ["2024-06-01", "2024-11-15"]     # every date a client may pin
      default: "2024-11-15"                      # optional; the latest date otherwise
      changes:
        - version: "2024-11-15"                  # the date the change was published
          rename: {from: name, to: full_name}     # a field's name before and since
          paths: ["/participants"]                # optional; every path otherwise
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from mockserver.errors import ApiProblem, FieldError, SchemaError
from mockserver.spec.walk import operations, visit_schemas

VERSIONS_KEY = "x-spotcheck-versions"
GRAPHQL_KEY = "x-spotcheck-graphql"


@dataclass(frozen=True)
class Rename:
    since: str
    old: str
    new: str
    paths: tuple[str, ...] = ()

    def applies(self, pinned: str, path: str) -> bool:
        return pinned < self.since and (not self.paths or path in self.paths)


@dataclass(frozen=True)
class VersionPlan:
    dates: tuple[str, ...]
    default: str
    renames: tuple[Rename, ...]
    header: str  # the request and answer header that names the version

    def pinned(self, requested: str | None) -> str:
        """The version a request runs against: the one it names, or the default."""
        if requested is None or not requested.strip():
            return self.default
        if requested.strip() not in self.dates:
            known = ", ".join(self.dates)
            raise ApiProblem(
                400,
                f"Unknown API version {requested.strip()!r}; known versions: {known}.",
                "unknown_api_version",
                [FieldError(self.header, f"must be one of {known}")],
            )
        return requested.strip()

    def renames_for(self, pinned: str, path: str) -> tuple[Rename, ...]:
        return tuple(rename for rename in self.renames if rename.applies(pinned, path))


def version_plan(document: dict[str, Any], header: str) -> VersionPlan | None:
    """The versions a schema declares, pinned by `header`, or None; a malformed declaration
    is a SchemaError."""
    declared = document.get(VERSIONS_KEY)
    if declared is None:
        return None
    try:
        dates = tuple(sorted(str(date) for date in declared["versions"]))
        default = str(declared.get("default") or dates[-1])
        renames = tuple(
            Rename(
                since=str(change["version"]),
                old=str(change["rename"]["from"]),
                new=str(change["rename"]["to"]),
                paths=tuple(str(path) for path in change.get("paths") or ()),
            )
            for change in declared.get("changes") or ()
        )
    except (KeyError, TypeError, IndexError) as error:
        raise SchemaError(
            f"{VERSIONS_KEY} is malformed (see mockserver/spec/versions.py): missing {error}"
        ) from None
    if default not in dates or any(rename.since not in dates for rename in renames):
        raise SchemaError(f"{VERSIONS_KEY}: the default and every change must name a version")
    return VersionPlan(dates, default, renames, header)


def renamed(value: Any, renames: tuple[Rename, ...], to_latest: bool) -> Any:
    """`value` with the renamed fields of every object in it, towards the latest or back."""
    mapping = {r.old: r.new for r in renames} if to_latest else {r.new: r.old for r in renames}
    return _renamed(value, mapping)


def _renamed(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [_renamed(item, mapping) for item in value]
    if not isinstance(value, dict):
        return value
    return {mapping.get(key, key): _renamed(item, mapping) for key, item in value.items()}


def document_for_version(
    document: dict[str, Any], plan: VersionPlan, pinned: str
) -> dict[str, Any]:
    """A copy of the (latest) `document` as it reads for a client pinned to `pinned`: renamed
    properties carry their old names, and the version header admits only `pinned`.

    Renames are applied to every schema: schemas are shared between paths, so a rename limited
    to some `paths` is not told apart here (the mock does tell them apart).
    """
    older = copy.deepcopy(document)
    back = {rename.new: rename.old for rename in plan.renames if pinned < rename.since}

    def rename_properties(schema: dict[str, Any], _pointer: str) -> None:
        properties = schema.get("properties")
        if isinstance(properties, dict) and back.keys() & properties.keys():
            schema["properties"] = {back.get(k, k): v for k, v in properties.items()}
        required = schema.get("required")
        if isinstance(required, list):
            schema["required"] = [back.get(name, name) for name in required]

    if back:
        visit_schemas(older, rename_properties)
    for _path, _method, operation in operations(older):
        for parameter in operation.get("parameters") or []:
            if str(parameter.get("name", "")).lower() == plan.header.lower():
                parameter["schema"] = {"type": "string", "enum": [pinned]}
    return older
