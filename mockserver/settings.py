"""One frozen settings object, built once at the edge: CLI flags > SPOTCHECK_* env > defaults.

Everything below the CLI receives a `Settings`; nothing else reads `os.environ`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mockserver.errors import SettingsError
from mockserver.profiles.names import PROFILE_NAMES, SHIPPED_SCHEMA
from mockserver.shipped import fixtures_dir, schema_dir

SCHEMA_DIR = schema_dir()
DEFAULT_SPEC = SCHEMA_DIR / SHIPPED_SCHEMA
DEFAULT_FIXTURES = fixtures_dir()
DEFAULT_CACHE = str(Path.home() / ".cache" / "spotcheck")

Environment = Literal["uat", "production"]

# Matches a real sender: seconds, then minutes, then hours.
DEFAULT_RETRY_DELAYS = (5.0, 30.0, 120.0, 600.0, 3600.0, 14400.0)


@dataclass(frozen=True)
class Settings:
    """How one mock server behaves. Build with `Settings.build(...)` or directly in tests."""

    host: str = "127.0.0.1"
    port: int = 8080
    spec: str = str(DEFAULT_SPEC)
    env: Environment = "uat"
    db: str = ":memory:"
    fixtures: str = str(DEFAULT_FIXTURES)
    rate_limit: float = 10.0
    overlays: bool = True
    validate_responses: bool = False
    journal_size: int = 1000  # entries kept in the store (every process's requests) ...
    journal_max_age: float = 86400.0  # ... and for at most these seconds
    audit_size: int = 10000  # audit entries kept in the store ...
    audit_max_age: float = 7 * 86400.0  # ... and their age in seconds
    activities_size: int = 100000  # activity-log rows kept (a contract's log loses its oldest)
    activities_max_age: float = 90 * 86400.0
    header_timeout: float = 10.0  # seconds a client has to send a request's headers
    admin_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    webhook_retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    webhook_timeout: float = 5.0
    strict_webhook_urls: bool = False
    # "all" delivers anywhere; "loopback" only to this machine (test runs: nothing leaves it)
    webhook_delivery: str = "all"
    webhook_lease: float = 10.0  # seconds a claim lasts unless renewed; then anyone takes over
    webhook_concurrency: int = 64  # attempts in flight per process, over all subscriptions
    # private addresses (10/8, 172.16/12, 192.168/16, fc00::/7) as webhook targets: docker-compose
    webhook_allow_private: bool = False
    workers: int = 1
    audit_log: str | None = None  # a JSON-lines file of requests and deliveries
    auth_alert_threshold: int = 10  # failures from one credential and source ...
    auth_alert_window: float = 60.0  # ... within these seconds raise an alert
    # where repaired schemas are kept between starts ("" switches the cache off)
    cache_dir: str = DEFAULT_CACHE
    # our overlay file (versions, GraphQL endpoints), kept apart from the vendor's schema
    overlay_file: str | None = None
    # auth profile; None = the one the schema's securitySchemes describe
    profile: str | None = None
    token_ttl: int = 3600  # seconds an OAuth client-credentials token lives
    token_rate_limit: float = 10.0  # tokens per minute per client (0 = off)
    max_body_bytes: int = 10 * 1024 * 1024  # larger request bodies are refused with 413
    faults: str | None = None  # a YAML file of fault rules loaded at start (and on reset)

    def __post_init__(self) -> None:
        if self.env not in ("uat", "production"):
            raise SettingsError(f"env must be 'uat' or 'production', not {self.env!r}")
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port must be 0-65535, not {self.port}")
        if self.rate_limit < 0:
            raise SettingsError("rate limit must be >= 0 (0 switches it off)")
        if bool(self.client_id) != bool(self.client_secret):
            raise SettingsError(
                "SPOTCHECK_CLIENT_ID and SPOTCHECK_CLIENT_SECRET must be given together"
            )
        if self.webhook_delivery not in ("all", "loopback"):
            raise SettingsError("webhook delivery must be 'all' or 'loopback'")
        if self.webhook_lease <= 0 or self.webhook_concurrency < 1:
            raise SettingsError("webhook lease must be > 0 s and webhook concurrency >= 1")
        if self.workers < 1:
            raise SettingsError("workers must be at least 1")
        if self.workers > 1 and self.db == ":memory:":
            raise SettingsError("--workers > 1 share state through a database file: give --db FILE")
        if self.profile is not None and self.profile not in PROFILE_NAMES:
            raise SettingsError(
                f"profile must be one of {', '.join(PROFILE_NAMES)}, not {self.profile!r}"
            )
        if self.token_ttl < 1:
            raise SettingsError("token TTL must be at least 1 second")
        if self.token_rate_limit < 0:
            raise SettingsError("token rate limit must be >= 0 (0 switches it off)")
        if not self.header_timeout > 0:
            raise SettingsError("header timeout must be above 0 s")
        for name in ("journal", "audit", "activities"):
            if getattr(self, f"{name}_size") < 1 or getattr(self, f"{name}_max_age") <= 0:
                raise SettingsError(f"{name} size must be at least 1 and max age above 0 s")
        if self.max_body_bytes < 1:
            raise SettingsError("max body bytes must be at least 1")

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def build(
        cls, flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Merge CLI flags (None means not given) over SPOTCHECK_* variables over defaults."""
        values: dict[str, Any] = {}
        for name, raw in (environ or {}).items():
            if not name.startswith("SPOTCHECK_"):
                continue
            key = name.removeprefix("SPOTCHECK_").lower()
            if key in _ENV_PARSERS:
                values[key] = _parse(key, raw)
        for key, value in (flags or {}).items():
            if value is not None and key in _FIELD_NAMES:
                values[key] = value
        return cls(**values)


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {raw!r}")


def _parse_delays(raw: str) -> tuple[float, ...]:
    delays = tuple(float(part) for part in raw.split(",") if part.strip())
    if not delays or any(delay < 0 for delay in delays):
        raise ValueError("a comma separated list of seconds >= 0")
    return delays


_ENV_PARSERS: dict[str, Any] = {
    "host": str,
    "port": int,
    "spec": str,
    "env": str,
    "db": str,
    "fixtures": str,
    "rate_limit": float,
    "overlays": _parse_bool,
    "validate_responses": _parse_bool,
    "admin_token": str,
    "client_id": str,
    "client_secret": str,
    "webhook_retry_delays": _parse_delays,
    "webhook_timeout": float,
    "strict_webhook_urls": _parse_bool,
    "webhook_delivery": str,
    "webhook_lease": float,
    "webhook_concurrency": int,
    "webhook_allow_private": _parse_bool,
    "workers": int,
    "journal_size": int,
    "journal_max_age": float,
    "audit_size": int,
    "audit_max_age": float,
    "activities_size": int,
    "activities_max_age": float,
    "header_timeout": float,
    "audit_log": str,
    "auth_alert_threshold": int,
    "auth_alert_window": float,
    "cache_dir": str,
    "profile": str,
    "overlay_file": str,
    "token_ttl": int,
    "token_rate_limit": float,
    "max_body_bytes": int,
    "faults": str,
}
_FIELD_NAMES = {f.name for f in dataclasses.fields(Settings)}


def _parse(key: str, raw: str) -> Any:
    try:
        return _ENV_PARSERS[key](raw)
    except ValueError as error:
        # Never echo the raw value: it may be a secret.
        raise SettingsError(f"SPOTCHECK_{key.upper()} is invalid: {error}") from None
