"""Load the fixture workspaces (plain JSON, see fixtures/README.md) into the store."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.errors import SettingsError
from mockserver.settings import Settings
from mockserver.state.store import Db, Store

FIXTURES_VERSION_KEY = "fixtures_loaded"


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Workspace:
    id: int
    env: str
    name: str
    hmac_key: str
    jwt_secret: str


def read_fixtures(directory: str) -> list[dict[str, Any]]:
    """Every `*.json` workspace file of `directory`, checked for the keys the mock needs."""
    folder = Path(directory)
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        raise SettingsError(f"no fixture files (*.json) in {directory}")
    workspaces = []
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except ValueError as error:
            raise SettingsError(f"{file}: not valid JSON: {error}") from None
        for key in ("environment", "workspace", "users", "credentials"):
            if key not in data:
                raise SettingsError(f"{file}: missing '{key}'")
        workspaces.append(data)
    return workspaces


def install_fixtures(store: Store, settings: Settings) -> None:
    """Replace everything in the store by the fixture workspaces (and the env credential)."""
    workspaces = read_fixtures(settings.fixtures)
    with store.transaction() as db:
        store.lock(db, "fixtures")  # processes starting together install them once
        _install(store, db, workspaces, settings)


def _install(store: Store, db: Db, workspaces: list[dict[str, Any]], settings: Settings) -> None:
    # Keys survive a reset: receivers and clients configured with them keep working.
    keys = {
        row[0]: (row[1], row[2])
        for row in db.execute("SELECT env, hmac_key, jwt_secret FROM workspaces")
    }
    store.wipe(db)
    # Ids by file order, the same after every reset: other processes keep theirs.
    for workspace_id, data in enumerate(workspaces, start=1):
        _install_workspace(store, db, workspace_id, data, settings, keys.get(data["environment"]))
    db.execute("INSERT INTO meta VALUES (?, '1')", (FIXTURES_VERSION_KEY,))


def ensure_fixtures(store: Store, settings: Settings) -> None:
    """Load fixtures on the first start only: a restart keeps what the store holds."""
    if store.get_meta(FIXTURES_VERSION_KEY) is None:
        workspaces = read_fixtures(settings.fixtures)
        with store.transaction() as db:
            store.lock(db, "fixtures")
            loaded = db.execute("SELECT 1 FROM meta WHERE key = ?", (FIXTURES_VERSION_KEY,))
            if loaded.fetchone() is None:  # not installed meanwhile by another process
                _install(store, db, workspaces, settings)
    elif settings.client_id and settings.client_secret:
        with store.transaction() as db:
            workspace = db.execute("SELECT id FROM workspaces WHERE env = 'uat'").fetchone()
            if workspace:
                _add_env_credential(db, workspace[0], settings)


def _install_workspace(
    store: Store,
    db: Db,
    workspace_id: int,
    data: dict[str, Any],
    settings: Settings,
    keys: tuple[str, str] | None,
) -> None:
    env = data["environment"]
    hmac_key, jwt_secret = keys or (
        base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        secrets.token_urlsafe(32),
    )
    db.execute(
        "INSERT INTO workspaces (id, env, name, hmac_key, jwt_secret) VALUES (?, ?, ?, ?, ?)",
        (workspace_id, env, data["workspace"]["name"], hmac_key, jwt_secret),
    )
    user_ids = {}
    for index, role in enumerate(sorted({user["role"] for user in data["users"]}), start=1):
        store.put_record(db, workspace_id, "auth/roles", str(index), {"id": index, "name": role})
    for user in data["users"]:
        db.execute(
            "INSERT INTO users (id, workspace_id, email, name, role, active, permissions) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user["id"] + workspace_id * 100000,
                workspace_id,
                user["email"],
                user["name"],
                user["role"],
                int(bool(user.get("active", True))),
                json.dumps(user.get("permissions", [])),
            ),
        )
        user_ids[user["email"].lower()] = user["id"] + workspace_id * 100000
    for credential in data["credentials"]:
        user_id = user_ids.get(credential["user_email"].lower())
        if user_id is None:
            raise SettingsError(f"credential {credential['client_id']}: unknown user_email")
        db.execute(
            "INSERT INTO credentials "
            "(workspace_id, client_id, secret_sha256, user_id, label, policy) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                workspace_id,
                credential["client_id"],
                secret_digest(credential["client_secret"]),
                user_id,
                credential.get("label", ""),
                json.dumps(_policy(credential)),
            ),
        )
    _install_records(store, db, workspace_id, data)
    if env == "uat" and settings.client_id and settings.client_secret:
        _add_env_credential(db, workspace_id, settings)


# Fixture lists go where the generic state keeps the same resources (see resources.py).
_RECORD_KINDS = {
    "contract_types": "contract_types",
    "templates": "templates",
    "entities": "organizations/entities",
    "clickwraps": "clickwrap",
}


def _install_records(store: Store, db: Db, workspace_id: int, data: dict[str, Any]) -> None:
    for key, kind in _RECORD_KINDS.items():
        for item in data.get(key, []):
            store.put_record(
                db, workspace_id, kind, str(item.get("id", item.get("public_id"))), item
            )
    for counterparty in data.get("counterparties", []):
        parent = str(counterparty["id"])
        flat = {k: v for k, v in counterparty.items() if k not in ("contacts", "addresses")}
        store.put_record(db, workspace_id, "counter_parties", parent, flat)
        for contact in counterparty.get("contacts", []):
            store.put_record(
                db, workspace_id, "counter_parties/contacts", str(contact["id"]), contact, parent
            )
        for address in counterparty.get("addresses", []):
            store.put_record(
                db, workspace_id, "counter_parties/addresses", str(address["id"]), address, parent
            )
    for index, role in enumerate(sorted({user["role"] for user in data["users"]}), start=1):
        store.put_record(db, workspace_id, "auth/roles", str(index), {"id": index, "name": role})
    for user in data["users"]:
        public = {k: user[k] for k in ("id", "email", "name", "role") if k in user}
        store.put_record(
            db,
            workspace_id,
            "auth/users",
            str(user["id"]),
            {**public, "is_active": user.get("active", True)},
        )
    # Objects seen on a real UAT (`spotcheck seed`), laid where the generic state keeps them.
    for record in data.get("records", []):
        store.put_record(
            db, workspace_id, record["kind"], str(record["id"]), record["data"], record["parent"]
        )


def _policy(credential: dict[str, Any]) -> dict[str, Any]:
    """What limits a credential: rotation (a previous secret), expiry, source addresses,
    scopes. Only digests of secrets are kept."""
    policy: dict[str, Any] = {"scopes": credential.get("scopes", ["read", "write"])}
    if credential.get("previous_secret"):
        policy["previous_sha256"] = secret_digest(credential["previous_secret"])
        policy["previous_expires_at"] = credential.get("previous_secret_expires_at")
    if credential.get("secret_expires_at"):
        policy["expires_at"] = credential["secret_expires_at"]
    if credential.get("allowed_ips"):
        policy["allowed_ips"] = credential["allowed_ips"]
    return policy


def _add_env_credential(db: Db, workspace_id: int, settings: Settings) -> None:
    assert settings.client_id and settings.client_secret
    admin = db.execute(
        "SELECT id FROM users WHERE workspace_id = ? AND active = 1 "
        "AND permissions LIKE '%developer_settings%' ORDER BY id LIMIT 1",
        (workspace_id,),
    ).fetchone()
    if admin is None:
        raise SettingsError("the UAT fixtures have no active user with developer_settings")
    db.execute(
        "INSERT INTO credentials (workspace_id, client_id, secret_sha256, user_id, label) "
        "VALUES (?, ?, ?, ?, 'from SPOTCHECK_CLIENT_ID') ON CONFLICT (client_id) DO UPDATE "
        "SET secret_sha256 = excluded.secret_sha256, workspace_id = excluded.workspace_id",
        (workspace_id, settings.client_id, secret_digest(settings.client_secret), admin[0]),
    )


def load_workspace(store: Store, env: str) -> Workspace:
    row = store.query_one("SELECT * FROM workspaces WHERE env = ?", (env,))
    if row is None:
        raise SettingsError(f"the fixtures define no '{env}' workspace")
    return Workspace(row["id"], row["env"], row["name"], row["hmac_key"], row["jwt_secret"])
