"""The client side of each vendor family (spotcheck.client): headers, and an OAuth token that
is fetched once and only fetched again shortly before it expires; the mock serves the other
side, so what the client sends is checked against something it did not write."""

from __future__ import annotations

from mockserver.app import create_app
from mockserver.settings import SCHEMA_DIR
from spotcheck.client.auth import ClientAuth
from spotcheck.client.errors import ClientError
from spotcheck.client.families import (
    API_KEY_VERSION,
    FAMILIES,
    OAUTH2,
    SPOTDRAFT,
    Credential,
    detect_family,
    family,
)
from spotcheck.client.pacing import Pacer
from spotcheck.client.servers import serve_in_thread
from spotcheck.client.tokens import REFRESH_MARGIN, TokenCache, fetch_token

TRAVEL = str(SCHEMA_DIR / "samples" / "travel-users.yaml")


def test_headers_per_profile():
    spotdraft = ClientAuth.create(SPOTDRAFT, "http://x", "/t", "id", "secret", user_email="a@b")
    assert spotdraft.headers() == {
        "client-id": "id",
        "client-secret": "secret",
        "user-email": "a@b",
    }
    keyed = ClientAuth.create(
        API_KEY_VERSION, "http://x", "/t", "acct_1", "sk_1", None, "2024-06-01"
    )
    assert keyed.headers() == {
        "X-Spot-Api-Key": "acct_1",
        "X-Spot-Api-Secret": "sk_1",
        "X-Spot-Api-Version": "2024-06-01",
    }


def test_token_is_cached_until_shortly_before_it_expires(settings):
    now = [1000.0]
    app = create_app(settings.replace(spec=TRAVEL, token_ttl=300, cache_dir=""))
    with serve_in_thread(app) as url:
        cache = TokenCache(clock=lambda: now[0])
        auth = ClientAuth(
            family(OAUTH2),
            Credential("uat-client-acme", "uat-secret-acme-0001"),
            token_url=f"{url}/v2/auth/oauth2-token",
            tokens=cache,
        )
        first = auth.headers()
        now[0] += 300 - REFRESH_MARGIN - 1
        assert auth.headers() == first and cache.fetches == 1
        now[0] += 2  # inside the refresh margin
        auth.headers()
        assert cache.fetches == 2


def test_a_refused_token_request_says_so_without_the_secret(settings):
    app = create_app(settings.replace(spec=TRAVEL, cache_dir=""))
    with serve_in_thread(app) as url:
        try:
            fetch_token(f"{url}/v2/auth/oauth2-token", "uat-client-acme", "wrong-secret-9")
        except ClientError as error:
            message = str(error)
        else:
            raise AssertionError("a wrong secret got a token")
    assert "401" in message and "wrong-secret-9" not in message


def test_each_family_is_detected_from_the_schemas_we_ship(settings):
    """The client reads the family from the published schema as the mock does from the same
    file (the mock's own detection is the other side's; they must agree)."""
    from contract_tests.contract import load_contract
    from mockserver.spec import load_schema

    for sample in ("spotdraft.yaml", "samples/travel-users.yaml", "samples/participants.yaml"):
        source = str(SCHEMA_DIR / sample)
        assert load_contract(source).profile == load_schema(source).profile, sample
    assert detect_family({"openapi": "3.0.3", "paths": {}}).name == SPOTDRAFT


def test_the_mock_takes_each_familys_fixture_credential(settings):
    """Each family's headers and fixture credential, sent to the mock serving that family."""
    import httpx

    samples = {
        SPOTDRAFT: ("spotdraft.yaml", "/api/v2.1/public/contract_types/"),
        OAUTH2: ("samples/travel-users.yaml", "/v2/companies"),
        API_KEY_VERSION: ("samples/participants.yaml", "/participants"),
    }
    for entry in FAMILIES:
        sample, path = samples[entry.name]
        app = create_app(settings.replace(spec=str(SCHEMA_DIR / sample), cache_dir=""))
        with serve_in_thread(app) as url:
            auth = ClientAuth.create(entry.name, url, entry.token_path({}), *entry.fixture)
            assert httpx.get(url + path, headers=auth.headers()).status_code == 200, entry.name
            assert httpx.get(url + path).status_code == 401, entry.name


def test_the_pacer_spaces_calls_without_sleeping_past_their_slot():
    now, slept = [100.0], []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        pacer.wait()
    assert slept == [0.0, 0.25, 0.25, 0.25, 0.25]
    unpaced = Pacer(0, clock=lambda: now[0], sleep=sleep)
    unpaced.wait()
    assert len(slept) == 5
