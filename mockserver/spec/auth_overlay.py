"""Make a schema declare what its auth profile enforces, so clients and Schemathesis see it.

Applied at load, whatever the other overlays: a schema that already declares the profile's
schemes is left alone; one forced into another profile (`--profile`) gets the profile's
schemes as its security, keeping operations that are explicitly open (`security: []`).
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.profiles import (
    API_KEY_HEADER,
    API_KEY_VERSION,
    API_SECRET_HEADER,
    API_VERSION_HEADER,
    DEFAULT_TOKEN_PATH,
    OAUTH2,
    detect_profile,
    token_path,
)
from mockserver.spec.versions import VersionPlan
from mockserver.spec.walk import operations

_BEARER_SCHEME = "SpotcheckClientCredentials"
_KEY_SCHEME, _SECRET_SCHEME = "SpotApiKey", "SpotApiSecret"
TOKEN_OPERATION_ID = "spotcheck_issue_token"


def apply_auth_profile(
    document: dict[str, Any], profile: str, error_schema_name: str, versions: VersionPlan | None
) -> None:
    """Declare `profile`'s security (and token endpoint, and version header) in place."""
    if profile == OAUTH2:
        if detect_profile(document) != OAUTH2:
            _require(document, {_BEARER_SCHEME: _client_credentials_scheme()})
        _add_token_operation(document, error_schema_name)
    elif profile == API_KEY_VERSION:
        if detect_profile(document) != API_KEY_VERSION:
            _require(
                document,
                {
                    _KEY_SCHEME: {"type": "apiKey", "in": "header", "name": API_KEY_HEADER},
                    _SECRET_SCHEME: {"type": "apiKey", "in": "header", "name": API_SECRET_HEADER},
                },
            )
        if versions is not None:
            _add_version_header(document, versions)


def _client_credentials_scheme() -> dict[str, Any]:
    return {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": DEFAULT_TOKEN_PATH, "scopes": {}}},
    }


def _require(document: dict[str, Any], schemes: dict[str, Any]) -> None:
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(schemes)
    requirement: list[dict[str, list[str]]] = [{name: [] for name in schemes}]
    document["security"] = requirement
    for _path, _method, operation in operations(document):
        declared = operation.get("security")
        if declared is not None and any(declared):
            operation["security"] = copy.deepcopy(requirement)


def _add_token_operation(document: dict[str, Any], error_schema_name: str) -> None:
    path = token_path(document)
    item = document.setdefault("paths", {}).setdefault(path, {})
    if "post" in item:
        return
    error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{error_schema_name}"}}}
    item["post"] = {
        "operationId": TOKEN_OPERATION_ID,
        "tags": ["auth"],
        "security": [],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                        },
                    }
                }
            },
        },
        "responses": {
            "200": {
                "description": "A bearer token for every other call",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["access_token", "expires_in", "token_type"],
                            "properties": {
                                "access_token": {"type": "string"},
                                "expires_in": {"type": "integer"},
                                "token_type": {"type": "string", "enum": ["Bearer"]},
                            },
                        }
                    }
                },
            },
            "400": {"description": "Missing or unsupported grant", "content": error},
            "401": {"description": "Unknown client or wrong secret", "content": error},
            "429": {
                "description": "Tokens are requested too often: cache them until they expire",
                "content": error,
                "headers": {
                    "Retry-After": {"schema": {"type": "integer", "minimum": 0}, "required": True}
                },
            },
        },
    }


def _add_version_header(document: dict[str, Any], versions: VersionPlan) -> None:
    parameter = {
        "name": API_VERSION_HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "enum": list(versions.dates)},
    }
    for _path, _method, operation in operations(document):
        parameters = operation.setdefault("parameters", [])
        names = {str(p.get("name", "")).lower() for p in parameters if isinstance(p, dict)}
        if API_VERSION_HEADER.lower() not in names:
            parameters.append(dict(parameter))
