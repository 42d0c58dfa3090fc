"""`GET /metrics`: the mock's figures in the Prometheus exposition format (prometheus_client).

Two sources, so that the figures are right however many workers serve:

- Per request (counted by the control plane's outer layer, `admin.plane`, as each answer
  leaves): requests by operation and status, latency histograms per operation, throttled
  requests, refusals by stage and authentication failures by reason. One process keeps them
  in its own `CollectorRegistry`. Under `serve --workers N` the supervisor points
  prometheus_client's multiprocess mode at a fresh folder (`PROMETHEUS_MULTIPROC_DIR`,
  `workers.py`), each worker writes its counts there, and a scrape answered by any worker
  sums every worker's files.
- From the shared store, read at scrape time: webhook deliveries by outcome, attempts by
  result, the queue depth and the age of the oldest event not yet delivered. Every worker
  reads the same rows, so every scrape agrees.

Nothing is registered in prometheus_client's global `REGISTRY`: each app has its own.
Counters count from the process's start (Prometheus reads a drop as a restart);
`POST /__admin/reset` empties the store, so the store's figures follow it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, values
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from mockserver.state.store import Store

# A mock answers in milliseconds; faults and slow handlers reach seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "(unmatched)"  # requests no operation took: one label, never the raw path
OUTCOMES = ("pending", "sending", "delivered", "given_up", "cancelled")
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own switch


def multiprocess_mode() -> bool:
    """Whether prometheus_client runs in multiprocess mode (chosen by it at import)."""
    return values.ValueClass is not values.MutexValue


@contextmanager
def worker_counts() -> Iterator[None]:
    """For `serve --workers N`: the workers (spawned inside) count into one fresh folder in
    prometheus_client's multiprocess mode; the folder goes when they have stopped. A folder the
    operator named in PROMETHEUS_MULTIPROC_DIR is used as it is and kept."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        yield
        return
    folder = tempfile.mkdtemp(prefix="spotcheck-metrics-")
    os.environ[MULTIPROCESS_VARIABLE] = folder
    try:
        yield
    finally:
        os.environ.pop(MULTIPROCESS_VARIABLE, None)
        shutil.rmtree(folder, ignore_errors=True)


class RequestMetrics:
    """The per-request counters of one app (module docstring)."""

    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.requests = Counter(
            "spotcheck_requests",
            "API requests answered, by operation and status.",
            ("operation", "status"),
            registry=registry,
        )
        self.latency = Histogram(
            "spotcheck_request_duration_seconds",
            "Time to answer an API request, by operation.",
            ("operation",),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.throttled = Counter(
            "spotcheck_throttled_requests",
            "Requests refused with 429 by the mock's rate limits, by operation.",
            ("operation",),
            registry=registry,
        )
        self.refused = Counter(
            "spotcheck_refused_requests",
            "Requests refused, by the stage that refused them.",
            ("stage",),
            registry=registry,
        )
        self.auth_failures = Counter(
            "spotcheck_auth_failures",
            "Requests refused by authentication, by reason (the error's code).",
            ("reason",),
            registry=registry,
        )
        # (operation, status) -> its counter and histogram: bounded by the schema's operations
        self._children: dict[tuple[str, int], tuple[Any, Any]] = {}

    def observe(
        self,
        operation: str | None,
        status: int,
        seconds: float,
        refused_by: str,
        error_body: bytes = b"",
    ) -> None:
        label = operation or UNMATCHED
        children = self._children.get((label, status))
        if children is None:  # labels() costs more than the count: once per pair
            children = self._children[(label, status)] = (
                self.requests.labels(label, str(status)),
                self.latency.labels(label),
            )
        children[0].inc()
        children[1].observe(seconds)
        if refused_by:
            self.refused.labels(refused_by).inc()
        if status == 429 and refused_by != "fault":
            self.throttled.labels(label).inc()
        if refused_by == "auth":
            self.auth_failures.labels(error_code(error_body) or f"http_{status}").inc()


def error_code(body: bytes) -> str:
    """The machine code of an error body in any of the profiles' shapes ('' if none)."""
    try:
        document = json.loads(body)
    except ValueError:
        return ""
    if not isinstance(document, dict):
        return ""
    code = document.get("code")
    messages = document.get("errorMessages")
    if not isinstance(code, str) and isinstance(messages, list) and messages:
        first = messages[0]
        code = first.get("errorCode") if isinstance(first, dict) else None
    return code.lower()[:64] if isinstance(code, str) else ""


class StoreCollector:
    """Webhook figures read from the shared store at each scrape (module docstring)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        counts = {outcome: 0 for outcome in OUTCOMES}
        for by_status in self._store.query(
            "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status"
        ):
            counts[str(by_status["status"])] = int(by_status["n"])
        deliveries = GaugeMetricFamily(
            "spotcheck_webhook_deliveries",
            "Webhook deliveries (one per event and subscription) by outcome.",
            labels=["outcome"],
        )
        for outcome, count in sorted(counts.items()):
            deliveries.add_metric([outcome], count)
        yield deliveries
        yield GaugeMetricFamily(
            "spotcheck_webhook_queue_depth",
            "Webhook deliveries not yet finished (pending or being sent).",
            value=counts["pending"] + counts["sending"],
        )
        yield GaugeMetricFamily(
            "spotcheck_webhook_oldest_pending_age_seconds",
            "Age of the oldest webhook event not yet delivered (0 when none waits).",
            value=self._oldest_pending_age(),
        )
        attempts = CounterMetricFamily(
            "spotcheck_webhook_attempts",
            "Webhook delivery attempts by result: 2xx, another status, or no answer.",
            labels=["result"],
        )
        row = self._store.query_one(
            "SELECT COUNT(*) AS total, "
            "SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END) AS ok, "
            "SUM(CASE WHEN status_code IS NULL THEN 1 ELSE 0 END) AS unanswered "
            "FROM delivery_attempts"
        )
        total, ok, unanswered = (
            int((row[key] if row else 0) or 0) for key in ("total", "ok", "unanswered")
        )
        attempts.add_metric(["2xx"], ok)
        attempts.add_metric(["other_status"], total - ok - unanswered)
        attempts.add_metric(["no_answer"], unanswered)
        yield attempts

    def _oldest_pending_age(self) -> float:
        row = self._store.query_one(
            "SELECT created_at FROM outbox WHERE status IN ('pending', 'sending') "
            "ORDER BY id LIMIT 1"
        )
        if row is None:
            return 0.0
        created = datetime.fromisoformat(str(row["created_at"]).replace("Z", "+00:00"))
        return max(0.0, (datetime.now(UTC) - created).total_seconds())


class Metrics:
    """One app's metrics: its request counters and the store's figures, exposed together."""

    def __init__(self, store: Store) -> None:
        self._multiprocess = multiprocess_mode()
        # In multiprocess mode the counts live in the shared folder, not in a registry.
        self._registry = None if self._multiprocess else CollectorRegistry()
        self.requests = RequestMetrics(self._registry)
        self._store_collector = StoreCollector(store)
        if self._registry is not None:
            self._registry.register(self._store_collector)

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The body and content type of a scrape (OpenMetrics when the scraper asks for it)."""
        registry = self._registry
        if registry is None:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            registry.register(self._store_collector)
        encoder, content_type = choose_encoder(accept)
        return encoder(registry), content_type
