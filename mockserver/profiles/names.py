"""The names of the auth profiles, for settings and the command line.

A leaf module: settings validate `--profile` against these (and find the shipped schema)
without loading any profile.
"""

from __future__ import annotations

SPOTDRAFT = "spotdraft"
OAUTH2 = "oauth2-client-credentials"
API_KEY_VERSION = "api-key-version"
PROFILE_NAMES = (SPOTDRAFT, OAUTH2, API_KEY_VERSION)

# The schema spotcheck serves when given none (in spotcheck.openapi): the default family's.
SHIPPED_SCHEMA = "spotdraft.yaml"
