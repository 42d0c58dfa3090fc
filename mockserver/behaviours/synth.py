"""Deterministic, schema-valid example bodies for responses the schema gives no example for.

Same schema in, same body out: a client's snapshot tests stay stable across runs.
"""

from __future__ import annotations

import random
import re
from typing import Any

import rstr

from mockserver.spec.validation import SchemaChecker
from mockserver.spec.walk import resolve

_MAX_DEPTH = 8

_FORMAT_VALUES = {
    "date-time": "2025-06-07T00:00:00Z",
    "date": "2025-06-07",
    "time": "12:00:00Z",  # RFC 3339 full-time: the offset is part of it
    "email": "jane.doe@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com/resource",
    "url": "https://example.com/resource",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "binary": "",
    "byte": "",
}


class Synthesizer:
    """Builds example values for the schemas of one document (resolving its local $refs)."""

    def __init__(self, document: dict[str, Any], use_examples: bool = True) -> None:
        self._document = document
        self._use_examples = use_examples
        self._checker = SchemaChecker(document)
        self._mapped: set[int] = set()  # base schemas being answered through their mapping

    @property
    def document(self) -> dict[str, Any]:
        """The document whose `$ref`s this synthesizer resolves."""
        return self._document

    def without_examples(self) -> Synthesizer:
        """A synthesizer that ignores schema-level examples (some vendors' are invalid)."""
        return Synthesizer(self._document, use_examples=False)

    def resolve(self, schema: Any) -> dict[str, Any]:
        return resolve(self._document, schema)

    def example(self, schema: Any, depth: int = 0) -> Any:
        """A value valid against `schema` (OpenAPI 3.0 flavour of JSON Schema)."""
        schema = self.resolve(schema)
        if self._use_examples and "example" in schema:
            return schema["example"]
        if schema.get("enum"):
            return schema["enum"][0]
        if "default" in schema:
            return schema["default"]
        if "allOf" in schema:
            return self._all_of(schema, depth)
        for keyword in ("oneOf", "anyOf"):
            if schema.get(keyword):
                return self._one_of(schema, keyword, depth)
        mapping = (schema.get("discriminator") or {}).get("mapping") or {}
        if mapping and id(schema) not in self._mapped:
            return self._mapped_example(schema, mapping, depth)
        schema_type = schema.get("type") or _infer_type(schema)
        if depth >= _MAX_DEPTH and schema.get("nullable"):
            return None
        builder = getattr(self, f"_{schema_type}", None)
        return builder(schema, depth) if builder else {}

    def _one_of(self, schema: dict[str, Any], keyword: str, depth: int) -> Any:
        """The first branch's value that the whole schema takes: valid under exactly one
        branch of a oneOf, its discriminator naming that branch, siblings kept."""
        rest = {key: value for key, value in schema.items() if key not in (keyword, "example")}
        first: Any = None
        for branch in schema[keyword]:
            value = self.example(branch, depth + 1)
            if isinstance(value, dict) and rest.get("properties"):
                value = {**self._object(rest, depth), **value}
            value = self._discriminated(schema, branch, value)
            if first is None:
                first = value
            if not self._checker.errors(schema, value):
                return value
        return first

    def _discriminated(self, schema: dict[str, Any], branch: Any, value: Any) -> Any:
        discriminator = schema.get("discriminator") or {}
        name = discriminator.get("propertyName")
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if not name or not ref or not isinstance(value, dict):
            return value
        mapping = discriminator.get("mapping") or {}
        keys = [key for key, target in mapping.items() if target == ref]
        value[name] = keys[0] if keys else ref.rsplit("/", 1)[-1]
        return value

    def _mapped_example(self, schema: dict[str, Any], mapping: dict[str, Any], depth: int) -> Any:
        """A base schema with a discriminator mapping answers one of its mapped kinds, not a
        bare base whose discriminator value names no kind (Dropbox Sign's form fields)."""
        name = schema["discriminator"].get("propertyName")
        key, target = next(iter(mapping.items()))
        self._mapped.add(id(schema))  # the mapped schema's allOf names this base again
        try:
            value = self.example({"$ref": target} if isinstance(target, str) else {}, depth + 1)
        finally:
            self._mapped.discard(id(schema))
        if isinstance(value, dict) and name:
            value[name] = key
        return value

    def _all_of(self, schema: dict[str, Any], depth: int) -> Any:
        merged: Any = None
        for part in schema["allOf"]:
            value = self.example(part, depth + 1)
            if isinstance(value, dict) and isinstance(merged, dict):
                merged = {**merged, **value}
            elif merged is None:
                merged = value
        rest = {key: value for key, value in schema.items() if key != "allOf"}
        if rest.get("properties"):
            own = self._object(rest, depth)
            merged = {**(merged or {}), **own} if isinstance(merged, dict | None) else merged
        if isinstance(merged, dict):
            self._fill_required(schema, merged, depth)
            # a part may require what another part declares (Lago's ChargeInput): the value
            # the requiring part made up is replaced by one of the declared schema
            required = {
                n for part in schema["allOf"] for n in self.resolve(part).get("required") or []
            }
            for name in sorted(required):
                child = self._property(schema, name)
                if child is not None and self._checker.errors(child, merged.get(name)):
                    merged[name] = self.example(child, depth + 1)
        return merged if merged is not None else {}

    def _fill_required(self, schema: dict[str, Any], body: dict[str, Any], depth: int) -> None:
        """Every required name gets a value, also when its property sits in an allOf part
        (PayPal's phone_detail) or nowhere (DocuSeal requires an undeclared `documents`)."""
        for name in schema.get("required") or []:
            if name in body:
                continue
            child = self._property(schema, name)
            extra = schema.get("additionalProperties")
            if child is None and isinstance(extra, dict):
                child = extra
            body[name] = self.example(child, depth + 1) if child is not None else "string"

    def _property(self, schema: Any, name: str) -> Any:
        schema = self.resolve(schema)
        found = (schema.get("properties") or {}).get(name)
        for part in schema.get("allOf") or []:
            found = found if found is not None else self._property(part, name)
        return found

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        body: dict[str, Any] = {}
        for name, child in properties.items():
            resolved = self.resolve(child)
            if resolved.get("readOnly") is False and resolved.get("writeOnly"):
                continue
            if resolved.get("writeOnly") or resolved.get("not") == {}:
                continue  # `not: {}` is a property the object must not have
            if depth >= _MAX_DEPTH and name not in required:
                continue
            body[name] = self.example(child, depth + 1)
        self._fill_required(schema, body, depth)
        min_properties = schema.get("minProperties", 0)
        extra = schema.get("additionalProperties")
        index = 0
        while len(body) < min_properties and extra is not False:
            body[f"key{index}"] = self.example(extra if isinstance(extra, dict) else {}, depth + 1)
            index += 1
        return body

    def _array(self, schema: dict[str, Any], depth: int) -> list[Any]:
        count = max(schema.get("minItems", 0), 0 if depth >= _MAX_DEPTH else 1)
        count = min(count, schema.get("maxItems", count))
        items = schema.get("items", {})
        if schema.get("uniqueItems") and count > 1:
            values = self.resolve(items).get("enum") or []
            return list(values[:count])
        return [self.example(items, depth + 1) for _ in range(count)]

    def _string(self, schema: dict[str, Any], depth: int) -> str:
        value = _FORMAT_VALUES.get(schema.get("format", ""), "string")
        minimum = schema.get("minLength", 0)
        maximum = schema.get("maxLength")
        if "pattern" in schema and schema.get("format") not in _FORMAT_VALUES:
            # padding or cutting would break the pattern: the generator honours the bounds
            return _from_pattern(schema["pattern"], minimum, maximum)
        if len(value) < minimum:
            value = value + "x" * (minimum - len(value))
        if maximum is not None and len(value) > maximum:
            value = value[:maximum]
        return value

    def _integer(self, schema: dict[str, Any], depth: int) -> int:
        return int(self._bounded(schema, 1))

    def _number(self, schema: dict[str, Any], depth: int) -> float:
        return float(self._bounded(schema, 1))

    @staticmethod
    def _bounded(schema: dict[str, Any], preferred: float) -> float:
        value = preferred
        minimum = schema.get("minimum")
        maximum = schema.get("maximum")
        if minimum is not None and value < minimum:
            value = minimum + (1 if schema.get("exclusiveMinimum") is True else 0)
        if maximum is not None and value > maximum:
            value = maximum - (1 if schema.get("exclusiveMaximum") is True else 0)
        multiple = schema.get("multipleOf")
        if multiple:
            value = (value // multiple) * multiple
            if minimum is not None and value < minimum:
                value += multiple
        return value

    def _boolean(self, schema: dict[str, Any], depth: int) -> bool:
        return True


def _infer_type(schema: dict[str, Any]) -> str:
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "object"


_PATTERN_CANDIDATES = (
    *("T-1", "1", "string", "https://example.com/resource", "a", "A1", "USD"),
    *("jane.doe@example.com", "2025-06-07", "+14155550100"),
)


def _from_pattern(pattern: str, minimum: int = 0, maximum: int | None = None) -> str:
    """A string `pattern` matches: a readable candidate when one fits, else one generated from
    the pattern (rstr), seeded by the pattern so the same schema always gives the same value."""
    try:
        compiled = re.compile(pattern)
    except re.error:
        return "string"
    fits = [c for c in _PATTERN_CANDIDATES if compiled.search(c)]
    for candidate in fits:
        if minimum <= len(candidate) <= (maximum if maximum is not None else len(candidate)):
            return candidate
    generator = rstr.Rstr(random.Random(pattern))
    for _ in range(20):
        try:
            value = generator.xeger(pattern)
        except (re.error, ValueError, IndexError, TypeError):
            break
        within = minimum <= len(value) <= (maximum if maximum is not None else len(value))
        if within and compiled.search(value) and value.isprintable():
            return value
    return fits[0] if fits else "string"
