"""`python load/hotpath.py` as the README gives it: four rows of CPU per request."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_hotpath_prints_cpu_per_request_for_each_row():
    result = subprocess.run(
        [sys.executable, "load/hotpath.py", "--requests", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = dict(re.findall(r"^(\w[\w+ ]*\w)\s+(\d+)$", result.stdout, re.MULTILINE))
    assert set(rows) == {"spotdraft read", "spotdraft write", "bearer read", "key+version read"}
    assert all(int(cpu) > 0 for cpu in rows.values())
