"""Pacing: a client's requests spaced at most `rate` per second, whoever sends them.

One `Pacer` per process serves every thread (Schemathesis' workers) or greenlet (Locust's
users: its monkey-patching makes the lock and the sleep gevent's own).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

VENDOR_RATE = 10.0  # requests/s the vendor allows a client; the default against a real host


class Pacer:
    """Hands out send slots `1/rate` seconds apart; `rate` 0 sends at once."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Return when this caller's slot has come."""
        if not self.interval:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        self._sleep(max(0.0, slot - now))
