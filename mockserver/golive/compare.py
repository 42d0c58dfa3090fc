"""Compare upstream's answer with the twin's, and say whose fault each difference is.

Aspects compared: status, content type, error body shape, presence and type of fields, enum
values, documented headers (Location, Retry-After, ...). Each difference gets a class:

- `twin`: upstream kept its schema there and the twin answered otherwise - fix the twin.
- `schema`: upstream broke its own schema there, or the schema says nothing about it (an
  undocumented status or field) - the schema is silent or wrong, tell the vendor or overlay it.
- `data`: values that differ by nature (ids, timestamps, names): shown, never a failure.

Bodies are compared by shape: `items.[].id -> {"integer"}`, over every item of a list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.golive.checks import ExchangeChecker, Verdict, base_media
from mockserver.golive.har import Message
from mockserver.masking import MASK, mask_value
from mockserver.spec.index import Operation
from mockserver.spec.walk import resolve

TWIN, SCHEMA, DATA = "twin", "schema", "data"
Add = Callable[[str, str, str], None]  # (aspect, class, detail)
# Compared whether or not the operation documents them (a 201 Location, a 429 Retry-After).
_HEADERS = ("location", "retry-after")


@dataclass(frozen=True)
class Difference:
    exchange: int  # 1-based position in the recording
    operation: str
    aspect: str  # status, content-type, error-body, field, type, enum, header, value
    klass: str  # TWIN, SCHEMA or DATA
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def shape(
    value: Any, path: str = "", into: dict[str, set[str]] | None = None
) -> dict[str, set[str]]:
    """Every path of `value` with the JSON types found there (`[]` for any list item)."""
    into = {} if into is None else into
    into.setdefault(path, set()).add(_kind(value))
    if isinstance(value, dict):
        for key, item in value.items():
            shape(item, f"{path}.{key}" if path else str(key), into)
    elif isinstance(value, list):
        for item in value:
            shape(item, f"{path}.[]" if path else "[]", into)
    return into


class Comparer:
    """Compares exchanges of one schema; `checker` judges whether upstream kept its schema."""

    def __init__(self, checker: ExchangeChecker) -> None:
        self.checker = checker

    def compare(
        self,
        number: int,
        operation: Operation,
        verdict: Verdict,
        upstream: tuple[int, Message],
        twin: tuple[int, Message],
        same: dict[str, str],
    ) -> list[Difference]:
        """Differences between upstream's and the twin's answer; `same` maps upstream's ids to
        the twin's (values equal under it are not differences)."""
        (status, up), (twin_status, tw) = upstream, twin
        found: list[Difference] = []

        def add(aspect: str, klass: str, detail: str) -> None:
            found.append(Difference(number, operation.key, aspect, klass, detail))

        documented = self.checker.documented(operation, status)
        if status != twin_status:
            add("status", TWIN if documented else SCHEMA, f"upstream {status}, twin {twin_status}")
            return found
        self._headers(operation, status, up, tw, same, add)
        if up.body and tw.body and base_media(up.media_type) != base_media(tw.media_type):
            media = base_media(up.media_type)
            content = (documented or {}).get("content") or {}
            known = any(base_media(name) == media for name in content)
            add(
                "content-type", TWIN if known else SCHEMA, f"upstream {media}, twin {tw.media_type}"
            )
            return found
        up_body, tw_body = up.json(), mask_value(tw.json())
        if up_body is None or tw_body is None:
            return found
        schema = self.checker.response_schema(operation, status, up.media_type)
        if status >= 400:
            self._error_body(up_body, tw_body, schema, verdict, add)
            return found
        self._fields(up_body, tw_body, schema, verdict, same, add)
        return found

    def compare_bodies(
        self,
        number: int,
        label: str,
        upstream: Any,
        twin: Any,
        schema: Any,
        same: dict[str, str],
    ) -> list[Difference]:
        """Differences between two JSON bodies (webhook payloads) judged by `schema`."""
        found: list[Difference] = []

        def add(aspect: str, klass: str, detail: str) -> None:
            found.append(Difference(number, label, aspect, klass, detail))

        verdict = Verdict(label)
        if schema is not None:
            verdict.violations = self.checker.body_violations("response", schema, upstream)
        self._fields(upstream, mask_value(twin), schema, verdict, same, add)
        return found

    def _headers(
        self,
        operation: Operation,
        status: int,
        up: Message,
        tw: Message,
        same: dict[str, str],
        add: Add,
    ) -> None:
        documented = {
            name.lower()
            for name in ((self.checker.documented(operation, status) or {}).get("headers") or {})
        }
        for name in sorted(documented | set(_HEADERS)):
            mine, theirs = up.header(name), tw.header(name)
            klass = TWIN if name in documented else SCHEMA
            if (mine is None) != (theirs is None):
                where = "upstream only" if theirs is None else "twin only"
                add("header", klass, f"{name}: {where}")
            elif mine is not None and name == "location" and _mapped(mine, same) != theirs:
                add("header", DATA, f"location: upstream {mine}, twin {theirs}")

    def _error_body(self, up: Any, tw: Any, schema: Any, verdict: Verdict, add: Add) -> None:
        mine = sorted(up) if isinstance(up, dict) else [_kind(up)]
        theirs = sorted(tw) if isinstance(tw, dict) else [_kind(tw)]
        if mine != theirs:
            kept = schema is not None and not any(v.side == "response" for v in verdict.violations)
            add("error-body", TWIN if kept else SCHEMA, f"upstream keys {mine}, twin keys {theirs}")

    def _fields(
        self,
        up: Any,
        tw: Any,
        schema: Any,
        verdict: Verdict,
        same: dict[str, str],
        add: Add,
    ) -> None:
        broken = {v.path for v in verdict.violations if v.side == "response"}
        up_shape, tw_shape = shape(up), shape(tw)
        reported: list[str] = []
        for path in sorted(set(up_shape) | set(tw_shape)):
            if any(path.startswith(f"{done}.") for done in reported):
                continue  # inside a field already reported
            upstream_broke = any(path == b or path.startswith(f"{b}.") for b in broken)
            known = schema is not None and self._at(schema, path) is not None
            if path not in tw_shape:
                reported.append(path)
                klass = SCHEMA if upstream_broke or not known else TWIN
                add("field", klass, f"`{path}`: upstream has it, the twin does not")
            elif path not in up_shape:
                # Upstream left out a required field (it broke its schema), or an optional one
                # (the schema does not say when it is sent): either way the schema's part.
                reported.append(path)
                why = "required, upstream left it out" if upstream_broke else "optional"
                add("field", SCHEMA, f"`{path}`: only the twin has it ({why})")
            elif up_shape[path] != tw_shape[path] and "null" not in up_shape[path] | tw_shape[path]:
                reported.append(path)
                kinds = f"upstream {sorted(up_shape[path])}, twin {sorted(tw_shape[path])}"
                add("type", SCHEMA if upstream_broke else TWIN, f"`{path}`: {kinds}")
        self._values(up, tw, schema, same, add, "", reported)

    def _values(
        self,
        up: Any,
        tw: Any,
        schema: Any,
        same: dict[str, str],
        add: Add,
        path: str,
        reported: list[str],
    ) -> None:
        """Scalars of objects (not of list items: those are different objects by nature)."""
        if not (isinstance(up, dict) and isinstance(tw, dict)):
            return
        for key in sorted(set(up) & set(tw)):
            where = f"{path}.{key}" if path else str(key)
            if where in reported:
                continue
            mine, theirs = up[key], tw[key]
            if isinstance(mine, dict):
                self._values(mine, theirs, schema, same, add, where, reported)
                continue
            if isinstance(mine, list | dict) or mine == theirs or MASK in (mine, theirs):
                continue
            if str(same.get(str(mine), mine)) == str(theirs):
                continue
            enum = (self._at(schema, where) or {}).get("enum") if schema is not None else None
            if enum:
                klass = TWIN if mine in enum else SCHEMA
                add("enum", klass, f"`{where}`: upstream {mine!r}, twin {theirs!r}")
            else:
                add("value", DATA, f"`{where}`: upstream {mine!r}, twin {theirs!r}")

    def _at(self, schema: Any, path: str) -> dict[str, Any] | None:
        """The schema a shape path leads to, or None where the schema does not describe it."""
        node = self._resolve(schema)
        for part in path.split(".") if path else []:
            if part == "[]":
                node = self._resolve(node.get("items") or {})
                continue
            properties = self._properties(node)
            if part in properties:
                node = self._resolve(properties[part])
            elif isinstance(node.get("additionalProperties"), dict):
                node = self._resolve(node["additionalProperties"])
            else:
                return None
        return node

    def _resolve(self, node: Any) -> dict[str, Any]:
        """`node` with its `$ref`s followed and its `allOf` parts merged into it."""
        node = resolve(self.checker.document, node) if isinstance(node, dict) else {}
        if "allOf" not in node:
            return node
        merged: dict[str, Any] = {}
        for part in node["allOf"]:
            merged.update(self._resolve(part))
        merged.update({key: value for key, value in node.items() if key != "allOf"})
        return merged

    def _properties(self, node: dict[str, Any]) -> dict[str, Any]:
        properties = dict(node.get("properties") or {})
        for part in [
            *(node.get("allOf") or []),
            *(node.get("oneOf") or []),
            *(node.get("anyOf") or []),
        ]:
            properties.update(self._properties(self._resolve(part)))
        return properties


def _mapped(text: str, same: dict[str, str]) -> str:
    for upstream_id, twin_id in same.items():
        text = text.replace(f"/{upstream_id}", f"/{twin_id}")
    return text
