"""Connexion, used for what it does best: request validation and its exception hooks.

This is the one module that leans on Connexion beyond its documented API; each reliance is
pinned by `tests/test_connexion_seam.py`, so an upgrade that moves one fails there first:

- `ROUTING_CONTEXT` in `scope["extensions"]` and `scope["path_params"]`: what Connexion's
  routed middlewares read to find the operation. The edge has already matched it once
  (`spec.index`), so `MatchedOperation` writes that match where Connexion looks and its own
  Starlette router is left out: one router for the whole pipeline.
- `ConnexionMiddleware._build_middleware_stack()`: built at start-up, so routing tables and
  validators are start-up work rather than the first request's.
- `ConnexionMiddleware.apis` with `middleware.main.API`, and `OpenAPISpecification._validate_spec`:
  the document `load_schema` returns has passed the OpenAPI meta-schema already, and Connexion's
  `add_api` would check it again (0.6 s of the vendor file's start-up) with no switch to skip it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from connexion import ConnexionMiddleware
from connexion.exceptions import InvalidSpecification, ProblemException
from connexion.middleware.abstract import ROUTING_CONTEXT
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.main import API as ConnexionAPI
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.resolver import Resolver
from connexion.spec import OpenAPISpecification
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.behaviours.documented_errors import DocumentedErrors
from mockserver.behaviours.responses import ResponseCatalog
from mockserver.context import request_context
from mockserver.errors import ApiProblem, SchemaError
from mockserver.pipeline.validators import VALIDATOR_MAP, RequestValidation
from mockserver.problems import as_problem, connexion_error_handler, send_problem
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
    """A document `load_schema` has already checked against the OpenAPI meta-schema."""

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
) -> ASGIApp:
    """Connexion's exception hooks, our security, API versions and validation, around `app`."""
    connexion = ConnexionMiddleware(
        app,
        middlewares=[
            ServerErrorMiddleware,
            ExceptionMiddleware,
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
        handler = _documented(DocumentedErrors(ResponseCatalog(schema)))
        for handled in (ApiProblem, ProblemException, HTTPException, Exception):
            connexion.add_error_handler(handled, handler)
        connexion.app, connexion.middleware_stack = connexion._build_middleware_stack()
    except InvalidSpecification as error:
        raise SchemaError(f"{schema.source} cannot be served: {str(error)[:500]}") from None
    return connexion


def _documented(documented: DocumentedErrors) -> Callable[[Any, Exception], Any]:
    """The profile's error answer, in the body the matched operation documents for its
    status where the profile's body does not fit that (Lago's `{status, error}`)."""

    def handle(request: Any, error: Exception) -> Any:
        response = connexion_error_handler(request, error)
        operation = request_context(request.scope).operation
        if operation is None or response.status_code >= 500:
            return response
        own = documented.body(operation, as_problem(error), json.loads(response.body))
        if own is not None:
            response.body = json.dumps(own).encode("utf-8")
        return response

    return handle
