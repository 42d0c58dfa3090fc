"""Connexion's request-body validators, made to answer 400 for any malformed client input.

Connexion 3.3 turns some client mistakes into 500s: a JSON body that is not UTF-8, a form
field whose schema has no plain `type` (anyOf), a broken multipart stream. Those are the
client's errors; these subclasses report them as 400 with field-level detail instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from connexion.datastructures import MediaTypeDict
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    FormDataValidator,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    MultiPartFormDataValidator,
    ParameterValidator,
    TextResponseBodyValidator,
)
from jsonschema import Draft4Validator, FormatChecker, ValidationError
from jsonschema.validators import extend
from starlette.formparsers import MultiPartException
from starlette.types import Receive, Scope

from mockserver.errors import ApiProblem, FieldError
from mockserver.pipeline.compiled import SchemaCompiler
from mockserver.pipeline.jsonbody import loads_bounded
from mockserver.pipeline.query_arrays import form_array
from mockserver.spec.quirks import INTEGER_31

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
_EMPTY = object()  # no body at all, as opposed to a JSON `null`

# Our own copy of draft 4's checker: registering on the shared `Draft4Validator.FORMAT_CHECKER`
# would change validation for every user of jsonschema in the process (Schemathesis, the
# integrator's own tests). Every validator below is given this one instead.
FORMAT_CHECKER = FormatChecker(formats=())
FORMAT_CHECKER.checkers.update(Draft4Validator.FORMAT_CHECKER.checkers)


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    # Without rfc3339-validator installed, jsonschema would accept any string.
    if not isinstance(value, str):
        return True
    if not _RFC3339.fullmatch(value):
        raise ValueError("not an RFC 3339 date-time")
    datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    return True


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value) if len(value) == 10 else _fail("not a YYYY-MM-DD date")
    return True


@FORMAT_CHECKER.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    if isinstance(value, str):
        UUID(value) if len(value) in (32, 36) else _fail("not a UUID")
    return True


@FORMAT_CHECKER.checks("uri", raises=ValueError)
def _is_uri(value: object) -> bool:
    if isinstance(value, str):
        parts = urlsplit(value)
        if not parts.scheme or not (parts.netloc or parts.path) or not _is_visible(value):
            raise ValueError("not an absolute URI")
    return True


def _is_visible(value: str) -> bool:
    return value.isprintable() and not any(char.isspace() for char in value)


def _fail(message: str) -> None:
    raise ValueError(message)


_INT_RANGES = {"int32": 2**31, "int64": 2**63}


def _bounded(name: str) -> None:
    # OpenAPI's int32/int64 formats are ranges; jsonschema knows no such format.
    @FORMAT_CHECKER.checks(name, raises=ValueError)
    def check(value: object) -> bool:
        limit = _INT_RANGES[name]
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if numeric and not -limit <= value < limit:  # type: ignore[operator]
            raise ValueError(f"out of the {name} range")
        return True


for _name in _INT_RANGES:
    _bounded(_name)


def _one_of(validator: Any, branches: Any, instance: Any, schema: dict[str, Any]) -> Any:
    """With a discriminator the named branch decides: being valid under another branch too
    (`{"requestType": "PAGE_TOKEN"}` fits several) is not an error, as it is in plain oneOf."""
    if not schema.get("discriminator"):
        yield from _DRAFT4_ONE_OF(validator, branches, instance, schema)
        return
    yield from _ANY_OF(validator, branches, instance, schema)


def _type(validator: Any, types: Any, instance: Any, schema: dict[str, Any]) -> Any:
    # A 3.1 document is validated as 3.0 would be, except where that changes what is valid:
    # 3.1 (JSON Schema 2020-12) counts 5.0 as an integer, draft 4 does not.
    if (
        types == "integer"
        and schema.get(INTEGER_31) is True
        and isinstance(instance, float)
        and instance.is_integer()
    ):
        return
    yield from _NULLABLE_TYPE(validator, types, instance, schema)


_MALFORMED = (
    ValueError,
    UnicodeDecodeError,
    KeyError,
    TypeError,
    IndexError,
    MultiPartException,
    RecursionError,
)
_MAX_FIELD_ERRORS = 20


_DRAFT4_ONE_OF = Draft4RequestValidator.VALIDATORS["oneOf"]
_ANY_OF = Draft4RequestValidator.VALIDATORS["anyOf"]
_NULLABLE_TYPE = Draft4RequestValidator.VALIDATORS["type"]
RequestValidator = extend(Draft4RequestValidator, {"oneOf": _one_of, "type": _type})
# Body schemas and parameter schemas, each compiled once (compiled.py): draft 4 as Connexion
# reads it for parameters, with our request rules for bodies.
BODY_SCHEMAS = SchemaCompiler(RequestValidator, FORMAT_CHECKER, request_rules=True)
PARAMETER_SCHEMAS = SchemaCompiler(Draft4Validator, FORMAT_CHECKER, request_rules=False)


def _field_errors(schema: dict[str, Any], body: Any) -> list[FieldError]:
    compiled = BODY_SCHEMAS.compile(schema)
    if compiled.is_valid(body):
        return []
    errors = sorted(compiled.python.iter_errors(body), key=lambda error: list(map(str, error.path)))
    return [
        FieldError(".".join(str(part) for part in error.path) or "(body)", error.message[:300])
        for error in errors[:_MAX_FIELD_ERRORS]
    ]


class _ClientSafe:
    """Mixin: malformed bodies become 400s; schema violations list every failing field."""

    _schema: dict[str, Any]
    _strict_validation: bool
    _required: bool

    @property
    def _validator(self) -> Draft4Validator:
        # Connexion's own property would use the shared checker (see FORMAT_CHECKER).
        return BODY_SCHEMAS.compile(self._schema).python

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        try:
            return await super().wrap_receive(receive, scope=scope)  # type: ignore[misc]
        except _MALFORMED as error:
            raise ApiProblem(
                400,
                f"The request body could not be parsed: {type(error).__name__}: {str(error)[:200]}",
            ) from None

    def _validate(self, body: Any) -> None:
        if body is _EMPTY or (body is None and not isinstance(self, JSONRequestBodyValidator)):
            if self._required:
                raise ApiProblem(400, "The request body must not be empty.")
            return
        if self._strict_validation:
            super()._validate(body)  # type: ignore[misc]
        errors = _field_errors(self._schema, body)
        if errors:
            first = errors[0]
            raise ApiProblem(
                400, f"Invalid request body: {first.field}: {first.message}", errors=errors
            )


class NamedParameterValidator(ParameterValidator):
    """Parameter errors that name the parameter, without Connexion's schema dump."""

    def validate_query_parameter(self, param: dict[str, Any], request: Any) -> str | None:
        # `name=` and arrays of objects, read as a client writes them (query_arrays.py)
        read = form_array(param, request.scope)
        if read is not None:
            return self.validate_parameter("query", read, param)
        return super().validate_query_parameter(param, request)

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: Any, param: dict[str, Any], param_name: str | None = None
    ) -> str | None:
        # Connexion's validate_parameter, with our FORMAT_CHECKER instead of the shared one.
        if is_nullable(param) and is_null(value):
            return None
        if value is None:
            if param.get("required"):
                return f"Missing {parameter_type} parameter '{param['name']}'"
            return None
        compiled = PARAMETER_SCHEMAS.compile(param.get("schema", param))
        if compiled.is_valid(value):
            return None
        try:
            compiled.python.validate(value)
        except ValidationError as error:
            reason = str(error).split("\n", 1)[0]
            return (
                f"{parameter_type} parameter '{param.get('name', param_name)}' is invalid: {reason}"
            )
        return None


