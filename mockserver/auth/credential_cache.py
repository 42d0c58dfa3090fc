"""What authentication reads from the store, kept while nobody changes it.

A request's credential lookup was a join and two JSON documents parsed per request. The
rows are kept here and dropped whenever the store's auth epoch changes: triggers on the
workspaces, users and credentials tables (`state.schema`) give it a new random value on
every write, by any process on the store, so a rotation, revocation, deactivation or reset
is seen by the next request everywhere. Checking the epoch is one read of a primary key.
Secrets are not kept: only the digest the store holds, compared in constant time by the
caller as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from mockserver import jsoncodec
from mockserver.state.schema import AUTH_EPOCH
from mockserver.state.store import Row, Store

LIMIT = 1024  # entries; unknown ids are kept too, so a flood of them is bounded
_T = TypeVar("_T")


@dataclass(frozen=True)
class CredentialRow:
    client_id: str
    secret_sha256: str
    workspace_id: int
    policy: dict[str, Any]  # read-only: shared by every request that uses the credential
    user_id: int
    user_email: str
    active: bool
    permissions: frozenset[str]


@dataclass(frozen=True)
class UserRow:
    user_id: int
    email: str
    active: bool
    permissions: frozenset[str]


class CredentialCache:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._epoch: str | None = None
        # ("credential", client_id) / ("user", workspace, email) / ("user id", workspace, id)
        self._rows: dict[tuple[Any, ...], Any] = {}

    def credential(self, client_id: str) -> CredentialRow | None:
        return self._lookup(
            ("credential", client_id),
            "SELECT c.client_id, c.secret_sha256, c.workspace_id, c.policy, u.id, u.email, "
            "u.active, u.permissions FROM credentials c JOIN users u ON u.id = c.user_id "
            "WHERE c.client_id = ?",
            (client_id,),
            _credential_row,
        )

    def user(self, workspace_id: int, email: str) -> UserRow | None:
        return self._lookup(
            ("user", workspace_id, email),
            f"{_USERS} WHERE workspace_id = ? AND email = ?",
            (workspace_id, email),
            _user_row,
        )

    def user_by_id(self, workspace_id: int, user_id: int) -> UserRow | None:
        return self._lookup(
            ("user id", workspace_id, user_id),
            f"{_USERS} WHERE id = ? AND workspace_id = ?",
            (user_id, workspace_id),
            _user_row,
        )

    def _lookup(
        self,
        key: tuple[Any, ...],
        sql: str,
        params: tuple[Any, ...],
        build: Callable[[Row], _T],
    ) -> _T | None:
        epoch = self._store.get_meta(AUTH_EPOCH)
        if epoch != self._epoch or epoch is None:
            self._rows.clear()
            self._epoch = epoch
        if key in self._rows:
            cached: _T | None = self._rows[key]
            return cached
        row = self._store.query_one(sql, params)
        found = None if row is None else build(row)
        if len(self._rows) >= LIMIT:
            self._rows.clear()
        self._rows[key] = found
        return found


_USERS = "SELECT id, email, active, permissions FROM users"


def _credential_row(row: Row) -> CredentialRow:
    return CredentialRow(
        client_id=row["client_id"],
        secret_sha256=row["secret_sha256"],
        workspace_id=row["workspace_id"],
        policy=jsoncodec.loads(row["policy"]),
        user_id=row["id"],
        user_email=row["email"],
        active=bool(row["active"]),
        permissions=frozenset(jsoncodec.loads(row["permissions"])),
    )


def _user_row(row: Row) -> UserRow:
    permissions = frozenset(jsoncodec.loads(row["permissions"]))
    return UserRow(row["id"], row["email"], bool(row["active"]), permissions)
