"""Errors of the harness and the HTTP problems the mock answers with.

Exception tree::

    SpotcheckError                 anything the harness itself refuses
    +-- SettingsError              a flag or SPOTCHECK_* variable is wrong
    +-- SchemaError                a schema cannot be loaded or repaired
    +-- StorageFull                the store refused a write (disk full): 503, reads work
    +-- ApiProblem                 an HTTP error answer, rendered in the vendor's body shape
        +-- (raised with status 400, 401, 402, 403, 404, 405, 409, 415, 429, ...)

Warning: `UnmatchedBehaviourWarning` - a behaviour registered for no operation of the served
schema (start-up; an error in the harness's own tests).

`ApiProblem` is raised anywhere below the routing layer and rendered by one place,
`mockserver.problems`, in the auth profile's body shape (`mockserver.errorbodies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class SpotcheckError(Exception):
    """Root of every error the harness raises on purpose."""


class SettingsError(SpotcheckError):
    """A setting given by flag, environment or file is invalid."""


class SchemaError(SpotcheckError):
    """A schema cannot be loaded, or is broken beyond repair."""


class StorageFull(SpotcheckError):
    """The store refused a write (disk full, read-only): reads still work; answered 503."""


class UnmatchedBehaviourWarning(UserWarning):
    """A behaviour is registered for operations the served schema does not have."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of the request: `field` is a dotted path."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


_DEFAULT_CODES = {
    400: "invalid_request",
    401: "not_authenticated",
    402: "workflow_state",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


@dataclass
class ApiProblem(SpotcheckError):
    """An error answer: status, a human sentence, a machine code and field errors."""

    status: int
    detail: str
    code: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    stage: str = ""  # who refused (auth, validation, lifecycle, ...): journalled as refused_by

    def __post_init__(self) -> None:
        super().__init__(self.detail)
        if not self.code:
            self.code = _DEFAULT_CODES.get(self.status, "error")
