"""SpotDraft: client-id + client-secret headers (+ user-email), bearer JWTs on dual routes,
the `detail` error body, and the contract, counterparty and webhook domain under
`/api/<version>/public`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mockserver.profiles.base import Domain, Profile, WebhookKit
from mockserver.profiles.names import SPOTDRAFT
from spotcheck.client.families import family as client_family

if TYPE_CHECKING:
    from mockserver.runtime import Runtime

# v2 and v2.1 of one resource share state, as they do in the real service.
_VERSION_PREFIX = re.compile(r"^/api/v[0-9.]+/public")


class SpotDraftProfile(Profile):
    name = SPOTDRAFT
    family = client_family(SPOTDRAFT)
    header_kinds = {
        "client-id": "client_id",
        "client-secret": "client_secret",
        "clickwrap-id": "clickwrap",
        "origin": "origin",
    }
    id_header, secret_header = "client-id", "client-secret"
    identity_headers = frozenset({"user-email", "x-sd-auth-type"})
    hint = "fixture credential: client-id: {client_id}  client-secret: {client_secret}"
    model_title = "SpotDraft public API (spotcheck model)"
    servers = tuple(f"https://api.{region}.spotdraft.com" for region in ("us", "eu", "in", "me"))

    def webhook_kit(self) -> WebhookKit:
        from mockserver.profiles.spotdraft.webhook_trigger import HMAC_KEY_PATH, RECIPES, trigger

        return WebhookKit(HMAC_KEY_PATH, tuple(sorted(RECIPES)), trigger)

    def resource_path(self, path: str) -> str:
        return _VERSION_PREFIX.sub("", path)

    def domain(self, runtime: Runtime) -> Domain:
        # Imported here: loading a schema or a client's headers needs none of the domain.
        from mockserver.profiles.spotdraft.domain import spotdraft_domain

        return spotdraft_domain(runtime)


PROFILE = SpotDraftProfile()
