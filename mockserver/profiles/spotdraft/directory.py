"""The workspace's directory from state: users (v1, v2, v2.1 shapes, `user_email` and
`user_name` filters), roles, the organization's entities, organization types and contract
types with the entities each may be signed by. Every field the vendor's schema has is
filled from the fixture objects, so no answer falls back to a placeholder."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver.behaviours import Handler, Registration
from mockserver.behaviours.http import page_of
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem
from mockserver.profiles.spotdraft.routing import (
    StateRoutes,
    answer,
    api_version,
    int_param,
    versioned,
)

# What the vendor's UI shows for a member of each fixture role.
DESIGNATIONS = {
    "ADMIN": "Legal Operations Manager",
    "LEGAL": "Senior Counsel",
    "VIEWER": "Account Executive",
}
ROLE_DESCRIPTIONS = {
    "ADMIN": "Administers the workspace, its members and its integrations.",
    "LEGAL": "Drafts, negotiates and executes contracts.",
    "VIEWER": "Reads contracts and their data; changes nothing.",
}
JOINED = "2025-01-{day:02d}T09:30:00Z"  # a fixture member's (stable) creation time


def _name(user: dict[str, Any]) -> str:
    """A member's display name; a user created over the API may have sent only parts of it."""
    parts = " ".join(filter(None, [user.get("first_name"), user.get("last_name")]))
    return str(user.get("name") or parts or str(user.get("email", "member")).split("@")[0])


def _joined(user: dict[str, Any]) -> str:
    return str(user.get("created") or JOINED.format(day=int(user["id"]) % 28 + 1))


class DirectoryRoutes(StateRoutes):
    def registrations(self) -> tuple[Registration, ...]:
        table: dict[tuple[str, str], Handler] = {
            ("GET", "/auth/users/"): self.users,
            ("GET", "/auth/users"): self.users,
            ("GET", "/auth/roles/"): self.roles,
            ("GET", "/auth/roles"): self.roles,
            ("GET", "/organizations/entities/"): self.entities,
            ("GET", "/organizations/types/"): self.organization_types,
            ("GET", "/contract_types/"): self.contract_types,
            ("GET", "/contract_types/{contract_type_id}/entities"): self.contract_type_entities,
        }
        return versioned(table)

    def _records(self, kind: str) -> list[dict[str, Any]]:
        return self.store.list_records(self.workspace_id(), kind)

    def role_ids(self) -> dict[str, int]:
        return {role["name"]: int(role["id"]) for role in self._records("auth/roles")}

    def user_view(self, user: dict[str, Any], version: str) -> dict[str, Any]:
        role = str(user.get("role", "VIEWER"))
        if version == "v1":
            first, _, last = _name(user).partition(" ")
            return {
                "id": user["id"],
                "first_name": first,
                "last_name": last,
                "roles": [role],
                "username": user.get("email") or user.get("username", ""),
                "created": _joined(user),
                "modified": str(user.get("updated_at") or _joined(user)),
            }
        view = {
            "id": user["id"],
            "email": user.get("email", ""),
            "name": _name(user),
            "designation": user.get("designation") or DESIGNATIONS.get(role, "Team member"),
        }
        if version == "v2.1":
            view["roles"] = [
                {
                    "id": self.role_ids().get(role, 0),
                    "name": role,
                    "description": ROLE_DESCRIPTIONS.get(role, f"{role.title()} members."),
                }
            ]
            view["is_active"] = bool(user.get("is_active", True))
        return view

    async def users(self, request: Request, context: RequestContext) -> Response:
        users = self._records("auth/users")
        email = request.query_params.get("user_email")
        if email:
            users = [u for u in users if str(u.get("email", "")).lower() == email.lower()]
        name = request.query_params.get("user_name")
        if name:
            users = [u for u in users if name.lower() in _name(u).lower()]
        page, limit, chosen = page_of(users, request)
        version = api_version(context)
        listing = {
            "page": page,
            "limit": limit,
            "total_results": len(users),
            "results": [self.user_view(u, version) for u in chosen],
        }
        return answer(self.catalog, context, listing)

    async def roles(self, request: Request, context: RequestContext) -> Response:
        roles = [
            {
                "id": int(r["id"]),
                "name": r["name"],
                "description": ROLE_DESCRIPTIONS.get(r["name"], f"{r['name'].title()} members."),
            }
            for r in self._records("auth/roles")
        ]
        if api_version(context) == "v1":
            return answer(self.catalog, context, roles)
        return answer(self.catalog, context, {"active_roles": roles})

    async def entities(self, request: Request, context: RequestContext) -> Response:
        return answer(self.catalog, context, self._records("organizations/entities"))

    async def organization_types(self, request: Request, context: RequestContext) -> Response:
        types = self._records("organizations/types")
        code = request.query_params.get("jurisdiction_iso_code")
        if code:
            types = [t for t in types if (t.get("jurisdiction") or {}).get("code2") == code]
        return answer(self.catalog, context, types)

    async def contract_types(self, request: Request, context: RequestContext) -> Response:
        listed = [{"id": t["id"], "name": t["name"]} for t in self._records("contract_types")]
        return answer(self.catalog, context, listed)

    async def contract_type_entities(self, request: Request, context: RequestContext) -> Response:
        type_id = int_param(context, "contract_type_id")
        contract_type = self.store.get_record(self.workspace_id(), "contract_types", str(type_id))
        if contract_type is None:
            raise ApiProblem(404, f"No contract type with id {type_id}.")
        allowed = set(contract_type.get("entity_ids") or [])
        views = [
            _signing_entity(entity)
            for entity in self._records("organizations/entities")
            if not allowed or entity["id"] in allowed
        ]
        return answer(self.catalog, context, views)


def _signing_entity(entity: dict[str, Any]) -> dict[str, Any]:
    """An entity as a contract type lists it (another shape of the same object)."""
    address = entity.get("primary_address") or {}
    return {
        "entity_id": entity["id"],
        "entity_name": entity["name"],
        "entity_type": (entity.get("organization_type") or {}).get("name", ""),
        "jurisdiction_of_incorporation": (entity.get("jurisdiction") or {}).get("name", ""),
        "address": {
            "line_one": address.get("line_one", ""),
            "city": address.get("city_name", ""),
            "state": address.get("state_name", ""),
            "zipcode": address.get("zipcode", ""),
            "country": (address.get("country") or {}).get("name", ""),
        },
        "is_primary": bool(entity.get("is_primary", entity.get("is_default", False))),
    }
