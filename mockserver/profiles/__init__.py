"""Auth profiles: the conventions of one vendor family, applied to any schema.

- `spotdraft`: client-id + client-secret headers (+ user-email), bearer JWTs on dual routes.
- `oauth2-client-credentials` (Spotnana-style): a token endpoint issues bearer tokens.
- `api-key-version` (Spot Thought-style): key + secret headers, date-pinned versions, GraphQL.

Each family is one package with one `Profile` object (see `base`); this module is their
registry. A profile is read from the schema's `securitySchemes`, or forced with `--profile`.
Its client side (fixture credential, the headers a client sends) is its `family`, defined once
in `spotcheck.client.families`:

    >>> detect_profile({"components": {"securitySchemes": {}}})
    'spotdraft'
    >>> profile("api-key-version").version_header
    'X-Spot-Api-Version'
    >>> profile("spotdraft").family.fixture
    ('uat-client-acme', 'uat-secret-acme-0001')
"""

from __future__ import annotations

from typing import Any

from mockserver.profiles import keyversion, oauth2, spotdraft
from mockserver.profiles.base import Domain, Profile
from mockserver.profiles.keyversion import API_KEY_HEADER, API_SECRET_HEADER, API_VERSION_HEADER
from mockserver.profiles.names import API_KEY_VERSION, OAUTH2, PROFILE_NAMES, SPOTDRAFT
from mockserver.profiles.oauth2 import DEFAULT_TOKEN_PATH, token_path

# In the order detection tries them: the first whose schemes a schema declares wins.
PROFILES: tuple[Profile, ...] = (keyversion.PROFILE, spotdraft.PROFILE, oauth2.PROFILE)
# A schema that declares none of the families' schemes.
DEFAULT_PROFILE: Profile = spotdraft.PROFILE
_BY_NAME = {entry.name: entry for entry in PROFILES}

__all__ = [
    "API_KEY_HEADER",
    "API_KEY_VERSION",
    "API_SECRET_HEADER",
    "API_VERSION_HEADER",
    "DEFAULT_PROFILE",
    "DEFAULT_TOKEN_PATH",
    "OAUTH2",
    "PROFILES",
    "PROFILE_NAMES",
    "SPOTDRAFT",
    "Domain",
    "Profile",
    "auth_profile",
    "credential_headers",
    "detect_profile",
    "header_kinds",
    "profile",
    "resource_path",
    "token_path",
    "version_header",
]


def profile(name: str) -> Profile:
    """The profile called `name` (one of PROFILE_NAMES)."""
    return _BY_NAME[name]


auth_profile = profile  # the name the contract suite and older tests import


def detect_profile(document: dict[str, Any]) -> str:
    """The profile a schema's `securitySchemes` describe; the default's when none matches."""
    return next((entry.name for entry in PROFILES if entry.detects(document)), DEFAULT_PROFILE.name)


def header_kinds() -> dict[str, str]:
    """Every family's credential headers and their checks: a schema may declare any family's
    schemes whichever profile serves it."""
    return {header: kind for entry in PROFILES for header, kind in entry.header_kinds.items()}


def credential_headers() -> frozenset[str]:
    """Every header any family uses for a credential or an identity: each may be sent once."""
    return frozenset(
        header
        for entry in PROFILES
        for header in (entry.id_header, entry.secret_header, *entry.identity_headers)
        if header
    )


def version_header() -> str:
    """The header that pins a dated version (the family with dated versions names it)."""
    return next(entry.version_header for entry in PROFILES if entry.version_header)


def resource_path(path: str) -> str:
    """`path` as state is kept for it: each family drops what does not name a resource."""
    for entry in PROFILES:
        path = entry.resource_path(path)
    return path
