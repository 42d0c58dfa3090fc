"""The contract suite and its credential (issue 22): the mock the suite starts knows the
credential SPOTCHECK_CLIENT_ID / SPOTCHECK_CLIENT_SECRET name, as `spotcheck serve` does; a
target that refuses the suite's credential is one clear error before any test runs; the run's
seed reaches Schemathesis and the report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from contract_tests.inprocess import with_environment_credential
from contract_tests.preflight import credential_refusal
from contract_tests.runner import RunOptions, _command
from mockserver.app import create_app
from mockserver.errors import SettingsError
from mockserver.settings import Settings
from spotcheck.client.auth import ClientAuth
from spotcheck.client.servers import serve_in_thread
from tests.conftest import UAT

ENV_ID, ENV_SECRET = "env-client-issue22", "env-secret-issue22-do-not-print"
ENVIRON = {"SPOTCHECK_CLIENT_ID": ENV_ID, "SPOTCHECK_CLIENT_SECRET": ENV_SECRET}
ROOT = Path(__file__).resolve().parent.parent
PROBE = "/api/v2.1/public/contract_types/"


def _settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "mock.db"), rate_limit=0, cache_dir="")


def test_the_suites_mock_adds_the_environment_credential_like_serve(tmp_path):
    settings = with_environment_credential(_settings(tmp_path), ENVIRON)
    served = Settings.build({"db": str(tmp_path / "serve.db")}, ENVIRON)
    assert (settings.client_id, settings.client_secret) == (served.client_id, served.client_secret)
    with TestClient(create_app(settings)) as client:
        env = {"client-id": ENV_ID, "client-secret": ENV_SECRET}
        assert client.get(PROBE, headers=env).status_code == 200
        # the key the webhook contract reads: a 401 body here was the KeyError 'hmac_key'
        assert "hmac_key" in client.get("/api/v2.1/public/webhooks/hmac_key/", headers=env).json()
        assert client.get(PROBE, headers=UAT).status_code == 200, "the fixture credential stays"


def test_without_the_variables_the_mock_is_unchanged(tmp_path):
    settings = _settings(tmp_path)
    assert with_environment_credential(settings, {"SPOTCHECK_RATE_LIMIT": "5"}) == settings


def test_half_a_credential_is_the_settings_error_serve_gives(tmp_path):
    with pytest.raises(SettingsError, match="must be given together"):
        with_environment_credential(_settings(tmp_path), {"SPOTCHECK_CLIENT_ID": ENV_ID})


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory):
    """A mock that knows only the fixture credential."""
    app = create_app(_settings(tmp_path_factory.mktemp("target")))
    with serve_in_thread(app) as url:
        yield url


def _refusal(url: str, client_id: str, secret: str) -> str | None:
    options = RunOptions(base_url=url, client_id=client_id, client_secret=secret)
    auth = ClientAuth.create(options.profile, url, "", client_id, secret)
    return credential_refusal(options, auth)


def test_a_credential_the_target_takes_is_no_refusal(target):
    assert _refusal(target, UAT["client-id"], UAT["client-secret"]) is None


def test_a_refused_credential_is_named_with_its_source_but_not_its_secret(target):
    refusal = _refusal(target, ENV_ID, ENV_SECRET)
    assert refusal is not None
    assert ENV_ID in refusal and "SPOTCHECK_CLIENT_ID" in refusal and "401" in refusal
    assert ENV_SECRET not in refusal


@pytest.mark.e2e
def test_a_refused_credential_stops_the_suite_before_any_test(target, tmp_path):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "--base-url",
        target,
        "--max-examples",
        "1",
        "-p",
        "no:cacheprovider",
        "--report-dir",
        str(tmp_path / "report"),
    ]
    environ = {**_clean_environ(), **ENVIRON}
    done = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True)
    output = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, output[-3000:]
    assert output.count("does not accept it") == 1, output[-3000:]
    assert " passed" not in output and " failed" not in output
    assert ENV_SECRET not in output


def _clean_environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SPOTCHECK_CLIENT")}


def test_the_seed_reaches_schemathesis(tmp_path):
    options = RunOptions(base_url="http://127.0.0.1:1", seed=4242, report_dir=tmp_path)
    command = _command(options, tmp_path / "c.json", tmp_path / "c.toml", {}, run_id="r")
    assert command[command.index("--seed") + 1] == "4242"
    unseeded = RunOptions(base_url="http://127.0.0.1:1", report_dir=tmp_path)
    assert "--seed" not in _command(unseeded, tmp_path / "c.json", tmp_path / "c.toml", {}, "r")
