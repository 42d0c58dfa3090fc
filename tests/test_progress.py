"""The contract run's progress, read from the NDJSON events Schemathesis streams."""

from __future__ import annotations

import json
from pathlib import Path

from contract_tests.progress import NdjsonProgress


def _event(name: str, **body: object) -> str:
    return json.dumps({name: body}) + "\n"


def test_one_line_per_tested_phase_with_operations_done(tmp_path: Path) -> None:
    said: list[str] = []
    progress = NdjsonProgress(tmp_path, total=3, say=said.append, interval=3600)
    report = tmp_path / "ndjson-1.ndjson"
    finished = {"recorder": {"label": "GET /a"}}
    report.write_text(
        _event("PhaseStarted", phase={"name": "probing"})
        + _event("PhaseStarted", phase={"name": "examples"})
        + _event("ScenarioFinished", **finished)
        + _event("ScenarioFinished", **finished)
        + _event("ScenarioFinished", recorder={"label": "POST /a"})
        + '{"PhaseStarted": {"phase": {"name": "fuzzing"}'  # still being written
    )
    progress.poll()
    # probing tested nothing; a phase is reported as soon as it has tested an operation
    assert said == ["schemathesis examples: 2/3 operations"]
    with report.open("a") as handle:
        handle.write("}}\n" + _event("ScenarioFinished", recorder={"label": "GET /b"}))
    progress.poll()
    # the finished phase had nothing new to say; the next one is reported at once
    assert said == ["schemathesis examples: 2/3 operations", "schemathesis fuzzing: 1/3 operations"]
