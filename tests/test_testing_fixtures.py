"""`spotcheck.testing` (issue 18): the README's integrator suite runs as its own pytest session
with the plugin; the plugin is only active where a suite asks for it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.settings import Settings
from spotcheck.testing import MockServer

README = Path(__file__).resolve().parent.parent / "README.md"


def snippet(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- snippet: {name} -->\s*```python\n(.*?)```", text, re.S)
    assert found, f"README snippet {name} is missing"
    return found.group(1)


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
        env=environment,
    )


def test_the_readme_integrator_suite_passes_and_a_miss_names_its_stage(tmp_path: Path) -> None:
    """One pytest session of the integrator's: the README's three tests pass, and a verify
    that is not met fails with its near miss and the stage that refused it."""
    (tmp_path / "conftest.py").write_text(snippet("integrator-conftest"))
    (tmp_path / "test_contracts_client.py").write_text(snippet("integrator-suite"))
    (tmp_path / "test_wrong_secret.py").write_text(
        "import httpx\n\n"
        "def test_create(mock):\n"
        "    headers = {'client-id': mock.client_id, 'client-secret': 'wrong'}\n"
        "    httpx.post(mock.url + '/api/v2.1/public/contracts/', headers=headers, json={})\n"
        "    mock.verify({'method': 'POST', 'path': '/api/v2.1/public/contracts/', 'count': 1,"
        " 'status': 201})\n"
    )
    done = run_pytest(tmp_path, "-rA")
    report = done.stdout[-4000:] + done.stderr[-2000:]
    assert "1 failed, 3 passed" in done.stdout, report
    assert "FAILED test_wrong_secret.py::test_create" in done.stdout, report
    assert "near miss" in done.stdout and "refused by: auth" in done.stdout, report


def test_importing_spotcheck_leaves_pytest_alone() -> None:
    """No pytest11 entry point, and `import spotcheck` does not load the plugin."""
    from importlib.metadata import entry_points

    assert not [ep for ep in entry_points(group="pytest11") if "spotcheck" in ep.value]
    code = "import sys, spotcheck; print('spotcheck.testing' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


@pytest.fixture(scope="module")
def server() -> MockServer:
    mock = MockServer(Settings(rate_limit=0, webhook_delivery="loopback"))
    mock.start()
    yield mock  # type: ignore[misc]
    mock.stop()


def test_fault_context_manager_removes_its_rule(server: MockServer) -> None:
    server.reset()
    with server.fault(action="status", status=503) as rule:
        assert rule["id"] and server.count() == 0
        listed = server._admin("GET", "/__admin/faults")["faults"]
        assert [entry["id"] for entry in listed] == [rule["id"]]
    assert server._admin("GET", "/__admin/faults")["faults"] == []


def test_requests_filter_like_verify(server: MockServer) -> None:
    import httpx

    server.reset()
    with httpx.Client(base_url=server.url, headers=server.headers, timeout=10) as client:
        client.get("/api/v2.1/public/contract_types/")
        client.get("/api/v2.1/public/nothing_here/")
    assert [entry["status"] for entry in server.requests()] == [200, 404]
    (missing,) = server.requests(status="4xx")
    assert missing["refused_by"] == "edge"
    assert server.clock.advance("1h") > server.clock.real()
