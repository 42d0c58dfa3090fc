"""The rate limit (the vendor's 10 requests/s per workspace, plus one second of burst): 429 +
Retry-After.

Applied after authentication (`pipeline/__init__.py` places both stages around security):
- `WorkspaceLimit`, right behind security: one bucket per credential's workspace; a request
  without a credential (an open operation) spends its source address's bucket;
- `UnauthenticatedLimit`, right in front of security: a request security refuses spends its
  source address's bucket, and is answered 429 once that is empty. A flood of wrong
  credentials thus never spends a workspace's allowance.

Buckets are cells of the generic cell rate algorithm (one "theoretical arrival time" per
key, the token bucket's equivalent): in the store when other processes may share it
(`StoreBuckets`: one atomic upsert per request, so every worker and host spends the same
bucket), in memory for a `:memory:` store (`LocalBuckets`).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.context import request_context
from mockserver.errors import ApiProblem
from mockserver.state.store import Store

MAX_LOCAL_KEYS = 10000  # source addresses remembered in memory (oldest dropped)


class Buckets(Protocol):
    def take(self, key: str) -> float:
        """0 when a request may go now, else the seconds until one may."""
        ...


class TokenBucket:
    """`rate` tokens per second, holding at most `capacity` (default: one second of burst)."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        capacity: float | None = None,
    ) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(rate, 1.0)
        self._clock = clock
        self._arrival = self._clock()  # the theoretical arrival time: full at start

    def take(self) -> float:
        now = self._clock()
        after = max(self._arrival, now) + 1 / self.rate
        wait = after - now - self.capacity / self.rate
        if wait > 0:
            return wait
        self._arrival = after
        return 0.0


class LocalBuckets:
    """Buckets of this process only (the store is `:memory:`: no other process sees it)."""

    def __init__(self, rate: float, capacity: float | None = None) -> None:
        self._rate, self._capacity = rate, capacity
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        with self._lock:
            bucket = self._buckets.pop(key, None) or TokenBucket(
                self._rate, time.monotonic, self._capacity
            )
            self._buckets[key] = bucket
            if len(self._buckets) > MAX_LOCAL_KEYS:
                self._buckets.popitem(last=False)
            return bucket.take()


class StoreBuckets:
    """Buckets in the store's `rate_buckets` table, shared by every process on it."""

    def __init__(self, store: Store, rate: float, capacity: float | None = None) -> None:
        self._store = store
        self._interval = 1 / rate
        self._window = (capacity if capacity is not None else max(rate, 1.0)) / rate
        # The database's clock, read once the row is locked: a request that waited for the
        # lock is not judged at the time it arrived, and every host shares one clock.
        now, greatest = store.now_sql, store.greatest
        pushed = f"{greatest}(rate_buckets.updated, {now}) + ?"
        # One statement: allowed when the arrival time pushed by one interval stays within
        # the burst window; `tokens` answers 1 (allowed) or 0, `updated` the arrival time.
        self._sql = (
            f"INSERT INTO rate_buckets (key, tokens, updated) VALUES (?, 1, {now} + ?) "
            "ON CONFLICT (key) DO UPDATE SET "
            f"tokens = CASE WHEN {pushed} <= {now} + ? THEN 1 ELSE 0 END, "
            f"updated = CASE WHEN {pushed} <= {now} + ? THEN {pushed} "
            "ELSE rate_buckets.updated END "
            f"RETURNING tokens, updated, {now}"
        )

    def take(self, key: str) -> float:
        step, window = self._interval, self._window
        # One statement, committed alone: atomic on both dialects, one round trip.
        row = self._store.query(self._sql, (key, step, step, window, step, window, step))[0]
        allowed, arrival, now = row[0], float(row[1]), float(row[2])
        if allowed:
            return 0.0
        return max(arrival + step - now - window, 1e-3)


def buckets_for(store: Store, rate: float, capacity: float | None = None) -> Buckets:
    return StoreBuckets(store, rate, capacity) if store.shared else LocalBuckets(rate, capacity)


def throttled(wait: float) -> ApiProblem:
    retry_after = max(1, math.ceil(wait))
    return ApiProblem(
        429,
        f"Request was throttled. Expected available in {retry_after} second(s).",
        headers={"Retry-After": str(retry_after)},
        stage="rate_limit",
    )


def _source(scope: Scope) -> str:
    return f"source:{(scope.get('client') or ('',))[0]}"


class WorkspaceLimit:
    """Behind security: the credential's workspace spends one token (no credential: the
    source address does). Admin calls never reach it: the edge sends them elsewhere."""

    def __init__(self, app: ASGIApp, buckets: Buckets | None) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is not None and scope["type"] == "http":
            identity = request_context(scope).identity
            key = f"workspace:{identity.workspace_id}" if identity else _source(scope)
            wait = self.buckets.take(key)
            if wait > 0:
                raise throttled(wait)
        await self.app(scope, receive, send)


class UnauthenticatedLimit:
    """In front of security: what security refuses spends the source address's bucket, and
    past its limit is answered 429 instead."""

    def __init__(self, app: ASGIApp, buckets: Buckets | None) -> None:
        self.app = app
        self.buckets = buckets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except ApiProblem as problem:
            if request_context(scope).refused_by != "auth":
                raise
            wait = self.buckets.take(_source(scope))
            if wait > 0:
                raise throttled(wait) from problem
            raise
