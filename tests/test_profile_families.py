"""A profile's client side is its client family: one definition of the fixture credential,
the headers a client sends and how a schema's schemes are recognised."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver import profiles
from mockserver.spec import cache
from mockserver.webhooks import cli as webhook_cli
from spotcheck.client import families
from spotcheck.client.families import Credential


@pytest.mark.parametrize("name", profiles.PROFILE_NAMES)
def test_each_profile_holds_the_client_family_of_its_name(name):
    assert profiles.profile(name).family is families.family(name)


@pytest.mark.parametrize(
    "document",
    [
        {"components": {"securitySchemes": {}}},
        {"components": {"securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "X"}}}},
        {"components": {"securitySchemes": {"b": {"type": "http", "scheme": "Bearer"}}}},
        {
            "components": {
                "securitySchemes": {"c": {"type": "apiKey", "in": "header", "name": "client-id"}}
            }
        },
        {
            "components": {
                "securitySchemes": {
                    "v": {"type": "apiKey", "in": "header", "name": "x-spot-api-key"}
                }
            }
        },
    ],
)
def test_the_mock_and_its_clients_detect_the_same_family(document):
    assert profiles.detect_profile(document) == families.detect_family(document).name


def test_the_headers_a_client_sends_per_family():
    """The values the mock-side copies used to answer (pinned: behaviour kept)."""
    held = Credential("id-1", "secret-1", user_email="a@example.com", api_version="2024-06-01")
    answers = {
        name: profiles.profile(name).family.headers(held, "tok") for name in families.FAMILY_NAMES
    }
    assert answers == {
        profiles.SPOTDRAFT: {
            "client-id": "id-1",
            "client-secret": "secret-1",
            "user-email": "a@example.com",
        },
        profiles.OAUTH2: {"Authorization": "Bearer tok"},
        profiles.API_KEY_VERSION: {
            "X-Spot-Api-Key": "id-1",
            "X-Spot-Api-Secret": "secret-1",
            "X-Spot-Api-Version": "2024-06-01",
        },
    }
    assert profiles.profile(profiles.API_KEY_VERSION).family.fixture == (
        "acct_sandbox_1001",
        "sk_test_sandbox_1001",
    )


def test_the_webhook_kit_sends_the_default_familys_fixture_credential(monkeypatch):
    monkeypatch.delenv("SPOTCHECK_CLIENT_ID", raising=False)
    monkeypatch.delenv("SPOTCHECK_CLIENT_SECRET", raising=False)
    assert webhook_cli._credential() == {
        "client-id": "uat-client-acme",
        "client-secret": "uat-secret-acme-0001",
    }
    monkeypatch.setenv("SPOTCHECK_CLIENT_ID", "mine")
    monkeypatch.setenv("SPOTCHECK_CLIENT_SECRET", "shh")
    assert webhook_cli._credential() == {"client-id": "mine", "client-secret": "shh"}


def test_the_schema_cache_key_covers_the_client_families():
    """Detection runs in families.py during the schema build: editing it must miss the cache."""
    assert Path(families.__file__).resolve() in cache.build_sources()
