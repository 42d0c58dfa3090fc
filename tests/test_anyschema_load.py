"""load/anyschema.py on a host it cannot plan for: a run that sends nothing fails (issue 16)."""

from __future__ import annotations

import pytest

from tests.receiver import free_port
from tests.test_load import locust

pytestmark = pytest.mark.e2e


def test_a_run_that_sends_no_request_exits_non_zero() -> None:
    # nothing listens there: no /openapi.json, so no plan and not one request
    result = locust(
        f"http://127.0.0.1:{free_port()}", "--run-time", "2s", locustfile="anyschema.py"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-2000:]
    assert "nothing was measured" in output
