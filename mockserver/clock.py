"""The server's one clock: real time plus an offset a test can move (`POST /__admin/clock`).

Everything time-based that a client can observe reads it: token and secret expiry, rotation
windows, download-link expiry, the webhook retry schedule, and the timestamps written into
answers and payloads. Latency and leases stay on real time: they measure this process, not
the world the client is testing against.

`Runtime` holds one `Clock` and hands it down; nothing here is global. Moving it calls the
listeners (the webhook dispatcher wakes, so retries whose time has come are sent at once).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from mockserver.timestamps import utc_iso

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Far enough for any expiry a test needs, short of datetime's year 9999.
MAX_OFFSET_SECONDS = 100 * 365 * 86400


def parse_duration(text: str) -> float:
    """Seconds in `text`: a number of seconds, or units like 90s, 15m, 2h, 1d12h, 500ms."""
    cleaned = text.strip().lower().replace(" ", "")
    try:
        seconds = float(cleaned)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise ValueError(f"{text!r} is not a duration")
        return seconds
    parts = _DURATION.findall(cleaned)
    if not parts or "".join(number + unit for number, unit in parts) != cleaned:
        raise ValueError(f"{text!r} is not a duration: say 90s, 15m, 2h, 1d12h or 500ms")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date-time with a zone (`2027-01-01T00:00:00Z`), as an aware datetime."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone: end it with Z or +HH:MM")
    return moment


class Clock:
    """Real time shifted by an offset; `advance`, `set` and `to_real` move it."""

    def __init__(self, real: Callable[[], float] = time.time) -> None:
        self._real = real
        self._offset = 0.0
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        """Seconds since the epoch, as the mock's world sees them."""
        return self._real() + self._offset

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.now(), UTC)

    def iso(self) -> str:
        """Now in the vendor's datetime form (what answers and payloads carry)."""
        return utc_iso(self.now())

    @property
    def offset(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward with advance; use set to go back")
        self._move(self._offset + seconds)

    def set(self, moment: datetime) -> None:
        self._move(moment.timestamp() - self._real())

    def to_real(self) -> None:
        self._move(0.0)

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every move (it runs on the mover's thread)."""
        self._listeners.append(listener)

    def snapshot(self) -> dict[str, object]:
        """What `GET /__admin/clock` answers."""
        return {
            "now": self.iso(),
            "offset_seconds": round(self._offset, 3),
            "real": not self._offset,
        }

    def _move(self, offset: float) -> None:
        if abs(offset) > MAX_OFFSET_SECONDS:
            raise ValueError("the clock may move at most 100 years from real time")
        self._offset = offset
        for listener in self._listeners:
            listener()
