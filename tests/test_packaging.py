"""spotcheck as users install it: a built wheel in a fresh venv, used from an unrelated folder.

The venv gets its dependencies from the package index, as `pip install spotcheck` does (pip's
cache makes a second run quick). Nothing here talks to the mock's vendor or leaves loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import running_server

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
UAT = {"client-id": "uat-client-acme", "client-secret": "uat-secret-acme-0001"}
GENERIC_NAMES = {"load", "tests", "fixtures", "openapi", "contract", "common"}


def _run(
    command: list[str], cwd: Path, timeout: float = 600, **env: str
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTCHECK_", "PYTEST_"))}
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**clean, **env},
        check=False,
    )


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-w",
            str(out),
            str(ROOT),
        ],
        cwd=out,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    return next(out.glob("spotcheck-*.whl"))


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The `bin/` folder of a fresh venv holding the wheel with its test and load extras."""
    venv = tmp_path_factory.mktemp("venv")
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=venv)
    assert made.returncode == 0, made.stderr
    pip = _run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            # no .pyc for the ~100 dependencies up front (a third of the install's time):
            # Python compiles what the tests import when they import it
            "--no-compile",
            f"{wheel}[test,load]",
            "pytest-base-url",
        ],
        cwd=venv,
        timeout=900,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    yield venv / "bin"


def test_the_wheel_carries_every_package_and_no_generic_top_level_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if "dist-info" not in name}
    assert top == {"mockserver", "contract_tests", "spotcheck"}
    assert not top & GENERIC_NAMES
    for expected in (
        "mockserver/profiles/spotdraft/contracts.py",
        "mockserver/spec/loader.py",
        "mockserver/webhooks/dispatcher.py",
        "mockserver/py.typed",
        "contract_tests/conftest.py",
        "spotcheck/openapi/spotdraft.yaml",
        "spotcheck/openapi/samples/travel-users.yaml",
        "spotcheck/fixtures/uat.json",
        "spotcheck/load/locustfile.py",
    ):
        assert expected in names, expected
    assert any(
        name.endswith("dist-info/licenses/LICENSE") or name.endswith("LICENSE") for name in names
    )


def test_every_source_package_is_listed_for_the_wheel() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("mockserver", "contract_tests", "spotcheck")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"


def test_installed_copy_serves_tests_loads_and_lints_from_an_unrelated_folder(
    installed: Path, tmp_path: Path
) -> None:
    spotcheck = str(installed / "spotcheck")
    version = _run([spotcheck, "--version"], cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("spotcheck ")
    as_module = _run([str(installed / "python"), "-m", "spotcheck", "--version"], cwd=tmp_path)
    assert as_module.stdout == version.stdout
    with running_server("--rate-limit", "0", program=[spotcheck], cwd=tmp_path) as (url, banner):
        assert any("fixture credential" in line for line in banner)
        answer = httpx.get(f"{url}/api/v2.1/public/contract_types/", headers=UAT)
        assert answer.status_code == 200 and answer.json()
        suite = _run(
            [
                spotcheck,
                "test",
                "--base-url",
                url,
                "--rate-limit",
                "0",
                "--max-examples",
                "1",
                "--report-dir",
                str(tmp_path / "reports"),
                "-q",
            ],
            cwd=tmp_path,
        )
        assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]
        assert (tmp_path / "reports" / "report.html").is_file()
        assert str(tmp_path / "reports") in suite.stdout  # it says where the reports went
        load = _run(
            [
                spotcheck,
                "load",
                "--headless",
                "--host",
                url,
                "--load-profile",
                "smoke",
                "--run-time",
                "4s",
                "--only-summary",
            ],
            cwd=tmp_path,
            timeout=120,
        )
        assert load.returncode == 0, load.stderr[-3000:]
        assert "Aggregated" in load.stdout + load.stderr
    vendor = os.environ.get("SPOTCHECK_VENDOR_SPEC")
    lint = _run(
        [spotcheck, "schema", "lint", vendor or str(ROOT / "openapi" / "spotdraft.yaml")],
        cwd=tmp_path,
    )
    assert lint.returncode == 0 and " defects " in lint.stdout, lint.stderr
    # Nothing left behind in the folder the user ran it from, but the reports asked for.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


UNRELATED = """
def test_base_url_from_pytest_base_url(base_url):
    assert base_url == "http://example.invalid"

def test_arithmetic():
    assert 1 + 1 == 2
"""


def test_an_unrelated_pytest_run_does_not_see_spotcheck(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "test_unrelated.py").write_text(UNRELATED)
    run = _run(
        [
            str(installed / "pytest"),
            "-W",
            "error",
            "-p",
            "no:cacheprovider",
            "test_unrelated.py",
            "--base-url",
            "http://example.invalid",
        ],
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout and "warning" not in run.stdout.lower()
    help_text = _run([str(installed / "pytest"), "--help"], cwd=tmp_path).stdout
    assert "--max-examples" not in help_text and "spotcheck" not in help_text
    modules = _run(
        [
            str(installed / "python"),
            "-c",
            "import sys, pytest; pytest.main(['--co', '-q']);"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('connexion', 'mockserver', 'contract_tests', 'spotcheck')))",
        ],
        cwd=tmp_path,
    )
    assert modules.stdout.strip().endswith("[]"), modules.stdout[-2000:]


def test_cli_mistakes_are_one_line(installed: Path, tmp_path: Path) -> None:
    spotcheck = str(installed / "spotcheck")
    (tmp_path / "not-a-db").write_text("hello")
    (tmp_path / "swagger.yaml").write_text(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"
    )
    for args, says in (
        (["serve", "--db", str(tmp_path / "missing" / "m.db")], "--db"),
        (["serve", "--db", str(tmp_path / "not-a-db")], "not a SQLite database"),
        (["serve", "--spec", str(tmp_path / "swagger.yaml")], "not supported"),
        (["schema", "lint", str(tmp_path / "nowhere.yaml")], "nowhere.yaml"),
    ):
        result = _run(
            [spotcheck, *args, "--port", "0"] if args[0] == "serve" else [spotcheck, *args],
            cwd=tmp_path,
            timeout=60,
        )
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (args, result.stderr)
        assert len(lines) == 1 and says in lines[0] and "Traceback" not in result.stderr, lines
