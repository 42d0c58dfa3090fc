"""Reading a Retry-After header: the webhook dispatcher and the go-live proxy both wait it out."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After in seconds from now: delta-seconds or an HTTP date; None if unreadable.

    >>> retry_after_seconds("2.5"), retry_after_seconds("Thu, 01 Jan 1970 00:01:40 GMT", 90.0)
    (2.5, 10.0)
    """
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))
