"""Request schemas compiled once: jsonschema-rs decides, jsonschema explains.

Per request, Connexion built a new jsonschema validator for the body and for every parameter
and walked the schema in Python. Here each schema object is compiled once (the same dict comes
back for an operation on every request) into

- `fast`: a jsonschema-rs Draft 4 validator of a faithful translation of the schema - OpenAPI's
  `nullable` as a `null` type or enum value, a discriminator's `oneOf` as `anyOf`, int32/int64
  as ranges, our own format checkers and Python's regular expressions called back - or None
  where a translation could change what is valid (`$ref`s left by recursion, 3.1 integers,
  keywords Draft 4 does not know, patternProperties, fractional multipleOf), and
- `python`: the jsonschema validator used before, which writes the error messages.

A value is valid when `fast` says so; when it says no (or cannot judge it), `python` decides
and lists the errors, so an answer's body never changes and the translation can only ever be
stricter in being skipped, never in refusing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from jsonschema import Draft4Validator, FormatChecker, ValidationError

from mockserver.spec.per_schema import PerSchema
from mockserver.spec.quirks import INTEGER_31

# Keywords whose Draft 4 meaning jsonschema-rs and jsonschema may not share, or that only
# later drafts define (rs would apply some of them); a schema using one is left to Python.
_UNTRANSLATABLE = frozenset(
    {
        "$ref",
        "patternProperties",
        "const",
        "contains",
        "propertyNames",
        "if",
        "then",
        "else",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
        "unevaluatedItems",
        "prefixItems",
        "$defs",
        "$dynamicRef",
        "$recursiveRef",
        INTEGER_31,
    }
)
_RANGES = {"int32": 2**31, "int64": 2**63}
_CACHE_LIMIT = 4096


class _Untranslatable(Exception):
    pass


class CompiledSchema:
    """One request schema, compiled once."""

    def __init__(self, python: Draft4Validator, fast: Any) -> None:
        self.python = python
        self.fast = fast

    def is_valid(self, instance: Any) -> bool:
        if self.fast is not None:
            try:
                if self.fast.is_valid(instance):
                    return True
            except (ValueError, TypeError, OverflowError, RecursionError):
                pass  # a value rs cannot take in (not JSON): Python judges it
        return bool(self.python.is_valid(instance))

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        if self.is_valid(instance):
            return iter(())
        return iter(self.python.iter_errors(instance))


class SchemaCompiler:
    """Compiles each schema object once, with one validator class and one format checker."""

    def __init__(
        self, validator_class: Any, format_checker: FormatChecker, *, request_rules: bool
    ) -> None:
        """`request_rules`: the validator class reads `nullable` and a discriminator's `oneOf`
        as Connexion's request validator and ours do (body schemas; not parameters)."""
        self._validator_class = validator_class
        self._rules = REQUEST_RULES if request_rules else Rules()
        self._format_checker = format_checker
        self._compiled: PerSchema[CompiledSchema] = PerSchema(_CACHE_LIMIT)
        self._formats = format_callbacks(format_checker)

    def compile(self, schema: dict[str, Any]) -> CompiledSchema:
        return self._compiled.get(schema, lambda: self._compile(schema))

    def _compile(self, schema: dict[str, Any]) -> CompiledSchema:
        python = self._validator_class(schema, format_checker=self._format_checker)
        return CompiledSchema(python, self._fast(schema))

    def _fast(self, schema: dict[str, Any]) -> Any:
        body = {key: value for key, value in schema.items() if key != "components"}
        return fast_validator(body, Translator(self._rules), self._formats)


def format_callbacks(checker: FormatChecker) -> dict[str, Callable[[str], bool]]:
    """Our format checkers, under the names `Translator` gives them, for jsonschema-rs."""
    return {
        f"spotcheck:{name}": _conforms(checker, name)
        for name in checker.checkers
        if name not in _RANGES
    }


def fast_validator(
    schema: Any, translator: Translator, formats: dict[str, Callable[[str], bool]]
) -> Any:
    """A jsonschema-rs validator of `schema`'s translation, or None where none is faithful."""
    try:
        translated = translator.translate(schema)
        return jsonschema_rs.Draft4Validator(
            translated,
            formats={**formats, **translator.patterns},
            validate_formats=True,
            ignore_unknown_formats=True,
        )
    except (_Untranslatable, re.error, ValueError, TypeError, RecursionError):
        return None


def _conforms(checker: FormatChecker, name: str) -> Callable[[str], bool]:
    return lambda value: bool(checker.conforms(value, name))


