"""The error body shapes of the vendors the harness emulates, each with its JSON Schema.

Every error answer is rendered by one of these (chosen by the auth profile), so a client sees
one shape per vendor, whichever layer of the mock refused its request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.errors import ApiProblem

DETAIL_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["detail", "status_code"],
    "properties": {
        "detail": {"type": "string"},
        "message": {"type": "string"},
        "code": {"type": "string"},
        "status_code": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}

DEBUG_IDENTIFIER_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["debugIdentifier", "errorMessages"],
    "properties": {
        "debugIdentifier": {"type": "string"},
        "errorMessages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["errorCode"],
                "properties": {
                    "errorCode": {"type": "string"},
                    "message": {"type": "string"},
                    "errorParameters": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "value"],
                            "properties": {
                                "name": {"type": "string"},
                                "value": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class ErrorStyle:
    """How one vendor writes an error: `render(problem, request_id)` and the body's schema."""

    name: str
    schema_name: str
    schema: dict[str, Any]
    render: Callable[[ApiProblem, str], dict[str, Any]]


def _detail_body(problem: ApiProblem, _request_id: str) -> dict[str, Any]:
    """The detail body: `detail`, `message`, `code`, `status_code` (+ `errors`)."""
    body: dict[str, Any] = {
        "detail": problem.detail,
        "message": problem.detail,
        "code": problem.code,
        "status_code": problem.status,
    }
    if problem.errors:
        body["errors"] = [error.as_dict() for error in problem.errors]
    return body


# Spotnana-style codes are SCREAMING_SNAKE_CASE; a few statuses have a fixed name.
_STATUS_CODES = {
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
}
_GENERIC_CODES = {"not_authenticated", "permission_denied", "not_found", "throttled", "error"}


def error_code(problem: ApiProblem) -> str:
    """The upper-case code of a problem: its own specific code, else its status's name."""
    if problem.status == 429 or problem.code in _GENERIC_CODES:
        return _STATUS_CODES.get(problem.status, problem.code.upper())
    return problem.code.upper()


def _debug_identifier_body(problem: ApiProblem, request_id: str) -> dict[str, Any]:
    code = error_code(problem)
    messages: list[dict[str, Any]] = [{"errorCode": code, "message": problem.detail}]
    messages += [
        {
            "errorCode": code,
            "message": error.message,
            "errorParameters": [{"name": "field", "value": error.field}],
        }
        for error in problem.errors
    ]
    # The request id doubles as the debug identifier: it finds the call in /__admin/requests.
    return {"debugIdentifier": request_id or "unknown", "errorMessages": messages}


DETAIL_STYLE = ErrorStyle("detail", "SpotcheckErrorBody", DETAIL_BODY_SCHEMA, _detail_body)
DEBUG_IDENTIFIER_STYLE = ErrorStyle(
    "debug-identifier",
    "SpotcheckDebugErrorBody",
    DEBUG_IDENTIFIER_BODY_SCHEMA,
    _debug_identifier_body,
)
