"""Drive one mock booted from a corpus file: identity round trips and a bounded Schemathesis run.

Used by tests/test_corpus.py and by hand: `python -m tests.corpus_run FILE` (identity round
trips), `python -m tests.corpus_run --table corpus.json` (BENCHMARKS.md's table from the
figures the corpus test writes to $SPOTCHECK_CORPUS_REPORT).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from contract_tests.auth import ProfileAuth
from mockserver.behaviours.synth import Synthesizer
from mockserver.profiles import resource_path, token_path
from mockserver.spec.resource_model import Resource, ResourceModel
from mockserver.spec.validation import SchemaChecker

CLIENT = ("uat-client-acme", "uat-secret-acme-0001")
USER = "admin@acme.test"
CHECKS = ",".join(
    (
        "not_a_server_error",
        "response_schema_conformance",
        "positive_data_acceptance",
        "negative_data_rejection",
    )
)


@dataclass
class Mock:
    url: str
    profile: str
    pid: int
    startup_s: float
    log: Path

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+)", status)
        return int(found.group(1)) if found else 0


@contextmanager
def served(spec: Path, db: Path) -> Iterator[Mock]:
    """`spotcheck serve` on a free loopback port, until the block ends. Its output goes to a
    file beside `db` (a pipe nobody reads would stall the server once full)."""
    started = time.monotonic()
    command = [sys.executable, "-m", "spotcheck", "serve", "--spec", str(spec), "--port", "0"]
    command += ["--rate-limit", "0", "--db", str(db)]
    log = db.with_suffix(".log")
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
    try:
        banner = ""
        while "auth profile" not in banner:
            if process.poll() is not None:
                raise AssertionError(
                    f"mock did not start on {spec.name}: {log.read_text()[-2000:]}"
                )
            time.sleep(0.05)
            banner = log.read_text()
        url = re.search(r"serving (http://\S+)", banner).group(1)  # type: ignore[union-attr]
        profile = re.search(r"auth profile: (\S+)", banner).group(1)  # type: ignore[union-attr]
        while httpx.get(f"{url}/__admin/health").status_code != 200:
            time.sleep(0.05)
        yield Mock(url, profile, process.pid, time.monotonic() - started, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def auth_headers(mock: Mock, document: dict[str, Any]) -> dict[str, str]:
    """The profile's own headers, plus what else the served schema's schemes ask for: an API
    key header (any value passes a presence check), a user's bearer token from the admin API."""
    auth = ProfileAuth.create(mock.profile, mock.url, token_path(document) or "", *CLIENT)
    headers = auth.headers()
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    for scheme in schemes.values():
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            headers.setdefault(scheme["name"], CLIENT[1])
    bearer = any(
        s.get("type") in ("oauth2", "openIdConnect") or s.get("scheme", "").lower() == "bearer"
        for s in schemes.values()
    )
    if bearer and "Authorization" not in headers:
        answer = httpx.post(f"{mock.url}/__admin/tokens", json={"user_email": USER})
        headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
    return headers


@dataclass
class Identity:
    right: int = 0
    total: int = 0
    inferred: int = 0  # every resource the model found; `total` those with create and read
    wrong: list[str] = field(default_factory=list)


def identity_round_trips(mock: Mock, document: dict[str, Any]) -> Identity:
    """create -> read -> update -> delete -> 404 for every resource with create and read."""
    model = ResourceModel(document, resource_path)
    synth = Synthesizer(document).for_requests()  # bodies a client sends: no readOnly fields
    headers = auth_headers(mock, document)
    result = Identity(inferred=len(model.resources))
    with httpx.Client(base_url=mock.url, headers=headers, timeout=30) as client:
        for resource in model.resources:
            if not resource.round_trip:
                continue
            result.total += 1
            problem = _round_trip(client, resource, document, synth)
            if problem:
                result.wrong.append(f"{resource.kind}: {problem}")
            else:
                result.right += 1
    return result


def _round_trip(
    client: httpx.Client, resource: Resource, document: dict[str, Any], synth: Synthesizer
) -> str | None:
    method, collection = resource.methods["create"].split(" ", 1)
    values = _path_values(document, resource.item_path, synth)
    create = document["paths"][collection]["post"]
    body = _request_example(create, synth)
    created = client.request(
        method, _fill(collection, values), json=body, headers=_header_values(create, synth)
    )
    if not created.is_success:
        return f"create {created.status_code} {created.text[:200]}"
    made = _unwrap(created.json() if created.content else {}, resource)
    item_id = made.get(resource.id_field)
    if item_id is None:
        return f"create answered no {resource.id_field}"
    item = _fill(resource.item_path, {**values, resource.id_param: str(item_id)})
    read = client.get(item)
    if not read.is_success or _unwrap(read.json(), resource).get(resource.id_field) != item_id:
        return f"read {read.status_code} {read.text[:200]}"
    for role in ("update", "replace"):
        if role in resource.methods:
            verb = resource.methods[role].split(" ", 1)[0]
            update = document["paths"][resource.item_path][verb.lower()]
            changed = client.request(
                verb,
                item,
                json=_request_example(update, synth),
                headers=_header_values(update, synth),
            )
            kept = _unwrap(changed.json(), resource) if changed.content else {}
            if not changed.is_success or kept.get(resource.id_field, item_id) != item_id:
                return f"{role} {changed.status_code} {changed.text[:200]}"
            break
    if "delete" in resource.methods:
        gone = client.delete(item)
        if not gone.is_success or client.get(item).status_code != 404:
            return f"delete {gone.status_code}, then read did not 404"
    return None


