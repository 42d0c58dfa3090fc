"""Findings of a contract run, classified, and the reports made of them.

Two classes, kept apart like Schemathesis keeps failures apart from errors:
- CONTRACT: the server broke the contract (wrong type, 500, auth ignored, ...): fails the run;
- SCHEMA_GAP: the server answered a standard error the schema does not document (the vendor's
  schema lists few): reported in its own section, fails only with --strict-schema.
"""

from __future__ import annotations

import html
import json
import shlex
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CONTRACT = "contract"
SCHEMA_GAP = "schema-gap"
THROTTLED = "throttled"  # answered 429 even after waiting: the check could not be judged
STANDARD_ERRORS = frozenset({400, 401, 402, 403, 404, 405, 409, 415, 429})
SECRET_HEADERS = frozenset({"client-secret", "authorization", "x-spot-api-secret", "cookie"})


@dataclass(frozen=True)
class Finding:
    operation: str
    check: str
    code: str
    title: str
    message: str
    status: int | None
    curl: str
    classification: str


def classify(code: str, check: str, status: int | None) -> str:
    """A standard error the schema forgot is a gap; everything else broke the contract.

    Two kinds of gap: a standard error status the operation does not document (ST103), and
    schema-valid data refused with a 400 (ST202): a business rule the schema does not state
    (an unknown template id, an http webhook URL). A 5xx, a wrong shape, ignored auth or an
    accepted invalid request always broke the contract.
    """
    if status == 429 and check != "retry_after_on_429":
        return THROTTLED
    if code == "ST103" and status in STANDARD_ERRORS:  # undocumented status code
        return SCHEMA_GAP
    if code == "ST202" and status == 400:  # valid data rejected
        return SCHEMA_GAP
    return CONTRACT


def curl_line(request: dict[str, Any], body: Any = None) -> str:
    """A command that reproduces the request, secrets masked."""
    parts = ["curl", "-X", request.get("method", "GET")]
    for name, values in (request.get("headers") or {}).items():
        for value in values if isinstance(values, list) else [values]:
            shown = "***" if name.lower() in SECRET_HEADERS else value
            parts += ["-H", f"{name}: {shown}"]
    if body is not None:
        parts += ["-d", body if isinstance(body, str) else json.dumps(body)]
    parts.append(request.get("uri", ""))
    return " ".join(shlex.quote(part) for part in parts)


def findings_from_ndjson(path: Path) -> tuple[list[Finding], set[str]]:
    """Findings (deduplicated by operation, check and status) and the operations tested."""
    found: dict[tuple[str, str, int | None], Finding] = {}
    tested: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        scenario = event.get("ScenarioFinished")
        if not scenario:
            continue
        recorder = scenario.get("recorder") or {}
        if recorder.get("label"):
            tested.add(recorder["label"])
        for case_id, checks in (recorder.get("checks") or {}).items():
            interaction = (recorder.get("interactions") or {}).get(case_id) or {}
            request = interaction.get("request") or {}
            case = ((recorder.get("cases") or {}).get(case_id) or {}).get("value") or {}
            status = (interaction.get("response") or {}).get("status_code")
            for check in checks:
                failure = (check.get("failure_info") or {}).get("failure")
                if check.get("status") != "failure" or not failure:
                    continue
                key = (failure.get("operation") or recorder.get("label", ""), check["name"], status)
                found.setdefault(
                    key,
                    Finding(
                        operation=key[0],
                        check=check["name"],
                        code=failure.get("code", ""),
                        title=failure.get("title", ""),
                        message=(failure.get("message") or "")[:500],
                        status=status,
                        curl=curl_line(request, case.get("body")),
                        classification=classify(failure.get("code", ""), check["name"], status),
                    ),
                )
    return list(found.values()), tested


def markdown_report(
    findings: list[Finding], tested: set[str], total_operations: int, target: str
) -> str:
    contract = [f for f in findings if f.classification == CONTRACT]
    gaps = [f for f in findings if f.classification == SCHEMA_GAP]
    throttled = [f for f in findings if f.classification == THROTTLED]
    lines = [
        "# spotcheck contract report",
        "",
        f"- target: {target}",
        f"- operations covered: {len(tested)} of {total_operations}",
        f"- the server broke the contract: {len(contract)} finding(s)",
        f"- the schema does not document a standard error: {len(gaps)} gap(s)",
        f"- not judged, rate limited (429) even after waiting: {len(throttled)}",
        "",
        "## Findings by check",
        "",
    ]
    for (check, classification), count in sorted(
        Counter((f.check, f.classification) for f in findings).items()
    ):
        lines.append(f"- {check} ({classification}): {count}")
    sections = (
        ("The server broke the contract", contract),
        ("Schema gaps", gaps),
        ("Not judged: rate limited", throttled),
    )
    for title, group in sections:
        lines += ["", f"## {title}", ""]
        if not group:
            lines.append("None.")
        for finding in sorted(group, key=lambda f: (f.operation, f.check)):
            lines += [
                f"### {finding.operation}: {finding.check} "
                f"({finding.code}, status {finding.status})",
                "",
                finding.message.strip() or finding.title,
                "",
                "```sh",
                finding.curl,
                "```",
                "",
            ]
    return "\n".join(lines) + "\n"


def write_json(findings: list[Finding], path: Path) -> None:
    path.write_text(json.dumps([asdict(f) for f in findings], indent=2), encoding="utf-8")


def html_report(markdown: str) -> str:
    """The Markdown summary as a standalone HTML page (headings, lists, code blocks)."""
    out = [
        "<!doctype html><meta charset='utf-8'><title>spotcheck contract report</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "pre{background:#f4f4f4;padding:.5em;overflow-x:auto}</style>",
    ]
    in_code = in_list = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            out.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
            continue
        if in_code:
            out.append(html.escape(line))
            continue
        if in_list and not line.startswith("- "):
            out.append("</ul>")
            in_list = False
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{html.escape(line[level:].strip())}</h{level}>")
        elif line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{html.escape(line[2:])}</li>")
        elif line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out) + "\n"
