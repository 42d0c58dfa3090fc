"""`spotcheck seed DIR`: what upstream showed in a recording becomes the twin's workspace.

Every successful JSON read of the recording is laid into the fixture workspace the way the
twin keeps state for that path (`behaviours.resources.address`): an item read is a record, a
collection read is one record per item, an object read (a template's metadata) one record.
Templates get their `fields` from their metadata's attributes, so the twin checks a new
contract's `contract_data` against the real template. The result is a fixtures folder
(`spotcheck serve --fixtures OUT`, or `serve --seed DIR` in one step); the UAT credentials and
users of the base fixtures stay, so clients keep authenticating.

    summary = seed_fixtures(read_entries(Path("rec")), schema, Path("seeded"))
    summary.counts   # {"templates": 2, "templates/metadata": 2, "contract_types": 2}
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.behaviours.identity import Identities
from mockserver.behaviours.resources import address
from mockserver.golive.har import path_of, response_of
from mockserver.profiles import resource_path
from mockserver.settings import DEFAULT_FIXTURES
from mockserver.state.fixtures import read_fixtures

if TYPE_CHECKING:
    from mockserver.spec import LoadedSchema

# Fixture lists replaced by what upstream showed of the same kind (see fixtures._RECORD_KINDS).
_FIXTURE_LISTS = {
    "templates": "templates",
    "contract_types": "contract_types",
    "organizations/entities": "entities",
    "counter_parties": "counterparties",
}
# Template metadata attribute types -> the field types contract_data is checked against.
_FIELD_TYPES = {"int": "integer", "float": "number", "boolean": "boolean", "date": "date"}


@dataclass
class SeedSummary:
    out: Path
    counts: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.counts.items()))
        return f"seeded {self.out}: {kinds or 'nothing (no successful JSON reads recorded)'}"


def _records(entries: list[dict[str, Any]], schema: LoadedSchema) -> dict[tuple[str, str], Any]:
    """(kind, id) -> {"parent", "data"} for every object the recording's reads showed."""
    found: dict[tuple[str, str], Any] = {}
    identities = Identities(lambda: schema.document, resource_path)
    for item in entries:
        request, notes = item["request"], item.get("_spotcheck") or {}
        if request["method"] != "GET" or notes.get("refused") or notes.get("upstream_error"):
            continue
        if not 200 <= item["response"]["status"] < 300:
            continue
        match = schema.index.match("GET", path_of(item))
        body = response_of(item).json()
        if match is None or match.operation is None or body is None:
            continue
        # The kind, parent and id as the generic state finds them for the same request.
        where = address(match.operation, resource_path)
        identity = identities.of(match.operation)
        kind = identity.kind if identity else where.kind
        parent = where.parent_id(match.params)
        item_id = where.item_id(match.params)
        if item_id is not None and isinstance(body, dict):
            _put(found, kind, item_id, parent, body)
            continue
        for index, obj in enumerate(_listed(body)):
            _put(found, kind, str(obj.get("id", f"{parent}:{index}")), parent, obj)
    return found


def _listed(body: Any) -> list[dict[str, Any]]:
    """The objects of a collection answer: a list, `results`, the one array of an object
    (`{"items": [...]}`, `{"attributes": [...]}`), else the object itself."""
    if isinstance(body, list):
        return [obj for obj in body if isinstance(obj, dict)]
    if not isinstance(body, dict):
        return []
    arrays = [value for value in body.values() if isinstance(value, list)]
    if isinstance(body.get("results"), list):
        arrays = [body["results"]]
    if len(arrays) == 1:
        return [obj for obj in arrays[0] if isinstance(obj, dict)]
    return [body]


def _put(found: dict[tuple[str, str], Any], kind: str, key: str, parent: str, obj: Any) -> None:
    # A later, fuller read (the item after the list) adds to what an earlier one showed.
    earlier = found.get((kind, key), {"data": {}})["data"]
    found[(kind, key)] = {"parent": parent, "data": {**earlier, **obj}}


def seed_fixtures(
    entries: list[dict[str, Any]],
    schema: LoadedSchema,
    out: Path,
    base: Path = DEFAULT_FIXTURES,
) -> SeedSummary:
    """Write a fixtures folder to `out`: `base` with the recording's objects as its UAT state."""
    found = _records(entries, schema)
    out.mkdir(parents=True, exist_ok=True)
    summary = SeedSummary(out)
    for workspace in read_fixtures(str(base)):
        if workspace["environment"] == "uat":
            workspace = _seeded(workspace, found, summary)
        target = out / f"{workspace['environment']}.json"
        target.write_text(json.dumps(workspace, indent=1), encoding="utf-8")
    readme = base / "README.md"
    if readme.is_file():
        shutil.copyfile(readme, out / "README.md")
    return summary


def _seeded(
    workspace: dict[str, Any], found: dict[tuple[str, str], Any], summary: SeedSummary
) -> dict[str, Any]:
    workspace = dict(workspace)
    base_fields = {str(t["id"]): t.get("fields", []) for t in workspace.get("templates", [])}
    for kind, key in _FIXTURE_LISTS.items():
        if any(found_kind == kind for found_kind, _ in found):
            workspace[key] = []  # upstream's own objects replace the fixture ones
    records = []
    for (kind, key), record in found.items():
        data = dict(record["data"])
        if kind == "templates":
            attributes = [
                r["data"]
                for (k, _), r in found.items()
                if k == "templates/metadata" and r["parent"] == key
            ]
            data["fields"] = _fields(attributes) if attributes else base_fields.get(key, [])
        records.append({"kind": kind, "id": key, "parent": record["parent"], "data": data})
        summary.counts[kind] += 1
    workspace["records"] = records
    return workspace


def _fields(attributes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "name": attribute["variable"],
            "type": _FIELD_TYPES.get(str(attribute.get("type")), "string"),
            "required": bool(attribute.get("required", True)),
        }
        for attribute in attributes
        if attribute.get("variable")
    ]
