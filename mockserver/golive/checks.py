"""Check one exchange against the vendor's schema: was the request valid, and did the answer
keep the contract (a documented status, a documented content type, a body its schema accepts)?

A status the operation does not document is a violation when it is a success or redirect; an
undocumented 4xx/5xx is noted as the schema being *silent* (most vendor schemas document only
their success answers), not as the server breaking it.

    checker = ExchangeChecker(SchemaSource(spec).load())
    verdict = checker.check("GET", "/things/", [], request, 200, response)
    verdict.operation, [v.message for v in verdict.violations]
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.golive.har import Message
from mockserver.settings import DEFAULT_CACHE, DEFAULT_SPEC, Settings
from mockserver.spec.index import Operation
from mockserver.spec.validation import SchemaChecker
from mockserver.spec.walk import resolve

if TYPE_CHECKING:
    from mockserver.spec import LoadedSchema


@dataclass(frozen=True)
class SchemaSource:
    """Which schema judges the exchanges: the vendor's file, its auth profile, our overlay."""

    spec: str = str(DEFAULT_SPEC)
    profile: str | None = None  # None: the one the schema's securitySchemes describe
    overlay_file: str | None = None
    cache_dir: str = DEFAULT_CACHE  # where the repaired schema is kept between runs

    @classmethod
    def of(cls, settings: Settings) -> SchemaSource:
        return cls(settings.spec, settings.profile, settings.overlay_file, settings.cache_dir)

    def load(self) -> LoadedSchema:
        """The schema as published (repaired so it loads, no overlays), once per process."""
        return _published(self)


@functools.lru_cache(maxsize=8)
def _published(source: SchemaSource) -> LoadedSchema:
    from mockserver.spec import load_schema

    return load_schema(
        source.spec,
        overlays=False,
        cache_dir=source.cache_dir or None,
        profile=source.profile,
        overlay_file=source.overlay_file,
    )


@dataclass(frozen=True)
class Violation:
    side: str  # "request" or "response"
    kind: str  # "operation", "parameter", "body", "status", "content-type"
    message: str
    path: str = ""  # where in the body, as a shape path ("items.[].id"); "" for the whole

    def line(self) -> str:
        return f"{self.side} {self.kind}: {self.message}"


@dataclass
class Verdict:
    operation: str  # "METHOD /template" or "?" when no operation matches
    violations: list[Violation] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # what the schema does not say

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "violations": [v.__dict__ for v in self.violations],
            "silent": self.silent,
        }


_REQUIRED = re.compile(r"^'([^']+)' is a required property")


def shape_path(error: str) -> str:
    """Where a validator's error (`items.0: 'id' is a required property`) points, as a shape
    path (`items.[].id`): list indexes become `[]`, a missing property is named."""
    where, _, message = error.partition(": ")
    parts = [] if where in ("", "(root)") else where.split(".")
    missing = _REQUIRED.match(message)
    if missing:
        parts.append(missing.group(1))
    return ".".join("[]" if part.isdigit() else part for part in parts)


def base_media(media_type: str) -> str:
    return media_type.split(";")[0].strip().lower()


class ExchangeChecker:
    """Validates requests and answers against one loaded schema (as published)."""

    def __init__(self, schema: LoadedSchema) -> None:
        self.schema = schema
        self.document = schema.document
        self._checker = SchemaChecker(schema.document)

    def operation(self, method: str, path: str) -> Operation | None:
        found = self.schema.index.match(method, path)
        return found.operation if found else None

    def check(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        request: Message,
        status: int,
        response: Message,
    ) -> Verdict:
        operation = self.operation(method, path)
        if operation is None:
            violation = Violation("request", "operation", f"{method} {path} is not documented")
            return Verdict("?", [violation])
        verdict = Verdict(operation.key, self.request_violations(operation, query, request))
        self.check_response(operation, status, response, verdict)
        return verdict

    def request_violations(
        self, operation: Operation, query: list[tuple[str, str]], request: Message
    ) -> list[Violation]:
        found: list[Violation] = []
        sent_query = {name for name, _ in query}
        sent_headers = {name.lower() for name, _ in request.headers}
        for parameter in self._parameters(operation):
            where, name = parameter.get("in"), str(parameter.get("name", ""))
            missing = (where == "query" and name not in sent_query) or (
                where == "header" and name.lower() not in sent_headers
            )
            if parameter.get("required") and missing:
                found.append(
                    Violation("request", "parameter", f"required {where} '{name}' missing")
                )
        schema = self._media_schema(operation.definition.get("requestBody"), request.media_type)
        body = request.json()
        if schema is not None and body is not None:
            found += self.body_violations("request", schema, body)
        return found

    def body_violations(self, side: str, schema: Any, body: Any) -> list[Violation]:
        """Where `body` breaks `schema` (a schema of the document, `$ref`s allowed)."""
        return [
            Violation(side, "body", error, shape_path(error))
            for error in self._checker.errors(schema, body)
        ]

    def documented(self, operation: Operation, status: int) -> dict[str, Any] | None:
        """The operation's response object for `status` (exact, `4XX` or `default`)."""
        responses = operation.definition.get("responses") or {}
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return resolve(self.document, responses[key] or {})
        return None

    def response_schema(self, operation: Operation, status: int, media_type: str) -> Any:
        """The documented body schema of this answer, or None when the schema says nothing."""
        response = self.documented(operation, status)
        return self._media_schema(response, media_type) if response is not None else None

    def check_response(
        self, operation: Operation, status: int, response: Message, verdict: Verdict
    ) -> None:
        documented = self.documented(operation, status)
        if documented is None:
            if status >= 400:
                verdict.silent.append(f"{status} is not documented for {operation.key}")
            else:
                verdict.violations.append(
                    Violation("response", "status", f"{status} is not documented")
                )
            return
        content = documented.get("content") or {}
        if not content or not response.body:
            return
        media = base_media(response.media_type)
        if not any(base_media(name) == media or name == "*/*" for name in content):
            message = f"{media or 'no content type'} is not documented for {status}"
            verdict.violations.append(Violation("response", "content-type", message))
            return
        schema = self._media_schema(documented, response.media_type)
        body = response.json()
        if schema is None or body is None:
            return
        verdict.violations += self.body_violations("response", schema, body)

    def _parameters(self, operation: Operation) -> list[dict[str, Any]]:
        shared = self.document["paths"][operation.path].get("parameters") or []
        own = operation.definition.get("parameters") or []
        return [resolve(self.document, p) for p in [*shared, *own]]

    def _media_schema(self, holder: Any, media_type: str) -> Any:
        """The schema of the content entry matching `media_type` (JSON ones only)."""
        content = (resolve(self.document, holder or {}).get("content")) or {}
        media = base_media(media_type)
        for name, entry in content.items():
            if base_media(name) == media and "json" in media:
                return (entry or {}).get("schema")
        return None
