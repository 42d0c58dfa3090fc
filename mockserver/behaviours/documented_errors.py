"""An error the generic state raises, answered in the body the operation documents for it.

The profile's error body (problems.py) is right for the vendor families we model; a schema
from elsewhere often documents its own 404 shape (Lago: `{status, error, code}`, Figma:
`{status, err}`), and an answer must fit the schema the client reads it with.
"""

from __future__ import annotations

from typing import Any

from mockserver.behaviours.responses import ResponseCatalog
from mockserver.behaviours.shaping import fit
from mockserver.errors import ApiProblem
from mockserver.spec.index import Operation


def documented_error(
    catalog: ResponseCatalog, operation: Operation, problem: ApiProblem, profile_body: Any
) -> Any | None:
    """The body the operation documents for `problem.status`; None where it documents none
    or where the profile's own `profile_body` already fits it (it then answers as usual)."""
    responses = operation.definition.get("responses") or {}
    response = catalog.synthesizer.resolve(responses.get(str(problem.status)))
    content = response.get("content") or {}
    media = next((m for t, m in content.items() if "json" in t and isinstance(m, dict)), None)
    if not media or not isinstance(media.get("schema"), dict):
        return None
    schema = media["schema"]
    if not catalog.checker.errors(schema, profile_body):
        return None
    frame = catalog.synthesizer.without_examples().example(schema)
    text = problem.detail
    # The fields error bodies commonly name; fit() keeps only those the schema has room for.
    facts = {"status": problem.status, "message": text, "error": text, "err": text}
    body = fit(catalog, schema, frame, facts)
    return body if not catalog.checker.errors(schema, body) else frame
