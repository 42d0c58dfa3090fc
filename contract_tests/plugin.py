"""Options and fixtures of the contract suite, loaded by `contract_tests/conftest.py`.

    pytest contract_tests                                   # against the in-process mock
    pytest contract_tests --base-url https://uat.example    # any target, read-only by default
    spotcheck test --base-url https://uat.example           # the same, from an installed copy

They are registered only where the suite is collected (its conftest), never by an entry
point: a pytest run that does not collect the suite sees no option, import or warning of
spotcheck. `--base-url` is shared with pytest-base-url when that plugin is installed.

Credentials come from SPOTCHECK_CLIENT_ID / SPOTCHECK_CLIENT_SECRET (and SPOTCHECK_USER_EMAIL);
they are used the way the schema's auth profile says (or --profile): as headers, as an API
key and secret, or traded once for an OAuth token that is reused until it expires.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract_tests.contract import load_contract, shipped_schema
from contract_tests.preflight import credential_refusal, install_seed, suite_seed
from contract_tests.runner import RunOptions, RunResult, run
from spotcheck.client.auth import ClientAuth
from spotcheck.client.families import FAMILY_NAMES

# (flags, keyword arguments) of every option, so that `spotcheck test --help` can list them too.
OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--base-url",), {"default": None, "help": "target API (default: the mock, in-process)"}),
    (("--schema",), {"default": None, "help": "contract schema file or URL (default: ours)"}),
    (("--env",), {"default": "uat", "choices": ["uat", "production"]}),
    (
        ("--profile",),
        {
            "default": None,
            "choices": FAMILY_NAMES,
            "help": "auth profile (default: the one the schema's securitySchemes describe)",
        },
    ),
    (
        ("--api-version",),
        {"default": None, "help": "X-Spot-Api-Version to pin (api-key-version profile)"},
    ),
    (
        ("--overlay",),
        {"default": None, "help": "our overlay for the schema (x-spotcheck-versions, ...)"},
    ),
    (
        ("--allow-writes",),
        {"action": "store_true", "help": "create (tagged) test data on a real target"},
    ),
    (("--allow-production",), {"action": "store_true", "help": "allow a production target"}),
    (
        ("--rate-limit",),
        {
            "type": float,
            "default": None,
            "help": "requests/s (default 10 against a real target; 0 lifts it)",
        },
    ),
    (("--max-examples",), {"type": int, "default": 10, "help": "examples per operation (10)"}),
    (
        ("--time-budget",),
        {"type": float, "default": None, "help": "seconds for the whole Schemathesis run"},
    ),
    (("--strict-schema",), {"action": "store_true", "help": "schema gaps fail the run too"}),
    (
        ("--report-dir",),
        {"default": "reports/contract", "help": "reports and caches (reports/contract)"},
    ),
    (
        ("--webhook-public-url",),
        {
            "default": None,
            "help": "where a remote target reaches this machine's webhook receiver (a tunnel)",
        },
    ),
    (
        ("--webhook-listen-port",),
        {
            "type": int,
            "default": 9000,
            "help": "loopback port of the receiver behind --webhook-public-url",
        },
    ),
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("spotcheck", "spotcheck contract tests")
    for flags, keywords in OPTIONS:
        try:
            group.addoption(*flags, **keywords)
        except ValueError:
            # Another plugin owns the name (pytest-base-url's --base-url): same meaning, reuse it.
            if flags != ("--base-url",):
                raise


def pytest_configure(config: pytest.Config) -> None:
    # Connexion warns about its own dependencies at import; not the suite's business.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:connexion.*")
    config.addinivalue_line("filterwarnings", "ignore:.*starlette.testclient.*")
    install_seed(config)
    # The workflow tests' Hypothesis database goes with the reports, not into the cwd.
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(_report_dir(config) / "cache" / "hypothesis")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.stash.get(_RAN, False):
        folder = _report_dir(config)
        terminalreporter.write_line(
            f"spotcheck: contract reports in {folder} (report.html, report.md, findings.json; "
            "Schemathesis' JUnit XML, VCR cassette and NDJSON events)"
        )


def _report_dir(config: pytest.Config) -> Path:
    return Path(config.getoption("--report-dir")).resolve()


_RAN = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def contract_base_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The target; without --base-url, a mock started in this process (the one place the
    suite imports the mock: `contract_tests.inprocess`, imported here only)."""
    given = request.config.getoption("--base-url")
    if given:
        yield given.rstrip("/")
        return
    from contract_tests.inprocess import embedded_mock

    config = request.config
    with embedded_mock(
        tmp_path_factory.mktemp("mock"),
        config.getoption("--schema"),
        config.getoption("--profile"),
        config.getoption("--overlay"),
        os.environ,
    ) as url:
        yield url


@pytest.fixture(scope="session")
def contract_options(request: pytest.FixtureRequest, contract_base_url: str) -> RunOptions:
    config = request.config
    remote = bool(config.getoption("--base-url"))
    rate = config.getoption("--rate-limit")
    schema = config.getoption("--schema") or shipped_schema()
    overlay = config.getoption("--overlay")
    contract = load_contract(schema, config.getoption("--profile"), overlay)
    client_id, client_secret = contract.family.fixture
    profile = contract.profile
    return RunOptions(
        base_url=contract_base_url,
        schema=schema,
        profile=profile,
        api_version=config.getoption("--api-version"),
        overlay_file=overlay,
        env=config.getoption("--env"),
        allow_writes=config.getoption("--allow-writes"),
        allow_production=config.getoption("--allow-production"),
        rate_limit=rate if rate is not None else (10.0 if remote else 0.0),
        max_examples=config.getoption("--max-examples"),
        time_budget=config.getoption("--time-budget"),
        strict_schema=config.getoption("--strict-schema"),
        report_dir=_report_dir(config),
        client_id=os.environ.get("SPOTCHECK_CLIENT_ID", client_id),
        client_secret=os.environ.get("SPOTCHECK_CLIENT_SECRET", client_secret),
        user_email=os.environ.get("SPOTCHECK_USER_EMAIL"),
        workers=1 if remote else 2,
        webhook_public_url=config.getoption("--webhook-public-url"),
        webhook_listen_port=config.getoption("--webhook-listen-port"),
        seed=suite_seed(config),
    )


@pytest.fixture(scope="session")
def contract_auth(contract_options: RunOptions) -> ClientAuth:
    """The suite's credentials in its profile's form; an OAuth token is fetched once."""
    auth = contract_options.auth(contract_options.contract())
    refusal = credential_refusal(contract_options, auth)
    if refusal:
        pytest.exit(refusal, returncode=pytest.ExitCode.USAGE_ERROR)
    return auth


@pytest.fixture(scope="session")
def contract_run(
    request: pytest.FixtureRequest, contract_options: RunOptions, contract_auth: ClientAuth
) -> RunResult:
    """One Schemathesis run over every operation, shared by the suite's tests."""
    config = request.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def say(line: str) -> None:
        # Shown as it happens, whatever pytest captures: the run takes minutes.
        if reporter is None:
            return
        if capture is None:
            reporter.write_line(f"spotcheck: {line}")
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"spotcheck: {line}")
            reporter.flush()  # a pipe (CI, tox) would hold it back until the run ends

    say(f"contract run of {contract_options.base_url} started")
    config.stash[_RAN] = True
    return run(contract_options, contract_auth, say)
