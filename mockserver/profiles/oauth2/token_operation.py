"""The token operation the oauth2 profile adds to a served schema that lacks one."""

from __future__ import annotations

from typing import Any

TOKEN_OPERATION_ID = "spotcheck_issue_token"


def token_operation(error_schema_name: str) -> dict[str, Any]:
    """POST with a client-credentials grant; errors in the profile's error body."""
    error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{error_schema_name}"}}}
    return {
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
