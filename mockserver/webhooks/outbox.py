"""The outbox: one row per (event, subscription), written in the state change's transaction.

Row states: pending -> sending -> delivered | pending (retry) | given_up. A row is claimed
with a conditional UPDATE, so two server processes on one store never send it twice.
Per subscription only the oldest unfinished row may be sent: deliveries keep their order.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Any

from mockserver.store import Store, utc_now

SUBSCRIPTIONS = "webhooks"  # record kind of subscriptions (shared with the generic state)
UNFINISHED = ("pending", "sending")


@dataclass(frozen=True)
class Delivery:
    id: int
    workspace_id: int
    subscription_id: str
    delivery_id: str
    url: str
    headers: dict[str, str]
    payload: bytes
    attempts: int


def enqueue(
    db: sqlite3.Connection,
    workspace_id: int,
    activity_id: int,
    activity: str,
    contract_id: str,
    body: dict[str, Any],
) -> int:
    """Queue `body` for every active subscription that asked for `activity`."""
    rows = db.execute(
        "SELECT data FROM records WHERE workspace_id = ? AND kind = ?",
        (workspace_id, SUBSCRIPTIONS),
    ).fetchall()
    # The exact bytes are fixed now: retries resend them unchanged, so signatures match.
    payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
    queued = 0
    for row in rows:
        subscription = json.loads(row[0])
        if subscription.get("status") != "ACTIVE" or activity not in subscription.get(
            "only_for_activities", []
        ):
            continue
        db.execute(
            "INSERT INTO outbox (workspace_id, subscription_id, delivery_id, activity_id, "
            "activity, contract_id, url, headers, payload, status, next_attempt_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (
                workspace_id,
                str(subscription["id"]),
                str(uuid.uuid4()),
                activity_id,
                activity,
                contract_id,
                subscription["url"],
                json.dumps(subscription.get("custom_headers") or {}),
                payload,
                time.time(),
                utc_now(),
            ),
        )
        queued += 1
    return queued


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    def recover(self, stale_after: float) -> None:
        """Rows left 'sending' by a process that died go back to pending (sent again once)."""
        with self.store.transaction() as db:
            db.execute(
                "UPDATE outbox SET status = 'pending' WHERE status = 'sending' AND claimed_at < ?",
                (time.time() - stale_after,),
            )

    def claim_due(self, now: float) -> list[Delivery]:
        """Claim the head of each subscription's queue if it is due."""
        heads = self.store.query(
            "SELECT o.* FROM outbox o JOIN (SELECT MIN(id) AS id FROM outbox "
            "WHERE status IN ('pending', 'sending') GROUP BY workspace_id, subscription_id) h "
            "ON o.id = h.id WHERE o.status = 'pending' AND o.next_attempt_at <= ?",
            (now,),
        )
        claimed = []
        for row in heads:
            with self.store.transaction() as db:
                cursor = db.execute(
                    "UPDATE outbox SET status = 'sending', claimed_at = ? "
                    "WHERE id = ? AND status = 'pending'",
                    (now, row["id"]),
                )
            if cursor.rowcount == 1:
                claimed.append(
                    Delivery(
                        row["id"],
                        row["workspace_id"],
                        row["subscription_id"],
                        row["delivery_id"],
                        row["url"],
                        json.loads(row["headers"]),
                        bytes(row["payload"]),
                        row["attempts"],
                    )
                )
        return claimed

    def record_attempt(
        self,
        delivery: Delivery,
        status_code: int | None,
        latency_ms: float,
        error: str | None,
        retry_at: float | None,
    ) -> str:
        """Store one attempt's outcome; returns the row's new status."""
        delivered = error is None and status_code is not None and 200 <= status_code < 300
        status = "delivered" if delivered else ("pending" if retry_at is not None else "given_up")
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO delivery_attempts (outbox_id, at, status_code, latency_ms, error) "
                "VALUES (?, ?, ?, ?, ?)",
                (delivery.id, utc_now(), status_code, round(latency_ms, 3), error),
            )
            db.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, "
                "finished_at = ?, last_error = ? WHERE id = ?",
                (
                    status,
                    retry_at or time.time(),
                    utc_now() if status != "pending" else None,
                    error if not delivered else None,
                    delivery.id,
                ),
            )
            if status == "given_up":
                _disable_subscription(self.store, db, delivery.subscription_id)
        return status

    def redeliver(self, outbox_id: int) -> bool:
        with self.store.transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, finished_at = NULL "
                "WHERE id = ? AND status IN ('delivered', 'given_up')",
                (time.time(), outbox_id),
            )
        return cursor.rowcount == 1

    def deliveries(self, filters: dict[str, str]) -> list[dict[str, Any]]:
        sql = (
            "SELECT id, subscription_id, delivery_id, activity, contract_id, url, status, "
            "attempts, created_at, finished_at, last_error FROM outbox WHERE 1 = 1"
        )
        params: list[Any] = []
        for name, column in (
            ("contract", "contract_id"),
            ("subscription", "subscription_id"),
            ("status", "status"),
        ):
            if filters.get(name):
                sql += f" AND {column} = ?"
                params.append(filters[name])
        rows = [
            dict(row)
            for row in self.store.query(sql + " ORDER BY id DESC LIMIT 500", tuple(params))
        ]
        for row in rows:
            row["attempt_log"] = [
                dict(a)
                for a in self.store.query(
                    "SELECT at, status_code, latency_ms, error FROM delivery_attempts "
                    "WHERE outbox_id = ? ORDER BY id",
                    (row["id"],),
                )
            ]
        return rows


def _disable_subscription(store: Store, db: sqlite3.Connection, subscription_id: str) -> None:
    # The vendor turns a subscription off once it keeps failing.
    row = db.execute(
        "SELECT workspace_id, data FROM records WHERE kind = ? AND id = ?",
        (SUBSCRIPTIONS, subscription_id),
    ).fetchone()
    if row is not None:
        subscription = json.loads(row[1])
        subscription["status"] = "DISABLED_BY_ERROR"
        store.put_record(db, row[0], SUBSCRIPTIONS, subscription_id, subscription)
