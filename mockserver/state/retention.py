"""How much of the shared logs the store keeps: the journal, the audit trail and the
activity log, each bounded by count and by age (settings), and stale rate-limit buckets.

Pruned by whichever process writes often enough (`Journal.record` every `EVERY` entries),
so the bounds hold however many processes share the store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from mockserver.settings import Settings
from mockserver.state.store import Store

EVERY = 100  # journal entries between two prunes, per process
BUCKET_IDLE = 300.0  # seconds after which a full rate-limit bucket row is dropped


@dataclass(frozen=True)
class Bound:
    table: str
    size: int
    max_age: float  # seconds
    age_column: str = "at"
    age_is_text: bool = False  # ISO 8601 text (activities) rather than epoch seconds


def bounds(settings: Settings) -> tuple[Bound, ...]:
    return (
        Bound("journal", settings.journal_size, settings.journal_max_age),
        Bound("audit", settings.audit_size, settings.audit_max_age),
        Bound("activities", settings.activities_size, settings.activities_max_age, "at", True),
    )


def prune(store: Store, limits: tuple[Bound, ...], now: float | None = None) -> int:
    """Drop what is past each bound; the number of rows dropped."""
    now = time.time() if now is None else now
    dropped = 0
    with store.transaction() as db:
        for bound in limits:
            newest = db.execute(f"SELECT MAX(id) FROM {bound.table}").fetchone()[0]
            if newest is None:
                continue
            oldest_kept = newest - bound.size + 1
            cutoff: float | str = now - bound.max_age
            if bound.age_is_text:
                cutoff = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(cutoff)))
            dropped += db.execute(
                f"DELETE FROM {bound.table} WHERE id < ? OR {bound.age_column} < ?",
                (oldest_kept, cutoff),
            ).rowcount
        dropped += db.execute(
            "DELETE FROM rate_buckets WHERE updated < ?", (now - BUCKET_IDLE,)
        ).rowcount
    return dropped
