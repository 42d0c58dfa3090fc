"""Index of a loaded schema: match a request path to its operation, fast and without Connexion.

The edge middleware uses it to answer 302 (trailing-slash mismatch), 404 and 405 in the
vendor's way before Connexion's router sees the request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mockserver.spec.walk import operations, resolve

_PATH_VARIABLE = re.compile(r"{([^{}]+)}")


@dataclass(frozen=True)
class Operation:
    """One operation of the schema, with what the request pipeline needs about it."""

    method: str
    path: str
    operation_id: str
    security: tuple[tuple[str, ...], ...]
    definition: dict[str, Any] = field(repr=False, compare=False, hash=False)
    path_schemas: dict[str, dict[str, Any]] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    def path_parameter_error(self, params: dict[str, str]) -> str | None:
        """Why a concrete path value does not fit its parameter's schema (None if it fits)."""
        for name, value in params.items():
            schema = self.path_schemas.get(name)
            if schema and not _fits(schema, value):
                expected = schema.get("type") or "the documented format"
                article = _article(expected)
                return f"path parameter '{name}' must be {article} {expected}, got {value!r}"
        return None

    # Both are read several times by every request: worked out once (a frozen dataclass's
    # cached_property writes to the instance's __dict__, not through __setattr__).
    @cached_property
    def is_open(self) -> bool:
        return not self.security or any(not requirement for requirement in self.security)

    @cached_property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass
class _Template:
    path: str
    pattern: re.Pattern[str]
    variables: tuple[str, ...]
    methods: dict[str, Operation]
    allowed: tuple[str, ...] = ()  # the methods, as a 405 names them (set once all are in)


@dataclass(frozen=True)
class Match:
    template: str
    params: dict[str, str]
    operation: Operation | None
    allowed: tuple[str, ...]


class OperationIndex:
    """All operations of one schema, addressable by (method, concrete path)."""

    def __init__(self, document: dict[str, Any]) -> None:
        default_security = document.get("security") or []
        templates: dict[str, _Template] = {}
        self.operations: list[Operation] = []
        for path, method, definition in operations(document):
            security = definition.get("security", default_security) or []
            operation = Operation(
                method=method,
                path=path,
                operation_id=str(definition.get("operationId", "")),
                security=tuple(tuple(requirement) for requirement in security),
                definition=definition,
                path_schemas=_path_schemas(document, path, definition),
            )
            self.operations.append(operation)
            template = templates.get(path)
            if template is None:
                template = templates[path] = _compile(path)
            template.methods[method] = operation
        for template in templates.values():
            template.allowed = tuple(sorted(m.upper() for m in template.methods))
        # Literal segments win over variables: '/contracts/preview/' before '/contracts/{id}/'.
        self._templates = sorted(templates.values(), key=lambda t: (len(t.variables), t.path))
        self._literal = {t.path: t for t in self._templates if not t.variables}
        # A variable takes no '/': a template only matches paths with as many slashes as it
        # has, so a request tries those alone (a vendor schema has 100+ templates), in order.
        self._by_depth: dict[int, list[_Template]] = {}
        for template in self._templates:
            if template.variables:
                self._by_depth.setdefault(template.path.count("/"), []).append(template)

    def __len__(self) -> int:
        return len(self.operations)

    def match(self, method: str, path: str) -> Match | None:
        """The operation for `method` on `path`, or None when no path template matches."""
        template = self._literal.get(path)
        params: dict[str, str] = {}
        if template is None:
            for candidate in self._by_depth.get(path.count("/"), ()):
                found = candidate.pattern.fullmatch(path)
                if found:
                    template, params = candidate, found.groupdict()
                    break
        if template is None:
            return None
        operation = template.methods.get(method.lower())
        return Match(template.path, params, operation, template.allowed)

    def find(self, method: str, path_template: str) -> Operation | None:
        template = next((t for t in self._templates if t.path == path_template), None)
        return template.methods.get(method.lower()) if template else None


def _path_schemas(
    document: dict[str, Any], path: str, definition: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    shared = document["paths"][path].get("parameters") or []
    schemas = {}
    for parameter in [*shared, *(definition.get("parameters") or [])]:
        parameter = resolve(document, parameter)
        if parameter.get("in") == "path":
            schemas[_group_name(str(parameter.get("name")))] = resolve(
                document, parameter.get("schema")
            )
    return schemas


# What a URL converter takes; not int()/float(), which also take " 1", "1\n", "1_0", "nan".
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _fits(schema: dict[str, Any], value: str) -> bool:
    kind = schema.get("type")
    if kind == "integer" and not _INTEGER.fullmatch(value):
        return False
    if kind == "number" and not _NUMBER.fullmatch(value):
        return False
    if kind == "boolean" and value not in ("true", "false"):
        return False
    if "enum" in schema and value not in [str(item) for item in schema["enum"]]:
        return False
    pattern = schema.get("pattern")
    return not (kind == "string" and pattern and not _safe_search(pattern, value))


def _safe_search(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _compile(path: str) -> _Template:
    variables = tuple(_PATH_VARIABLE.findall(path))
    regex = ""
    position = 0
    for found in _PATH_VARIABLE.finditer(path):
        regex += re.escape(path[position : found.start()])
        regex += f"(?P<{_group_name(found.group(1))}>[^/]+)"
        position = found.end()
    regex += re.escape(path[position:])
    return _Template(path, re.compile(regex), variables, {})


def _group_name(variable: str) -> str:
    return re.sub(r"\W", "_", variable)
