"""Progress of a Schemathesis run, read from the NDJSON report it streams while it runs.

A full contract run takes minutes; without this the terminal stays silent. The events are
Schemathesis' own (`PhaseStarted`, `ScenarioFinished` with the operation's label).
"""

from __future__ import annotations

import json
import math
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

Say = Callable[[str], None]


class NdjsonProgress:
    """Follows the newest `ndjson-*.ndjson` of a report folder; says one line per phase
    change and at most one every `interval` seconds within a phase."""

    def __init__(self, report_dir: Path, total: int, say: Say, interval: float = 15.0) -> None:
        self._report_dir = report_dir
        self._total = total
        self._say = say
        self._interval = interval
        self._offset = 0
        self._phase = ""
        self._done: set[str] = set()
        self._last_said = -math.inf  # never: the first report is due at once
        self._last_line = ""

    def poll(self) -> None:
        files = sorted(self._report_dir.glob("ndjson-*.ndjson"))
        if not files:
            return
        with files[-1].open("rb") as handle:
            handle.seek(self._offset)
            chunk = handle.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits
        self._offset += len(complete)
        for line in complete.splitlines():
            self._event(line)
        if self._phase and time.monotonic() - self._last_said >= self._interval:
            self._report()

    def _event(self, line: bytes) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return
        if "PhaseStarted" in event:
            if self._phase:
                self._report()
            self._phase = str(event["PhaseStarted"].get("phase", {}).get("name", ""))
            self._done = set()
            self._last_said = -math.inf  # never: the first report is due at once
        elif "ScenarioFinished" in event:
            label = (event["ScenarioFinished"].get("recorder") or {}).get("label")
            if label:
                self._done.add(str(label))

    def _report(self) -> None:
        self._last_said = time.monotonic()
        if not self._done:  # set-up phases (probing, schema analysis) test no operation
            return
        done = min(len(self._done), self._total) if self._total else len(self._done)
        line = f"schemathesis {self._phase}: {done}/{self._total} operations"
        if line != self._last_line:  # nothing new since the last line: stay quiet
            self._last_line = line
            self._say(line)


def run_with_progress(
    command: list[str],
    environment: dict[str, str],
    cwd: Path,
    progress: NdjsonProgress | None,
    timeout: float,
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run` that polls `progress` while the command runs (output kept in files,
    so a chatty child never blocks on a full pipe)."""
    out, err = cwd / "schemathesis.out", cwd / "schemathesis.err"
    deadline = time.monotonic() + timeout
    with out.open("w+", encoding="utf-8") as stdout, err.open("w+", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            command, stdout=stdout, stderr=stderr, env=environment, cwd=cwd, text=True
        )
        while process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise subprocess.TimeoutExpired(command, timeout)
            if progress is not None:
                progress.poll()
            time.sleep(1.0)
        if progress is not None:
            progress.poll()
        stdout.seek(0)
        stderr.seek(0)
        return subprocess.CompletedProcess(
            command, process.returncode, stdout.read(), stderr.read()
        )
