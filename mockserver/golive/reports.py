"""The diff's reports: Markdown for people, JSON for tools, JUnit for CI.

Each is a small writer over one `DiffResult`; JUnit has a test case per replayed exchange,
failed when the twin is wrong there (schema and data differences are listed, not failures).
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from mockserver.golive.compare import DATA, SCHEMA, TWIN, Difference
from mockserver.golive.diff import DiffResult

_TITLES = {
    TWIN: "The twin is wrong (upstream kept its schema, the twin answered otherwise)",
    SCHEMA: "The schema is silent or wrong (upstream broke it, or it says nothing)",
    DATA: "Data (values that differ by nature: ids, timestamps, names)",
}
_DATA_SHOWN = 20


def summary_line(result: DiffResult) -> str:
    counts = result.counts()
    return (
        f"{len(result.replayed) - result.deliveries} exchanges replayed ({result.skipped} "
        f"skipped), {result.deliveries} webhook deliveries compared: "
        f"twin wrong {counts[TWIN]}, schema silent or wrong {counts[SCHEMA]}, data {counts[DATA]}"
    )


def markdown(result: DiffResult, source: str) -> str:
    lines = [f"# spotcheck diff: {source}", "", summary_line(result), ""]
    for klass in (TWIN, SCHEMA, DATA):
        found = result.of(klass)
        lines += [f"## {_TITLES[klass]}: {len(found)}", ""]
        if not found:
            lines += ["None.", ""]
            continue
        shown = found[:_DATA_SHOWN] if klass == DATA else found
        lines += ["| # | operation | aspect | difference |", "|---|---|---|---|"]
        lines += [_row(d) for d in shown]
        if len(shown) < len(found):
            lines.append(f"\n... and {len(found) - len(shown)} more in diff.json")
        lines.append("")
    return "\n".join(lines)


def _row(difference: Difference) -> str:
    detail = difference.detail.replace("|", "\\|")
    return f"| {difference.exchange} | `{difference.operation}` | {difference.aspect} | {detail} |"


def junit(result: DiffResult) -> str:
    suite = ElementTree.Element(
        "testsuite",
        name="spotcheck diff",
        tests=str(len(result.replayed)),
        failures=str(len({d.exchange for d in result.of(TWIN)})),
        skipped=str(result.skipped),
    )
    for number, exchange in enumerate(result.replayed, start=1):
        case = ElementTree.SubElement(
            suite, "testcase", classname="diff", name=f"{number} {exchange}"
        )
        mine = [d for d in result.differences if d.exchange == number]
        wrong = [d for d in mine if d.klass == TWIN]
        if wrong:
            failure = ElementTree.SubElement(case, "failure", message=wrong[0].detail)
            failure.text = "\n".join(f"{d.aspect}: {d.detail}" for d in wrong)
        others = [d for d in mine if d.klass != TWIN]
        if others:
            out = ElementTree.SubElement(case, "system-out")
            out.text = "\n".join(f"[{d.klass}] {d.aspect}: {d.detail}" for d in others)
    return ElementTree.tostring(suite, encoding="unicode")


def write_reports(result: DiffResult, report_dir: Path, source: str) -> list[Path]:
    """diff.md, diff.json and junit-diff.xml in `report_dir`; their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "source": source,
        "replayed": result.replayed,
        "skipped": result.skipped,
        "counts": result.counts(),
        "differences": [d.as_dict() for d in result.differences],
    }
    written = {
        "diff.md": markdown(result, source),
        "diff.json": json.dumps(document, indent=1),
        "junit-diff.xml": junit(result),
    }
    for name, text in written.items():
        (report_dir / name).write_text(text, encoding="utf-8")
    return [report_dir / name for name in written]
