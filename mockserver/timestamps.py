"""Wall-clock timestamps as the vendor writes them, formatted once per second.

Every request stamps its journal row and audit entry; formatting a datetime twice per
request showed in the profile. The second's text is kept and only milliseconds change.
"""

from __future__ import annotations

import time

# (second, its text): replaced whole, so a thread never reads one without the other
_cached: tuple[int, str] = (-1, "")


def _second_text(second: int) -> str:
    global _cached
    cached = _cached
    if cached[0] != second:
        cached = _cached = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return cached[1]


def utc_now() -> str:
    """ISO 8601 UTC to the second with a Z, e.g. 2026-11-30T22:45:01Z."""
    return _second_text(int(time.time())) + "Z"


def utc_now_ms(at: float | None = None) -> str:
    """ISO 8601 UTC to the millisecond with a Z, e.g. 2026-11-30T22:45:01.123Z."""
    moment = time.time() if at is None else at
    second = int(moment)
    return f"{_second_text(second)}.{int((moment - second) * 1000):03d}Z"
