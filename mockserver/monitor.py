"""Authentication failures counted per credential and source, with an alert on a burst.

Seed practice: "set up alerts for authentication failures". A burst of `threshold` failures
within `window` seconds from one (credential, source) pair logs one ALERT line and shows in
`GET /__admin/metrics`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

logger = logging.getLogger("spotcheck.alerts")


class AuthFailureMonitor:
    def __init__(
        self, threshold: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._totals: dict[tuple[str, str], int] = {}
        self._alerting: set[tuple[str, str]] = set()

    def record(self, credential_id: str, source: str) -> None:
        key = (credential_id or "-", source or "-")
        now = self._clock()
        with self._lock:
            recent = self._failures.setdefault(key, deque())
            recent.append(now)
            while recent and recent[0] < now - self.window:
                recent.popleft()
            self._totals[key] = self._totals.get(key, 0) + 1
            burst = len(recent) >= self.threshold
            if burst and key not in self._alerting:
                self._alerting.add(key)
                logger.warning(
                    "ALERT %d authentication failures in %.0f s for credential %s from %s",
                    len(recent),
                    self.window,
                    key[0],
                    key[1],
                )
            elif not burst:
                self._alerting.discard(key)

    def snapshot(self) -> list[dict[str, object]]:
        now = self._clock()
        with self._lock:
            return [
                {
                    "credential_id": key[0],
                    "source": key[1],
                    "total": self._totals[key],
                    "in_window": sum(1 for t in recent if t >= now - self.window),
                    "alerting": key in self._alerting,
                }
                for key, recent in sorted(self._failures.items())
            ]
