"""Auth profiles: the conventions of one vendor family, applied to any schema.

- `spotdraft`: client-id + client-secret headers (+ user-email), bearer JWTs on dual routes.
- `oauth2-client-credentials` (Spotnana-style): a token endpoint issues bearer tokens that
  every call needs; errors carry `debugIdentifier` + `errorMessages`; PUT replaces the whole
  object; new resources get UUIDs.
- `api-key-version` (Spot Thought-style): X-Spot-Api-Key + X-Spot-Api-Secret on every call,
  X-Spot-Api-Version pins a date-named version of the schema.

A profile is read from the schema's `securitySchemes`, or forced with `--profile`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mockserver.errorbodies import DEBUG_IDENTIFIER_STYLE, DETAIL_STYLE, ErrorStyle

SPOTDRAFT = "spotdraft"
OAUTH2 = "oauth2-client-credentials"
API_KEY_VERSION = "api-key-version"
PROFILE_NAMES = (SPOTDRAFT, OAUTH2, API_KEY_VERSION)

DEFAULT_TOKEN_PATH = "/v2/auth/oauth2-token"
API_KEY_HEADER = "X-Spot-Api-Key"
API_SECRET_HEADER = "X-Spot-Api-Secret"
API_VERSION_HEADER = "X-Spot-Api-Version"


@dataclass(frozen=True)
class AuthProfile:
    """What changes between vendor families, beyond the checks in `mockserver.auth`."""

    name: str
    error_style: ErrorStyle
    uuid_ids: bool = False  # new resources get UUIDs rather than numbers
    full_replacement: bool = False  # a PUT must send the complete object


_PROFILES = {
    SPOTDRAFT: AuthProfile(SPOTDRAFT, DETAIL_STYLE),
    OAUTH2: AuthProfile(OAUTH2, DEBUG_IDENTIFIER_STYLE, uuid_ids=True, full_replacement=True),
    # The seed documents no error body for this family: it keeps the harness's default.
    API_KEY_VERSION: AuthProfile(API_KEY_VERSION, DETAIL_STYLE),
}


# The UAT fixture credential (fixtures/uat.json) clients use by default, per profile.
_FIXTURE_CREDENTIALS = {API_KEY_VERSION: ("acct_sandbox_1001", "sk_test_sandbox_1001")}
_FIXTURE_CLIENT = ("uat-client-acme", "uat-secret-acme-0001")


def fixture_credential(profile: str) -> tuple[str, str]:
    """(id, secret) of the UAT fixture credential that suits `profile`."""
    return _FIXTURE_CREDENTIALS.get(profile, _FIXTURE_CLIENT)


def client_headers(
    profile: str,
    client_id: str,
    client_secret: str,
    *,
    token: str = "",
    api_version: str | None = None,
    user_email: str | None = None,
) -> dict[str, str]:
    """The headers a client sends on every call in `profile` (`token`: its OAuth token)."""
    if profile == OAUTH2:
        return {"Authorization": f"Bearer {token}"}
    if profile == API_KEY_VERSION:
        headers = {API_KEY_HEADER: client_id, API_SECRET_HEADER: client_secret}
        if api_version:
            headers[API_VERSION_HEADER] = api_version
        return headers
    headers = {"client-id": client_id, "client-secret": client_secret}
    if user_email:
        headers["user-email"] = user_email
    return headers


def auth_profile(name: str) -> AuthProfile:
    return _PROFILES[name]


def _schemes(document: dict[str, Any]) -> dict[str, Any]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    return {name: scheme for name, scheme in schemes.items() if isinstance(scheme, dict)}


def _header_name(scheme: dict[str, Any]) -> str:
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        return str(scheme.get("name", "")).lower()
    return ""


def detect_profile(document: dict[str, Any]) -> str:
    """The profile a schema's `securitySchemes` describe; `spotdraft` when none matches."""
    schemes = list(_schemes(document).values())
    headers = {_header_name(scheme) for scheme in schemes}
    if API_KEY_HEADER.lower() in headers:
        return API_KEY_VERSION
    if "client-id" in headers:
        return SPOTDRAFT
    if any(_is_bearer(scheme) for scheme in schemes):
        return OAUTH2
    return SPOTDRAFT


def _is_bearer(scheme: dict[str, Any]) -> bool:
    if scheme.get("type") == "oauth2":
        return "clientCredentials" in (scheme.get("flows") or {})
    return scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer"


def token_path(document: dict[str, Any]) -> str:
    """Where the mock serves client-credentials tokens: the path of the schema's tokenUrl."""
    for scheme in _schemes(document).values():
        flow = (scheme.get("flows") or {}).get("clientCredentials") or {}
        if flow.get("tokenUrl"):
            return urlsplit(str(flow["tokenUrl"])).path or DEFAULT_TOKEN_PATH
    return DEFAULT_TOKEN_PATH
