"""Locust profiles against the mock: reports, thresholds, the vendor's rate cap, distributed.

Locust runs as its own process (it monkey-patches the standard library); every run is
bounded by its profile or --run-time and stops by itself.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import running_server
from tests.receiver import free_port

pytestmark = pytest.mark.e2e

LOAD = Path(__file__).resolve().parent.parent / "load"
SAMPLES = LOAD.parent / "openapi" / "samples"


def locust(
    host: str,
    *args: str,
    timeout: float = 120,
    locustfile: str = "locustfile.py",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOAD / locustfile),
        "--headless",
        "--host",
        host,
        "--only-summary",
        *args,
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=LOAD,
        env={**os.environ, **(env or {})},
    )


def sample_server(sample: str, tmp_path: Path):
    """A mock serving one of openapi/samples/, unthrottled."""
    spec = str(SAMPLES / sample)
    return running_server("--spec", spec, "--db", str(tmp_path / "m.db"), "--rate-limit", "0")


def _aggregated(csv_prefix: Path) -> dict[str, str]:
    with open(f"{csv_prefix}_stats.csv", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")


def test_smoke_profile_meets_its_thresholds_and_writes_reports(tmp_path):
    with running_server("--db", str(tmp_path / "m.db"), "--rate-limit", "0") as (url, _):
        result = locust(
            url,
            "--load-profile",
            "smoke",
            "--p95-ms",
            "250",
            "--max-error-ratio",
            "0.01",
            "--min-rps",
            "5",
            "--csv",
            str(tmp_path / "smoke"),
            "--html",
            str(tmp_path / "smoke.html"),
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "-> met" in output
    assert (tmp_path / "smoke.html").stat().st_size > 1000
    totals = _aggregated(tmp_path / "smoke")
    assert int(totals["Request Count"]) > 50
    assert int(totals["Failure Count"]) == 0


@pytest.mark.parametrize(
    ("sample", "token_requests"), [("travel-users.yaml", 1), ("participants.yaml", 0)]
)
def test_smoke_run_in_each_auth_profile(sample, token_requests, tmp_path):
    with sample_server(sample, tmp_path) as (url, _):
        result = locust(
            url,
            "--run-time",
            "6s",
            "--min-rps",
            "5",
            "--max-error-ratio",
            "0",
            "--csv",
            str(tmp_path / "any"),
            locustfile="anyschema.py",
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "-> met" in output
    with open(f"{tmp_path / 'any'}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    # the OAuth token is fetched once by the process and reused by every user
    token = rows.get("POST oauth2 token")
    assert (int(token["Request Count"]) if token else 0) == token_requests
    assert any(name.startswith("POST /") for name in rows), sorted(rows)
    assert any(name.startswith("GET /") and name.endswith("}") for name in rows), sorted(rows)
    assert any(name.startswith("DELETE /") for name in rows), sorted(rows)
    assert int(rows["Aggregated"]["Failure Count"]) == 0
    assert int(rows["Aggregated"]["Request Count"]) > 30


def test_a_wrong_api_secret_fails_the_run(tmp_path):
    with sample_server("participants.yaml", tmp_path) as (url, _):
        result = locust(
            url,
            "--run-time",
            "4s",
            "--max-error-ratio",
            "0",
            locustfile="anyschema.py",
            env={"SPOTCHECK_CLIENT_ID": "acct_sandbox_1001", "SPOTCHECK_CLIENT_SECRET": "sk_bad"},
        )
    assert result.returncode == 1
    assert "BREACHED: error ratio" in result.stdout + result.stderr


def test_a_breached_threshold_fails_the_run(tmp_path):
    with running_server("--db", str(tmp_path / "m.db"), "--rate-limit", "0") as (url, _):
        result = locust(url, "--load-profile", "smoke", "--run-time", "6s", "--min-rps", "100000")
    assert result.returncode == 1
    assert "BREACHED: throughput" in result.stdout + result.stderr


def test_rate_cap_holds_and_429s_are_not_failures(tmp_path):
    # the mock limits at 10/s; with the cap lifted Locust meets 429s, counted on their own
    with running_server("--db", str(tmp_path / "m.db"), "--rate-limit", "10") as (url, _):
        lifted = locust(
            url, "--run-time", "6s", "--rate-cap", "0", "--csv", str(tmp_path / "lifted")
        )
        locust(url, "--run-time", "6s", "--rate-cap", "8", "--csv", str(tmp_path / "capped"))
    assert lifted.returncode == 0, (lifted.stdout + lifted.stderr)[-2000:]
    with open(f"{tmp_path / 'lifted'}_stats.csv", newline="") as handle:
        types = {row["Type"]: row for row in csv.DictReader(handle)}
    assert "429" in types and int(types["429"]["Request Count"]) > 0
    assert int(_aggregated(tmp_path / "lifted")["Failure Count"]) == 0
    capped_totals = _aggregated(tmp_path / "capped")
    assert float(capped_totals["Requests/s"]) <= 8.5
    with open(f"{tmp_path / 'capped'}_stats.csv", newline="") as handle:
        assert "429" not in {row["Type"] for row in csv.DictReader(handle)}


def test_distributed_master_and_two_workers(tmp_path):
    with running_server("--db", str(tmp_path / "m.db"), "--rate-limit", "0", "--workers", "2") as (
        url,
        _,
    ):
        port = str(free_port())
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(LOAD / "locustfile.py"),
                    "--worker",
                    "--master-host",
                    "127.0.0.1",
                    "--master-port",
                    port,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=LOAD,
            )
            for _ in range(2)
        ]
        try:
            result = locust(
                url,
                "--master",
                "--master-bind-host",
                "127.0.0.1",
                "--master-bind-port",
                port,
                "--expect-workers",
                "2",
                "--load-profile",
                "smoke",
                "--max-error-ratio",
                "0.01",
                "--csv",
                str(tmp_path / "dist"),
            )
        finally:
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert int(_aggregated(tmp_path / "dist")["Request Count"]) > 50
    assert all(worker.returncode is not None for worker in workers)
