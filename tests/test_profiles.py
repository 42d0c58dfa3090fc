"""Profiles are objects in a registry; the core names no vendor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mockserver
from mockserver import profiles
from mockserver.errorbodies import DETAIL_STYLE
from mockserver.profiles import PROFILE_NAMES, Profile, detect_profile, profile
from mockserver.settings import SCHEMA_DIR
from mockserver.spec.loader import read_document

PACKAGE = Path(mockserver.__file__).parent
VENDOR_WORDS = re.compile(r"spotdraft|/api/v2|x-spot-api|client-id", re.IGNORECASE)
NOT_YET_MOVED: set[str] = set()  # every vendor word now lives in a profile package


def test_every_profile_name_has_one_registered_object():
    assert sorted(entry.name for entry in profiles.PROFILES) == sorted(PROFILE_NAMES)
    for name in PROFILE_NAMES:
        assert profile(name).name == name and isinstance(profile(name), Profile)


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ("spotdraft.yaml", profiles.SPOTDRAFT),
        ("samples/travel-users.yaml", profiles.OAUTH2),
        ("samples/participants.yaml", profiles.API_KEY_VERSION),
    ],
)
def test_each_shipped_schema_is_detected_as_its_family(schema, expected):
    assert detect_profile(read_document(str(SCHEMA_DIR / schema))) == expected


def test_a_schema_without_known_schemes_gets_the_default_profile():
    assert detect_profile({"openapi": "3.0.3", "paths": {}}) == profiles.DEFAULT_PROFILE.name


def test_a_new_family_starts_from_neutral_answers():
    """A fourth family overrides only what it changes."""

    class Plain(Profile):
        name = "plain"

    plain = Plain()
    document: dict = {"paths": {}}
    plain.declare(document, None)
    assert document == {"paths": {}}
    assert plain.error_style is DETAIL_STYLE and not plain.uuid_ids
    assert plain.resource_path("/api/v9/things") == "/api/v9/things"
    assert not plain.detects({"components": {"securitySchemes": {}}})


def test_the_core_names_no_vendor():
    """`spotdraft`, `/api/v2`, `X-Spot-Api`, `client-id` live in profile packages and data."""
    named = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        top = relative.split("/")[0]
        if top == "profiles" or top in NOT_YET_MOVED or relative in NOT_YET_MOVED:
            continue
        named += [
            f"{relative}:{number}"
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if VENDOR_WORDS.search(line)
        ]
    assert named == []
