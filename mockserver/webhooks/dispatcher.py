"""Deliver the outbox: async httpx POSTs, signed, in order per subscription, with retries.

Each subscription with due deliveries gets its own task, so a slow or failing receiver only
ever delays itself; a semaphore bounds the attempts in flight in this process. Claims are
leases (see outbox.py) renewed by one task while attempts run; every poll also picks up
queues whose lease expired, so a dead process's deliveries move on within a lease.

Retried: timeouts, connection errors, 5xx, 408 and 429 (honouring Retry-After). Other 4xx
are the receiver refusing the event: given up at once (still listed, and redeliverable).
Every attempt is recorded; after the last scheduled retry the event is given up and the
subscription is marked DISABLED_BY_ERROR.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Sequence

import httpx

from mockserver.clock import Clock
from mockserver.faultrules import FaultSet
from mockserver.loopback import is_loopback_url
from mockserver.retryafter import retry_after_seconds
from mockserver.state.audit import AuditLog
from mockserver.state.store import Store
from mockserver.webhooks.outbox import Delivery, Outbox, Queue
from mockserver.webhooks.rules import header_problems, mask_url, resolved_problem
from mockserver.webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, sign

logger = logging.getLogger("spotcheck.webhooks")

_RETRYABLE_4XX = (408, 429)
_BATCH = 16  # rows leased per claim: fewer store writes for a busy subscription
ANSWER_BYTES = 2048  # of each receiver's answer kept with the attempt


def retry_delay(
    attempt: int, delays: Sequence[float], status: int | None, retry_after: str | None
) -> float | None:
    """Seconds until the next try after failed attempt number `attempt`, None to give up."""
    if status is not None and 400 <= status < 500 and status not in _RETRYABLE_4XX:
        return None
    if attempt > len(delays):
        return None
    delay = delays[attempt - 1]
    waited = retry_after_seconds(retry_after) if status == 429 else None
    if waited is not None:  # delta-seconds or an HTTP date, as the receiver chose
        delay = max(delay, waited)
    return delay


class WebhookDispatcher:
    def __init__(
        self,
        store: Store,
        delays: Sequence[float],
        timeout: float,
        loopback_only: bool = False,
        poll_interval: float = 0.025,  # bounds commit -> first attempt latency
        audit: AuditLog | None = None,
        lease: float = 10.0,
        concurrency: int = 64,
        allow_private: bool = False,
        clock: Clock | None = None,
        faults: FaultSet | None = None,
    ) -> None:
        self._audit = audit
        self._loopback_only = loopback_only
        # The retry schedule runs on the server's clock: moving it makes retries due at once.
        self._clock = clock or Clock()
        self._clock.on_change(self.wake)
        self._faults = faults or FaultSet()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.outbox = Outbox(store, self._clock.now)
        self._store = store
        self._delays = tuple(delays)
        self._timeout = timeout
        self._poll = poll_interval
        self._lease = lease
        self._allow_private = allow_private
        # This dispatcher's name on the leases it holds; the pid tells operators who it was.
        self._owner = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._concurrency = concurrency
        self._workers: dict[Queue, asyncio.Task[None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        # Made here, on the loop that serves: one app may be started by several test clients.
        self._slots = asyncio.Semaphore(self._concurrency)
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._workers = {}
        self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        self._tasks = [
            asyncio.create_task(self._poll_loop(), name="spotcheck-webhooks"),
            asyncio.create_task(self._renew_loop(), name="spotcheck-webhook-leases"),
        ]

    async def stop(self) -> None:
        for task in [*self._tasks, *self._workers.values()]:
            task.cancel()
        for task in [*self._tasks, *self._workers.values()]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Unsent rows go back at once rather than waiting out their leases.
        with contextlib.suppress(Exception):
            self.outbox.release(self._owner)
        if self._client is not None:
            await self._client.aclose()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (from any thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def _poll_loop(self) -> None:
        while True:
            try:
                for queue in self.outbox.claimable(self._clock.now()):
                    if queue not in self._workers:
                        self._workers[queue] = asyncio.create_task(self._work(queue))
            except Exception:  # keep delivering whatever one bad row does
                logger.exception("webhook dispatcher poll failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)

    async def _renew_loop(self) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                self.outbox.renew(self._owner, self._lease)
            except Exception:
                logger.exception("webhook lease renewal failed")

    async def _work(self, queue: Queue) -> None:
        """Send one subscription's due deliveries in order until it has none."""
        try:
            while batch := self.outbox.claim(queue, self._owner, self._lease, _BATCH):
                key = self._hmac_key(queue[0])  # read once a batch: one query fewer a send
                for index, delivery in enumerate(batch):
                    if not self.outbox.holds(delivery.id, self._owner):
                        continue  # cancelled while earlier rows of the batch were sent
                    async with self._slots:
                        outcome = await self._deliver(delivery, key)
                    if outcome != "delivered":
                        # The rows behind a failed one wait for its retry: order is kept.
                        rest = [d.id for d in batch[index + 1 :]]
                        if rest:
                            self.outbox.release(self._owner, rest)
                        return
        except Exception:
            logger.exception("webhook worker for subscription %s failed", queue[1])
        finally:
            del self._workers[queue]
            self._wake.set()

    def _hmac_key(self, workspace_id: int) -> str:
        row = self._store.query_one("SELECT hmac_key FROM workspaces WHERE id = ?", (workspace_id,))
        return row["hmac_key"] if row else ""

    async def _refusal(self, delivery: Delivery) -> str | None:
        """Why this delivery may not be sent at all (checked again at send time)."""
        if self._loopback_only:
            if not is_loopback_url(delivery.url):
                return "not sent: SPOTCHECK_WEBHOOK_DELIVERY=loopback"
            return None
        problems = header_problems(delivery.headers)
        if problems:
            return f"not sent: {problems[0].field}: {problems[0].message}"
        problem = await resolved_problem(delivery.url, self._allow_private)
        return f"not sent: {problem}" if problem else None

    async def _deliver(self, delivery: Delivery, hmac_key: str) -> str:
        assert self._client is not None
        started = time.perf_counter()
        status: int | None = None
        retry_after: str | None = None
        answer: str | None = None  # the receiver's body, first bytes (shown masked)
        error = await self._refusal(delivery)
        if error is None:
            error = await self._fault(delivery)
        if error is None:
            headers = {
                **delivery.headers,
                "Content-Type": "application/json",
                "User-Agent": "spotcheck-webhooks/0.1",
                SIGNATURE_HEADER: sign(delivery.payload, hmac_key),
                DELIVERY_HEADER: delivery.delivery_id,
            }
            try:
                # httpx's timeout bounds each read; this bounds the whole attempt.
                async with asyncio.timeout(self._timeout):
                    response = await self._client.post(
                        delivery.url, content=delivery.payload, headers=headers
                    )
                status = response.status_code
                retry_after = response.headers.get("retry-after")
                answer = response.content[:ANSWER_BYTES].decode("utf-8", "replace")
                if not 200 <= status < 300:
                    error = f"HTTP {status}"
            except (TimeoutError, httpx.TimeoutException):
                error = f"timeout after {self._timeout:g} s"
            except Exception as failure:  # any failure is this attempt's, never the loop's
                detail = str(failure).replace(delivery.url, mask_url(delivery.url))
                error = f"{type(failure).__name__}: {detail}"[:300]
        latency_ms = (time.perf_counter() - started) * 1000
        retry_at = None
        # A URL or header the rules refuse will not get better by waiting: given up now.
        refused = error is not None and error.startswith("not sent: ") and not self._loopback_only
        if error is not None and not refused:
            delay = retry_delay(delivery.attempts + 1, self._delays, status, retry_after)
            retry_at = None if delay is None else self._clock.now() + delay
        outcome = self.outbox.record_attempt(
            delivery, self._owner, status, latency_ms, error, retry_at, answer
        )
        self._report(delivery, status, outcome, error, latency_ms)
        return outcome

    async def _fault(self, delivery: Delivery) -> str | None:
        """Apply `/__admin/faults` webhook rules: a delay, or a drop before sending (the
        attempt fails like a lost connection and is retried on the schedule: no event lost)."""
        hit = self._faults.for_delivery(delivery.subscription_id, delivery.url)
        if hit is None:
            return None
        if hit.delay:
            await asyncio.sleep(hit.delay)
        if hit.action is not None and hit.action.action == "drop":
            return f"dropped before sending (injected fault {hit.action.id})"
        return None

    def _report(
        self,
        delivery: Delivery,
        status: int | None,
        outcome: str,
        error: str | None,
        latency_ms: float,
    ) -> None:
        if self._audit is not None:
            self._audit.write(
                "webhook_delivery",
                {
                    "delivery_id": delivery.delivery_id,
                    "subscription_id": delivery.subscription_id,
                    "url": mask_url(delivery.url),
                    "status": status,
                    "outcome": outcome,
                    "error": error,
                    "latency_ms": round(latency_ms, 3),
                },
            )
        log = logger.info if outcome == "delivered" else logger.warning
        log(
            "webhook %s to subscription %s (%s): %s (%s)",
            delivery.delivery_id,
            delivery.subscription_id,
            mask_url(delivery.url),
            outcome,
            error or status,
        )
