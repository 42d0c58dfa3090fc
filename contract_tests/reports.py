"""The run's reports, one renderer per format, each fed from the same `Report` (never one
format parsed back into another): `markdown`, `html`; `findings.json` is `write_json`."""

from __future__ import annotations

import html as escape
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from contract_tests.findings import CONTRACT, SCHEMA_GAP, THROTTLED, Finding
from contract_tests.gaps import SchemaGap


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    tested: set[str]
    total_operations: int
    target: str
    schema_gaps: tuple[SchemaGap, ...] = ()  # the defects of the schema itself
    cleanup: str | None = None  # what a --allow-writes run on a real target removed
    seed: int | None = None

    def of(self, classification: str) -> list[Finding]:
        found = [f for f in self.findings if f.classification == classification]
        return sorted(found, key=lambda f: (f.operation, f.check))

    def summary(self) -> list[str]:
        return [
            f"target: {self.target}",
            f"operations covered: {len(self.tested)} of {self.total_operations}",
            f"the server broke the contract: {len(self.of(CONTRACT))} finding(s)",
            f"schema gaps (an undocumented standard error, a defect of the schema): "
            f"{len(self.of(SCHEMA_GAP))} finding(s)",
            f"defects of the schema itself: {len(self.schema_gaps)}",
            f"not judged, rate limited (429) even after waiting: {len(self.of(THROTTLED))}",
        ]

    def by_check(self) -> list[str]:
        counts = Counter((f.check, f.classification) for f in self.findings)
        return [f"{check} ({kind}): {count}" for (check, kind), count in sorted(counts.items())]

    def by_defect(self) -> list[str]:
        counts = Counter(gap.kind for gap in self.schema_gaps)
        examples = {gap.kind: gap for gap in reversed(self.schema_gaps)}
        return [
            f"{kind}: {count} (e.g. {examples[kind].where}: {examples[kind].message})"
            for kind, count in sorted(counts.items())
        ]


SECTIONS = (
    ("The server broke the contract", CONTRACT),
    ("Schema gaps", SCHEMA_GAP),
    ("Not judged: rate limited", THROTTLED),
)


def _title(finding: Finding) -> str:
    return f"{finding.operation}: {finding.check} ({finding.code}, status {finding.status})"


def markdown(report: Report) -> str:
    lines = ["# spotcheck contract report", "", *(f"- {line}" for line in report.summary())]
    lines += ["", "## Findings by check", "", *(f"- {line}" for line in report.by_check())]
    for title, kind in SECTIONS:
        lines += ["", f"## {title}", ""]
        if kind == SCHEMA_GAP and report.schema_gaps:
            lines += ["Defects of the schema itself:", ""]
            lines += [*(f"- {line}" for line in report.by_defect()), ""]
        group = report.of(kind)
        if not group:
            lines.append("None.")
        for finding in group:
            message = finding.message.strip() or finding.title
            lines += [f"### {_title(finding)}", "", message, "", "```sh", finding.curl, "```", ""]
    if report.cleanup is not None:
        lines += ["", "## Cleanup of the data this run created", "", report.cleanup]
    if report.seed is not None:
        lines += ["", f"Seed: {report.seed} (reproduce with --hypothesis-seed={report.seed})"]
    return "\n".join(lines) + "\n"


def html(report: Report) -> str:
    text: Callable[[str], str] = escape.escape

    def items(lines: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{text(line)}</li>" for line in lines) + "</ul>"

    out = [
        "<!doctype html><meta charset='utf-8'><title>spotcheck contract report</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "pre{background:#f4f4f4;padding:.5em;overflow-x:auto}</style>",
        "<h1>spotcheck contract report</h1>",
        items(report.summary()),
        "<h2>Findings by check</h2>",
        items(report.by_check()),
    ]
    for title, kind in SECTIONS:
        out.append(f"<h2>{text(title)}</h2>")
        if kind == SCHEMA_GAP and report.schema_gaps:
            out += ["<p>Defects of the schema itself:</p>", items(report.by_defect())]
        group = report.of(kind)
        if not group:
            out.append("<p>None.</p>")
        for finding in group:
            out += [
                f"<h3>{text(_title(finding))}</h3>",
                f"<p>{text(finding.message.strip() or finding.title)}</p>",
                f"<pre>{text(finding.curl)}</pre>",
            ]
    if report.cleanup is not None:
        out += [
            "<h2>Cleanup of the data this run created</h2>",
            f"<pre>{text(report.cleanup)}</pre>",
        ]
    if report.seed is not None:
        out.append(f"<p>Seed: {report.seed} (reproduce with --hypothesis-seed={report.seed})</p>")
    return "\n".join(out) + "\n"
