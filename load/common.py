"""What every spotcheck locustfile shares: command-line options, the rate cap for real hosts,
authentication per auth profile, 429 accounting and the pass/fail thresholds.

Imported only by Locust processes (Locust puts load/ on sys.path and monkey-patches the
standard library with gevent before importing a locustfile).
"""

from __future__ import annotations

import os
from typing import Any

from locust import HttpUser, LoadTestShape, between, events
from locust.env import Environment
from locust.runners import WorkerRunner
from profiles import PROFILES, stage_at  # type: ignore[import-not-found]

from spotcheck.client.auth import ClientAuth
from spotcheck.client.families import FAMILY_NAMES, SPOTDRAFT, detect_family, family
from spotcheck.client.pacing import VENDOR_RATE, Pacer
from spotcheck.client.target import is_mock
from spotcheck.client.tokens import issued, token_grant


class Auth:
    """The headers of one process's users, in the host's family (spotcheck.client).

    A token family's token is one per process: fetched by the first user that needs it
    (through that user's client, measured as "POST oauth2 token") and reused by all until
    shortly before it expires.
    """

    def __init__(self, profile: str, token_path: str, api_version: str | None) -> None:
        fallback = family(profile).fixture
        self.client = ClientAuth.create(
            profile,
            "",
            token_path,
            os.environ.get("SPOTCHECK_CLIENT_ID", fallback[0]),
            os.environ.get("SPOTCHECK_CLIENT_SECRET", fallback[1]),
            api_version=api_version,
        )

    @property
    def profile(self) -> str:
        return self.client.profile

    @property
    def fetches(self) -> int:
        return self.client.tokens.fetches if self.client.tokens else 0

    def headers(self, http: Any) -> dict[str, str]:
        return {
            "content-type": "application/json",
            **self.client.headers(lambda: self._fetch_token(http)),
        }

    def _fetch_token(self, http: Any) -> tuple[str, float]:
        credential = self.client.credential
        answer = http.post(
            self.client.token_url,
            name="POST oauth2 token",
            data=token_grant(credential.client_id, credential.client_secret),
        )
        if answer.status_code != 200:
            return "", 0.0  # every call then fails with 401 (and asks again): the run says so
        return issued(answer.json())


CAP = Pacer(0)
AUTH = Auth(SPOTDRAFT, "", None)
THROTTLED = {"count": 0}


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument(
        "--load-profile", choices=sorted(PROFILES), default="smoke", help="load shape to run"
    )
    parser.add_argument(
        "--rate-cap",
        type=float,
        default=None,
        help="requests/s per process (default: 10 against a non-mock host, none against the mock)",
    )
    parser.add_argument(
        "--p95-ms", type=float, default=None, help="fail the run above this p95 latency"
    )
    parser.add_argument(
        "--max-error-ratio", type=float, default=None, help="fail above this failure ratio"
    )
    parser.add_argument("--min-rps", type=float, default=None, help="fail below this throughput")
    parser.add_argument(
        "--schema",
        default=None,
        help="the host's OpenAPI file (default: the mock's /openapi.json)",
    )
    parser.add_argument(
        "--auth-profile",
        choices=FAMILY_NAMES,
        default=None,
        help="how to authenticate (default: the one the schema's securitySchemes describe)",
    )
    parser.add_argument(
        "--api-version", default=None, help="X-Spot-Api-Version to pin (api-key-version)"
    )


def load_document(environment: Environment) -> dict[str, Any] | None:
    """The host's schema: --schema, else the mock's /openapi.json; None if neither is there."""
    from spotcheck.client.documents import parse_document, read_text

    options = environment.parsed_options
    source = getattr(options, "schema", None)
    if source:
        return parse_document(read_text(source), source)
    import requests

    try:
        answer = requests.get(f"{(environment.host or '').rstrip('/')}/openapi.json", timeout=10)
        return answer.json() if answer.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None


@events.test_start.add_listener
def _prepare(environment: Environment, **_kwargs) -> None:
    global CAP, AUTH
    options = environment.parsed_options
    rate = options.rate_cap if options and options.rate_cap is not None else None
    if rate is None:
        rate = 0.0 if is_mock(environment.host or "", timeout=3) else VENDOR_RATE
    CAP = Pacer(rate)
    document = load_document(environment) or {}
    named = getattr(options, "auth_profile", None)
    chosen = family(named) if named else detect_family(document)
    AUTH = Auth(chosen.name, chosen.token_path(document), getattr(options, "api_version", None))


class IntegratorUser(HttpUser):
    abstract = True
    wait_time = between(0.05, 0.2)

    def call(self, method: str, path: str, name: str, **kwargs):
        CAP.wait()
        headers = AUTH.headers(self.client)
        with self.client.request(
            method, path, name=name, headers=headers, catch_response=True, **kwargs
        ) as response:
            if response.status_code == 429:
                THROTTLED["count"] += 1
                response.success()  # counted apart, below
                events.request.fire(
                    request_type="429",
                    name=name,
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
            elif response.status_code >= 400:
                response.failure(f"{response.status_code}: {response.text[:120]}")
            return response


class ProfileShape(LoadTestShape):
    """Runs the stages of --load-profile (default: smoke); the run ends with the last stage."""

    def tick(self):
        options = self.runner.environment.parsed_options if self.runner else None
        name = getattr(options, "load_profile", None) or "smoke"
        stage = stage_at(PROFILES[name], self.get_run_time())
        return None if stage is None else (stage.users, stage.spawn_rate)


@events.quitting.add_listener
def _thresholds(environment: Environment, **_kwargs) -> None:
    options = environment.parsed_options
    # Workers only hold what they have not yet reported; the master judges the whole run.
    if (
        options is None
        or environment.runner is None
        or isinstance(environment.runner, WorkerRunner)
    ):
        return
    total = environment.runner.stats.total
    breaches = []
    p95 = total.get_response_time_percentile(0.95) or 0.0
    error_ratio = total.fail_ratio
    rps = total.total_rps
    if options.p95_ms is not None and p95 > options.p95_ms:
        breaches.append(f"p95 {p95:.0f} ms > {options.p95_ms:.0f} ms")
    if options.max_error_ratio is not None and error_ratio > options.max_error_ratio:
        breaches.append(f"error ratio {error_ratio:.3f} > {options.max_error_ratio}")
    if options.min_rps is not None and rps < options.min_rps:
        breaches.append(f"throughput {rps:.1f} req/s < {options.min_rps}")
    print(
        f"spotcheck thresholds: p95 {p95:.0f} ms, errors {error_ratio:.3f}, {rps:.1f} req/s, "
        f"429s {THROTTLED['count']}, auth {AUTH.profile} ({AUTH.fetches} token fetches) "
        f"-> {'BREACHED: ' + '; '.join(breaches) if breaches else 'met'}",
        flush=True,
    )
    if breaches:
        environment.process_exit_code = 1