def _search(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern)
    return lambda value: compiled.search(value) is not None


@dataclass(frozen=True)
class Rules:
    """How the Python validator being mirrored reads OpenAPI's extensions."""

    nullable_type: bool = False  # `nullable` lets None through `type`
    nullable_enum: bool = False  # ... and through `enum`
    discriminator_any: bool = False  # a discriminator's `oneOf` is an `anyOf`


REQUEST_RULES = Rules(nullable_type=True, nullable_enum=True, discriminator_any=True)


class Translator:
    """A Draft 4 schema jsonschema-rs judges as the Python validator judges `node`.

    With a `document`, local `$ref`s are inlined (Draft 4 ignores a `$ref`'s siblings); a
    recursive one leaves the schema to Python."""

    def __init__(self, rules: Rules, document: dict[str, Any] | None = None) -> None:
        self.rules = rules
        self.document = document
        self.patterns: dict[str, Callable[[str], bool]] = {}
        self._done: dict[int, Any] = {}
        self._active: set[int] = set()

    def translate(self, node: Any) -> Any:
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict):
            raise _Untranslatable(type(node).__name__)
        if id(node) in self._done:  # Connexion's dereferencing shares sub-schemas
            return self._done[id(node)]
        if "$ref" in node and self.document is not None:
            return self._reference(node["$ref"])
        if _UNTRANSLATABLE.intersection(node):
            raise _Untranslatable(sorted(_UNTRANSLATABLE.intersection(node))[0])
        self._active.add(id(node))
        out, extra = self._keywords(node)
        self._active.discard(id(node))
        rules = self.rules
        if node.get("nullable") or node.get("x-nullable") is True:
            if rules.nullable_type:  # Connexion lets None through `type`...
                kinds = out.get("type")
                if isinstance(kinds, str):
                    out["type"] = [kinds, "null"]
                elif isinstance(kinds, list) and "null" not in kinds:
                    out["type"] = [*kinds, "null"]
            enum = out.get("enum")
            if rules.nullable_enum and isinstance(enum, list) and None not in enum:
                out["enum"] = [*enum, None]  # ... and through `enum`
        if rules.discriminator_any and node.get("discriminator") and "oneOf" in out:
            # the named branch decides: matching another branch too is no error (validators.py)
            extra.append({"anyOf": out.pop("oneOf")})
        if extra:
            out["allOf"] = [*out.get("allOf", []), *extra]
        self._done[id(node)] = out
        return out

    def _reference(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise _Untranslatable("$ref")
        target: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise _Untranslatable("$ref")
            target = target[part]
        if id(target) in self._active:
            raise _Untranslatable("recursive $ref")
        return self.translate(target)

    def _keywords(self, node: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        out: dict[str, Any] = {}
        extra: list[dict[str, Any]] = []
        for key, value in node.items():
            if key in ("properties", "definitions"):
                out[key] = {name: self.translate(sub) for name, sub in value.items()}
            elif key in ("additionalProperties", "additionalItems", "not"):
                out[key] = self.translate(value)
            elif key == "items":
                out[key] = (
                    [self.translate(sub) for sub in value]
                    if isinstance(value, list)
                    else self.translate(value)
                )
            elif key in ("allOf", "anyOf", "oneOf"):
                out[key] = [self.translate(sub) for sub in value]
            elif key == "dependencies":
                out[key] = {
                    name: sub if isinstance(sub, list) else self.translate(sub)
                    for name, sub in value.items()
                }
            elif key == "format":
                if value in _RANGES:
                    if _may_be_integer(node.get("type")):  # a number's int32 is no range
                        limit = _RANGES[value]
                        extra.append(
                            {"minimum": -limit, "maximum": limit, "exclusiveMaximum": True}
                        )
                else:
                    out[key] = f"spotcheck:{value}"  # an unknown name: ignored by both
            elif key == "pattern":
                name = f"spotcheck-pattern:{value}"
                self.patterns[name] = _search(value)  # Python's re, not rs's regex dialect
                extra.append({"format": name})
            elif key == "multipleOf" and isinstance(value, float) and not value.is_integer():
                raise _Untranslatable("fractional multipleOf")
            elif key in ("exclusiveMaximum", "exclusiveMinimum") and not isinstance(value, bool):
                raise _Untranslatable(key)
            else:
                out[key] = value
        return out, extra


def _may_be_integer(declared: Any) -> bool:
    if declared is None:
        return True
    return declared == "integer" or (isinstance(declared, list) and "integer" in declared)
