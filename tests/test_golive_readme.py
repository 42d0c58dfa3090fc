"""The README's before-go-live walkthrough runs as written, against the loopback upstream:
proxy (recording), two reads through it, diff (the templates list's planted wrong type is the
schema's part, so exit 0), seed, and serve --seed answering upstream's templates and
metadata."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import UAT
from tests.golive_upstream import CLIENT_ID, CLIENT_SECRET, METADATA, SECRETS, running_upstream
from tests.receiver import free_port

README = Path(__file__).resolve().parent.parent / "README.md"


def walkthrough() -> list[str]:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- walkthrough: before-go-live -->\s*```sh\n(.*?)```", text, re.S)
    assert found, "README walkthrough before-go-live is missing"
    return [line.split("  #")[0].strip() for line in found.group(1).splitlines() if line.strip()]


def _started(command: str, cwd: Path, env: dict[str, str], pattern: str) -> tuple[object, str]:
    process = subprocess.Popen(
        f"exec {command}",  # the shell becomes the command: terminate() reaches the server
        shell=True,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(pattern, line)
        if found:
            return process, found.group(1)
    raise AssertionError(f"{command} stopped before printing {pattern}")


@pytest.mark.e2e
def test_before_go_live_walkthrough(tmp_path):
    port = str(free_port())
    env = {
        **os.environ,
        "UAT_CLIENT_ID": CLIENT_ID,
        "UAT_CLIENT_SECRET": CLIENT_SECRET,
        "SPOTCHECK_WEBHOOK_DELIVERY": "loopback",
    }
    spotcheck = f"{sys.executable} -m spotcheck "
    running = []
    with running_upstream() as upstream:
        try:
            for line in walkthrough():
                command = line.removesuffix("&").strip()
                command = command.replace("https://uat.vendor.example", upstream)
                command = command.replace("8081", port).replace("spotcheck ", spotcheck, 1)
                if line.endswith("&"):  # the proxy
                    process, _ = _started(command, tmp_path, env, r"(proxying .*)")
                    running.append(process)
                elif " serve " in command:
                    process, url = _started(
                        f"{command} --port 0", tmp_path, env, r"serving (http://\S+)"
                    )
                    running.append(process)
                    _check_seeded_twin(url)
                else:
                    done = subprocess.run(
                        command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True
                    )
                    assert done.returncode == 0, done.stdout + done.stderr
                    if " diff " in command:
                        assert "twin wrong 0, schema silent or wrong 1" in done.stdout
                    if command.startswith("curl"):
                        assert json.loads(done.stdout)
        finally:
            for process in running:
                process.terminate()  # type: ignore[attr-defined]
                process.wait(timeout=10)  # type: ignore[attr-defined]
    report = (tmp_path / "reports" / "diff" / "diff.md").read_text()
    assert "`items.[].contract_type_id`: upstream ['string'], twin ['integer']" in report
    recorded = b"".join(p.read_bytes() for p in (tmp_path / "rec").glob("*.har"))
    assert recorded and not any(secret.encode() in recorded for secret in SECRETS)


def _check_seeded_twin(url: str) -> None:
    api = f"{url}/api/v2.1/public"
    templates = httpx.get(f"{api}/templates/", headers=UAT, timeout=10).json()["items"]
    metadata = httpx.get(f"{api}/templates/77/metadata", headers=UAT, timeout=10).json()
    assert [t["id"] for t in templates] == [21, 77]
    assert metadata["attributes"] == METADATA["attributes"]
