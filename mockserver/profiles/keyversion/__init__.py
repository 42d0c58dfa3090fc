"""API key + version (Spot Thought-style): X-Spot-Api-Key + X-Spot-Api-Secret on every call,
X-Spot-Api-Version pins a date-named version of the schema, GraphQL endpoints over the same
state as the REST operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.profiles.base import Domain, Profile, add_header_parameter, require_schemes
from mockserver.profiles.names import API_KEY_VERSION
from mockserver.spec.versions import GRAPHQL_KEY
from spotcheck.client.families import (
    API_KEY_HEADER,
    API_SECRET_HEADER,
    API_VERSION_HEADER,
)
from spotcheck.client.families import (
    family as client_family,
)

if TYPE_CHECKING:
    from mockserver.runtime import Runtime
    from mockserver.spec.versions import VersionPlan

__all__ = ["API_KEY_HEADER", "API_SECRET_HEADER", "API_VERSION_HEADER", "PROFILE"]
_KEY_SCHEME, _SECRET_SCHEME = "SpotApiKey", "SpotApiSecret"


class KeyVersionProfile(Profile):
    name = API_KEY_VERSION
    family = client_family(API_KEY_VERSION)
    # The seed documents no error body for this family: it keeps the harness's default.
    # An account key and its secret are a client id and secret under other header names.
    header_kinds = {API_KEY_HEADER.lower(): "client_id", API_SECRET_HEADER.lower(): "client_secret"}
    id_header, secret_header = API_KEY_HEADER.lower(), API_SECRET_HEADER.lower()
    version_header = family.version_header
    hint = (
        f"fixture API key: {API_KEY_HEADER}: {{client_id}}  {API_SECRET_HEADER}: {{client_secret}}"
    )

    def declare(self, document: dict[str, Any], versions: VersionPlan | None) -> None:
        if not self.detects(document):
            require_schemes(
                document,
                {
                    _KEY_SCHEME: {"type": "apiKey", "in": "header", "name": API_KEY_HEADER},
                    _SECRET_SCHEME: {"type": "apiKey", "in": "header", "name": API_SECRET_HEADER},
                },
            )
        if versions is not None:
            schema = {"type": "string", "enum": list(versions.dates)}
            add_header_parameter(document, API_VERSION_HEADER, schema)

    def domain(self, runtime: Runtime) -> Domain:
        """A GraphQL endpoint on every operation that declares one (any profile's schema)."""
        from mockserver.behaviours import Registration

        routes = {}
        schema = runtime.schema
        for operation in schema.index.operations:
            declaration = operation.definition.get(GRAPHQL_KEY)
            if isinstance(declaration, dict):
                # graphql-core is loaded only by schemas that have a GraphQL endpoint (memory)
                from mockserver.profiles.keyversion.graphql import GraphQLEndpoint

                routes[operation.key] = GraphQLEndpoint(
                    declaration,
                    runtime.store,
                    lambda: runtime.workspace.id,
                    schema.versions,
                    operation.path,
                    runtime.clock.iso,
                )
        return Domain(
            tuple(Registration((key,), handler) for key, handler in routes.items()),
            self_judged=frozenset(routes),
        )

    def fixture_client(self, credentials: list[dict[str, Any]]) -> dict[str, Any]:
        # The account keys are the fixture credentials named acct_...
        return next((c for c in credentials if c["client_id"].startswith("acct_")), credentials[0])


PROFILE = KeyVersionProfile()
