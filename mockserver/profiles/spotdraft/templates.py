"""Templates from state: the list (with its documented filters), details with tags, the tag
update, and the metadata an integrator builds `contract_data` from.

A fixture template's `fields[]` are the one source: the metadata's attributes are derived
from them, and creating a contract checks `contract_data` against the same fields, so a
contract built from the metadata is accepted and one that ignores it is not.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver.behaviours import Handler, Registration
from mockserver.behaviours.generic import read_body
from mockserver.context import RequestContext
from mockserver.errors import ApiProblem, FieldError
from mockserver.profiles.spotdraft.routing import (
    StateRoutes,
    answer,
    api_version,
    boolean_query,
    int_param,
    versioned,
)

KIND = "templates"
CP_TYPES = ("Organisation", "Individual")

# fixture field type -> (v2/v2.1 CfPublicDescriptorType, v1 QuestionVariableType)
DESCRIPTOR_TYPES: dict[str, tuple[str, str]] = {
    "string": ("string", "string"),
    "integer": ("int", "number"),
    "number": ("float", "number"),
    "date": ("date", "date"),
    "boolean": ("boolean", "check-box"),
    "enum": ("enum", "dropdown"),
    "multi_select": ("array of options", "multi-dropdown"),
    "list": ("array of strings", "multi-text-input"),
}


def label_of(field: dict[str, Any]) -> str:
    return str(field.get("label") or field["name"].replace("_", " ").capitalize())


def attribute_v2(field: dict[str, Any]) -> dict[str, Any]:
    """One CfPublicDescriptor of the template's field."""
    kind = field.get("type", "string")
    attribute: dict[str, Any] = {
        "display_label": label_of(field),
        "variable": field["name"],
        "type": DESCRIPTOR_TYPES[kind][0],
        "required": bool(field.get("required", False)),
        "parent_required": False,
        "question": f"What is the {label_of(field).lower()}?",
        # the vendor lists every key of a descriptor, empty where it does not apply
        "options": [dict(option) for option in field.get("options", [])],
        "attributes": [],
        "default_value": field.get("default"),
        "help_text": str(field.get("help_text") or _help(kind, field)),
        "parent_variable": "",
        "parent_type": "",
        "child_variable": "",
    }
    return attribute


def attribute_v1(field: dict[str, Any]) -> dict[str, Any]:
    """One TemplateMetaItem (v1) of the template's field."""
    return {
        "variable": field["name"],
        "mandatory": bool(field.get("required", False)),
        "type": DESCRIPTOR_TYPES[field.get("type", "string")][1],
        "options": [dict(option) for option in field.get("options", [])],
    }


def _help(kind: str, field: dict[str, Any]) -> str:
    return {
        "date": "A calendar date, YYYY-MM-DD.",
        "integer": "A whole number.",
        "number": "A number; decimals allowed.",
        "boolean": "true or false.",
        "enum": "One of the option values.",
        "multi_select": "A list of option values.",
        "list": "A list of texts.",
    }.get(kind, f"Free text for the {label_of(field).lower()}.")


def counterparty_kind(template: dict[str, Any]) -> str:
    """CounterPartyKindEnum of the template: Individual, Organisation or Both."""
    kinds = set(template.get("cp_types") or ["Organisation"])
    return kinds.pop() if len(kinds) == 1 else "Both"


def list_entry(template: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": template["id"],
        "name": template["name"],
        "contract_type_id": template["contract_type_id"],
    }


def details(template: dict[str, Any]) -> dict[str, Any]:
    return {**list_entry(template), "tags": list(template.get("tags", []))}


def _fits(field: dict[str, Any], value: Any) -> bool:
    kind = field.get("type", "string")
    options = {option.get("value") for option in field.get("options", [])}
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int | float)
    if kind == "date":
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True
    if kind == "enum":
        return value in options
    if kind == "multi_select":
        return isinstance(value, list) and all(item in options for item in value)
    if kind == "list":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, str)


def check_contract_data(template: dict[str, Any], data: Any) -> None:
    """contract_data against the template's fields: required present, types right, no strangers."""
    if not isinstance(data, dict):
        raise ApiProblem(
            400,
            "contract_data must be an object.",
            errors=[FieldError("contract_data", "not an object")],
        )
    fields = {field["name"]: field for field in template.get("fields", [])}
    errors = [
        FieldError(f"contract_data.{name}", "required by the template")
        for name, field in fields.items()
        if field.get("required") and name not in data
    ]
    for name, value in data.items():
        field = fields.get(name)
        if field is None:
            errors.append(
                FieldError(f"contract_data.{name}", f"not a field of template {template['id']}")
            )
        elif not _fits(field, value):
            wanted = DESCRIPTOR_TYPES[field.get("type", "string")][0]
            errors.append(FieldError(f"contract_data.{name}", f"must be a {wanted}"))
    if errors:
        raise ApiProblem(
            400,
            f"contract_data does not fit template {template['id']}: "
            f"{errors[0].field}: {errors[0].message}",
            errors=errors,
        )


