"""The names of the auth profiles, for settings and the command line.

A leaf module: settings validate `--profile` against these (and find the shipped schema)
without loading any profile. The names are the client families' (`spotcheck.client.families`,
stdlib only): a profile and its client side are one family under one name.
"""

from __future__ import annotations

from spotcheck.client.families import API_KEY_VERSION, FAMILY_NAMES, OAUTH2, SPOTDRAFT

__all__ = ["API_KEY_VERSION", "OAUTH2", "PROFILE_NAMES", "SHIPPED_SCHEMA", "SPOTDRAFT"]

PROFILE_NAMES = FAMILY_NAMES

# The schema spotcheck serves when given none (in spotcheck.openapi): the default family's.
SHIPPED_SCHEMA = "spotdraft.yaml"
