"""Per-workspace rate limit (the vendor's 10 requests/s), a token bucket; 429 + Retry-After."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.errors import ApiProblem
from mockserver.problems import send_problem


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
        self._tokens = self.capacity
        self._clock = clock
        self._updated = self._clock()

    def take(self) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate


class RateLimitMiddleware:
    """Sits inside the edge, so only API traffic counts: admin calls never spend tokens."""

    def __init__(self, app: ASGIApp, rate: float) -> None:
        self.app = app
        self.bucket = TokenBucket(rate) if rate > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.bucket is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wait = self.bucket.take()
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            problem = ApiProblem(
                429,
                f"Request was throttled. Expected available in {retry_after} second(s).",
                headers={"Retry-After": str(retry_after)},
                stage="rate_limit",
            )
            await send_problem(scope, send, problem)
            return
        await self.app(scope, receive, send)
