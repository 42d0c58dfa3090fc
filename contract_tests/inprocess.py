"""The embedded mock: the one module of the suite that imports `mockserver`.

Without --base-url the suite tests a mock it starts itself (uvicorn in a thread); only the
`contract_base_url` fixture imports this module, and only then. Everything else of the
suite - the contract it reads, the credential it sends, its checks and reports - is the
client side (`spotcheck.client`, `contract_tests.contract`) and knows nothing of the mock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from mockserver.app import create_app
from mockserver.settings import Settings
from spotcheck.client.servers import free_port, serve_in_thread

# What `spotcheck serve` reads to add a credential to the UAT workspace at start-up.
CREDENTIAL_VARIABLES = ("SPOTCHECK_CLIENT_ID", "SPOTCHECK_CLIENT_SECRET")


def with_environment_credential(settings: Settings, environ: Mapping[str, str]) -> Settings:
    """`settings` plus the credential SPOTCHECK_CLIENT_ID / SPOTCHECK_CLIENT_SECRET name.

    The suite sends that credential when it is set, so the mock the suite starts must know it:
    read through `Settings.build`, as `spotcheck serve` reads it (same parsing, same error
    when only one of the two is set), and nothing else of the environment.
    """
    given = {name: environ[name] for name in CREDENTIAL_VARIABLES if name in environ}
    credential = Settings.build(environ=given)
    return settings.replace(client_id=credential.client_id, client_secret=credential.client_secret)


@contextmanager
def running_mock(settings: Settings) -> Iterator[str]:
    """Yield the base URL of a mock built by `create_app(settings)`."""
    port = free_port()
    with serve_in_thread(create_app(settings.replace(host="127.0.0.1", port=port)), port) as url:
        yield url


@contextmanager
def embedded_mock(
    folder: Path,
    schema: str | None,
    profile: str | None,
    overlay: str | None,
    environ: Mapping[str, str],
) -> Iterator[str]:
    """The suite's own mock of `schema` (default: ours), its store and caches in `folder`."""
    logging.getLogger("connexion.operations").setLevel(logging.ERROR)
    settings = Settings(
        spec=schema or Settings.spec,
        profile=profile,
        overlay_file=overlay,
        db=str(folder / "mock.db"),
        # Unthrottled, like the API: the suite checks shapes, and Schemathesis would wait out
        # every 429 of the token endpoint it fuzzes. Its own token reuse is checked apart.
        rate_limit=0,
        token_rate_limit=0,
        webhook_delivery="loopback",
        webhook_retry_delays=(0.2, 0.5, 1.0),
        cache_dir=str(folder / "cache"),
    )
    with running_mock(with_environment_credential(settings, environ)) as url:
        yield url
