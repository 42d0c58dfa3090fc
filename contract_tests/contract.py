"""The contract as published, read by the suite itself: the judge does not read the schema
through the defendant's (the mock's) repairing loader.

Loading is minimal: the file or URL is parsed, our overlay may add its date-named versions,
and the operations are listed. Nothing is mended: what the schema gets wrong is recorded as
a `SchemaGap` (`contract_tests.gaps`), and a finding that such a defect explains is a schema
gap in the report rather than a broken contract.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsonschema.validators import extend

from contract_tests.gaps import SchemaGap, schema_gaps
from spotcheck.client.documents import parse_document, read_text
from spotcheck.client.errors import ClientError
from spotcheck.client.families import ClientFamily, detect_family, family
from spotcheck.client.versions import VERSIONS_KEY, DatedVersions, dated_versions

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def shipped_schema() -> str:
    """Our own schema (spotcheck.openapi), the suite's default contract."""
    from importlib.resources import files

    return str(files("spotcheck.openapi") / "spotdraft.yaml")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    secured: bool

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class Contract:
    """A published schema as the suite reads it."""

    source: str
    document: dict[str, Any]
    family: ClientFamily
    versions: DatedVersions | None
    operations: tuple[Operation, ...]
    gaps: tuple[SchemaGap, ...]

    @property
    def profile(self) -> str:
        return self.family.name

    def token_path(self) -> str:
        return self.family.token_path(self.document)

    def match(self, method: str, path: str) -> str | None:
        """The template of the operation `method path` calls, or None."""
        for operation in self.operations:
            if operation.method == method.lower() and _pattern(operation.path).fullmatch(path):
                return operation.path
        return None

    def missing(self, *keys: str) -> list[str]:
        """Which of the operations `keys` ("METHOD /path") the contract lacks."""
        present = {operation.key for operation in self.operations}
        return [key for key in keys if key not in present]

    def for_version(self, requested: str | None) -> dict[str, Any]:
        """The document as a client pinned to `requested` (else the default) reads it."""
        if self.versions is None:
            return self.document
        pinned = self.versions.pinned(requested)
        return self.versions.reading(self.document, pinned, self.family.version_header)


@functools.lru_cache(maxsize=256)
def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{[^{}]+\\}", "[^/]+", re.escape(template)))


@functools.lru_cache(maxsize=8)
def load_contract(
    source: str, profile: str | None = None, overlay_file: str | None = None
) -> Contract:
    """The contract at `source` (file or URL) with its family (`profile`, else the one its
    securitySchemes describe). Loaded once per process; callers must not change it."""
    document = parse_document(read_text(source), source)
    declared = document.get(VERSIONS_KEY)
    if overlay_file:
        declared = _overlay_versions(Path(overlay_file), declared)
    chosen = family(profile) if profile else detect_family(document)
    return Contract(
        source,
        document,
        chosen,
        dated_versions(declared),
        tuple(_operations(document)),
        tuple(schema_gaps(document)),
    )


def _overlay_versions(overlay: Path, declared: Any) -> Any:
    try:
        data = yaml.safe_load(overlay.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ClientError(f"overlay {overlay} cannot be read: {error}") from None
    return data.get(VERSIONS_KEY, declared) if isinstance(data, dict) else declared


def _operations(document: dict[str, Any]) -> list[Operation]:
    default = document.get("security") or []
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items() if isinstance(item, dict) else ():
            if method in METHODS and isinstance(operation, dict):
                required = operation.get("security", default)
                secured = bool(required) and all(required)
                found.append(Operation(method, path, secured))
    return found


_TYPE = jsonschema.Draft4Validator.VALIDATORS["type"]


def _typed(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Any:
    # OpenAPI 3.0: `nullable: true` admits null whatever the type says.
    if instance is None and schema.get("nullable"):
        return
    yield from _TYPE(validator, types, instance, schema)


_Validator = extend(jsonschema.Draft4Validator, {"type": _typed})


def payload_errors(document: dict[str, Any], schema: dict[str, Any], value: Any) -> list[str]:
    """Where `value` breaks `schema` (which may `$ref` anything in `document`)."""
    root = _Validator(document, format_checker=jsonschema.FormatChecker())
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message[:200]}"
        for error in root.evolve(schema=schema).iter_errors(value)
    ]
