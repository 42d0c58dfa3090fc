"""`create_app(settings)`: the only way to build the mock server.

Request flow (outermost first)::

    JournalMiddleware -> BodyLimitMiddleware (413, chunked bodies)
    -> EdgeMiddleware (admin, 302/404/405) -> RateLimitMiddleware
    -> Connexion: ServerError, Exception (vendor error bodies), Routing,
       SpotcheckSecurity, RequestValidation, ResponseValidation, Lifespan, Context
    -> Dispatcher (behaviour for the operation, or its documented answer)
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from connexion import ConnexionMiddleware
from connexion.exceptions import InvalidSpecification, ProblemException
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.main import API as ConnexionAPI
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.resolver import Resolver
from connexion.spec import OpenAPISpecification
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.admin import admin_app
from mockserver.apiversions import ApiVersionMiddleware, VersionHeaderMiddleware
from mockserver.auth import Authenticator, SchemeKinds
from mockserver.behaviours import bind
from mockserver.behaviours.generic import GenericState
from mockserver.bodylimit import BodyLimitMiddleware
from mockserver.context import request_context
from mockserver.dispatch import Dispatcher, NoRedirectRouting
from mockserver.docs import LazyDocs
from mockserver.edge import EdgeMiddleware
from mockserver.errorbodies import ErrorStyle
from mockserver.errors import ApiProblem, SchemaError
from mockserver.journal import JournalMiddleware
from mockserver.problems import connexion_error_handler
from mockserver.profiles import (
    PROFILES,
    Domain,
    Profile,
    credential_headers,
    header_kinds,
    profile,
    resource_path,
)
from mockserver.ratelimit import RateLimitMiddleware
from mockserver.runtime import Runtime
from mockserver.security import SpotcheckSecurityMiddleware
from mockserver.settings import Settings
from mockserver.spec.load import load_schema
from mockserver.spec.loaded import LoadedSchema
from mockserver.validators import VALIDATOR_MAP

logger = logging.getLogger("spotcheck.app")


def _answered_by_dispatcher() -> None:  # pragma: no cover - never called
    raise AssertionError("operations are answered by mockserver.dispatch.Dispatcher")


class SpotcheckApp:
    """The ASGI app of one mock server; `runtime` exposes its state to tests and the CLI."""

    def __init__(self, asgi: ASGIApp, runtime: Runtime, error_style: ErrorStyle) -> None:
        self._asgi = asgi
        self.runtime = runtime
        self._error_style = error_style

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        # Every layer that refuses a request writes its error in the profile's body shape.
        request_context(scope).error_style = self._error_style
        await self._asgi(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # The webhook dispatcher lives on the server's event loop, while it serves.
                await self.runtime.webhooks.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.runtime.webhooks.stop()
                # The store stays open: one app may serve several client sessions (tests).
                await send({"type": "lifespan.shutdown.complete"})
                return


def _domain(runtime: Runtime) -> Domain:
    """What every family whose operations the schema has adds, whichever profile serves it."""
    domains = [entry.domain(runtime) for entry in PROFILES]
    return Domain(
        tuple(entry for domain in domains for entry in domain.registrations),
        {name: check for domain in domains for name, check in domain.parents.items()},
        frozenset().union(*(domain.self_judged for domain in domains)),
    )


def _generic(runtime: Runtime, active: Profile, domain: Domain) -> GenericState:
    """Stateful CRUD for every operation without a behaviour, by the profile's id rules."""
    return GenericState(
        runtime.store,
        runtime.catalog,
        lambda: runtime.workspace.id,  # read per request: a reset replaces the workspace
        domain.parents,
        uuid_ids=active.uuid_ids,
        full_replacement=active.full_replacement,
        resource_path=resource_path,
    )


def create_app(settings: Settings, schema: LoadedSchema | None = None) -> SpotcheckApp:
    """Build the mock for `settings` (pass an already loaded `schema` to share it between apps)."""
    schema = schema or load_schema(
        settings.spec,
        overlays=settings.overlays,
        cache_dir=settings.cache_dir,
        profile=settings.profile,
        overlay_file=settings.overlay_file,
    )
    runtime = Runtime.build(settings, schema)
    active = profile(schema.profile)
    domain = _domain(runtime)
    authenticator = Authenticator(
        runtime.store,
        lambda: runtime.workspace,
        SchemeKinds(schema.security_schemes, header_kinds()),
        monitor=runtime.auth_failures,
        profile_headers=(active.id_header, active.secret_header),
        identity_headers=credential_headers(),
        self_judged=domain.self_judged,
    )
    registrations = (*domain.registrations, *active.auth_routes(runtime, authenticator))
    # a registration that matches no operation warns (an error in our tests)
    behaviours = bind(registrations, {operation.key for operation in schema.index.operations})
    dispatcher = Dispatcher(behaviours, _generic(runtime, active, domain))
    versioning = (
        [partial(ApiVersionMiddleware, plan=schema.versions, self_judged=domain.self_judged)]
        if schema.versions
        else []
    )
    connexion = ConnexionMiddleware(
        dispatcher,
        middlewares=[
            ServerErrorMiddleware,
            ExceptionMiddleware,
            NoRedirectRouting,
            partial(SpotcheckSecurityMiddleware, authenticator=authenticator),
            *versioning,
            RequestValidationMiddleware,
            ResponseValidationMiddleware,
            LifespanMiddleware,
            ContextMiddleware,
        ],
    )
    try:
        _add_api(connexion, schema, settings)
    except InvalidSpecification as error:
        raise SchemaError(f"{schema.source} cannot be served: {str(error)[:500]}") from None
    for handled in (ApiProblem, ProblemException, HTTPException, Exception):
        connexion.add_error_handler(handled, connexion_error_handler)
    # Build Connexion's stack now: its routers and validators are start-up work, not the
    # first request's.
    connexion.app, connexion.middleware_stack = connexion._build_middleware_stack()
    asgi: ASGIApp = RateLimitMiddleware(connexion, settings.rate_limit)
    asgi = EdgeMiddleware(asgi, schema.index, admin_app(runtime), LazyDocs(schema.document))
    asgi = BodyLimitMiddleware(asgi, settings.max_body_bytes)
    if schema.versions is not None:
        asgi = VersionHeaderMiddleware(asgi, schema.versions.header)
    asgi = JournalMiddleware(asgi, runtime.journal)
    return SpotcheckApp(asgi, runtime, active.error_style)


class _CheckedSpecification(OpenAPISpecification):
    """A document `load_schema` has already checked against the OpenAPI meta-schema.

    Connexion re-runs that check in every `add_api` (0.6 s of the 914 KB vendor file's start-up)
    and has no switch for it; this is the one place we step around its `add_api` to skip it.
    """

    @classmethod
    def _validate_spec(cls, spec: dict[str, Any]) -> None:
        return None


def _add_api(connexion: ConnexionMiddleware, schema: LoadedSchema, settings: Settings) -> None:
    options = connexion.options.replace(
        validate_responses=settings.validate_responses,
        validator_map=VALIDATOR_MAP,
        # Connexion only routes and validates here; the Dispatcher answers every operation.
        resolver=Resolver(function_resolver=lambda _operation_id: _answered_by_dispatcher),
    )
    # load_schema has run the meta-schema check on every LoadedSchema (repair verifies).
    specification = _CheckedSpecification(schema.document)
    connexion.apis.append(ConnexionAPI(specification, base_path="", **options.__dict__))
