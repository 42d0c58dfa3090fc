"""The outbox: one row per (event, subscription), written in the state change's transaction.

Row states: pending -> sending -> delivered | pending (retry) | given_up | cancelled.
A claim is a lease: `lease_owner` and `lease_expires_at`, renewed while the attempt runs.
Any dispatcher, in any process on the store (SQLite file or PostgreSQL: claims of one queue
are serialised by `Store.try_lock`, its rows locked), takes over a row whose lease expired: the
process that held it died, so the same delivery (same delivery id) goes out again - at least
once. Per subscription only the head of the queue (its oldest unfinished row) and the due rows
right behind it may be claimed, all by one owner, so deliveries keep their order.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.state.store import Db, Store, utc_now
from mockserver.webhooks.rules import has_control_or_surrogate, mask_url

SUBSCRIPTIONS = "webhooks"  # record kind of subscriptions (shared with the generic state)
UNFINISHED = ("pending", "sending")
TAKEN_OVER = "lease expired (its sender stopped): sent again with the same delivery id"
logger = logging.getLogger("spotcheck.webhooks")

Queue = tuple[int, str]  # (workspace id, subscription id)


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


def _sendable(subscription: dict[str, Any]) -> bool:
    # A subscription stored before today's rules must not make the write that fires it fail.
    url, headers = subscription.get("url"), subscription.get("custom_headers") or {}
    if not isinstance(url, str) or has_control_or_surrogate(url) or not isinstance(headers, dict):
        return False
    return all(
        isinstance(value, str) and not has_control_or_surrogate(f"{name}{value}")
        for name, value in headers.items()
    )


def enqueue(
    db: Db,
    workspace_id: int,
    activity_id: int,
    activity: str,
    contract_id: str,
    body: dict[str, Any],
) -> int:
    """Queue `body` for every active subscription that asked for `activity`."""
    rows = db.execute(
        "SELECT id, data FROM records WHERE workspace_id = ? AND kind = ?",
        (workspace_id, SUBSCRIPTIONS),
    ).fetchall()
    # The exact bytes are fixed now: retries resend them unchanged, so signatures match.
    payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
    queued = 0
    for row in rows:
        subscription = json.loads(row[1])
        if subscription.get("status") != "ACTIVE" or activity not in subscription.get(
            "only_for_activities", []
        ):
            continue
        if not _sendable(subscription):
            logger.warning("webhook subscription %s skipped: URL or headers unusable", row[0])
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
                0.0,  # due at once, wherever the server's clock has been moved
                utc_now(),
            ),
        )
        queued += 1
    return queued


def cancel_queued(db: Db, workspace_id: int, subscription_id: str, reason: str) -> int:
    """Cancel a subscription's unfinished deliveries (kept in the log as cancelled)."""
    cursor = db.execute(
        "UPDATE outbox SET status = 'cancelled', finished_at = ?, last_error = ?, "
        "lease_owner = NULL WHERE workspace_id = ? AND subscription_id = ? "
        "AND status IN ('pending', 'sending')",
        (utc_now(), reason, workspace_id, subscription_id),
    )
    return cursor.rowcount


