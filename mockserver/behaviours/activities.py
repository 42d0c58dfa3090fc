"""The activity log: one row per state change, written in the change's own transaction.

Issue "webhooks" turns these rows into deliveries; the admin API lists them.
"""

from __future__ import annotations

from typing import Any

from mockserver import jsoncodec
from mockserver.state.store import Db, Store, utc_now
from mockserver.webhooks.outbox import enqueue
from mockserver.webhooks.payload import activity_payload

# Generic-state changes that the vendor reports as activities: (kind, method) -> activity.
GENERIC_ACTIVITIES = {
    ("counter_parties", "post"): "COUNTER_PARTY_CREATED",
    ("counter_parties", "patch"): "COUNTER_PARTY_UPDATED",
    ("counter_parties/contacts", "post"): "COUNTER_PARTY_CONTACT_CREATED",
    ("counter_parties/contacts", "patch"): "COUNTER_PARTY_CONTACT_UPDATED",
    ("counter_parties/addresses", "post"): "COUNTER_PARTY_ADDRESS_CREATED",
    ("counter_parties/addresses", "patch"): "COUNTER_PARTY_ADDRESS_UPDATED",
    ("contracts/comments", "post"): "CONTRACT_ACTIVITY_LOG_COMMENT_CREATED",
    ("contracts/contract_version", "post"): "CONTRACT_VERSION_UPLOADED",
}


def record_activity(
    db: Db,
    workspace_id: int,
    subject_id: str,
    activity: str,
    performed_by: str,
    contract: dict[str, Any] | None = None,
    at: str | None = None,
) -> int:
    """Append one activity and queue its webhooks, inside the caller's transaction.

    The webhook body is built now, from the contract as this change leaves it; `at` is the
    server's clock (`mockserver.clock`), real time when not given.
    """
    at = at or utc_now()
    body = activity_payload(activity, performed_by, at, contract)
    row = db.execute(
        "INSERT INTO activities (workspace_id, contract_id, activity, performed_by, at, data) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (workspace_id, subject_id, activity, performed_by, at, jsoncodec.dumps(body)),
    ).fetchall()[0]  # read to the end: SQLite finishes the statement
    activity_id = int(row[0])
    enqueue(db, workspace_id, activity_id, activity, subject_id, body)
    return activity_id


def list_activities(
    store: Store, workspace_id: int, subject_id: str | None = None
) -> list[dict[str, Any]]:
    """The workspace's activity log, oldest first (one subject's when `subject_id` is given)."""
    sql = (
        "SELECT id, contract_id, activity, performed_by, at FROM activities WHERE workspace_id = ?"
    )
    params: tuple[Any, ...] = (workspace_id,)
    if subject_id:
        sql += " AND contract_id = ?"
        params += (subject_id,)
    return [dict(row) for row in store.query(sql + " ORDER BY id", params)]
