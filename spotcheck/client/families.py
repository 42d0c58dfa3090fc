"""The client side of each vendor family: which headers carry the credential, whether it is
first traded for an OAuth token, which header pins a version, what an error body looks like.

One object per family; the registry reads a family from a schema's `securitySchemes`
(the first that matches, in `FAMILIES` order) or takes the one a user names:

    >>> detect_family({"components": {"securitySchemes": {}}}).name
    'spotdraft'
    >>> family("api-key-version").headers(Credential("acct_1", "sk_1", api_version="2024-06-01"))
    {'X-Spot-Api-Key': 'acct_1', 'X-Spot-Api-Secret': 'sk_1', 'X-Spot-Api-Version': '2024-06-01'}

The mock keeps the server side of the same families (`mockserver.profiles`); it may read
these objects, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

SPOTDRAFT = "spotdraft"
OAUTH2 = "oauth2-client-credentials"
API_KEY_VERSION = "api-key-version"


@dataclass(frozen=True)
class Credential:
    """What a client holds: its id and secret, whom it acts as, the version it pins."""

    client_id: str
    client_secret: str = field(repr=False)
    user_email: str | None = None
    api_version: str | None = None


class ClientFamily:
    """How a client of one vendor family authenticates; every answer neutral by default."""

    name: str = ""
    fixture: tuple[str, str] = ("uat-client-acme", "uat-secret-acme-0001")  # fixtures/uat.json
    version_header: str = ""  # the header that pins a dated version, if the family has one
    secret_headers: frozenset[str] = frozenset()  # lower case; masked wherever shown
    uses_token: bool = False  # the credential is traded for a bearer token first

    def detects(self, document: dict[str, Any]) -> bool:
        """Whether the schema's `securitySchemes` are this family's."""
        return False

    def headers(self, credential: Credential, token: str = "") -> dict[str, str]:
        """The headers every call carries (`token`: the bearer token, for a token family)."""
        return {}

    def basic_auth(self, credential: Credential) -> tuple[str, str] | None:
        """The credential as HTTP Basic too, for routes that take it that way."""
        return None

    def token_path(self, document: dict[str, Any]) -> str:
        """Where tokens are issued (a token family only)."""
        return ""

    def error_body_problem(self, body: Any) -> str | None:
        """What a 4xx body lacks of the family's documented error shape (None: it fits)."""
        if isinstance(body, dict) and {"detail", "message"} & set(body):
            return None
        return "lacks the vendor's detail/message body"


def schemes(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema's security schemes that are objects."""
    declared = (document.get("components") or {}).get("securitySchemes") or {}
    return [scheme for scheme in declared.values() if isinstance(scheme, dict)]


def _api_key_headers(document: dict[str, Any]) -> set[str]:
    return {
        str(scheme.get("name", "")).lower()
        for scheme in schemes(document)
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header"
    }


class SpotDraftClient(ClientFamily):
    """client-id + client-secret (+ user-email) on every call; Basic on native routes."""

    name = SPOTDRAFT
    secret_headers = frozenset({"client-secret"})

    def detects(self, document: dict[str, Any]) -> bool:
        return "client-id" in _api_key_headers(document)

    def headers(self, credential: Credential, token: str = "") -> dict[str, str]:
        sent = {"client-id": credential.client_id, "client-secret": credential.client_secret}
        if credential.user_email:
            sent["user-email"] = credential.user_email
        return sent

    def basic_auth(self, credential: Credential) -> tuple[str, str] | None:
        return credential.client_id, credential.client_secret


DEFAULT_TOKEN_PATH = "/v2/auth/oauth2-token"


class OAuth2Client(ClientFamily):
    """Spotnana-style: a client-credentials token, sent as a bearer token on every call."""

    name = OAUTH2
    secret_headers = frozenset({"authorization"})
    uses_token = True

    def detects(self, document: dict[str, Any]) -> bool:
        for scheme in schemes(document):
            kind = scheme.get("type")
            if kind == "oauth2" and "clientCredentials" in (scheme.get("flows") or {}):
                return True
            if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                return True
        return False

    def headers(self, credential: Credential, token: str = "") -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def token_path(self, document: dict[str, Any]) -> str:
        for scheme in schemes(document):
            flow = (scheme.get("flows") or {}).get("clientCredentials") or {}
            if flow.get("tokenUrl"):
                return urlsplit(str(flow["tokenUrl"])).path or DEFAULT_TOKEN_PATH
        return DEFAULT_TOKEN_PATH

    def error_body_problem(self, body: Any) -> str | None:
        messages = body.get("errorMessages") if isinstance(body, dict) else None
        if (
            isinstance(messages, list)
            and messages
            and all(isinstance(m, dict) and m.get("errorCode") for m in messages)
            and "debugIdentifier" in body
        ):
            return None
        return "lacks the debugIdentifier/errorMessages body"


API_KEY_HEADER, API_SECRET_HEADER = "X-Spot-Api-Key", "X-Spot-Api-Secret"
API_VERSION_HEADER = "X-Spot-Api-Version"


class KeyVersionClient(ClientFamily):
    """Spot Thought-style: an account key and secret on every call, a pinned dated version."""

    name = API_KEY_VERSION
    fixture = ("acct_sandbox_1001", "sk_test_sandbox_1001")
    version_header = API_VERSION_HEADER
    secret_headers = frozenset({API_SECRET_HEADER.lower()})

    def detects(self, document: dict[str, Any]) -> bool:
        return API_KEY_HEADER.lower() in _api_key_headers(document)

    def headers(self, credential: Credential, token: str = "") -> dict[str, str]:
        sent = {API_KEY_HEADER: credential.client_id, API_SECRET_HEADER: credential.client_secret}
        if credential.api_version:
            sent[API_VERSION_HEADER] = credential.api_version
        return sent


# In the order detection tries them; a schema that declares none is the default's.
FAMILIES: tuple[ClientFamily, ...] = (KeyVersionClient(), SpotDraftClient(), OAuth2Client())
DEFAULT_FAMILY = FAMILIES[1]
FAMILY_NAMES = (SPOTDRAFT, OAUTH2, API_KEY_VERSION)
_BY_NAME = {entry.name: entry for entry in FAMILIES}


def family(name: str) -> ClientFamily:
    """The family called `name` (one of FAMILY_NAMES); KeyError otherwise."""
    return _BY_NAME[name]


def detect_family(document: dict[str, Any]) -> ClientFamily:
    """The family a schema's `securitySchemes` describe; the default's when none matches."""
    return next((entry for entry in FAMILIES if entry.detects(document)), DEFAULT_FAMILY)


def secret_headers() -> frozenset[str]:
    """Every header (lower case) any family sends a secret in, and cookies."""
    return frozenset({"cookie"}).union(*(entry.secret_headers for entry in FAMILIES))