def check_counterparties(template: dict[str, Any], parties: Any) -> None:
    """The counterparties a template takes: their kind, and one only unless multi-party."""
    if not isinstance(parties, list):
        return
    kinds = set(template.get("cp_types") or ["Organisation"])
    for index, party in enumerate(parties):
        kind = "Individual" if (party or {}).get("is_individual") else "Organisation"
        if kind not in kinds:
            raise ApiProblem(
                400,
                f"Template {template['id']} takes {' or '.join(sorted(kinds))} counterparties, "
                f"not {kind}.",
                errors=[FieldError(f"counter_party_details[{index}].is_individual", kind)],
            )
    if len(parties) > 1 and not template.get("multi_party"):
        raise ApiProblem(
            400,
            f"Template {template['id']} takes one counterparty.",
            errors=[FieldError("counter_party_details", "one counterparty only")],
        )


def select(templates: list[dict[str, Any]], query: Any) -> list[dict[str, Any]]:
    """The documented filters of the template list (query: Starlette's QueryParams)."""
    if not boolean_query(query, "include_archived"):
        templates = [t for t in templates if not t.get("archived")]
    if boolean_query(query, "exclude_multi_party"):
        templates = [t for t in templates if not t.get("multi_party")]
    tags = query.getlist("tags")
    if tags:  # the template's tags are a subset of those passed
        templates = [t for t in templates if set(t.get("tags", [])) <= set(tags)]
    tags_all = query.getlist("tags_all")
    if tags_all:  # those passed are a subset of the template's tags
        templates = [t for t in templates if set(tags_all) <= set(t.get("tags", []))]
    cp_type = query.get("cp_types")
    if cp_type:
        if cp_type not in CP_TYPES:
            raise ApiProblem(
                400,
                f"cp_types must be Organisation or Individual, not {cp_type!r}.",
                errors=[FieldError("cp_types", "not a counterparty type")],
            )
        every = boolean_query(query, "cp_types_all")
        templates = [
            t
            for t in templates
            if (
                set(t.get("cp_types") or ["Organisation"]) == {cp_type}
                if every
                else cp_type in (t.get("cp_types") or ["Organisation"])
            )
        ]
    return templates


METADATA_KIND = "templates/metadata"  # attributes recorded upstream (`spotcheck seed`)


class TemplateRoutes(StateRoutes):
    def registrations(self) -> tuple[Registration, ...]:
        table: dict[tuple[str, str], Handler] = {
            ("GET", "/templates/"): self.list,
            ("GET", "/templates/{template_id}/"): self.detail,
            ("PATCH", "/templates/{template_id}/"): self.update,
            ("GET", "/templates/{template_id}/metadata"): self.metadata,
        }
        return versioned(table)

    def get(self, template_id: int) -> dict[str, Any]:
        template = self.store.get_record(self.workspace_id(), KIND, str(template_id))
        if template is None:
            raise ApiProblem(404, f"No template with id {template_id}.")
        return template

    async def list(self, request: Request, context: RequestContext) -> Response:
        templates = sorted(
            self.store.list_records(self.workspace_id(), KIND), key=lambda t: int(t["id"])
        )
        chosen = select(templates, request.query_params)
        return answer(self.catalog, context, {"items": [list_entry(t) for t in chosen]})

    async def detail(self, request: Request, context: RequestContext) -> Response:
        return answer(self.catalog, context, details(self.get(int_param(context, "template_id"))))

    async def update(self, request: Request, context: RequestContext) -> Response:
        template = self.get(int_param(context, "template_id"))
        body = await read_body(request)
        tags = body.get("tags", template.get("tags", []))
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise ApiProblem(400, "tags must be a list of texts.", errors=[FieldError("tags", "")])
        template["tags"] = list(dict.fromkeys(tags))
        with self.store.transaction() as db:
            self.store.put_record(db, self.workspace_id(), KIND, str(template["id"]), template)
        return answer(self.catalog, context, details(template))

    async def metadata(self, request: Request, context: RequestContext) -> Response:
        template = self.get(int_param(context, "template_id"))
        fields = template.get("fields", [])
        if api_version(context) == "v1":
            return answer(self.catalog, context, {"attributes": [attribute_v1(f) for f in fields]})
        # A workspace seeded from a recording answers the attributes upstream listed.
        recorded = self.store.list_records(
            self.workspace_id(), METADATA_KIND, parent=str(template["id"])
        )
        body = {
            "attributes": recorded or [attribute_v2(f) for f in fields],
            "counter_party_kind": counterparty_kind(template),
        }
        return answer(self.catalog, context, body)
