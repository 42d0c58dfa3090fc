"""Wall-clock timestamps as the vendor writes them, formatted once per second.

Every request stamps its journal row and audit entry; formatting a datetime twice per
request showed in the profile. The second's text is kept and only milliseconds change.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

# (second, its text): replaced whole, so a thread never reads one without the other
_cached: tuple[int, str] = (-1, "")


_LAST_FOUR_DIGIT_YEAR = 253402300799  # 9999-12-31T23:59:59Z


def _second_text(second: int) -> str:
    global _cached
    cached = _cached
    if cached[0] != second:
        if 0 <= second <= _LAST_FOUR_DIGIT_YEAR:  # strftime pads no year below 1000
            text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        else:
            text = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")[:19]
        cached = _cached = (second, text)
    return cached[1]


def utc_iso(epoch: float) -> str:
    """`epoch` in ISO 8601 UTC to the second with a Z (the vendor's datetime form)."""
    return _second_text(int(epoch // 1)) + "Z"


def utc_now() -> str:
    """ISO 8601 UTC to the second with a Z, e.g. 2026-11-30T22:45:01Z."""
    return _second_text(int(time.time())) + "Z"


def utc_now_ms(at: float | None = None) -> str:
    """ISO 8601 UTC to the millisecond with a Z, e.g. 2026-11-30T22:45:01.123Z."""
    moment = time.time() if at is None else at
    second = int(moment)
    return f"{_second_text(second)}.{int((moment - second) * 1000):03d}Z"
