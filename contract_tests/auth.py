"""How the contract suite authenticates: its family's client side (`spotcheck.client`).

- spotdraft: client-id / client-secret headers (and user-email when given);
- oauth2-client-credentials: one token from the token endpoint, reused until shortly before
  it expires - the way the vendor asks integrators to behave;
- api-key-version: X-Spot-Api-Key / X-Spot-Api-Secret, and X-Spot-Api-Version when pinned.

`ProfileAuth` is the suite's name for `spotcheck.client.auth.ClientAuth`.
"""

from __future__ import annotations

from spotcheck.client.auth import ClientAuth
from spotcheck.client.tokens import REFRESH_MARGIN, TokenCache, fetch_token, token_grant

ProfileAuth = ClientAuth

__all__ = ["REFRESH_MARGIN", "ProfileAuth", "TokenCache", "fetch_token", "token_grant"]
