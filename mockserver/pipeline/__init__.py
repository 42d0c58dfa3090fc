"""The request pipeline, outermost stage first; each stage is one module of this folder.

    journal       request id; journals the outcome (no secrets)
    apiversions   VersionHeaderMiddleware: every answer names the version that served it
                  (schemas that declare versions)
    bodylimit     413 past the size limit; chunked bodies read once
    edge          the one router: /__admin -> admin app, /ui and /openapi.json -> docs,
                  the operation matched once (`spec.index`) or a vendor-style 302/404/405
    faults        the rules of /__admin/faults: latency, 5xx/429, reset, empty, truncated
                  or malformed answers (TransportCapture, outermost, lends it the socket)
    connexion_stack
                  ErrorBoundary: every exception below answered in the profile's error
                  body (or the operation's documented one), then, on the edge's match:
        ratelimit     UnauthenticatedLimit: what security refuses spends its source
                      address's bucket -> 429 + Retry-After past it
        security      the profile's credentials (`auth/`) -> 401/403
        ratelimit     WorkspaceLimit: one bucket per credential's workspace, shared by every
                      process on the store -> 429 + Retry-After
        apiversions   ApiVersionMiddleware: pins the version, renames older fields
        validators    request validation with client-safe validators -> 400
                      (response validation, opt-in)
    dispatch      the behaviour registered for the operation, or the generic one

`build_pipeline` assembles exactly this list; `app.create_app` builds what it needs.
"""

from __future__ import annotations

from functools import partial

from starlette.types import ASGIApp

from mockserver.auth.authenticator import Authenticator
from mockserver.behaviours.documented_errors import DocumentedErrors
from mockserver.pipeline.apiversions import ApiVersionMiddleware, VersionHeaderMiddleware
from mockserver.pipeline.bodylimit import BodyLimitMiddleware
from mockserver.pipeline.connexion_stack import Middleware, connexion_stage
from mockserver.pipeline.dispatch import Dispatcher
from mockserver.pipeline.docs import LazyDocs
from mockserver.pipeline.edge import EdgeMiddleware
from mockserver.pipeline.faults import FaultMiddleware, TransportCapture
from mockserver.pipeline.journal import JournalMiddleware
from mockserver.pipeline.ratelimit import UnauthenticatedLimit, WorkspaceLimit, buckets_for
from mockserver.pipeline.security import SpotcheckSecurityMiddleware
from mockserver.runtime import Runtime


def build_pipeline(
    runtime: Runtime,
    dispatcher: Dispatcher,
    authenticator: Authenticator,
    admin: ASGIApp,
    self_judged: frozenset[str],
) -> ASGIApp:
    """The ASGI app that serves one schema, innermost stage built first."""
    schema, settings = runtime.schema, runtime.settings
    versioning: list[Middleware] = (
        [partial(ApiVersionMiddleware, plan=schema.versions, self_judged=self_judged)]
        if schema.versions
        else []
    )
    rate = settings.rate_limit
    buckets = buckets_for(runtime.store, rate) if rate > 0 else None
    documented = DocumentedErrors(runtime.catalog)
    app: ASGIApp = connexion_stage(
        dispatcher,
        schema,
        security=lambda inner: UnauthenticatedLimit(
            SpotcheckSecurityMiddleware(WorkspaceLimit(inner, buckets), authenticator),
            buckets,
        ),
        versioning=versioning,
        validate_responses=settings.validate_responses,
        documented=documented,
    )
    app = FaultMiddleware(app, runtime.faults, authenticator.id_header)
    app = EdgeMiddleware(app, schema.index, admin, LazyDocs(schema.document), documented)
    app = BodyLimitMiddleware(app, settings.max_body_bytes)
    if schema.versions is not None:
        app = VersionHeaderMiddleware(app, schema.versions.header)
    return TransportCapture(JournalMiddleware(app, runtime.journal))
