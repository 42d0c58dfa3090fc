"""Locust users that model integrator traffic on the SpotDraft public API.

    locust -f load/locustfile.py --headless --host http://127.0.0.1:8080 --load-profile smoke \
        --p95-ms 200 --max-error-ratio 0.01 --min-rps 5 --csv reports/load --html reports/load.html

Credentials: SPOTCHECK_CLIENT_ID / SPOTCHECK_CLIENT_SECRET (default: the mock's fixture
credential). Against a host that is not the mock, requests are capped at the vendor's
10 requests/s per process unless --rate-cap says otherwise (0 lifts the cap). 429 answers
are counted apart from failures (request type "429"). Importing this module monkey-patches
the standard library (gevent): only Locust loads it.
"""

from __future__ import annotations

import os
import time
import uuid

import gevent
from gevent.lock import Semaphore
from locust import HttpUser, LoadTestShape, between, events, task
from locust.env import Environment
from locust.runners import WorkerRunner
from profiles import PROFILES, stage_at  # type: ignore[import-not-found]  # Locust puts load/ on sys.path

API = "/api/v2.1/public"
VENDOR_RATE = 10.0


def _headers() -> dict[str, str]:
    return {
        "client-id": os.environ.get("SPOTCHECK_CLIENT_ID", "uat-client-acme"),
        "client-secret": os.environ.get("SPOTCHECK_CLIENT_SECRET", "uat-secret-acme-0001"),
        "content-type": "application/json",
    }


class RateCap:
    """Spaces requests of this process at most `rate` per second (gevent-friendly)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = time.monotonic()
        self._lock = Semaphore()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        gevent.sleep(max(0.0, slot - now))


CAP = RateCap(0)
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


@events.test_start.add_listener
def _decide_rate_cap(environment: Environment, **_kwargs) -> None:
    global CAP
    options = environment.parsed_options
    rate = options.rate_cap if options and options.rate_cap is not None else None
    if rate is None:
        rate = 0.0 if _is_mock(environment.host or "") else VENDOR_RATE
    CAP = RateCap(rate)


def _is_mock(host: str) -> bool:
    import requests

    try:
        return (
            requests.get(f"{host.rstrip('/')}/__admin/health", timeout=3).json().get("status")
            == "ok"
        )
    except (requests.RequestException, ValueError, AttributeError):
        return False


class IntegratorUser(HttpUser):
    abstract = True
    wait_time = between(0.05, 0.2)

    def call(self, method: str, path: str, name: str, **kwargs):
        CAP.wait()
        with self.client.request(
            method, path, name=name, headers=_headers(), catch_response=True, **kwargs
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


class ReadingIntegrator(IntegratorUser):
    """Most integration traffic: polling lists and statuses, reading reference data."""

    weight = 4

    @task(4)
    def list_contracts(self) -> None:
        self.call("GET", f"{API}/contracts/?limit=10", "GET contracts")

    @task(3)
    def contract_types(self) -> None:
        self.call("GET", f"{API}/contract_types/", "GET contract_types")

    @task(2)
    def templates(self) -> None:
        self.call("GET", f"{API}/templates/", "GET templates")

    @task(3)
    def a_status(self) -> None:
        listing = self.call("GET", f"{API}/contracts/?limit=1", "GET contracts")
        results = listing.json().get("results", []) if listing.status_code == 200 else []
        if results:
            self.call("GET", f"{API}/contracts/{results[0]['id']}/status", "GET contract status")


class WritingIntegrator(IntegratorUser):
    """Some writes: a contract with the integrator's own id, sent, its metadata updated."""

    weight = 1

    @task
    def contract_round_trip(self) -> None:
        external_id = f"load-{uuid.uuid4()}"
        created = self.call(
            "POST",
            f"{API}/contracts/",
            "POST contract",
            json={
                "contract_template_id": 21,
                "contract_data": {"effective_date": "2026-01-01"},
                "counter_party_details": [
                    {
                        "is_individual": False,
                        "organization_name": "Load Test Ltd",
                        "poc_details": {"first_name": "Lou", "email": "lou@load.test"},
                    }
                ],
                "external_metadata": {"id": external_id, "integration_name": "locust"},
            },
        )
        if created.status_code != 201:
            return
        composite_id = created.json()["id"]
        self.call(
            "POST",
            f"{API}/contracts/{composite_id}/send_to_counterparties",
            "POST send",
            json={"attachment_formats": ["PDF"]},
        )
        self.call(
            "POST",
            f"{API}/contracts/{created.json().get('contract_id', composite_id)}/external_metadata",
            "POST external metadata",
            json={"external_metadata": {"id": external_id, "record_type": "deal"}},
        )


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
        f"429s {THROTTLED['count']} -> {'BREACHED: ' + '; '.join(breaches) if breaches else 'met'}",
        flush=True,
    )
    if breaches:
        environment.process_exit_code = 1
