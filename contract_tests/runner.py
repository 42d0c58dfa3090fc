"""Run the contract checks against a target: the in-process mock or any base URL.

Safe against a real UAT by default: read-only (GET), throttled under the vendor's 10
requests/s (Schemathesis also honours Retry-After), bounded by examples and time, and a
production host is refused unless allowed explicitly.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from contract_tests.cleanup import Cleanup, clean_up
from contract_tests.contract import Contract, load_contract, shipped_schema
from contract_tests.findings import CONTRACT, SCHEMA_GAP, Finding, findings_from_ndjson, write_json
from contract_tests.masking import mask_report_dir
from contract_tests.progress import NdjsonProgress, Say, run_with_progress
from contract_tests.reports import Report, html, markdown
from spotcheck.client.auth import ClientAuth
from spotcheck.client.errors import ClientError
from spotcheck.client.families import SPOTDRAFT, ClientFamily, Credential, family
from spotcheck.client.target import is_mock, is_production

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "ignored_auth",
    "vendor_error_body",
    "retry_after_on_429",
)


# POSTs that only read (previews, queries, signed links): allowed in read-only mode.
READ_POSTS = re.compile(r"/(preview|query|download_link|download)/?$")


class UnsafeTarget(ClientError):
    """The run would touch a production system or write where it was not allowed to."""


@dataclass(frozen=True)
class RunOptions:
    base_url: str
    schema: str = field(default_factory=shipped_schema)
    env: str = "uat"
    allow_writes: bool = False
    allow_production: bool = False
    rate_limit: float = 10.0
    max_examples: int = 10
    time_budget: float | None = None
    strict_schema: bool = False
    report_dir: Path = Path("reports/contract")
    client_id: str = "uat-client-acme"
    client_secret: str = field(default="uat-secret-acme-0001", repr=False)
    user_email: str | None = None
    workers: int = 1
    webhook_public_url: str | None = None
    webhook_listen_port: int = 9000
    profile: str = SPOTDRAFT  # how the suite authenticates (spotcheck.client.families)
    api_version: str | None = None  # X-Spot-Api-Version to pin (api-key-version profile)
    overlay_file: str | None = None  # our overlay for the schema (its versions)
    seed: int | None = None  # Schemathesis' seed; None lets it draw one (not reproducible)

    def family(self) -> ClientFamily:
        return family(self.profile)

    def contract(self) -> Contract:
        """The contract as published, read by the suite with the profile's client side."""
        return load_contract(self.schema, self.profile, self.overlay_file)

    def auth(self, contract: Contract) -> ClientAuth:
        return ClientAuth.create(
            self.profile,
            self.base_url,
            contract.token_path(),
            self.client_id,
            self.client_secret,
            self.user_email,
            self.api_version,
        )


@dataclass
class RunResult:
    findings: list[Finding]
    tested: set[str]
    operations: int
    is_mock: bool
    report: Path
    output: str
    cleanup: Cleanup | None = None  # what a --allow-writes run on a real target removed
    seed: int | None = None  # the seed the run was given

    def of(self, classification: str) -> list[Finding]:
        return [f for f in self.findings if f.classification == classification]

    @property
    def broken(self) -> list[Finding]:
        return self.of(CONTRACT)

    @property
    def gaps(self) -> list[Finding]:
        return self.of(SCHEMA_GAP)


def guard(options: RunOptions) -> bool:
    """Refuse what is unsafe; return whether the target is the mock."""
    if is_production(options.base_url, options.env) and not options.allow_production:
        raise UnsafeTarget(
            f"{options.base_url} is a production target: refused without --allow-production"
        )
    return is_mock(options.base_url)


