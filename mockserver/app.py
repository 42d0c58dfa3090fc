"""`create_app(settings)`: the only way to build the mock server.

It loads the schema, builds the server's `Runtime`, the active profile's authenticator and
the behaviours, and hands them to `pipeline.build_pipeline`, which lists the request flow.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from mockserver.admin.app import admin_app
from mockserver.admin.plane import ControlPlane
from mockserver.auth.authenticator import Authenticator, Identity, SchemeKinds
from mockserver.behaviours import bind
from mockserver.behaviours.generic import GenericState
from mockserver.context import request_context
from mockserver.errorbodies import ErrorStyle
from mockserver.pipeline import build_pipeline
from mockserver.pipeline.dispatch import Dispatcher
from mockserver.profiles import (
    PROFILES,
    Domain,
    Profile,
    credential_headers,
    header_kinds,
    profile,
    resource_path,
)
from mockserver.profiles.base import Authorize
from mockserver.runtime import Runtime
from mockserver.settings import Settings
from mockserver.spec.index import Operation
from mockserver.spec.load import load_schema
from mockserver.spec.loaded import LoadedSchema

logger = logging.getLogger("spotcheck.app")


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
        if scope["type"] == "websocket":
            # No operation of an OpenAPI schema is a WebSocket: the upgrade is refused (the
            # server answers it 403), not left for the server to call a failed handshake (500).
            await WebSocketClose(code=1008)(scope, receive, send)
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
                try:
                    await self.runtime.webhooks.stop()
                finally:
                    self.runtime.journal.close()
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
        tuple(route for domain in domains for route in domain.admin_routes),
        tuple(section for domain in domains for section in domain.console_sections),
        authorize=_authorize(domains),
    )


def _authorize(domains: list[Domain]) -> Authorize | None:
    """Every family's role rules, run in turn after authentication (None when none has any)."""
    rules = [domain.authorize for domain in domains if domain.authorize is not None]
    if not rules:
        return None

    def authorize(operation: Operation, identity: Identity) -> None:
        for rule in rules:
            rule(operation, identity)

    return authorize


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
        now=runtime.clock.iso,
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
        authorize=domain.authorize,
        clock=runtime.clock,
    )
    registrations = (*domain.registrations, *active.auth_routes(runtime, authenticator))
    # a registration that matches no operation warns (an error in our tests)
    behaviours = bind(registrations, {operation.key for operation in schema.index.operations})
    dispatcher = Dispatcher(behaviours, _generic(runtime, active, domain))
    # /metrics, the console, and what each request did, kept for them (admin/plane.py)
    plane = ControlPlane(runtime, domain.console_sections)
    asgi = build_pipeline(
        runtime,
        dispatcher,
        authenticator,
        admin_app(runtime, (*domain.admin_routes, *plane.admin_routes())),
        domain.self_judged,
    )
    return SpotcheckApp(plane.wrap(asgi), runtime, active.error_style)
