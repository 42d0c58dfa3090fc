"""Counterparties with their contacts and addresses, from state: one stored object per
counterparty, contact and address, shown the same in the list, the detail and the
sub-resources (a contact as `{id, name, email}` inside a counterparty, with `is_primary` in
its own list). The list honours `filter__client_email_address` and `filter_custom__<name>`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver.behaviours import Handler, Registration
from mockserver.behaviours.activities import record_activity
from mockserver.behaviours.http import json_response, page_of, read_body
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem, FieldError
from mockserver.profiles.spotdraft.routing import (
    StateRoutes,
    answer,
    fresh_id,
    int_param,
    versioned,
)
from mockserver.state.sql import Db
from mockserver.state.store import utc_now

KIND, CONTACTS, ADDRESSES = (
    "counter_parties",
    "counter_parties/contacts",
    "counter_parties/addresses",
)
_ADDRESS_FIELDS = (
    "line_one",
    "city_name",
    "state_name",
    "zipcode",
    "country_name",
    "email",
    "phone",
)


def contact_view(contact: dict[str, Any], nested: bool = False) -> dict[str, Any]:
    view = {"id": contact["id"], "name": contact["name"], "email": contact["email"]}
    return view if nested else {**view, "is_primary": bool(contact.get("is_primary", False))}


def address_view(address: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {"id": address["id"]}
    for name in _ADDRESS_FIELDS:
        if name in ("email", "phone") and not address.get(name):
            continue  # optional: absent rather than empty
        view[name] = str(address.get(name) or "")
    return view


class CounterpartyRoutes(StateRoutes):
    def registrations(self) -> tuple[Registration, ...]:
        item = "/counter_parties/{counterparty_id}"
        table: dict[tuple[str, str], Handler] = {
            ("GET", "/counter_parties/"): self.list_all,
            ("POST", "/counter_parties/"): self.create,
            ("GET", item): self.detail,
            ("PATCH", item): self.update,
            ("GET", f"{item}/contacts"): self.contacts,
            ("POST", f"{item}/contacts"): self.add_contact,
            ("PATCH", f"{item}/contacts/{{contact_id}}/"): self.update_contact,
            ("DELETE", f"{item}/contacts/{{contact_id}}/"): self.delete_contact,
            ("PATCH", f"{item}/contacts/bulk/"): self.bulk_contacts,
            ("GET", f"{item}/addresses/"): self.addresses,
            ("POST", f"{item}/addresses/"): self.add_address,
            ("PATCH", f"{item}/addresses/{{address_id}}/"): self.update_address,
        }
        return versioned(table)

    # -- state ---------------------------------------------------------------------------

    def get(self, counterparty_id: int) -> dict[str, Any]:
        found = self.store.get_record(self.workspace_id(), KIND, str(counterparty_id))
        if found is None:
            raise ApiProblem(404, f"No counterparty with id {counterparty_id}.")
        return found

    def _children(self, kind: str, counterparty_id: Any) -> list[dict[str, Any]]:
        return self.store.list_records(self.workspace_id(), kind, str(counterparty_id))

    def _child(self, kind: str, counterparty_id: int, child_id: int) -> dict[str, Any]:
        for child in self._children(kind, counterparty_id):
            if int(child["id"]) == child_id:
                return child
        raise ApiProblem(
            404, f"No {kind.split('/')[1][:-1]} {child_id} of counterparty {counterparty_id}."
        )

    def view(self, counterparty: dict[str, Any]) -> dict[str, Any]:
        addresses = self._children(ADDRESSES, counterparty["id"])
        primary = next((a for a in addresses if a.get("is_primary")), None) or (
            addresses[0] if addresses else None
        )
        view = {
            "id": counterparty["id"],
            "name": counterparty["name"],
            "is_individual": bool(counterparty.get("is_individual", False)),
            "contacts": [
                contact_view(c, True) for c in self._children(CONTACTS, counterparty["id"])
            ],
            "status": counterparty.get("status", "ACTIVE"),
            "custom_fields": counterparty.get("custom_fields") or {},
            "brand_name": counterparty.get("brand_name") or counterparty["name"],
        }
        if primary is not None:
            view["primary_address"] = address_view(primary)
        return view

    def _put(self, db: Db, kind: str, item: dict[str, Any], parent: str = "") -> None:
        self.store.put_record(db, self.workspace_id(), kind, str(item["id"]), item, parent)

    def _activity(self, db: Db, context: RequestContext, subject: Any, activity: str) -> None:
        actor = context.identity.user_email if context.identity else "anonymous"
        record_activity(db, self.workspace_id(), str(subject), activity, actor)

    # -- counterparties ------------------------------------------------------------------

    async def list_all(self, request: Request, context: RequestContext) -> Response:
        chosen = self.store.list_records(self.workspace_id(), KIND)
        views = [self.view(c) for c in chosen]
        for name, wanted in request.query_params.multi_items():
            if name == "filter__client_email_address":
                views = [
                    v
                    for v in views
                    if any(c["email"].lower() == wanted.lower() for c in v["contacts"])
                ]
            elif name.startswith("filter_custom__"):
                field = name.removeprefix("filter_custom__")
                views = [v for v in views if str(v["custom_fields"].get(field)) == wanted]
        page, limit, items = page_of(views, request)
        listing = {"page": page, "limit": limit, "total_results": len(views), "results": items}
        return answer(self.catalog, context, listing)

    async def create(self, request: Request, context: RequestContext) -> Response:
        body = await read_body(request)
        individual = bool(body.get("is_individual"))
        # our schema names it `name`; the vendor's `organization_name` (or the contact's name)
        name = body.get("organization_name") or body.get("name") or body.get("contact_name")
        if not name:
            field = "contact_name" if individual else "organization_name"
            raise ApiProblem(400, f"{field} is required.", errors=[FieldError(field, "required")])
        workspace = self.workspace_id()
        with self.store.transaction() as db:
            number = fresh_id(self.store, db, workspace, KIND)
            counterparty = {
                "id": number,
                "name": name,
                "is_individual": individual,
                "organization_type": body.get("organization_type", ""),
                "brand_name": body.get("brand_name") or name,
                "custom_fields": body.get("custom_fields") or {},
                "status": "ACTIVE",
                "created": utc_now(),
            }
            self._put(db, KIND, counterparty)
            if body.get("contact_email"):
                contact = {
                    "id": fresh_id(self.store, db, workspace, CONTACTS),
                    "name": body.get("contact_name") or name,
                    "email": body["contact_email"],
                    "is_primary": True,
                }
                self._put(db, CONTACTS, contact, str(number))
            if isinstance(body.get("primary_address"), dict):
                address = {
                    **body["primary_address"],
                    "id": fresh_id(self.store, db, workspace, ADDRESSES),
                    "is_primary": True,
                }
                self._put(db, ADDRESSES, address, str(number))
            self._activity(db, context, number, "COUNTER_PARTY_CREATED")
        return answer(self.catalog, context, self.view(counterparty))

    async def detail(self, request: Request, context: RequestContext) -> Response:
        return answer(
            self.catalog, context, self.view(self.get(int_param(context, "counterparty_id")))
        )

    async def update(self, request: Request, context: RequestContext) -> Response:
        counterparty = self.get(int_param(context, "counterparty_id"))
        body = await read_body(request)
        counterparty.update(
            {k: body[k] for k in ("name", "brand_name", "custom_fields") if k in body}
        )
        with self.store.transaction() as db:
            self._put(db, KIND, counterparty)
            self._activity(db, context, counterparty["id"], "COUNTER_PARTY_UPDATED")
        return answer(self.catalog, context, self.view(counterparty))

    # -- contacts ------------------------------------------------------------------------

    def _listing(self, request: Request, context: RequestContext, views: list[Any]) -> Response:
        page, limit, items = page_of(views, request)
        listing = {"page": page, "limit": limit, "total_results": len(views), "results": items}
        return answer(self.catalog, context, listing)

    async def contacts(self, request: Request, context: RequestContext) -> Response:
        counterparty = self.get(int_param(context, "counterparty_id"))
        views = [contact_view(c) for c in self._children(CONTACTS, counterparty["id"])]
        return self._listing(request, context, views)

    async def add_contact(self, request: Request, context: RequestContext) -> Response:
        counterparty = self.get(int_param(context, "counterparty_id"))
        body = await read_body(request)
        with self.store.transaction() as db:
            contact = {
                "id": fresh_id(self.store, db, self.workspace_id(), CONTACTS),
                "name": body["name"],
                "email": body["email"],
                "is_primary": bool(body.get("is_primary", False)),
            }
            self._save_contact(db, counterparty["id"], contact)
            self._activity(db, context, counterparty["id"], "COUNTER_PARTY_CONTACT_CREATED")
        return answer(self.catalog, context, contact_view(contact))

    def _save_contact(self, db: Db, counterparty_id: Any, contact: dict[str, Any]) -> None:
        if contact.get("is_primary"):  # one primary contact per counterparty
            for other in self._children(CONTACTS, counterparty_id):
                if other["id"] != contact["id"] and other.get("is_primary"):
                    self._put(db, CONTACTS, {**other, "is_primary": False}, str(counterparty_id))
        self._put(db, CONTACTS, contact, str(counterparty_id))

    async def update_contact(self, request: Request, context: RequestContext) -> Response:
        counterparty_id = int_param(context, "counterparty_id")
        self.get(counterparty_id)
        contact = self._child(CONTACTS, counterparty_id, int_param(context, "contact_id"))
        body = await read_body(request)
        contact.update({k: body[k] for k in ("name", "email", "is_primary") if k in body})
        with self.store.transaction() as db:
            self._save_contact(db, counterparty_id, contact)
            self._activity(db, context, counterparty_id, "COUNTER_PARTY_CONTACT_UPDATED")
        return answer(self.catalog, context, contact_view(contact))

    async def bulk_contacts(self, request: Request, context: RequestContext) -> Response:
        counterparty_id = int_param(context, "counterparty_id")
        self.get(counterparty_id)
        body = await read_body(request)
        changes = body.get("contacts") or []
        updated = []
        with self.store.transaction() as db:
            for change in changes:
                contact = self._child(CONTACTS, counterparty_id, int(change["id"]))
                contact.update(
                    {k: change[k] for k in ("name", "email", "is_primary") if k in change}
                )
                self._save_contact(db, counterparty_id, contact)
                updated.append(contact_view(contact))
            self._activity(db, context, counterparty_id, "COUNTER_PARTY_CONTACT_UPDATED")
        return answer(self.catalog, context, updated)

    async def delete_contact(self, request: Request, context: RequestContext) -> Response:
        counterparty_id = int_param(context, "counterparty_id")
        self.get(counterparty_id)
        contact = self._child(CONTACTS, counterparty_id, int_param(context, "contact_id"))
        with self.store.transaction() as db:
            self.store.delete_record(db, self.workspace_id(), CONTACTS, str(contact["id"]))
        return json_response(204, None)

    # -- addresses -----------------------------------------------------------------------

    async def addresses(self, request: Request, context: RequestContext) -> Response:
        counterparty = self.get(int_param(context, "counterparty_id"))
        views = [address_view(a) for a in self._children(ADDRESSES, counterparty["id"])]
        return self._listing(request, context, views)

    async def add_address(self, request: Request, context: RequestContext) -> Response:
        counterparty = self.get(int_param(context, "counterparty_id"))
        body = await read_body(request)
        with self.store.transaction() as db:
            address = {
                **{k: body[k] for k in (*_ADDRESS_FIELDS, "country_iso_code") if k in body},
                "id": fresh_id(self.store, db, self.workspace_id(), ADDRESSES),
                "is_primary": not self._children(ADDRESSES, counterparty["id"]),
            }
            self._put(db, ADDRESSES, address, str(counterparty["id"]))
            self._activity(db, context, counterparty["id"], "COUNTER_PARTY_ADDRESS_CREATED")
        return answer(self.catalog, context, address_view(address))

    async def update_address(self, request: Request, context: RequestContext) -> Response:
        counterparty_id = int_param(context, "counterparty_id")
        self.get(counterparty_id)
        address = self._child(ADDRESSES, counterparty_id, int_param(context, "address_id"))
        body = await read_body(request)
        address.update(
            {
                k: v
                for k, v in body.items()
                if k in (*_ADDRESS_FIELDS, "is_primary", "country_iso_code")
            }
        )
        with self.store.transaction() as db:
            if address.get("is_primary"):
                for other in self._children(ADDRESSES, counterparty_id):
                    if other["id"] != address["id"] and other.get("is_primary"):
                        self._put(
                            db, ADDRESSES, {**other, "is_primary": False}, str(counterparty_id)
                        )
            self._put(db, ADDRESSES, address, str(counterparty_id))
            self._activity(db, context, counterparty_id, "COUNTER_PARTY_ADDRESS_UPDATED")
        return answer(self.catalog, context, address_view(address))
