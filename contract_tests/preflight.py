"""What the contract suite settles before any test runs: its one seed, and whether the target
takes the credential the suite is about to send.

A refused credential would otherwise surface as 401s inside every test (and as a KeyError
where a test reads a field of a 401 body), so it is checked once, up front, and reported as
one error that names the credential's source (never its secret) and what to do.
"""

from __future__ import annotations

import secrets
import zlib

import httpx
import pytest

from contract_tests.runner import RunOptions, guard
from spotcheck.client.auth import ClientAuth
from spotcheck.client.errors import ClientError

SEED = pytest.StashKey[int]()


class _SeedHeader:
    def __init__(self, seed: int) -> None:
        self.seed = seed

    def pytest_report_header(self) -> str:
        return f"spotcheck seed: {self.seed} (reproduce with --hypothesis-seed={self.seed})"


def install_seed(config: pytest.Config) -> int:
    """Fix the run's seed and print it in the header: `--hypothesis-seed` when given, else a
    fresh one. It seeds Schemathesis and, handed to Hypothesis' own option before its plugin
    reads it, the suite's Hypothesis properties too: one number reproduces the whole run."""
    given = config.getoption("hypothesis_seed", None)
    if given is None:
        seed = secrets.randbelow(2**31)
        if hasattr(config.option, "hypothesis_seed"):
            config.option.hypothesis_seed = str(seed)
    else:
        # Hypothesis takes any string as a seed; Schemathesis wants an integer.
        text = str(given)
        seed = int(text) if text.isdigit() else zlib.crc32(text.encode("utf-8"))
    config.stash[SEED] = seed
    if not config.pluginmanager.has_plugin("spotcheck-seed"):
        config.pluginmanager.register(_SeedHeader(seed), "spotcheck-seed")
    return seed


def suite_seed(config: pytest.Config) -> int:
    """The seed `install_seed` fixed for this run."""
    return config.stash[SEED]


def credential_refusal(options: RunOptions, auth: ClientAuth) -> str | None:
    """Why the target refuses the suite's credential (None when it accepts it).

    One authenticated GET of a secured operation without path parameters: read-only, so it is
    safe on a real target too.
    """
    source = (
        "the fixture credential"
        if options.client_id == options.family().fixture[0]
        else "SPOTCHECK_CLIENT_ID / SPOTCHECK_CLIENT_SECRET"
    )
    hint = (
        f"The suite authenticates as client id {options.client_id!r} ({source}) and "
        f"{options.base_url} does not accept it: set SPOTCHECK_CLIENT_ID and "
        "SPOTCHECK_CLIENT_SECRET to a credential this target issued (the embedded mock adds "
        "whatever they name)."
    )
    probe = next(
        (
            op.path
            for op in sorted(options.contract().operations, key=lambda op: op.path)
            if op.method == "get" and "{" not in op.path and op.secured
        ),
        None,
    )
    guard(options)  # never send a credential to a production host that was not allowed
    try:
        headers = auth.headers()  # an OAuth profile's token is fetched (once) here
        if probe is None:
            return None
        answer = httpx.get(f"{options.base_url}{probe}", headers=headers, timeout=30)
    except ClientError as refused:
        return f"{hint}\n{refused}"
    except httpx.HTTPError as error:
        return f"{options.base_url} cannot be reached: {error}"
    if answer.status_code == 401:
        return f"{hint}\nGET {probe} answered 401: {answer.text[:300]}"
    return None
