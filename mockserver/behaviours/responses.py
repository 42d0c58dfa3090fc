"""The documented success answer of every operation: its example, else a synthesized body.

Built once per operation and cached. An example that does not validate against its own schema
(the vendor's file has some) is reported and replaced by a synthesized body, so the mock never
answers with something its schema forbids.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from mockserver.behaviours.synth import Synthesizer, has_placeholder
from mockserver.spec.index import Operation
from mockserver.spec.loaded import LoadedSchema
from mockserver.spec.per_schema import PerSchema
from mockserver.spec.validation import SchemaChecker

logger = logging.getLogger("spotcheck.responses")


@dataclass(frozen=True)
class CannedResponse:
    status: int
    media_type: str | None
    body: Any
    source: str  # "example", "synthesized" or "empty"

    def encoded(self) -> bytes:
        if self.media_type is None or self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if "json" in self.media_type:
            return json.dumps(self.body).encode("utf-8")
        return str(self.body).encode("utf-8")


class ResponseCatalog:
    def __init__(self, schema: LoadedSchema) -> None:
        self._document = schema.document
        self.synthesizer = Synthesizer(schema.document)
        self.checker = SchemaChecker(schema.document)
        self._cache: dict[str, CannedResponse] = {}
        self._schemas: dict[str, tuple[int, dict[str, Any] | None]] = {}
        self.shapes: PerSchema[Any] = PerSchema()  # behaviours.shaping's plans

    @property
    def document(self) -> dict[str, Any]:
        """The served schema (read-only)."""
        return self._document

    def success(self, operation: Operation) -> CannedResponse:
        cached = self._cache.get(operation.key)
        if cached is None:
            cached = self._cache[operation.key] = self._build(operation)
        return cached

    def success_schema(self, operation: Operation) -> tuple[int, dict[str, Any] | None]:
        found = self._schemas.get(operation.key)
        if found is None:
            found = self._schemas[operation.key] = self._success_schema(operation)
        return found

    def _success_schema(self, operation: Operation) -> tuple[int, dict[str, Any] | None]:
        status, response = _success_response(operation)
        media = _json_media(self.synthesizer.resolve(response).get("content") or {})
        schema = media[1].get("schema") if media else None
        return status, (schema if isinstance(schema, dict) else None)

    def _build(self, operation: Operation) -> CannedResponse:
        status, response = _success_response(operation)
        content = self.synthesizer.resolve(response).get("content") or {}
        if not content or status == 204:
            return CannedResponse(status, None, None, "empty")
        json_media = _json_media(content)
        if json_media is None:
            media_type = next(iter(content))
            return CannedResponse(
                status, media_type, _binary_placeholder(media_type), "synthesized"
            )
        media_type, media = json_media
        schema = media.get("schema") or {}
        example = _media_example(media)
        if example is not _MISSING:
            problems = self.checker.errors(schema, example)
            if has_placeholder(example):
                problems = problems or ['the placeholder "string"']
            if not problems:
                return CannedResponse(status, media_type, example, "example")
            logger.warning(
                "example of %s replaced, it breaks its schema: %s", operation.key, problems[0]
            )
        body = self.synthesizer.example(schema)
        problems = self.checker.errors(schema, body)
        if problems:
            body = self.synthesizer.without_examples().example(schema)
            problems = self.checker.errors(schema, body)
        if problems:
            logger.warning(
                "synthesized body for %s does not validate: %s", operation.key, problems[0]
            )
        return CannedResponse(status, media_type, body, "synthesized")


_MISSING = object()


def _success_response(operation: Operation) -> tuple[int, dict[str, Any]]:
    responses = operation.definition.get("responses") or {}
    codes = sorted(code for code in responses if code.startswith("2") and code.isdigit())
    if not codes:
        return 200, {}
    return int(codes[0]), responses[codes[0]] or {}


def _json_media(content: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for media_type, media in content.items():
        if "json" in media_type:
            return media_type, media or {}
    return None


def _media_example(media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    examples = media.get("examples") or {}
    for example in examples.values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    return _MISSING


def _binary_placeholder(media_type: str) -> bytes:
    if media_type == "application/pdf":
        return b"%PDF-1.4\n% spotcheck mock document\n%%EOF\n"
    return b"spotcheck mock content\n"
