"""Authentication failures counted per credential and source, with an alert on a burst.

Seed practice: "set up alerts for authentication failures". A burst of `threshold` failures
within `window` seconds from one (credential, source) pair logs one ALERT line and shows in
`GET /__admin/metrics`.

Bounded, because every failure is a stranger's input: at most `max_tracked` pairs are kept (the
one that failed longest ago is dropped first), each keeps at most `threshold` timestamps, and
pairs are keyed by a hash rather than by the strings sent. The credential shown is the caller's
`label`, which the Authenticator makes safe (a made-up client id may be a pasted secret).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger("spotcheck.alerts")

DEFAULT_MAX_TRACKED = 1_000  # distinct (credential, source) pairs; a real fleet has a few


@dataclass
class _Pair:
    label: str
    source: str
    recent: deque[float]
    total: int = 0
    alerting: bool = field(default=False)


class AuthFailureMonitor:
    def __init__(
        self,
        threshold: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = DEFAULT_MAX_TRACKED,
    ) -> None:
        self.threshold = threshold
        self.window = window
        self.max_tracked = max_tracked
        self._clock = clock
        self._lock = threading.Lock()
        # least recently failed first: the eviction order
        self._pairs: OrderedDict[bytes, _Pair] = OrderedDict()

    def record(self, label: str, source: str) -> None:
        """Count one failure of the credential shown as `label` from address `source`."""
        label, source = label or "-", source or "-"
        key = hashlib.sha256(f"{label}\0{source}".encode("utf-8", "replace")).digest()
        now = self._clock()
        with self._lock:
            pair = self._pairs.get(key)
            if pair is None:
                # threshold timestamps are all the burst test needs
                pair = _Pair(label, source, deque(maxlen=max(self.threshold, 1)))
                self._pairs[key] = pair
                while len(self._pairs) > self.max_tracked:
                    self._pairs.popitem(last=False)
            else:
                self._pairs.move_to_end(key)
            pair.recent.append(now)
            while pair.recent and pair.recent[0] < now - self.window:
                pair.recent.popleft()
            pair.total += 1
            burst = len(pair.recent) >= self.threshold
            if burst and not pair.alerting:
                pair.alerting = True
                logger.warning(
                    "ALERT %d authentication failures in %.0f s for credential %s from %s",
                    len(pair.recent),
                    self.window,
                    label,
                    source,
                )
            elif not burst:
                pair.alerting = False

    def clear(self) -> None:
        with self._lock:
            self._pairs.clear()

    def __len__(self) -> int:
        return len(self._pairs)

    def snapshot(self) -> list[dict[str, object]]:
        """Every tracked pair; `in_window` counts up to `threshold`."""
        now = self._clock()
        with self._lock:
            rows = [
                {
                    "credential_id": pair.label,
                    "source": pair.source,
                    "total": pair.total,
                    "in_window": sum(1 for t in pair.recent if t >= now - self.window),
                    "alerting": pair.alerting,
                }
                for pair in self._pairs.values()
            ]
        return sorted(rows, key=lambda row: (str(row["credential_id"]), str(row["source"])))
