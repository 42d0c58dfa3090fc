"""OAuth2 client credentials (Spotnana-style): a token endpoint issues bearer tokens that
every call needs; errors carry `debugIdentifier` + `errorMessages`; PUT replaces the whole
object; new resources get UUIDs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.errorbodies import DEBUG_IDENTIFIER_STYLE
from mockserver.profiles.base import Profile, require_schemes
from mockserver.profiles.names import OAUTH2
from mockserver.profiles.oauth2.token_operation import token_operation
from spotcheck.client.families import DEFAULT_TOKEN_PATH
from spotcheck.client.families import family as client_family

if TYPE_CHECKING:
    from mockserver.auth.authenticator import Authenticator
    from mockserver.behaviours import Registration
    from mockserver.runtime import Runtime
    from mockserver.spec.versions import VersionPlan

__all__ = ["DEFAULT_TOKEN_PATH", "PROFILE", "token_path"]
_BEARER_SCHEME = "SpotcheckClientCredentials"
_FAMILY = client_family(OAUTH2)


def token_path(document: dict[str, Any]) -> str:
    """Where the mock serves client-credentials tokens: where the family's clients ask."""
    return _FAMILY.token_path(document)


class OAuth2Profile(Profile):
    name = OAUTH2
    family = _FAMILY
    error_style = DEBUG_IDENTIFIER_STYLE
    uuid_ids = True
    full_replacement = True
    hint = (
        "fixture client: POST {url} grant_type=client_credentials client_id={client_id} "
        "client_secret={client_secret}"
    )

    def declare(self, document: dict[str, Any], versions: VersionPlan | None) -> None:
        if not self.detects(document):
            flow = {"tokenUrl": DEFAULT_TOKEN_PATH, "scopes": {}}
            scheme = {"type": "oauth2", "flows": {"clientCredentials": flow}}
            require_schemes(document, {_BEARER_SCHEME: scheme})
        item = document.setdefault("paths", {}).setdefault(token_path(document), {})
        item.setdefault("post", token_operation(self.error_style.schema_name))

    def auth_routes(
        self, runtime: Runtime, authenticator: Authenticator
    ) -> tuple[Registration, ...]:
        from mockserver.behaviours import Registration
        from mockserver.profiles.oauth2.token_endpoint import TokenEndpoint

        settings = runtime.settings
        endpoint = TokenEndpoint(
            authenticator,
            lambda: runtime.workspace,  # read per request: a reset replaces the workspace
            settings.token_ttl,
            settings.token_rate_limit,
            runtime.token_requests,
            runtime.clock,
        )
        return (Registration((f"POST {token_path(runtime.schema.document)}",), endpoint),)

    def credential_hint(
        self, url: str, credentials: list[dict[str, Any]], document: dict[str, Any]
    ) -> str:
        return super().credential_hint(url + token_path(document), credentials, document)


PROFILE = OAuth2Profile()
