"""The contract suite against deliberately broken servers: each defect is caught with the
right check and class; a server whose only issue is an undocumented standard error passes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import subprocess
import sys
from pathlib import Path

import pytest

from contract_tests.contract import load_contract
from contract_tests.findings import CONTRACT, SCHEMA_GAP, Finding, classify, curl_line
from contract_tests.runner import RunOptions, UnsafeTarget, guard, is_production, run
from contract_tests.webhook_checks import delivery_problems
from spotcheck.client.servers import serve_in_thread
from tests.broken_servers import broken_app

pytestmark = pytest.mark.e2e

THINGS = str(Path(__file__).parent / "data" / "things.yaml")


def _run(defect: str, tmp_path: Path, schema: str = THINGS):
    with serve_in_thread(broken_app(defect)) as url:
        options = RunOptions(
            base_url=url,
            schema=schema,
            rate_limit=0,
            max_examples=25,
            report_dir=tmp_path / defect,
            workers=1,
        )
        return run(options)


@pytest.mark.parametrize(
    ("defect", "check"),
    [
        ("wrong_field_type", "response_schema_conformance"),
        ("dropped_required_field", "response_schema_conformance"),
        ("server_error_on_one_input", "not_a_server_error"),
        ("auth_ignored", "ignored_auth"),
        ("undocumented_status", "status_code_conformance"),
        ("wrong_content_type", "content_type_conformance"),
    ],
)
def test_each_defect_is_caught_with_the_right_check(defect, check, tmp_path):
    result = _run(defect, tmp_path)
    caught = {(f.check, f.classification) for f in result.findings}
    assert (check, CONTRACT) in caught, caught
    finding = next(f for f in result.broken if f.check == check)
    assert finding.operation.startswith("GET /api/v2.1/public/things")
    assert finding.curl.startswith("curl -X GET")
    assert "uat-secret-acme-0001" not in finding.curl
    report = result.report.read_text()
    assert check in report and "The server broke the contract" in report


def test_an_undocumented_standard_error_is_only_a_schema_gap(tmp_path):
    result = _run("undocumented_standard_error", tmp_path)
    assert result.broken == [], [(f.operation, f.check) for f in result.broken]
    assert any(f.status == 404 and f.classification == SCHEMA_GAP for f in result.gaps)


def test_a_sound_server_has_no_contract_findings(tmp_path):
    result = _run("none", tmp_path)
    assert result.broken == []
    assert result.tested == {
        "GET /api/v2.1/public/things/",
        "GET /api/v2.1/public/things/{thing_id}",
    }


def test_a_bad_webhook_signature_is_caught():
    key = base64.b64encode(b"k" * 32).decode()
    raw = b'{"activity":"CONTRACT_CREATED","contract_id":1}'
    good = hmac.new(base64.b64decode(key), raw, hashlib.sha512).hexdigest()
    event = {"raw": raw, "signature": good, "activity": "CONTRACT_CREATED"}
    assert delivery_problems(event, key, {"CONTRACT_CREATED"}) == []
    forged = {**event, "signature": hmac.new(b"other", raw, hashlib.sha512).hexdigest()}
    assert any(
        "X-SD-WEBHOOK-CONTENT-HASH" in p
        for p in delivery_problems(forged, key, {"CONTRACT_CREATED"})
    )
    unwanted = {**event, "activity": "CONTRACT_VOIDED"}
    assert any("filter" in p for p in delivery_problems(unwanted, key, {"CONTRACT_CREATED"}))


def test_production_targets_are_refused_unless_allowed():
    assert is_production("https://api.us.spotdraft.com", "uat")
    assert not is_production("https://api.uat.spotdraft.com", "uat")
    assert is_production("http://127.0.0.1:8080", "production")
    with pytest.raises(UnsafeTarget):
        guard(RunOptions(base_url="https://api.eu.spotdraft.com"))


def test_classification_and_masking():
    assert classify("ST103", "status_code_conformance", 404) == SCHEMA_GAP
    assert classify("ST103", "status_code_conformance", 418) == CONTRACT
    assert classify("ST101", "not_a_server_error", 500) == CONTRACT
    line = curl_line(
        {
            "method": "GET",
            "uri": "http://x/y",
            "headers": {"client-secret": ["s3cr3t"], "client-id": ["id"]},
        }
    )
    assert "s3cr3t" not in line and "client-id: id" in line


def test_read_only_contract_keeps_gets_and_reading_posts():
    from contract_tests.runner import read_only

    document = load_contract(str(Path(__file__).parent.parent / "openapi" / "spotdraft.yaml"))
    kept = read_only(document.document)
    methods = {(m, p) for p, item in kept["paths"].items() for m in item if m != "parameters"}
    assert ("get", "/api/v2.1/public/contracts/") in methods
    assert ("post", "/api/v2.1/public/contracts/{composite_id}/download_link") in methods
    assert ("post", "/api/v2.1/public/contracts/preview/") in methods
    assert not any(m in ("put", "patch", "delete") for m, _ in methods)
    assert ("post", "/api/v2.1/public/contracts/") not in methods


def test_a_remote_target_is_only_read(tmp_path):
    """Against a server that is not the mock and without --allow-writes: GETs only."""
    seen: list[str] = []

    async def app(scope, receive, send):
        if scope["type"] == "http":
            seen.append(scope["method"])
        await broken_app("none")(scope, receive, send)

    with serve_in_thread(app) as url:
        run(
            RunOptions(
                base_url=url,
                schema=str(Path(__file__).parent.parent / "openapi" / "spotdraft.yaml"),
                rate_limit=0,
                max_examples=2,
                report_dir=tmp_path / "r",
                time_budget=30,
            )
        )
    assert seen and set(seen) <= {"GET", "POST"}


def test_requests_are_paced_and_429s_waited_out(tmp_path):
    import time

    from tests.broken_servers import rate_limited_app

    counter: dict[str, int] = {}
    with serve_in_thread(rate_limited_app(counter)) as url:
        started = time.monotonic()
        result = run(
            RunOptions(
                base_url=url,
                schema=THINGS,
                rate_limit=5,
                max_examples=3,
                report_dir=tmp_path / "paced",
                workers=1,
            )
        )
        elapsed = time.monotonic() - started
    assert counter["throttled"] >= 1
    assert not [f for f in result.broken if f.status == 429], "a 429 is waited out or set apart"
    # 5 requests/s at most (one second of slack for start-up and the Retry-After waits)
    assert counter["requests"] <= 5 * elapsed + 5, (counter, elapsed)


def test_a_429_without_retry_after_is_a_contract_break():
    from contract_tests.findings import THROTTLED

    assert classify("ST901", "retry_after_on_429", 429) == CONTRACT
    assert classify("ST103", "status_code_conformance", 429) == THROTTLED


SAMPLES = Path(__file__).resolve().parent.parent / "openapi" / "samples"


@pytest.mark.parametrize(
    ("sample", "extra"),
    [
        ("travel-users.yaml", []),
        ("participants.yaml", []),
        ("participants.yaml", ["--api-version", "2024-06-01"]),
    ],
)
def test_the_suite_passes_against_the_mock_in_each_auth_profile(sample, extra, tmp_path):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "-p",
        "no:cacheprovider",
        "-q",
        "-rs",
        "--schema",
        str(SAMPLES / sample),
        "--report-dir",
        str(tmp_path / "report"),
        *extra,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=SAMPLES.parent.parent
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    # the profile's own tests ran (not skipped): token reuse, or versions and key checks
    assert "5 passed" in output, output[-2000:]
    report = (tmp_path / "report" / "report.md").read_text()
    assert "the server broke the contract: 0 finding(s)" in report
    assert "operations covered: 0" not in report


def test_an_old_version_is_a_contract_break_when_the_latest_schema_is_checked(tmp_path):
    """The suite pins the version the schema describes: answers in another version's shape
    are caught (here: a client sending the old date while checking the latest contract)."""
    from mockserver.app import create_app
    from mockserver.settings import Settings

    app = create_app(Settings(spec=str(SAMPLES / "participants.yaml"), rate_limit=0, cache_dir=""))

    async def pinned_to_the_old_version(scope, receive, send):
        if scope["type"] == "http":
            scope["headers"] = [
                *[(k, v) for k, v in scope["headers"] if k.lower() != b"x-spot-api-version"],
                (b"x-spot-api-version", b"2024-06-01"),
            ]
        await app(scope, receive, send)

    with serve_in_thread(pinned_to_the_old_version) as url:
        options = RunOptions(
            base_url=url,
            schema=str(SAMPLES / "participants.yaml"),
            profile="api-key-version",
            client_id="acct_sandbox_1001",
            client_secret="sk_test_sandbox_1001",
            rate_limit=0,
            report_dir=tmp_path / "old",
            workers=1,
        )
        result = run(options)
    broken = {(f.operation, f.check) for f in result.broken}
    assert ("GET /participants", "response_schema_conformance") in broken, broken


def test_data_created_on_a_real_target_is_deleted_after_the_run(tmp_path):
    """--allow-writes against a target that is not the mock: what the run created and the
    schema lets us DELETE is removed afterwards, and the report says so."""
    from mockserver.app import create_app
    from mockserver.settings import Settings

    app = create_app(
        Settings(
            spec=str(SAMPLES / "travel-users.yaml"),
            rate_limit=0,
            token_rate_limit=0,
            cache_dir="",
            db=str(tmp_path / "real.db"),
        )
    )

    async def looks_real(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/__admin"):
            scope = {**scope, "path": "/hidden-admin"}  # not recognisable as the mock
        await app(scope, receive, send)

    with serve_in_thread(looks_real) as url:
        result = run(
            RunOptions(
                base_url=url,
                schema=str(SAMPLES / "travel-users.yaml"),
                profile="oauth2-client-credentials",
                allow_writes=True,
                rate_limit=0,
                max_examples=10,
                report_dir=tmp_path / "r",
                workers=1,
            )
        )
    store, workspace = app.runtime.store, app.runtime.workspace.id
    assert not result.is_mock and result.cleanup is not None
    assert result.cleanup.created > 0
    assert result.cleanup.deleted == result.cleanup.created, result.cleanup.summary()
    assert store.list_records(workspace, "v2/companies") == []
    assert store.list_records(workspace, "v2/users") == []
    assert "Cleanup of the data this run created" in result.report.read_text()


def _defective_things(tmp_path: Path) -> str:
    """things.yaml with a defect vendors ship: a path parameter the path does not contain."""
    import yaml

    document = yaml.safe_load(Path(THINGS).read_text())
    listing = document["paths"]["/api/v2.1/public/things/"]["get"]
    listing["parameters"].append(
        {"name": "thing_kind", "in": "path", "required": True, "schema": {"type": "integer"}}
    )
    path = tmp_path / "things-defective.yaml"
    path.write_text(yaml.safe_dump(document))
    return str(path)


def test_a_defect_of_the_schema_is_a_gap_and_a_broken_server_still_breaks_it(tmp_path):
    """The suite reads the schema as published (no repair): the orphan parameter is never
    sent, so a sound server cannot refuse a wrong value of it - a schema gap, not a broken
    contract; a server with a real defect on the same schema is still caught."""
    schema = _defective_things(tmp_path)
    gaps = load_contract(schema).gaps
    assert [(g.kind, g.where) for g in gaps] == [
        ("orphan-path-parameter", "GET /api/v2.1/public/things/")
    ]
    sound = _run("none", tmp_path, schema)
    assert sound.broken == [], [(f.operation, f.check) for f in sound.broken]
    assert ("negative_data_rejection", SCHEMA_GAP) in {
        (f.check, f.classification) for f in sound.findings
    }
    report = sound.report.read_text()
    assert "orphan-path-parameter: 1" in report and "defects of the schema itself: 1" in report
    broken = _run("wrong_field_type", tmp_path, schema)
    assert ("response_schema_conformance", CONTRACT) in {
        (f.check, f.classification) for f in broken.findings
    }


def test_the_vendor_schemas_defects_are_read_as_published(vendor_spec):
    """The verbatim vendor schema loads without the mock's repairs; its defects are gaps that
    explain only the checks they mislead, on their own operations."""
    contract = load_contract(str(vendor_spec))
    assert contract.profile == "spotdraft" and len(contract.operations) > 150
    kinds = {gap.kind for gap in contract.gaps}
    assert {"orphan-path-parameter", "form-body-nested", "bodyless-status-content"} <= kinds
    orphan = next(g for g in contract.gaps if g.kind == "orphan-path-parameter")
    assert orphan.explains(orphan.where, "negative_data_rejection", 200)
    assert not orphan.explains(orphan.where, "response_schema_conformance", 200)
    assert not orphan.explains("GET /elsewhere", "negative_data_rejection", 200)
    # an array body offered as a form: the 415 a server answers is the schema's doing
    bulk = "POST /api/v2.1/public/contracts/{contract_id}/obligations/bulk/"
    form = next(g for g in contract.gaps if g.kind == "form-body-nested" and g.where == bulk)
    assert form.explains(bulk, "positive_data_acceptance", 415)
    assert not form.explains(bulk, "positive_data_acceptance", 500)
    # a server error is never the schema's fault, whatever defect sits on the operation
    assert classify("ST101", "not_a_server_error", 500, explained=True) == CONTRACT
    assert classify("ST201", "negative_data_rejection", 200, explained=True) == SCHEMA_GAP


def test_each_report_format_is_rendered_from_the_findings():
    from contract_tests.gaps import SchemaGap
    from contract_tests.reports import Report, html, markdown

    finding = Finding(
        "GET /a <b>",
        "not_a_server_error",
        "ST101",
        "Server error",
        "boom & bust",
        500,
        "curl -X GET 'http://x/a'",
        CONTRACT,
    )
    gap = SchemaGap("bad-default", "#/components/schemas/A", "default '' breaks its own schema")
    report = Report([finding], {"GET /a <b>"}, 3, "http://x", (gap,), "created 1, deleted 1", 7)
    text, page = markdown(report), html(report)
    for rendered in (text, page):
        assert "operations covered: 1 of 3" in rendered and "bad-default: 1" in rendered
        assert "created 1, deleted 1" in rendered and "--hypothesis-seed=7" in rendered
    assert "### GET /a <b>: not_a_server_error (ST101, status 500)" in text
    assert "<h3>GET /a &lt;b&gt;: not_a_server_error (ST101, status 500)</h3>" in page
    assert "boom &amp; bust" in page and "```" not in page and "##" not in page
