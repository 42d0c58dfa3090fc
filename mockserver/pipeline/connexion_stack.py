"""Connexion, used for what it does best: request validation; and our one error boundary.

This is the one module that leans on Connexion beyond its documented API; each reliance is
pinned by `tests/test_connexion_seam.py`, so an upgrade that moves one fails there first:

- `ROUTING_CONTEXT` in `scope["extensions"]` and `scope["path_params"]`: what Connexion's
  routed middlewares read to find the operation. The edge has already matched it once
  (`spec.index`), so `MatchedOperation` writes that match where Connexion looks and its own
  Starlette router is left out: one router for the whole pipeline.
- `RequestValidationOperation` internals (`_operation`, `_validator_map`, `next_app`): its
  per-request work (URI parser, parameter validator, accepted media types) is built once per
  operation here instead of on every request (`RequestValidation`).
- `ConnexionMiddleware._build_middleware_stack()`: built at start-up, so routing tables and
  validators are start-up work rather than the first request's; the stack it returns is served
  as it is, inside `ErrorBoundary` (`ConnexionMiddleware.__call__` only builds it lazily and sets
  `scope["app"]`, which the boundary sets instead).
- `ConnexionMiddleware.apis` with `middleware.main.API`, and `OpenAPISpecification._validate_spec`:
  the document `load_schema` returns has passed the OpenAPI meta-schema already, and Connexion's
  `add_api` would check it again (0.6 s of the vendor file's start-up) with no switch to skip it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from connexion import ConnexionMiddleware
from connexion import utils as connexion_utils
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import InvalidSpecification, UnsupportedMediaTypeProblem
from connexion.json_schema import resolve_refs
from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.middleware.main import API as ConnexionAPI
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.resolver import Resolver
from connexion.spec import OpenAPISpecification
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.behaviours.documented_errors import DocumentedErrors
from mockserver.context import request_context
from mockserver.errors import ApiProblem, SchemaError
from mockserver.pipeline.validators import VALIDATOR_MAP
from mockserver.problems import RenderedProblem, as_problem, render_for, send_problem
from mockserver.spec.loaded import LoadedSchema

Middleware = Callable[[ASGIApp], ASGIApp]


class MatchedOperation:
    """Hands the edge's match to Connexion's routed middlewares, in the form they read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            context = request_context(scope)
            if context.operation is None:
                # Nothing matched upstream (a stack used without the edge): nothing could be
                # validated, so nothing is answered.
                await send_problem(scope, send, ApiProblem(404, "Not found."))
                return
            scope.setdefault("extensions", {})[ROUTING_CONTEXT] = {
                "api_base_path": "",
                "operation_id": context.operation.operation_id,
            }
            scope["path_params"] = context.path_params
        await self.app(scope, receive, send)


def _answered_by_dispatcher() -> None:  # pragma: no cover - never called
    raise AssertionError("operations are answered by mockserver.pipeline.dispatch.Dispatcher")


class _CheckedSpecification(OpenAPISpecification):
    """A document `load_schema` has already checked against the OpenAPI meta-schema.

    Connexion's own __init__ but for the deep copy of the document it keeps as `.raw`: only
    its Swagger UI reads that, which this stack has not (docs.py), and on a served schema the
    copy was 3 MB of the server's peak memory (issue 21).
    """

    def __init__(self, raw_spec: dict[str, Any], *, base_uri: str = "") -> None:
        self._raw_spec: dict[str, Any] = {}  # `base_path`'s setter writes its servers here
        self._set_defaults(raw_spec)
        self._validate_spec(raw_spec)
        self._spec = resolve_refs(raw_spec, base_uri=base_uri)
        self._base_uri = base_uri

    @classmethod
    def _validate_spec(cls, spec: dict[str, Any]) -> None:
        return None


