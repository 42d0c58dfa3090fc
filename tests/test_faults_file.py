"""`spotcheck serve --faults FILE` (issue 18): YAML rules loaded at start, back after a reset;
a wrong file stops the start with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import UAT
from tests.live import running_server

RULES = """\
faults:
  - id: flaky-list
    match: {method: GET, path: /api/v2.1/public/contract_types/}
    action: status
    status: 503
    first: 1
  - action: latency
    latency: {kind: uniform, min_ms: 1, max_ms: 5}
"""


def test_rules_from_a_yaml_file_apply_and_come_back_after_reset(tmp_path: Path) -> None:
    rules = tmp_path / "faults.yml"
    rules.write_text(RULES)
    with (
        running_server("--faults", str(rules), "--rate-limit", "0") as (url, _banner),
        httpx.Client(base_url=url, headers=UAT, timeout=10) as client,
    ):
        listed = client.get("/__admin/faults").json()["faults"]
        assert [rule["id"] for rule in listed] == ["flaky-list", "fault-2"]
        path = "/api/v2.1/public/contract_types/"
        assert [client.get(path).status_code for _ in range(2)] == [503, 200]
        assert client.delete("/__admin/faults").json() == {"deleted": 2}
        client.post("/__admin/reset")
        assert client.get(path).status_code == 503  # the file's rules, counting afresh


def test_a_wrong_faults_file_is_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    rules = tmp_path / "faults.yml"
    rules.write_text("- action: status\n  status: 404\n")
    command = [sys.executable, "-m", "mockserver.cli", "serve", "--port", "0"]
    done = subprocess.run(
        [*command, "--faults", str(rules)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "rule 1: status must be 429 or 500-599" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