def _unwrap(body: Any, resource: Resource) -> dict[str, Any]:
    """The object an answer carries, also when nested under its key."""
    for key in resource.wrappers:
        if isinstance(body, dict) and isinstance(body.get(key), dict):
            return body[key]
    if isinstance(body, dict) and len(body) == 1:
        (inner,) = body.values()
        if isinstance(inner, dict):
            return inner
    return body if isinstance(body, dict) else {}


def _path_values(document: dict[str, Any], path: str, synth: Synthesizer) -> dict[str, str]:
    values = {}
    item = document["paths"][path]
    for holder in (item, *(v for v in item.values() if isinstance(v, dict))):
        for parameter in holder.get("parameters") or []:
            parameter = synth.resolve(parameter)
            if parameter.get("in") == "path":
                values[parameter["name"]] = str(synth.example(parameter.get("schema") or {}))
    return values


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"{([^}]+)}", lambda m: values.get(m.group(1), "x1"), path)


def _request_example(operation: dict[str, Any], synth: Synthesizer) -> Any:
    """A body the operation's schema accepts: its example, else one without the vendor's
    examples (some break their own schema)."""
    content = synth.resolve(operation.get("requestBody")).get("content") or {}
    media = next((m for t, m in content.items() if "json" in t), None)
    if not media:
        return None
    checker = SchemaChecker(synth.document)
    body = synth.example(media.get("schema"))
    if checker.errors(media.get("schema") or {}, body):
        body = synth.without_examples().for_requests().example(media.get("schema"))
    return body


def _header_values(operation: dict[str, Any], synth: Synthesizer) -> dict[str, str]:
    headers = {}
    for parameter in operation.get("parameters") or []:
        parameter = synth.resolve(parameter)
        if parameter.get("in") == "header" and parameter.get("required"):
            headers[parameter["name"]] = str(synth.example(parameter.get("schema") or {}))
    return headers


def schemathesis_run(
    mock: Mock, document: dict[str, Any], report_dir: Path, max_time: int
) -> tuple[Counter[str], list[str]]:
    """Failures of a bounded Schemathesis run, by check, and one line per failure."""
    headers = auth_headers(mock, document)
    report = report_dir / "st.ndjson"
    command = [str(Path(sys.executable).parent / "st"), "run", f"{mock.url}/openapi.json"]
    command += ["--checks", CHECKS, "-n", "1", "--max-time", str(max_time), "--seed", "1"]
    command += ["--phases", "examples,fuzzing", "--report", "ndjson"]
    command += ["--report-ndjson-path", str(report), "--generation-deterministic"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
    subprocess.run(command, capture_output=True, text=True, env=env, timeout=max_time + 120)
    return _failures(report)


def _failures(report: Path) -> tuple[Counter[str], list[str]]:
    counts: Counter[str] = Counter()
    lines = []
    for raw in report.read_text().splitlines() if report.exists() else []:
        event = json.loads(raw)
        finished = event.get("ScenarioFinished") or {}
        recorder = finished.get("recorder") or {}
        for case_id, check_list in (recorder.get("checks") or {}).items():
            for check in check_list:
                if str(check.get("status")).lower() == "failure":
                    counts[check["name"]] += 1
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    message = str(failure.get("message", "")).replace("\n", " ")[:400]
                    answer = _answer_text(recorder, case_id)
                    lines.append(f"{recorder.get('label')}: {check['name']}: {message} <- {answer}")
    return counts, lines


def table(report: dict[str, dict[str, Any]]) -> str:
    """BENCHMARKS.md's corpus table from the figures tests/test_corpus.py writes to
    $SPOTCHECK_CORPUS_REPORT."""
    lines = [
        "| file | operations | resources inferred | identity right/total "
        "| Schemathesis failures by check (the mock's) | schema gaps | start-up | RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, row in sorted(report.items()):
        failures = row.get("failures") or {}
        gaps = int(row.get("gaps") or 0)
        ours = sum(failures.values()) - gaps
        by_check = ", ".join(f"{check} {count}" for check, count in sorted(failures.items()))
        lines.append(
            f"| {name} | {row.get('operations', '?')} | {row.get('resources', '?')} "
            f"| {row.get('identity', '?')} | {ours}{f' (all: {by_check})' if by_check else ''} "
            f"| {gaps} | {row['startup_s']} s | {row['rss_mb']} MB |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import tempfile

    if sys.argv[1:2] == ["--table"]:
        print(table(json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))))
        sys.exit(0)
    for name in sys.argv[1:]:
        with (
            tempfile.TemporaryDirectory() as folder,
            served(Path(name), Path(folder) / "m.db") as mock,
        ):
            doc = httpx.get(f"{mock.url}/openapi.json").json()
            found = identity_round_trips(mock, doc)
            print(name, mock.profile, f"startup {mock.startup_s:.1f}s rss {mock.rss_kb()} kB")
            print(f"  identity {found.right}/{found.total}")
            for line in found.wrong:
                print("   ", line)


def _answer_text(recorder: dict[str, Any], case_id: str) -> str:
    """The start of the mock's answer to a failed case (NDJSON keeps bodies in base64)."""
    response = ((recorder.get("interactions") or {}).get(case_id) or {}).get("response") or {}
    body = response.get("body") or response.get("content") or ""
    if isinstance(body, dict) and "$base64" in body:
        body = base64.b64decode(body["$base64"]).decode("utf-8", "replace")
    return f"{response.get('status_code', '?')} {str(body)[:200]}"
