"""The command line, end to end over real loopback sockets."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.conftest import UAT
from tests.live import running_server

pytestmark = pytest.mark.e2e


def test_serve_prints_url_and_fixture_credential_and_answers(tmp_path):
    with running_server("--db", str(tmp_path / "m.db")) as (url, banner):
        text = "\n".join(banner)
        assert "client-id: uat-client-acme" in text
        assert "client-secret: uat-secret-acme-0001" in text
        response = httpx.get(f"{url}/api/v2.1/public/contract_types/", headers=UAT)
        assert response.status_code == 200


def test_secret_from_the_environment_is_never_echoed(tmp_path):
    env = {"SPOTCHECK_CLIENT_ID": "ci-id", "SPOTCHECK_CLIENT_SECRET": "ci-secret-xyz-123"}
    with running_server("--db", str(tmp_path / "m.db"), env=env) as (url, banner):
        text = "\n".join(banner)
        assert "ci-id" in text
        assert "ci-secret-xyz-123" not in text
        ok = httpx.get(
            f"{url}/api/v2.1/public/contract_types/",
            headers={"client-id": "ci-id", "client-secret": "ci-secret-xyz-123"},
        )
        assert ok.status_code == 200


def test_production_env_refuses_uat_credentials(tmp_path):
    with running_server("--db", str(tmp_path / "m.db"), "--env", "production") as (url, _banner):
        assert httpx.get(f"{url}/api/v2.1/public/contract_types/", headers=UAT).status_code == 401


def test_serve_refuses_a_public_bind_without_admin_token():
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SPOTCHECK_ADMIN_TOKEN" in result.stderr


def test_schema_lint_reports_defects(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a/{b}:\n    get:\n"
        "      operationId: 'get-a'\n      parameters:\n"
        "      - {name: c, in: path, required: true, schema: {type: string}}\n"
        "      responses: {'200': {description: ok}}\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "schema", "lint", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "orphan-path-parameter: 1" in result.stdout
    assert "undeclared-path-parameter: 1" in result.stdout
    assert "operation-id: 1" in result.stdout


def test_unloadable_schema_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli", "schema", "lint", str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "schema file not found" in result.stderr
