"""Connexion's request-body validators, made to answer 400 for any malformed client input.

Connexion 3.3 turns some client mistakes into 500s: a JSON body that is not UTF-8, a form
field whose schema has no plain `type` (anyOf), a broken multipart stream. Those are the
client's errors; these subclasses report them as 400 with field-level detail instead.
"""

from __future__ import annotations

from typing import Any

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
from jsonschema import Draft4Validator, ValidationError
from jsonschema.validators import extend
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException
from starlette.types import Receive, Scope

from mockserver.context import request_context
from mockserver.errors import ApiProblem, FieldError
from mockserver.pipeline.compiled import SchemaCompiler
from mockserver.pipeline.formats import FORMAT_CHECKER, integer_format
from mockserver.pipeline.jsonbody import loads_bounded
from mockserver.pipeline.query_arrays import form_array
from mockserver.spec.quirks import INTEGER_31

_EMPTY = object()  # no body at all, as opposed to a JSON `null`


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
RequestValidator = extend(
    Draft4RequestValidator, {"oneOf": _one_of, "type": _type, "format": integer_format}
)
ParameterSchemaValidator = extend(Draft4Validator, {"format": integer_format})
# Body schemas and parameter schemas, each compiled once (compiled.py): draft 4 as Connexion
# reads it for parameters, with our request rules for bodies.
BODY_SCHEMAS = SchemaCompiler(RequestValidator, FORMAT_CHECKER, request_rules=True)
PARAMETER_SCHEMAS = SchemaCompiler(ParameterSchemaValidator, FORMAT_CHECKER, request_rules=False)


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
                400, f"The request body could not be parsed: {_reason(error)}"
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
            parsed = loads_bounded(raw.decode(self._encoding))
        except ValueError as error:
            raise ApiProblem(400, f"The request body is not valid JSON: {error}") from None
        request_context(scope).json_body = (raw, parsed)  # validation does not change it
        return parsed


def _reason(error: Exception) -> str:
    """What a client is told of a body the parsers refused: the parser's own words where they
    describe the body (a missing boundary, bytes not UTF-8), never a Python exception's name or
    a lookup that failed inside the parser (`KeyError: 'Content-Type'`)."""
    if isinstance(error, MultiPartException | UnicodeDecodeError | ValueError):
        return str(error)[:200]
    return "it is not a well-formed body of its media type."


class _FormBody:
    """Forms: no bytes at all is no body (an optional body may be left out, and a client that
    sends none sends no Content-Type either, which the multipart parser would need)."""

    async def _parse(self, stream: Any, scope: Scope) -> Any:
        chunks = stream.__aiter__()
        async for first in chunks:
            if first:
                break
        else:
            return _EMPTY

        async def replay() -> Any:
            yield first
            async for chunk in chunks:
                yield chunk

        return await super()._parse(replay(), scope)  # type: ignore[misc]


class ClientSafeFormValidator(_ClientSafe, _FormBody, FormDataValidator):
    pass


class ClientSafeMultiPartValidator(_ClientSafe, _FormBody, MultiPartFormDataValidator):
    async def _parse(self, stream: Any, scope: Scope) -> Any:
        if "content-type" not in Headers(scope=scope):  # the parser reads the boundary there
            async for chunk in stream:
                if chunk:
                    raise ApiProblem(
                        400, "A multipart/form-data body needs a Content-Type naming its boundary."
                    )
            return _EMPTY
        return await super()._parse(stream, scope)


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
