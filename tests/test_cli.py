"""The command line, end to end over real loopback sockets."""

from __future__ import annotations

import os
import subprocess
import sys
import time

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


def _spotcheck(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "spotcheck", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def _one_line(result: subprocess.CompletedProcess[str], *says: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(part in lines[0] for part in says), lines[0]


def test_a_port_in_use_is_one_line():
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = str(holder.getsockname()[1])
        _one_line(_spotcheck("serve", "--port", port), f"port {port}", "in use", "--port")


def test_an_unusable_db_is_one_line(tmp_path):
    _one_line(_spotcheck("serve", "--db", str(tmp_path / "no" / "m.db")), "--db", "missing folder")
    (tmp_path / "text.db").write_text("not sqlite at all, but long enough to have a header")
    _one_line(_spotcheck("serve", "--db", str(tmp_path / "text.db")), "not a SQLite database")
    if os.geteuid() != 0:  # root writes into a read-only folder anyway
        readonly = tmp_path / "ro"
        readonly.mkdir()
        readonly.chmod(0o500)
        _one_line(_spotcheck("serve", "--db", str(readonly / "m.db")), "--db")


def test_swagger_2_is_named_as_unsupported(tmp_path):
    spec = tmp_path / "swagger.yaml"
    spec.write_text("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    _one_line(_spotcheck("schema", "lint", str(spec)), "Swagger 2.0", "not supported")
    _one_line(_spotcheck("serve", "--spec", str(spec), "--port", "0"), "not supported")


def test_version_and_python_m():
    result = _spotcheck("--version")
    assert result.returncode == 0 and result.stdout.startswith("spotcheck ")


def test_test_help_lists_the_suite_options():
    result = _spotcheck("test", "--help")
    assert result.returncode == 0
    for option in ("--base-url", "--max-examples", "--rate-limit", "--report-dir", "--schema"):
        assert option in result.stdout


def test_ctrl_c_stops_the_server_cleanly(tmp_path):
    import signal

    process = subprocess.Popen(
        [sys.executable, "-m", "spotcheck", "serve", "--port", "0", "--db", str(tmp_path / "m.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split("serving ")[1].strip()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # Ctrl-C once it serves, as a user would
        try:
            if httpx.get(f"{url}/__admin/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Traceback" not in err


def test_test_and_load_without_their_extras_say_what_to_install(monkeypatch, capsys):
    from spotcheck import cli

    monkeypatch.setattr(cli, "_missing", lambda modules: list(modules))
    assert cli.main(["test", "--max-examples", "1"]) == 2
    assert capsys.readouterr().err.strip() == (
        "spotcheck: spotcheck test needs pytest, hypothesis, schemathesis: "
        "pip install 'spotcheck[test]'"
    )
    assert cli.main(["load", "--headless"]) == 2
    assert "pip install 'spotcheck[load]'" in capsys.readouterr().err