def connexion_stage(
    app: ASGIApp,
    schema: LoadedSchema,
    *,
    security: Middleware,
    versioning: Sequence[Middleware],
    validate_responses: bool,
    documented: DocumentedErrors,
) -> ASGIApp:
    """Our security, API versions and Connexion's validation around `app`, every exception
    they raise answered by one `ErrorBoundary`."""
    connexion = ConnexionMiddleware(
        app,
        middlewares=[
            MatchedOperation,
            security,
            *versioning,
            RequestValidation,
            ResponseValidationMiddleware,
        ],
    )
    options = connexion.options.replace(
        validate_responses=validate_responses,
        validator_map=VALIDATOR_MAP,
        # Connexion only validates here; the Dispatcher answers every operation.
        resolver=Resolver(function_resolver=lambda _operation_id: _answered_by_dispatcher),
    )
    try:
        connexion.apis.append(
            ConnexionAPI(_CheckedSpecification(schema.document), base_path="", **options.__dict__)
        )
        stack, _middlewares = connexion._build_middleware_stack()
    except InvalidSpecification as error:
        raise SchemaError(f"{schema.source} cannot be served: {str(error)[:500]}") from None
    return ErrorBoundary(stack, documented)


class ErrorBoundary:
    """Any exception raised below answered in the profile's error body, and in the body the
    matched operation documents for its status where the profile's does not fit it (Lago's
    `{status, error}`); anything unexpected is a logged 500 (`problems.as_problem`).

    It takes the place of Connexion's ServerErrorMiddleware and ExceptionMiddleware: four
    layers and two `send` wrappers on every request, and a thread-pool hop for every refusal
    (Starlette runs a synchronous handler in a worker thread).
    """

    def __init__(self, app: ASGIApp, documented: DocumentedErrors) -> None:
        self.app = app
        self.documented = documented

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # As an application's outer layer does: Starlette's request code reads it to answer a
        # malformed form (a multipart body without a boundary) with a 400, not an exception.
        scope["app"] = self
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if started:  # half an answer is out: the server closes the connection
                raise
            await self.rendered(scope, error).send(send)
            error.__traceback__ = None  # a reused exception must not grow a traceback chain

    def rendered(self, scope: Scope, error: Exception) -> RenderedProblem:
        problem = as_problem(error)
        operation = request_context(scope).operation
        return self.documented.answer(operation, problem, render_for(scope, problem))


class _PreparedOperation(RequestValidationOperation):
    """Connexion's request validation of one operation, with what it rebuilt on every request
    (the URI parser, the parameter validator, the accepted media types) built once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operation = self._operation
        self._uri_parser = operation.uri_parser_class(
            operation.parameters, operation.body_definition()
        )
        self._parameters = (
            self._validator_map["parameter"](
                operation.parameters,
                uri_parser=self._uri_parser,
                strict_validation=self.strict_validation,
                security_query_params=self.security_query_params,
            )
            if operation.parameters or self.strict_validation
            else None  # nothing to check: Connexion's validator would loop over nothing
        )
        consumes = operation.consumes
        self._consumes = MediaTypeDict([(kind.lower(), None) for kind in consumes])
        self._required = bool(operation.request_body.get("required", False))
        # mime type -> (body schema, nullable): Connexion looks both up on every request
        self._bodies: dict[str, tuple[Any, bool]] = {}

    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        if not any(name.lower() == b"content-type" for name, _ in headers):
            # no header: Connexion's guess, without decoding every header to find none
            return (self._operation.consumes or ["application/octet-stream"])[0], "utf-8"
        return super().extract_content_type(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._parameters is not None:
            self._parameters.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        if self._operation.consumes and mime_type.lower() not in self._consumes:
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({mime_type}), expected {self._operation.consumes}"
            )
        schema, nullable = self._body(mime_type) if self._operation.consumes else (None, False)
        if schema:
            validator_class = self._validator_map["body"].get(mime_type)
            if validator_class is not None:
                validator = validator_class(
                    schema=schema,
                    required=self._required,
                    nullable=nullable,
                    encoding=encoding,
                    strict_validation=self.strict_validation,
                    uri_parser=self._uri_parser,
                )
                receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)

    def _body(self, mime_type: str) -> tuple[Any, bool]:
        found = self._bodies.get(mime_type)
        if found is None:
            operation = self._operation
            found = (
                operation.body_schema(mime_type),
                bool(connexion_utils.is_nullable(operation.body_definition(mime_type))),
            )
            if len(self._bodies) < 16:  # the client names the type: keep a few spellings
                self._bodies[mime_type] = found
        return found


class _PreparedAPI(RequestValidationAPI):
    def make_operation(self, operation: Any) -> RequestValidationOperation:
        return _PreparedOperation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class RequestValidation(RequestValidationMiddleware):
    """Connexion's RequestValidationMiddleware, each operation prepared once at start-up."""

    api_cls = _PreparedAPI
