"""Deterministic, schema-valid, realistic values for schemas the vendor gives no example for.

Same schema and seed in, same value out: a client's snapshot tests stay stable across runs,
and an object synthesized with its own identity as the seed (`example(schema, seed=id)`)
gets its own names, dates and amounts, the same at every read. Without a seed the schema's
own examples are used where they hold (never the placeholder "string"); with one, values
come from the field's format, name and bounds (scalars.py) so that objects differ.
"""

from __future__ import annotations

import random
from typing import Any

from mockserver.behaviours.patterns import from_pattern
from mockserver.behaviours.scalars import name_words, number_value, string_value
from mockserver.spec.validation import SchemaChecker
from mockserver.spec.walk import resolve

_MAX_DEPTH = 8
PLACEHOLDER = "string"  # what generated schemas put in every example: never answered


class Synthesizer:
    """Builds values for the schemas of one document (resolving its local $refs)."""

    def __init__(
        self, document: dict[str, Any], use_examples: bool = True, purpose: str = "response"
    ) -> None:
        self._document = document
        self._use_examples = use_examples
        self._purpose = purpose  # "response": no writeOnly fields; "request": no readOnly
        self._checker = SchemaChecker(document)
        self._mapped: set[int] = set()  # base schemas being answered through their mapping
        self._usable: dict[tuple[int, str], bool] = {}  # (schema, keyword) -> example holds
        self._elsewhere: dict[int, list[str]] = {}

    @property
    def document(self) -> dict[str, Any]:
        """The document whose `$ref`s this synthesizer resolves."""
        return self._document

    def without_examples(self) -> Synthesizer:
        """A synthesizer that ignores schema-level examples (some vendors' are invalid)."""
        return Synthesizer(self._document, use_examples=False, purpose=self._purpose)

    def for_requests(self) -> Synthesizer:
        """A synthesizer for request bodies: readOnly fields left out, writeOnly ones kept."""
        return Synthesizer(self._document, self._use_examples, purpose="request")

    def resolve(self, schema: Any) -> dict[str, Any]:
        return resolve(self._document, schema)

    def example(self, schema: Any, seed: object = None, name: str = "") -> Any:
        """A value valid against `schema` (OpenAPI 3.0 flavour of JSON Schema); `seed` (an
        object's identity) varies it deterministically, `name` is the field holding it."""
        at = "" if seed is None else f"{seed}"
        return self._value(schema, 0, at, name, seeded=seed is not None)

    def _value(self, schema: Any, depth: int, at: str, name: str, seeded: bool) -> Any:
        schema = self.resolve(schema)
        if not seeded and self._use_examples:
            found = self._own_example(schema)
            if found is not _NONE:
                return found
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            # a type enum may list "string" (a value, but it reads as a placeholder): only
            # when it is the only choice
            options = [v for v in schema["enum"] if v is not None] or schema["enum"]
            options = [v for v in options if v != PLACEHOLDER] or options
            return _rng(at).choice(options) if seeded else options[0]
        if "default" in schema and self._holds(schema, "default"):
            return schema["default"]
        if "allOf" in schema:
            return self._all_of(schema, depth, at, name, seeded)
        for keyword in ("oneOf", "anyOf"):
            if schema.get(keyword):
                return self._one_of(schema, keyword, depth, at, name, seeded)
        mapping = (schema.get("discriminator") or {}).get("mapping") or {}
        if mapping and id(schema) not in self._mapped:
            return self._mapped_example(schema, mapping, depth, at, seeded)
        schema_type = _type_of(schema)
        if depth > 3 * _MAX_DEPTH:
            return None  # a required field that requires its own kind: no finite value exists
        if schema_type == "object":
            return self._object(schema, depth, at, seeded)
        if schema_type == "array":
            return self._array(schema, depth, at, name, seeded)
        if schema_type == "string":
            return self._string(schema, at, name)
        if schema_type in ("integer", "number"):
            return number_value(schema, name, _rng(at), schema_type == "integer")
        if schema_type == "boolean":
            return _rng(at).random() < 0.5 if seeded else True
        return None if schema_type == "null" else {}

    def _own_example(self, schema: dict[str, Any]) -> Any:
        """The schema's example (3.0) or first example (3.1) when it holds and is no
        placeholder; _NONE otherwise."""
        if "example" in schema and self._holds(schema, "example"):
            return schema["example"]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples and self._holds(schema, "examples"):
            return examples[0]
        return _NONE

    def _holds(self, schema: dict[str, Any], keyword: str) -> bool:
        key = (id(schema), keyword)
        if key not in self._usable:
            value = schema[keyword][0] if keyword == "examples" else schema[keyword]
            bare = {k: v for k, v in schema.items() if k not in ("example", "examples")}
            self._usable[key] = not has_placeholder(value) and not self._checker.errors(bare, value)
        return self._usable[key]

    def _one_of(
        self, schema: dict[str, Any], keyword: str, depth: int, at: str, name: str, seeded: bool
    ) -> Any:
        """The first branch's value that the whole schema takes: valid under exactly one
        branch of a oneOf, its discriminator naming that branch, siblings kept."""
        rest = {key: value for key, value in schema.items() if key not in (keyword, "example")}
        first: Any = None
        for branch in schema[keyword]:
            value = self._value(branch, depth + 1, at, name, seeded)
            if isinstance(value, dict) and rest.get("properties"):
                value = {**self._object(rest, depth, at, seeded), **value}
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

    def _mapped_example(
        self, schema: dict[str, Any], mapping: dict[str, Any], depth: int, at: str, seeded: bool
    ) -> Any:
        """A base schema with a discriminator mapping answers one of its mapped kinds, not a
        bare base whose discriminator value names no kind (Dropbox Sign's form fields)."""
        name = schema["discriminator"].get("propertyName")
        key, target = next(iter(mapping.items()))
        self._mapped.add(id(schema))  # the mapped schema's allOf names this base again
        try:
            target_schema = {"$ref": target} if isinstance(target, str) else {}
            value = self._value(target_schema, depth + 1, at, "", seeded)
        finally:
            self._mapped.discard(id(schema))
        if isinstance(value, dict) and name:
            value[name] = key
        return value

    def _all_of(self, schema: dict[str, Any], depth: int, at: str, name: str, seeded: bool) -> Any:
        merged: Any = None
        offered: dict[str, list[Any]] = {}  # field -> the value each part gave it
        for part in schema["allOf"]:
            if all(key in _ANNOTATIONS or key.startswith("x-") for key in self.resolve(part)):
                continue  # {"nullable": false}, {"description": ...}: no value of its own
            value = self._value(part, depth + 1, at, name, seeded)
            if isinstance(value, dict) and isinstance(merged, dict):
                merged = {**merged, **value}
            elif merged is None:
                merged = value
            if isinstance(value, dict):
                for field, given in value.items():
                    offered.setdefault(field, []).append(given)
        if isinstance(merged, dict):
            # parts that both give a field (a trait's `type: string`, the node's enum): the
            # last value every part's declaration of it takes
            for field, values in offered.items():
                if len(values) > 1 and any(v != values[0] for v in values):
                    merged[field] = self._agreed(schema, field, values)
        rest = {key: value for key, value in schema.items() if key != "allOf"}
        if rest.get("properties"):
            own = self._object(rest, depth, at, seeded)
            merged = {**(merged or {}), **own} if isinstance(merged, dict | None) else merged
        if isinstance(merged, dict):
            self._fill_required(schema, merged, depth, at, seeded)
            # a part may require what another part declares (Lago's ChargeInput): the value
            # the requiring part made up is replaced by one of the declared schema
            for field in self._required_elsewhere(schema):
                child = self._property(schema, field)
                if child is not None:
                    merged[field] = self._value(child, depth + 1, f"{at}/{field}", field, seeded)
        return merged if merged is not None else {}

    def _agreed(self, schema: dict[str, Any], field: str, values: list[Any]) -> Any:
        parts = [self._property(part, field) for part in schema["allOf"]]
        declared = {"allOf": [part for part in parts if part is not None]}
        return next(
            (v for v in reversed(values) if not self._checker.errors(declared, v)), values[-1]
        )

    def _required_elsewhere(self, schema: dict[str, Any]) -> list[str]:
        """Names an allOf part requires without declaring them (worked out once per node)."""
        found = self._elsewhere.get(id(schema))
        if found is None:
            found = self._elsewhere[id(schema)] = []
            for part in schema["allOf"]:
                for field in self.resolve(part).get("required") or []:
                    if self._property(part, field) is None and field not in found:
                        found.append(field)
        return found

    def _fill_required(
        self, schema: dict[str, Any], body: dict[str, Any], depth: int, at: str, seeded: bool
    ) -> None:
        """Every required name gets a value, also when its property sits in an allOf part
        (PayPal's phone_detail) or nowhere (DocuSeal requires an undeclared `documents`)."""
        for field in schema.get("required") or []:
            if field in body:
                continue
            child = self._property(schema, field)
            extra = schema.get("additionalProperties")
            if child is None and isinstance(extra, dict):
                child = extra
            where = f"{at}/{field}"
            body[field] = (
                self._value(child, depth + 1, where, field, seeded)
                if child is not None
                else string_value({}, field, _rng(where))
            )

    def _property(self, schema: Any, field: str) -> Any:
        schema = self.resolve(schema)
        found = (schema.get("properties") or {}).get(field)
        for part in schema.get("allOf") or []:
            found = found if found is not None else self._property(part, field)
        return found

    def _object(self, schema: dict[str, Any], depth: int, at: str, seeded: bool) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        hidden = "readOnly" if self._purpose == "request" else "writeOnly"
        body: dict[str, Any] = {}
        for field, child in properties.items():
            resolved = self.resolve(child)
            if resolved.get(hidden) is True or resolved.get("not") == {}:
                continue  # `not: {}` is a property the object must not have
            if depth >= _MAX_DEPTH and (field not in required or _nullable(resolved)):
                # where recursion must stop: only what is required, null where allowed
                if field in required:
                    body[field] = None
                continue
            body[field] = self._value(child, depth + 1, f"{at}/{field}", field, seeded)
        self._fill_required(schema, body, depth, at, seeded)
        most = schema.get("maxProperties")
        if isinstance(most, int) and len(body) > most:
            optional = [field for field in body if field not in required]
            for field in optional[: len(body) - most]:
                del body[field]
        extra = schema.get("additionalProperties")
        index = 0
        while len(body) < schema.get("minProperties", 0) and extra is not False:
            key = f"key{index}"
            more = extra if isinstance(extra, dict) else {"type": "string"}
            body[key] = self._value(more, depth + 1, f"{at}/{key}", key, seeded)
            index += 1
        return body

    def _array(
        self, schema: dict[str, Any], depth: int, at: str, name: str, seeded: bool
    ) -> list[Any]:
        count = max(schema.get("minItems", 0), 0 if depth >= _MAX_DEPTH else 1)
        count = min(count, schema.get("maxItems", count))
        items = schema.get("items", {})
        if schema.get("uniqueItems") and count > 1:
            options = self.resolve(items).get("enum")
            if options:
                return list(options[:count])
        values: list[Any] = []
        attempt = 0
        while len(values) < count and attempt < count + 10:
            value = self._value(items, depth + 1, f"{at}/{attempt}", name, seeded or attempt > 0)
            attempt += 1
            if not schema.get("uniqueItems") or value not in values:
                values.append(value)
        return values

    def _string(self, schema: dict[str, Any], at: str, name: str) -> str:
        rng = _rng(at)
        value = string_value(schema, name, rng, context=at)
        if "pattern" in schema:
            return from_pattern(schema["pattern"], schema, value, at)
        return value


_NONE = object()
_ANNOTATIONS = frozenset(
    {"nullable", "description", "title", "example", "examples", "deprecated", "readOnly"}
) | {"writeOnly", "externalDocs", "xml"}


def _rng(at: str) -> random.Random:
    # seeded by the object's identity and the field's place in it: the same every run
    return random.Random(at)


def _nullable(schema: dict[str, Any]) -> bool:
    declared = schema.get("type")
    return schema.get("nullable") is True or (isinstance(declared, list) and "null" in declared)


def _type_of(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, list):  # 3.1: ["string", "null"] -> a string
        declared = next((t for t in declared if t != "null"), "null")
    if declared:
        return str(declared)
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if "pattern" in schema or "format" in schema or "minLength" in schema:
        return "string"
    return "object"


def has_placeholder(value: Any) -> bool:
    """Whether `value` holds the placeholder "string" anywhere."""
    if isinstance(value, str):
        return value.lower() == PLACEHOLDER
    if isinstance(value, dict):
        return any(has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(has_placeholder(v) for v in value)
    return False


__all__ = ["PLACEHOLDER", "Synthesizer", "has_placeholder", "name_words"]
