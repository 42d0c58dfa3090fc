"""Findings of a contract run, classified (`contract_tests.reports` renders them).

Two classes, kept apart like Schemathesis keeps failures apart from errors:
- CONTRACT: the server broke the contract (wrong type, 500, auth ignored, ...): fails the run;
- SCHEMA_GAP: the server answered a standard error the schema does not document (the vendor's
  schema lists few), or a defect of the schema (`contract_tests.gaps`) explains the finding:
  reported in its own section, fails only with --strict-schema.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from contract_tests.gaps import SchemaGap
from spotcheck.client.families import secret_headers

CONTRACT = "contract"
SCHEMA_GAP = "schema-gap"
THROTTLED = "throttled"  # answered 429 even after waiting: the check could not be judged
STANDARD_ERRORS = frozenset({400, 401, 402, 403, 404, 405, 409, 415, 429})
SECRET_HEADERS = secret_headers()


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


def classify(code: str, check: str, status: int | None, explained: bool = False) -> str:
    """A standard error the schema forgot is a gap; everything else broke the contract.

    Three kinds of gap: a standard error status the operation does not document (ST103),
    schema-valid data refused with a 400 (ST202): a business rule the schema does not state
    (an unknown template id, an http webhook URL), and a finding a defect of the schema
    `explained`. A 5xx, a wrong shape, ignored auth or an accepted invalid request on a sound
    part of the schema always broke the contract.
    """
    if status == 429 and check != "retry_after_on_429":
        return THROTTLED
    if explained and check != "not_a_server_error":
        return SCHEMA_GAP
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


def findings_from_ndjson(
    path: Path, gaps: Iterable[SchemaGap] = ()
) -> tuple[list[Finding], set[str]]:
    """Findings (deduplicated by operation, check and status) and the operations tested;
    `gaps`: the schema's defects, which explain some findings."""
    gaps = tuple(gaps)
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
                        classification=classify(
                            failure.get("code", ""),
                            check["name"],
                            status,
                            any(gap.explains(key[0], check["name"], status) for gap in gaps),
                        ),
                    ),
                )
    return list(found.values()), tested


def write_json(findings: list[Finding], path: Path) -> None:
    path.write_text(json.dumps([asdict(f) for f in findings], indent=2), encoding="utf-8")
