"""An error answered in the body the operation documents for it.

The profile's error body (problems.py) is right for the vendor families we model; a schema
from elsewhere often documents its own shapes (Lago: `{status, error}`, Box: `{type: "error",
code, ...}`, Figma: `{status, err}`), and an answer must fit the schema the client reads it
with. Every refusal of a matched operation - security, validation, a behaviour's 404 - passes
here (pipeline/connexion_stack.py), so the profile's body is kept wherever it fits.
"""

from __future__ import annotations

import json
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from mockserver.behaviours.responses import ResponseCatalog
from mockserver.behaviours.shaping import fit
from mockserver.errors import ApiProblem
from mockserver.problems import RenderedProblem
from mockserver.spec.index import Operation

_NONE: dict[str, Any] = {}


class DocumentedErrors:
    """Error bodies in each operation's documented shape; schemas looked up once per status."""

    def __init__(self, catalog: ResponseCatalog) -> None:
        self._catalog = catalog
        self._schemas: dict[tuple[str, int], dict[str, Any]] = {}

    def answer(
        self, operation: Operation | None, problem: ApiProblem, rendered: RenderedProblem
    ) -> RenderedProblem:
        """`rendered` (the profile's answer to `problem`) with the body `operation` documents
        for its status, where the profile's does not fit that; a 5xx stays the profile's."""
        if operation is None or rendered.status >= 500:
            return rendered
        own = self.body(operation, problem, json.loads(rendered.body))
        return rendered if own is None else replace(rendered, body=json.dumps(own).encode())

    def body(self, operation: Operation, problem: ApiProblem, profile_body: Any) -> Any | None:
        """The body for `problem` on `operation`; None where the operation documents no JSON
        schema for its status or the profile's `profile_body` already fits it."""
        key = (operation.key, problem.status)
        schema = self._schemas.get(key)
        if schema is None:
            schema = self._schemas[key] = _documented_schema(self._catalog, operation, key[1])
        if schema is _NONE or not self._catalog.checker.errors(schema, profile_body):
            return None
        return _fitted_error(self._catalog, schema, problem)


def _documented_schema(
    catalog: ResponseCatalog, operation: Operation, status: int
) -> dict[str, Any]:
    """The JSON schema answered for `status`: its own code, else `4XX`, else `default` (the
    order a client - and Schemathesis - reads them in)."""
    responses = operation.definition.get("responses") or {}
    for key in (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default"):
        if key in responses:
            response = catalog.synthesizer.resolve(responses[key])
            content = response.get("content") or {}
            media = next(
                (m for t, m in content.items() if "json" in t and isinstance(m, dict)), None
            )
            schema = (media or {}).get("schema")
            return schema if isinstance(schema, dict) and schema else _NONE
    return _NONE


def _fitted_error(catalog: ResponseCatalog, schema: dict[str, Any], problem: ApiProblem) -> Any:
    frame = catalog.synthesizer.example(schema)
    if catalog.checker.errors(schema, frame):
        frame = catalog.synthesizer.without_examples().example(schema)
    text = problem.detail
    # The fields error bodies commonly name; fit() keeps only those the schema has room for
    # and the values it accepts (a `code` enum takes the profile's code or the status's name).
    facts: dict[str, Any] = {"status": problem.status, "message": text, "error": text, "err": text}
    code_schema = _property(catalog, schema, "code")
    for code in (problem.code, _status_name(problem.status)):
        if code and code_schema is not None and not catalog.checker.errors(code_schema, code):
            facts["code"] = code
            break
    body = fit(catalog, schema, frame, facts)
    return body if not catalog.checker.errors(schema, body) else frame


def _property(catalog: ResponseCatalog, schema: Any, name: str) -> Any:
    resolved = catalog.synthesizer.resolve(schema)
    found = (resolved.get("properties") or {}).get(name)
    for part in resolved.get("allOf") or []:
        found = found if found is not None else _property(catalog, part, name)
    return found


def _status_name(status: int) -> str:
    """`not_found` for 404: the code most vendors' enums spell for the status."""
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return ""
