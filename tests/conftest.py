"""Shared fixtures: one loaded schema per session, a fresh app (own store) per test."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*starlette.testclient.*")

from starlette.testclient import TestClient  # noqa: E402

from mockserver.app import SpotcheckApp, create_app  # noqa: E402
from mockserver.settings import Settings  # noqa: E402
from mockserver.spec import LoadedSchema, load_schema  # noqa: E402

UAT = {"client-id": "uat-client-acme", "client-secret": "uat-secret-acme-0001"}
PRODUCTION = {"client-id": "prod-client-acme", "client-secret": "prod-secret-acme-0001"}

_VENDOR_SKIPPED: list[str] = []
_POSTGRES_SKIPPED: list[str] = []  # tests/pgserver.py: no PostgreSQL binaries
_BROWSER_SKIPPED: list[str] = []
NO_BROWSER = "NO CHROMIUM"  # starts the reason of every console browser-test skip


def vendor_spec_path() -> Path | None:
    value = os.environ.get("SPOTCHECK_VENDOR_SPEC")
    return Path(value) if value else None


@pytest.fixture(scope="session")
def vendor_spec() -> Path:
    """The verbatim vendor schema; tests using it skip loudly without SPOTCHECK_VENDOR_SPEC."""
    path = vendor_spec_path()
    if path is None:
        pytest.skip("SPOTCHECK_VENDOR_SPEC is not set: vendor-schema tests skipped")
    if not path.is_file():
        pytest.fail(f"SPOTCHECK_VENDOR_SPEC points to a missing file: {path}")
    return path


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A database on a throwaway PostgreSQL server from the machine's binaries (one per module
    that asks); without binaries the test skips with tests/pgserver.py's banner."""
    import psycopg

    from tests.pgserver import SKIP_BANNER, postgres_binaries, postgres_server

    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip(SKIP_BANNER)
    with postgres_server(binaries) as url:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE DATABASE mock")
        yield url.rsplit("/", 1)[0] + "/mock"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "SPOTCHECK_VENDOR_SPEC" in str(report.longrepr):
        _VENDOR_SKIPPED.append(report.nodeid)
    if report.skipped and "PostgreSQL tests SKIPPED" in str(report.longrepr):
        _POSTGRES_SKIPPED.append(report.nodeid)
    elif report.skipped and NO_BROWSER in str(report.longrepr):
        _BROWSER_SKIPPED.append(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _BROWSER_SKIPPED:
        terminalreporter.section("CONSOLE NOT TESTED IN A BROWSER", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(_BROWSER_SKIPPED)} tests skipped: install Debian's chromium (/usr/bin/chromium; "
            ".ci/run does, as root) and the test extra (playwright)."
        )
    if _VENDOR_SKIPPED:
        terminalreporter.section("VENDOR SCHEMA NOT TESTED", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(_VENDOR_SKIPPED)} tests skipped: set SPOTCHECK_VENDOR_SPEC to the vendor's "
            "OpenAPI file (.ci/run does) to check the mock against it."
        )
    if _POSTGRES_SKIPPED:
        terminalreporter.section("POSTGRESQL STORE NOT TESTED", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(_POSTGRES_SKIPPED)} tests skipped: no initdb/pg_ctl (install Debian's "
            "postgresql package, as .ci/run does, or set SPOTCHECK_PG_BIN)."
        )


@pytest.fixture(scope="session")
def our_schema() -> LoadedSchema:
    return load_schema(Settings().spec)


@pytest.fixture(scope="session")
def vendor_schema(vendor_spec: Path) -> LoadedSchema:
    return load_schema(str(vendor_spec))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a test that builds its own app (own store in tmp_path)."""
    return Settings(
        db=str(tmp_path / "mock.db"),
        rate_limit=0,
        validate_responses=True,
        webhook_delivery="loopback",
    )


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory, our_schema: LoadedSchema) -> SpotcheckApp:
    # Building Connexion's stack takes about a second: one app per session, reset per test
    # (the pytest-httpserver way).
    db = tmp_path_factory.mktemp("shared") / "mock.db"
    return create_app(
        Settings(db=str(db), rate_limit=0, validate_responses=True, webhook_delivery="loopback"),
        our_schema,
    )


@pytest.fixture
def app(shared_app: SpotcheckApp) -> SpotcheckApp:
    shared_app.runtime.reset()
    return shared_app


@pytest.fixture
def client(app: SpotcheckApp) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def pytest_configure(config: pytest.Config) -> None:
    # Registered here, not in pyproject.toml: the corpus is an input beside the repository.
    config.addinivalue_line("markers", "corpus: the mock on every vendor schema of the corpus")


# The slowest modules, slowest first: seconds of each on one worker, from `--durations` of a
# `-n 2` run on a shared 2-core machine (the order matters, not the figures). tox runs
# `--dist loadscope --no-loadscope-reorder`: xdist hands a whole module to whichever worker is
# free, in collection order, so the longest start first and the short ones even out the end.
# xdist's default order (most tests first) left the one-test Schemathesis modules for last,
# one worker running them alone for minutes.
SLOWEST_FIRST = (
    "test_contract_suite.py",  # 390 s
    "test_packaging.py",  # 260 s
    "test_schemathesis.py",  # 220 s
    "test_schemathesis_vendor.py",  # 200 s
    "test_load.py",  # 170 s
    "test_corpus.py",  # 90 s
    "test_metrics.py",
    "test_workers.py",
    "test_cli.py",
    "test_webhook_crash.py",
    "test_postgres.py",
    "test_suite_credentials.py",
    "test_compiled_validation.py",
    "test_webhook_cli.py",
    "test_golive_readme.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: place for place, name in enumerate(SLOWEST_FIRST)}
    # stable: a module's own order (and its fixtures' grouping of parameters) is kept
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