class ClientSafeJSONValidator(_ClientSafe, JSONRequestBodyValidator):
    async def _parse(self, stream: Any, scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        # Zero bytes is no body; whitespace alone is not a JSON text (a JSON parser such as
        # the vendor's refuses it with a 400, whether or not a body is required).
        if not raw:
            return _EMPTY
        try:
            return loads_bounded(raw.decode(self._encoding))
        except ValueError as error:
            raise ApiProblem(400, f"The request body is not valid JSON: {error}") from None


class ClientSafeFormValidator(_ClientSafe, FormDataValidator):
    pass


class ClientSafeMultiPartValidator(_ClientSafe, MultiPartFormDataValidator):
    pass


class PrivateFormatsResponseValidator(JSONResponseBodyValidator):
    @property
    def validator(self) -> Draft4Validator:
        return Draft4ResponseValidator(self._schema, format_checker=FORMAT_CHECKER)


VALIDATOR_MAP = {
    "parameter": NamedParameterValidator,
    "body": MediaTypeDict(
        {
            "*/*json": ClientSafeJSONValidator,
            "application/x-www-form-urlencoded": ClientSafeFormValidator,
            "multipart/form-data": ClientSafeMultiPartValidator,
        }
    ),
    "response": MediaTypeDict(
        {
            "*/*json": PrivateFormatsResponseValidator,
            "text/plain": TextResponseBodyValidator,
        }
    ),
}