def run(options: RunOptions, auth: ClientAuth | None = None, say: Say | None = None) -> RunResult:
    """One Schemathesis run; `auth` (shared with the suite's other tests) keeps its token;
    `say` hears its progress (phase, operations done/total)."""
    mock = guard(options)
    loaded = options.contract()
    auth = auth or options.auth(loaded)
    options.report_dir.mkdir(parents=True, exist_ok=True)
    for old in (
        *options.report_dir.glob("ndjson-*"),
        *options.report_dir.glob("junit-*"),
        *options.report_dir.glob("vcr-*"),
    ):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        contract = Path(scratch) / "contract.json"
        # The contract as published, without our overlays: what it leaves undocumented shows
        # up as schema gaps. The schema describes one version: a pinned one's is derived.
        document = loaded.for_version(options.api_version)
        writes = mock or options.allow_writes
        config = Path(scratch) / "schemathesis.toml"
        if not writes:
            document = read_only(document)
            # Schemathesis also probes each path with methods it does not document (PUT,
            # DELETE, ...): on a real system those could write.
            config.write_text("[phases.coverage]\nunexpected-methods = []\n", encoding="utf-8")
        else:
            config.write_text("", encoding="utf-8")
        contract.write_text(json.dumps(document, default=str), encoding="utf-8")
        command = _command(
            options, contract, config, auth.headers(), run_id=f"spotcheck-{uuid.uuid4()}"
        )
        environment = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "contract_tests.st_hooks",
            "SPOTCHECK_CONTRACT_RATE": f"{options.rate_limit:g}",
            "SPOTCHECK_CONTRACT_PROFILE": options.profile,
        }
        # Schemathesis and Hypothesis keep their caches in the working directory: the
        # report folder's, not the user's.
        cache = options.report_dir.resolve() / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        progress = NdjsonProgress(options.report_dir, len(_keys(document)), say) if say else None
        result = run_with_progress(command, environment, cache, progress, timeout=3600)
    # Schemathesis masks headers only: bodies (an hmac_key, tokens) are masked before any use.
    mask_report_dir(options.report_dir)
    ndjson = sorted(options.report_dir.glob("ndjson-*.ndjson"))
    if not ndjson:
        raise ClientError(
            f"Schemathesis wrote no report:\n{result.stdout[-3000:]}{result.stderr[-2000:]}"
        )
    findings, labels = findings_from_ndjson(ndjson[-1], loaded.gaps)
    selected = _keys(document)
    tested = labels & selected
    write_json(findings, options.report_dir / "findings.json")
    cleanup = None
    cassettes = sorted(options.report_dir.glob("vcr-*.yaml"))
    if writes and not mock and cassettes:
        cleanup = clean_up(
            cassettes[-1], loaded, options.base_url, auth.headers(), options.rate_limit
        )
    summary = Report(
        findings,
        tested,
        len(selected),
        options.base_url,
        loaded.gaps,
        cleanup.summary() if cleanup else None,
        options.seed,
    )
    report = options.report_dir / "report.md"
    report.write_text(markdown(summary), encoding="utf-8")
    (options.report_dir / "report.html").write_text(html(summary), encoding="utf-8")
    return RunResult(
        findings, tested, len(selected), mock, report, result.stdout, cleanup, options.seed
    )


def _without_links(operation: object) -> object:
    if not isinstance(operation, dict):
        return operation
    responses = {
        code: {k: v for k, v in response.items() if k != "links"}
        if isinstance(response, dict)
        else response
        for code, response in (operation.get("responses") or {}).items()
    }
    return {**operation, "responses": responses}


def _keys(document: dict) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, item in document.get("paths", {}).items()
        for method in item
        if method != "parameters"
    }


def read_only(document: dict) -> dict:
    """The document with only GETs and the POSTs that only read (and no links to follow)."""
    paths = {}
    for path, item in document.get("paths", {}).items():
        kept = {
            method: _without_links(operation)
            for method, operation in item.items()
            if method == "parameters"
            or method == "get"
            or (method == "post" and READ_POSTS.search(path))
        }
        if set(kept) - {"parameters"}:
            paths[path] = kept
    return {**document, "paths": paths}


def _command(
    options: RunOptions,
    contract: Path,
    config: Path,
    auth_headers: dict[str, str],
    run_id: str,
) -> list[str]:
    st = str(Path(sys.executable).parent / "st")
    command = [
        st,
        "--config-file",
        str(config),
        "run",
        str(contract),
        "--url",
        options.base_url,
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(options.max_examples),
        "--workers",
        str(options.workers),
        "--max-redirects",
        "0",
        "--request-timeout",
        "30",
        "--report",
        "junit,vcr,ndjson",
        "--report-dir",
        str(options.report_dir.resolve()),
        # every request of the run carries its id, so its test data can be found afterwards
        "-H",
        f"X-Spotcheck-Run: {run_id}",
    ]
    for name, value in auth_headers.items():
        command += ["-H", f"{name}: {value}"]
    credential = Credential(options.client_id, options.client_secret)
    basic = options.family().basic_auth(credential)
    if basic:  # routes that take the same credential as HTTP Basic (SpotDraft's native ones)
        command += ["--auth", ":".join(basic)]
    # Retry a 429 after its Retry-After; the pacing itself is done by our before_call hook.
    command += ["--rate-limit", "auto"]
    if options.time_budget:
        command += ["--max-time", str(int(options.time_budget))]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    return command
