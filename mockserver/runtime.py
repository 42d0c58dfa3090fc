"""`Runtime`: what one mock server instance holds, handed to the parts that need it.

The app factory builds one per app (`Runtime.build`); the admin endpoints, the profiles'
behaviours and tests read it through `SpotcheckApp.runtime`. Nothing here is global, and
nothing here imports the app or the admin endpoints: they import it.

`reset()` (`POST /__admin/reset`) puts back everything a test can observe: the store (the
fixture workspaces), the journal and its request count, the audit trail kept in the store, the
authentication-failure counts, the token metrics, the fault rules and the clock (back to real
time). What survives is listed in the README:
the ids the store keeps across resets (webhook HMAC keys, JWT secrets), request ids (they keep
counting, so an id names one request in an `--audit-log` file), that file itself, and the
rate-limit buckets (they refill within seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from mockserver.auth.monitor import AuthFailureMonitor
from mockserver.auth.tokens import TokenRequests
from mockserver.behaviours.responses import ResponseCatalog
from mockserver.clock import Clock
from mockserver.errors import SettingsError
from mockserver.faultrules import FaultSet, read_rules_file
from mockserver.pipeline.journal import Journal
from mockserver.settings import Settings
from mockserver.spec.loaded import LoadedSchema
from mockserver.state.audit import AuditLog
from mockserver.state.fixtures import Workspace, ensure_fixtures, install_fixtures, load_workspace
from mockserver.state.retention import bounds
from mockserver.state.store import Store
from mockserver.webhooks.dispatcher import WebhookDispatcher


def read_fault_rules(path: str) -> list[dict[str, object]]:
    """The rules of `serve --faults FILE` (a mistake stops the start with one line)."""
    try:
        return read_rules_file(path)
    except ValueError as error:
        raise SettingsError(f"--faults: {error}") from None


@dataclass
class Runtime:
    """What one server instance holds; handed to the parts that need it, never global."""

    settings: Settings
    schema: LoadedSchema
    store: Store
    workspace: Workspace
    journal: Journal
    catalog: ResponseCatalog
    webhooks: WebhookDispatcher
    audit: AuditLog
    auth_failures: AuthFailureMonitor
    token_requests: TokenRequests
    clock: Clock  # the one clock of everything time-based a client sees (/__admin/clock)
    faults: FaultSet  # the rules of /__admin/faults

    @classmethod
    def build(cls, settings: Settings, schema: LoadedSchema) -> Runtime:
        """The state of a new server on `settings.db` (fixtures loaded on its first start)."""
        store = Store(settings.db)
        ensure_fixtures(store, settings)
        audit = AuditLog(store, settings.audit_log)
        clock = Clock()
        faults = FaultSet(read_fault_rules(settings.faults) if settings.faults else ())
        return cls(
            settings=settings,
            schema=schema,
            store=store,
            workspace=load_workspace(store, settings.env),
            journal=Journal(
                store,
                audit,
                bounds(settings),
                shared=settings.workers > 1 or store.dialect == "postgresql",
            ),
            catalog=ResponseCatalog(schema),
            webhooks=WebhookDispatcher(
                store,
                settings.webhook_retry_delays,
                settings.webhook_timeout,
                loopback_only=settings.webhook_delivery == "loopback",
                audit=audit,
                lease=settings.webhook_lease,
                concurrency=settings.webhook_concurrency,
                allow_private=settings.webhook_allow_private,
                clock=clock,
                faults=faults,
            ),
            audit=audit,
            auth_failures=AuthFailureMonitor(
                settings.auth_alert_threshold, settings.auth_alert_window
            ),
            token_requests=TokenRequests(),
            clock=clock,
            faults=faults,
        )

    def reset(self) -> None:
        """Back to the fixture state, with nothing left a test could see (module docstring)."""
        install_fixtures(self.store, self.settings)
        self.workspace = load_workspace(self.store, self.settings.env)
        self.journal.clear()
        self.audit.clear()
        self.auth_failures.clear()
        self.token_requests.clear()
        self.faults.reset()  # back to the --faults file's rules, if any
        self.clock.to_real()
