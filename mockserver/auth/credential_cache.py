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

from dataclasses import dataclass
from typing import Any

from mockserver import jsoncodec
from mockserver.state.schema import AUTH_EPOCH
from mockserver.state.store import Store

_LIMIT = 1024  # entries; unknown ids are kept too, so a flood of them is bounded


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
        self._credentials: dict[str, CredentialRow | None] = {}
        self._users: dict[tuple[int, str], UserRow | None] = {}
        self._users_by_id: dict[tuple[int, int], UserRow | None] = {}

    def credential(self, client_id: str) -> CredentialRow | None:
        self._check_epoch()
        if client_id in self._credentials:
            return self._credentials[client_id]
        row = self._store.query_one(
            "SELECT c.client_id, c.secret_sha256, c.workspace_id, c.policy, u.id, u.email, "
            "u.active, u.permissions FROM credentials c JOIN users u ON u.id = c.user_id "
            "WHERE c.client_id = ?",
            (client_id,),
        )
        found = None
        if row is not None:
            found = CredentialRow(
                client_id=row["client_id"],
                secret_sha256=row["secret_sha256"],
                workspace_id=row["workspace_id"],
                policy=jsoncodec.loads(row["policy"]),
                user_id=row["id"],
                user_email=row["email"],
                active=bool(row["active"]),
                permissions=frozenset(jsoncodec.loads(row["permissions"])),
            )
        _keep(self._credentials, client_id, found)
        return found

    def user(self, workspace_id: int, email: str) -> UserRow | None:
        self._check_epoch()
        key = (workspace_id, email)
        if key in self._users:
            return self._users[key]
        row = self._store.query_one(
            "SELECT id, email, active, permissions FROM users WHERE workspace_id = ? AND email = ?",
            key,
        )
        found = None
        if row is not None:
            permissions = frozenset(jsoncodec.loads(row["permissions"]))
            found = UserRow(row["id"], row["email"], bool(row["active"]), permissions)
        _keep(self._users, key, found)
        return found

    def user_by_id(self, workspace_id: int, user_id: int) -> UserRow | None:
        self._check_epoch()
        key = (workspace_id, user_id)
        if key in self._users_by_id:
            return self._users_by_id[key]
        row = self._store.query_one(
            "SELECT id, email, active, permissions FROM users WHERE id = ? AND workspace_id = ?",
            (user_id, workspace_id),
        )
        found = None
        if row is not None:
            permissions = frozenset(jsoncodec.loads(row["permissions"]))
            found = UserRow(row["id"], row["email"], bool(row["active"]), permissions)
        _keep(self._users_by_id, key, found)
        return found

    def _check_epoch(self) -> None:
        epoch = self._store.get_meta(AUTH_EPOCH)
        if epoch != self._epoch or epoch is None:
            self._credentials.clear()
            self._users.clear()
            self._users_by_id.clear()
            self._epoch = epoch


def _keep(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= _LIMIT:
        cache.clear()
    cache[key] = value
