"""Floods for the rate-limit tests: many threads over one or several servers, and the check
that a workspace got its one bucket (10 requests/s plus one second of burst) across them."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import httpx

from tests.conftest import UAT

API = "/api/v2.1/public"
RATE = 10  # the fixtures' default: requests per second per workspace, one second of burst
# The servers a flood is counted on keep every request in their journal: 4 threads answered
# 2,500 in the 2 seconds, past the default bound of 1,000 entries.
ROOMY_JOURNAL = {"SPOTCHECK_JOURNAL_SIZE": "1000000"}


def hammer(bases: tuple[str, ...], seconds: float, headers: dict[str, str]) -> list[int]:
    """Statuses of requests sent as fast as 4 threads can, over every base, for `seconds`."""
    statuses: list[int] = []
    stop = time.monotonic() + seconds

    def run(base: str) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            while time.monotonic() < stop:
                statuses.append(client.get(f"{API}/contracts/", params={"limit": 1}).status_code)

    threads = [threading.Thread(target=run, args=(base,)) for base in bases * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _seconds(entry: dict[str, str]) -> float:
    return datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()


def assert_one_bucket(bases: tuple[str, ...], seconds: float = 2.0) -> None:
    """Flood `bases` with the workspace's credential; the journal (one for every process)
    shows how many got through in the window the servers saw."""
    httpx.post(f"{bases[0]}/__admin/reset")  # an empty journal; buckets are kept
    time.sleep(1.2)  # the bucket refills: one second of burst
    statuses = hammer(bases, seconds, UAT)
    assert statuses, "the servers answered nothing during the flood"
    assert set(statuses) <= {200, 429}
    journal = httpx.get(f"{bases[-1]}/__admin/requests").json()
    shown = (len(journal), len(statuses))
    assert len(journal) == len(statuses), f"one journal for every process (entries, sent): {shown}"
    window = _seconds(journal[0]) - _seconds(journal[-1])
    allowed = sum(1 for entry in journal if entry["status"] == 200)
    expected = RATE + RATE * window  # the burst plus the rate, not that per process
    shown = (allowed, len(statuses), round(window, 2))
    assert allowed <= expected + 2, f"more than one bucket's worth: {shown}"
    assert allowed >= min(RATE, len(statuses)), f"the burst was not granted whole: {shown}"
    if statuses.count(429) >= 2 * allowed:  # the flood outran the limit all along
        assert allowed >= expected - 4, f"less than the rate: {shown}"
