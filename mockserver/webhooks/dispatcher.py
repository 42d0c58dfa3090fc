"""Deliver the outbox: async httpx POSTs, signed, in order per subscription, with retries.

Retried: timeouts, connection errors, 5xx, 408 and 429 (honouring Retry-After). Other 4xx
are the receiver refusing the event: given up at once (still listed, and redeliverable).
Every attempt is recorded; after the last scheduled retry the event is given up and the
subscription is marked DISABLED_BY_ERROR.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

import httpx

from mockserver.audit import AuditLog
from mockserver.loopback import is_loopback_url
from mockserver.store import Store
from mockserver.webhooks.outbox import Delivery, Outbox
from mockserver.webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, sign

logger = logging.getLogger("spotcheck.webhooks")

_RETRYABLE_4XX = (408, 429)


def retry_delay(
    attempt: int, delays: Sequence[float], status: int | None, retry_after: str | None
) -> float | None:
    """Seconds until the next try after failed attempt number `attempt`, None to give up."""
    if status is not None and 400 <= status < 500 and status not in _RETRYABLE_4XX:
        return None
    if attempt > len(delays):
        return None
    delay = delays[attempt - 1]
    if status == 429 and retry_after and retry_after.strip().isdigit():
        delay = max(delay, float(retry_after))
    return delay


class WebhookDispatcher:
    def __init__(
        self,
        store: Store,
        delays: Sequence[float],
        timeout: float,
        loopback_only: bool = False,
        poll_interval: float = 0.1,
        audit: AuditLog | None = None,
    ) -> None:
        self._audit = audit
        self._loopback_only = loopback_only
        self.outbox = Outbox(store)
        self._store = store
        self._delays = tuple(delays)
        self._timeout = timeout
        self._poll = poll_interval
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        self.outbox.recover(stale_after=self._timeout * 3)
        self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        self._task = asyncio.create_task(self._run(), name="spotcheck-webhooks")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                due = self.outbox.claim_due(time.time())
                if due:
                    await asyncio.gather(*(self._deliver(delivery) for delivery in due))
                    continue
            except Exception:  # keep delivering whatever one bad row does
                logger.exception("webhook dispatcher iteration failed")
            await asyncio.sleep(self._poll)

    def _hmac_key(self, workspace_id: int) -> str:
        row = self._store.query_one("SELECT hmac_key FROM workspaces WHERE id = ?", (workspace_id,))
        return row["hmac_key"] if row else ""

    async def _deliver(self, delivery: Delivery) -> None:
        assert self._client is not None
        headers = {
            **delivery.headers,
            "Content-Type": "application/json",
            "User-Agent": "spotcheck-webhooks/0.1",
            SIGNATURE_HEADER: sign(delivery.payload, self._hmac_key(delivery.workspace_id)),
            DELIVERY_HEADER: delivery.delivery_id,
        }
        started = time.perf_counter()
        status: int | None = None
        retry_after: str | None = None
        error: str | None = None
        try:
            if self._loopback_only and not is_loopback_url(delivery.url):
                raise httpx.ConnectError("not sent: SPOTCHECK_WEBHOOK_DELIVERY=loopback")
            response = await self._client.post(
                delivery.url, content=delivery.payload, headers=headers
            )
            status = response.status_code
            retry_after = response.headers.get("retry-after")
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.TimeoutException:
            error = f"timeout after {self._timeout:g} s"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:300]
        latency_ms = (time.perf_counter() - started) * 1000
        retry_at = None
        if error is not None:
            delay = retry_delay(delivery.attempts + 1, self._delays, status, retry_after)
            retry_at = None if delay is None else time.time() + delay
        outcome = self.outbox.record_attempt(delivery, status, latency_ms, error, retry_at)
        if self._audit is not None:
            self._audit.write(
                "webhook_delivery",
                {
                    "delivery_id": delivery.delivery_id,
                    "subscription_id": delivery.subscription_id,
                    "url": delivery.url,
                    "status": status,
                    "outcome": outcome,
                    "error": error,
                    "latency_ms": round(latency_ms, 3),
                },
            )
        log = logger.info if outcome == "delivered" else logger.warning
        log(
            "webhook %s to subscription %s: %s (%s)",
            delivery.delivery_id,
            delivery.subscription_id,
            outcome,
            error or status,
        )
