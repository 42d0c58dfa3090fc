"""Key pointers (the vendor's contract metadata) from the templates' fields: the definitions a
contract type has (`/key_pointers/?contract_type_id=`, the union of its templates' fields, as
descriptors), a contract's values (`/contracts/{id}/key_pointers`, one per field of its
template) and the update of one value, checked against the field and kept in contract_data.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver.behaviours import Handler, Registration
from mockserver.behaviours.http import read_body
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem, FieldError
from mockserver.profiles.spotdraft.contract_state import ContractStateRoutes
from mockserver.profiles.spotdraft.contracts import Actor
from mockserver.profiles.spotdraft.routing import answer, versioned
from mockserver.profiles.spotdraft.templates import (
    DESCRIPTOR_TYPES,
    attribute_v2,
    check_contract_data,
    label_of,
)


class KeyPointerRoutes(ContractStateRoutes):
    def registrations(self) -> tuple[Registration, ...]:
        table: dict[tuple[str, str], Handler] = {
            ("GET", "/key_pointers/"): self.definitions,
            ("GET", "/contracts/{composite_id}/key_pointers"): self.values,
            (
                "PATCH",
                "/contracts/{contract_id}/key_pointers/{contract_key_pointer_id}",
            ): self.update,
        }
        return versioned(table)

    def _template(self, contract: dict[str, Any]) -> dict[str, Any]:
        template = self.store.get_record(
            self.workspace_id(), "templates", str(contract.get("template_id", ""))
        )
        return template or {"id": 0, "fields": []}

    def _pointers(self, contract: dict[str, Any]) -> list[dict[str, Any]]:
        """One pointer per field of the contract's template that has a value (an uploaded
        contract has none)."""
        data = contract.get("contract_data") or {}
        return [
            {
                "id": contract["contract_id"] * 100 + index + 1,
                "value": data[field["name"]],
                "label": label_of(field),
                "field_name": field["name"],
                "data_type": DESCRIPTOR_TYPES[field.get("type", "string")][0].upper(),
                "format_option": {"format": "YYYY-MM-DD"} if field.get("type") == "date" else {},
            }
            for index, field in enumerate(self._template(contract).get("fields", []))
            if field["name"] in data
        ]

    async def definitions(self, request: Request, context: RequestContext) -> Response:
        raw = request.query_params.get("contract_type_id", "")
        if not raw.isdigit():
            raise ApiProblem(
                400,
                "contract_type_id must be a whole number.",
                errors=[FieldError("contract_type_id", "not a number")],
            )
        type_id = int(raw)
        templates = [
            t
            for t in self.store.list_records(self.workspace_id(), "templates")
            if t.get("contract_type_id") == type_id
        ]
        fields: dict[str, dict[str, Any]] = {}
        for template in templates:
            for field in template.get("fields", []):
                fields.setdefault(field["name"], field)
        section = {"id": type_id * 10 + 1, "section_type": "USER_DEFINED", "name": "Key terms"}
        definitions = [
            {
                "id": type_id * 100 + index + 1,
                "descriptors": [attribute_v2(field)],
                "section": section,
            }
            for index, field in enumerate(fields.values())
        ]
        return answer(self.catalog, context, definitions)

    async def values(self, request: Request, context: RequestContext) -> Response:
        contract = self.contract(context)
        return answer(self.catalog, context, self._pointers(contract))

    async def update(self, request: Request, context: RequestContext) -> Response:
        contract = self.contract(context)
        wanted = str(context.path_params["contract_key_pointer_id"])
        fields = self._template(contract).get("fields", [])
        index = int(wanted) - contract["contract_id"] * 100 - 1 if wanted.isdigit() else -1
        if not 0 <= index < len(fields):
            raise ApiProblem(404, f"No key pointer {wanted} on contract {contract['id']}.")
        body = await read_body(request)
        if "value" not in body:
            raise ApiProblem(400, "value is required.", errors=[FieldError("value", "required")])
        name = fields[index]["name"]
        check_contract_data(
            {**self._template(contract), "fields": [fields[index]]}, {name: body["value"]}
        )
        updated = self.contracts.update_data(
            self.workspace_id(), contract["id"], {name: body["value"]}, Actor.of(context.identity)
        )
        pointer = next(p for p in self._pointers(updated) if p["field_name"] == name)
        return answer(self.catalog, context, pointer)
