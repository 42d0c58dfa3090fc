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
from typing import Any

import jsonschema_rs
from jsonschema import Draft4Validator, FormatChecker, ValidationError

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

    def __init__(self, schema: dict[str, Any], python: Draft4Validator, fast: Any) -> None:
        self.schema = schema  # kept alive: the cache is keyed by its id
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
        self._request_rules = request_rules
        self._format_checker = format_checker
        self._compiled: dict[int, CompiledSchema] = {}
        self._formats: dict[str, Callable[[str], bool]] = {
            f"spotcheck:{name}": _conforms(format_checker, name)
            for name in format_checker.checkers
            if name not in _RANGES
        }

    def compile(self, schema: dict[str, Any]) -> CompiledSchema:
        compiled = self._compiled.get(id(schema))
        if compiled is not None and compiled.schema is schema:
            return compiled
        if len(self._compiled) >= _CACHE_LIMIT:
            self._compiled.clear()  # many apps in one process (tests): start over
        python = self._validator_class(schema, format_checker=self._format_checker)
        compiled = CompiledSchema(schema, python, self._fast(schema))
        self._compiled[id(schema)] = compiled
        return compiled

    def _fast(self, schema: dict[str, Any]) -> Any:
        patterns: dict[str, Callable[[str], bool]] = {}
        try:
            body = {key: value for key, value in schema.items() if key != "components"}
            translated = _translate(body, patterns, {}, self._request_rules)
            return jsonschema_rs.Draft4Validator(
                translated,
                formats={**self._formats, **patterns},
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


def _translate(
    node: Any, patterns: dict[str, Callable[[str], bool]], done: dict[int, Any], rules: bool
) -> Any:
    """A Draft 4 schema rs judges as jsonschema (with Connexion's request rules) judges `node`."""
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        raise _Untranslatable(type(node).__name__)
    if id(node) in done:  # Connexion's dereferencing shares sub-schemas: translate once
        return done[id(node)]
    if _UNTRANSLATABLE.intersection(node):
        raise _Untranslatable(sorted(_UNTRANSLATABLE.intersection(node))[0])
    out: dict[str, Any] = {}
    extra: list[dict[str, Any]] = []
    for key, value in node.items():
        if key in ("properties", "definitions"):
            out[key] = {name: _translate(sub, patterns, done, rules) for name, sub in value.items()}
        elif key in ("additionalProperties", "additionalItems", "not"):
            out[key] = _translate(value, patterns, done, rules)
        elif key == "items":
            out[key] = (
                [_translate(sub, patterns, done, rules) for sub in value]
                if isinstance(value, list)
                else _translate(value, patterns, done, rules)
            )
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_translate(sub, patterns, done, rules) for sub in value]
        elif key == "dependencies":
            out[key] = {
                name: sub if isinstance(sub, list) else _translate(sub, patterns, done, rules)
                for name, sub in value.items()
            }
        elif key == "format":
            if value in _RANGES:
                limit = _RANGES[value]
                extra.append({"minimum": -limit, "maximum": limit, "exclusiveMaximum": True})
            else:
                out[key] = f"spotcheck:{value}"  # an unknown name: ignored by both
        elif key == "pattern":
            name = f"spotcheck-pattern:{value}"
            patterns[name] = _search(value)  # Python's re, not rs's regex dialect
            extra.append({"format": name})
        elif key == "multipleOf" and isinstance(value, float) and not value.is_integer():
            raise _Untranslatable("fractional multipleOf")
        elif key in ("exclusiveMaximum", "exclusiveMinimum") and not isinstance(value, bool):
            raise _Untranslatable(key)
        else:
            out[key] = value
    if rules and (node.get("nullable") or node.get("x-nullable") is True):
        # Connexion lets None through `type` and `enum` of a nullable schema, nothing else
        kinds = out.get("type")
        if isinstance(kinds, str):
            out["type"] = [kinds, "null"]
        elif isinstance(kinds, list) and "null" not in kinds:
            out["type"] = [*kinds, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    if rules and node.get("discriminator") and "oneOf" in out:
        # the named branch decides: matching another branch too is no error (validators.py)
        extra.append({"anyOf": out.pop("oneOf")})
    if extra:
        out["allOf"] = [*out.get("allOf", []), *extra]
    done[id(node)] = out
    return out
