"""Make a served schema declare what its auth profile enforces: the helpers profiles use.

Applied at load, whatever the other overlays (see `Profile.declare`): a schema that already
declares the profile's schemes is left alone; one forced into another profile (`--profile`)
gets the profile's schemes as its security, keeping operations that are explicitly open
(`security: []`), so clients and Schemathesis see the contract the mock keeps.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.spec.walk import operations


def require_schemes(document: dict[str, Any], schemes: dict[str, Any]) -> None:
    """`schemes` together become the security of the schema and of every secured operation."""
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(schemes)
    requirement: list[dict[str, list[str]]] = [{name: [] for name in schemes}]
    document["security"] = requirement
    for _path, _method, operation in operations(document):
        declared = operation.get("security")
        if declared is not None and any(declared):
            operation["security"] = copy.deepcopy(requirement)


def add_header_parameter(document: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    """An optional header `name` on every operation that does not declare it already."""
    parameter = {"name": name, "in": "header", "required": False, "schema": schema}
    for _path, _method, operation in operations(document):
        parameters = operation.setdefault("parameters", [])
        names = {str(p.get("name", "")).lower() for p in parameters if isinstance(p, dict)}
        if name.lower() not in names:
            parameters.append(dict(parameter))
