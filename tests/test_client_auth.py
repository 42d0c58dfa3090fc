"""The contract suite's client side of each auth profile: headers, and an OAuth token that is
fetched once and only fetched again shortly before it expires."""

from __future__ import annotations

from contract_tests.auth import REFRESH_MARGIN, ProfileAuth, TokenCache, fetch_token
from contract_tests.inprocess import serve_in_thread
from mockserver.app import create_app
from mockserver.errors import SpotcheckError
from mockserver.profiles import API_KEY_VERSION, OAUTH2, SPOTDRAFT
from mockserver.settings import SCHEMA_DIR

TRAVEL = str(SCHEMA_DIR / "samples" / "travel-users.yaml")


def test_headers_per_profile():
    spotdraft = ProfileAuth.create(SPOTDRAFT, "http://x", "/t", "id", "secret", user_email="a@b")
    assert spotdraft.headers() == {
        "client-id": "id",
        "client-secret": "secret",
        "user-email": "a@b",
    }
    keyed = ProfileAuth.create(
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
        auth = ProfileAuth(
            OAUTH2,
            "uat-client-acme",
            "uat-secret-acme-0001",
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
        except SpotcheckError as error:
            message = str(error)
        else:
            raise AssertionError("a wrong secret got a token")
    assert "401" in message and "wrong-secret-9" not in message