class Outbox:
    def __init__(self, store: Store, now: Callable[[], float] = time.time) -> None:
        """`now`: the server's clock, for the retry schedule; leases are on real time."""
        self.store = store
        self._now = now

    def claimable(self, now: float) -> list[Queue]:
        """Queues whose head is due at `now` (the server's clock), or held by a lease that
        has expired (real time)."""
        rows = self.store.query(
            "SELECT o.workspace_id, o.subscription_id FROM outbox o JOIN (SELECT MIN(id) AS id "
            "FROM outbox WHERE status IN ('pending', 'sending') "
            "GROUP BY workspace_id, subscription_id) h ON o.id = h.id "
            "WHERE (o.status = 'pending' AND o.next_attempt_at <= ?) "
            "OR (o.status = 'sending' AND COALESCE(o.lease_expires_at, 0) < ?)",
            (now, time.time()),
        )
        return [(row[0], row[1]) for row in rows]

    def claim(self, queue: Queue, owner: str, lease: float, limit: int) -> list[Delivery]:
        """Lease the head of `queue` and the due rows right behind it, in order."""
        now, due = time.time(), self._now()
        with self.store.transaction() as db:
            # One claimer per queue at a time, in any process on any host; another one
            # skips the queue (as SKIP LOCKED would) instead of waiting for it.
            if not self.store.try_lock(db, f"outbox:{queue[0]}:{queue[1]}"):
                return []
            rows = db.execute(
                "SELECT * FROM outbox WHERE workspace_id = ? AND subscription_id = ? "
                "AND status IN ('pending', 'sending') ORDER BY id LIMIT ?"
                + self.store.for_update,  # a finishing attempt waits for this claim
                (*queue, limit),
            ).fetchall()
            taken = []
            for row in rows:
                expired = row["status"] == "sending" and (row["lease_expires_at"] or 0) < now
                if not (expired or (row["status"] == "pending" and row["next_attempt_at"] <= due)):
                    break  # a live lease or a row not yet due: the queue waits behind it
                taken.append(row)
                if expired:
                    db.execute(
                        "INSERT INTO delivery_attempts (outbox_id, at, status_code, latency_ms, "
                        "error) VALUES (?, ?, NULL, 0, ?)",
                        (row["id"], utc_now(), TAKEN_OVER),
                    )
            db.executemany(
                "UPDATE outbox SET status = 'sending', lease_owner = ?, lease_expires_at = ?, "
                "claimed_at = ? WHERE id = ?",
                [(owner, now + lease, now, row["id"]) for row in taken],
            )
        return [
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
            for row in taken
        ]

    def renew(self, owner: str, lease: float) -> int:
        """Push back the expiry of every lease `owner` holds (its attempts are alive)."""
        with self.store.transaction() as db:
            return db.execute(
                "UPDATE outbox SET lease_expires_at = ? WHERE lease_owner = ? "
                "AND status = 'sending'",
                (time.time() + lease, owner),
            ).rowcount

    def holds(self, outbox_id: int, owner: str) -> bool:
        row = self.store.query_one(
            "SELECT 1 FROM outbox WHERE id = ? AND status = 'sending' AND lease_owner = ?",
            (outbox_id, owner),
        )
        return row is not None

    def release(self, owner: str, ids: list[int] | None = None) -> None:
        """Give leased rows back unsent (not counted as attempts): shut-down, or order."""
        sql = "UPDATE outbox SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL "
        sql += "WHERE lease_owner = ? AND status = 'sending'"
        params: list[Any] = [owner]
        if ids is not None:
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            params += ids
        with self.store.transaction() as db:
            db.execute(sql, tuple(params))

    def record_attempt(
        self,
        delivery: Delivery,
        owner: str,
        status_code: int | None,
        latency_ms: float,
        error: str | None,
        retry_at: float | None,
        response_body: str | None = None,
    ) -> str:
        """Store one attempt's outcome (with the first bytes of the receiver's answer);
        returns the row's new status.

        'cancelled' when the row is no longer ours: its subscription went away meanwhile, or
        our lease expired and another dispatcher took the row over.
        """
        delivered = error is None and status_code is not None and 200 <= status_code < 300
        status = "delivered" if delivered else ("pending" if retry_at is not None else "given_up")
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO delivery_attempts "
                "(outbox_id, at, status_code, latency_ms, error, response_body) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (delivery.id, utc_now(), status_code, round(latency_ms, 3), error, response_body),
            )
            updated = db.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, "
                "finished_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL "
                "WHERE id = ? AND status = 'sending' AND lease_owner = ?",
                (
                    status,
                    retry_at or self._now(),
                    utc_now() if status != "pending" else None,
                    error if not delivered else None,
                    delivery.id,
                    owner,
                ),
            ).rowcount
            if not updated:
                if delivered:  # cancelled while in flight, but it did arrive: say so
                    db.execute(
                        "UPDATE outbox SET status = 'delivered', attempts = attempts + 1, "
                        "last_error = NULL WHERE id = ? AND status = 'cancelled'",
                        (delivery.id,),
                    )
                return "cancelled"
            if status == "given_up":
                _disable_subscription(self.store, db, delivery.workspace_id, delivery)
        return status

    def redeliver(self, outbox_id: int) -> bool:
        """Send a finished delivery again, with its delivery id, behind its queue's order."""
        with self.store.transaction() as db:
            cursor = db.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, finished_at = NULL "
                "WHERE id = ? AND status IN ('delivered', 'given_up')",
                (self._now(), outbox_id),
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
            ("delivery_id", "delivery_id"),
        ):
            if filters.get(name):
                sql += f" AND {column} = ?"
                params.append(filters[name])
        rows = [
            dict(row)
            for row in self.store.query(sql + " ORDER BY id DESC LIMIT 500", tuple(params))
        ]
        for row in rows:
            row["url"] = mask_url(row["url"])  # the admin view never shows a URL's secrets
            row["attempt_log"] = [
                dict(a)
                for a in self.store.query(
                    "SELECT at, status_code, latency_ms, error FROM delivery_attempts "
                    "WHERE outbox_id = ? ORDER BY id",
                    (row["id"],),
                )
            ]
        return rows


def _disable_subscription(store: Store, db: Db, workspace_id: int, delivery: Delivery) -> None:
    # The vendor turns a subscription off once it keeps failing; what it still had queued
    # is cancelled with it (a disabled subscription receives nothing).
    row = db.execute(
        "SELECT data FROM records WHERE workspace_id = ? AND kind = ? AND id = ?",
        (workspace_id, SUBSCRIPTIONS, delivery.subscription_id),
    ).fetchone()
    if row is not None:
        subscription = json.loads(row[0])
        subscription["status"] = "DISABLED_BY_ERROR"
        store.put_record(db, workspace_id, SUBSCRIPTIONS, delivery.subscription_id, subscription)
    cancel_queued(
        db, workspace_id, delivery.subscription_id, "cancelled: subscription disabled by error"
    )
