"""`spotcheck report`: grade a client from the mock's request journal, a go-live checklist.

A client is a source address (X-Forwarded-For when sent) with its User-Agent: a 302 or a
refused call carries no credential, yet belongs to the client that sent it. Each check passes,
fails or does not apply, with the request ids that show why:

- honours Retry-After: after a 429 or 503 that promised N seconds, its next request came no
  sooner;
- follows a 302 on a POST: it sent the POST again to the Location (not a GET, not nothing);
- reuses its OAuth token: fewer token requests than half its API calls, once it has made a few;
- pages to the end: every listing it started paging, it read to the last page;
- backs off on 5xx: each retry after a 5xx waited at least 100 ms, and waits did not shrink.

Times: the journal stamps a request when it was answered; one started `latency_ms` earlier.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from mockserver.errors import SpotcheckError

MIN_BACKOFF = 0.1  # seconds: a retry sooner than this hammers a failing server
TOKEN_CALLS = 3  # API calls before token reuse is judged


@dataclass
class Check:
    name: str
    verdict: str = "n/a"  # pass | fail | n/a
    detail: str = "nothing in the journal to judge"
    evidence: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "verdict": self.verdict,
            "detail": self.detail,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Request:
    entry: dict[str, Any]
    started: float  # epoch seconds the client sent it
    answered: float

    @property
    def id(self) -> str:
        return str(self.entry.get("id"))

    @property
    def status(self) -> int:
        return int(self.entry.get("status") or 0)


def _when(entry: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(entry["time"]).replace("Z", "+00:00")).timestamp()


def clients(entries: Iterable[dict[str, Any]]) -> dict[str, list[Request]]:
    """Journal entries (any order) by client, oldest first."""
    grouped: dict[str, list[Request]] = defaultdict(list)
    for entry in entries:
        if not entry.get("time"):
            continue
        answered = _when(entry)
        started = answered - float(entry.get("latency_ms") or 0) / 1000
        source = entry.get("x_forwarded_for") or entry.get("source") or "?"
        key = f"{source} {entry.get('user_agent') or '(no User-Agent)'}"
        grouped[key].append(Request(entry, started, answered))
    return {key: sorted(requests, key=lambda r: r.started) for key, requests in grouped.items()}


def _next(requests: list[Request], index: int) -> Request | None:
    return requests[index + 1] if index + 1 < len(requests) else None


def retry_after(requests: list[Request]) -> Check:
    check = Check("honours Retry-After")
    waited: list[str] = []
    early: list[str] = []
    for index, request in enumerate(requests):
        promised = request.entry.get("retry_after")
        if request.status not in (429, 503) or not promised or not str(promised).isdigit():
            continue
        following = _next(requests, index)
        if following is None:
            continue
        gap = following.started - request.answered
        pair = f"{request.id} -> {following.id} after {gap:.2f} s of {promised} s"
        (waited if gap >= int(promised) - 0.05 else early).append(pair)
    return _verdict(check, waited, early, "throttled answers waited out", "came back too soon")


def redirect_post(requests: list[Request]) -> Check:
    check = Check("follows a 302 on a POST")
    followed: list[str] = []
    lost: list[str] = []
    for index, request in enumerate(requests):
        if request.status != 302 or request.entry.get("method") != "POST":
            continue
        path = str(request.entry.get("path"))
        target = path[:-1] if path.endswith("/") else path + "/"
        following = _next(requests, index)
        if following is None or following.entry.get("path") != target:
            lost.append(f"{request.id}: never sent to {target}")
        elif following.entry.get("method") != "POST":
            lost.append(f"{request.id} -> {following.id}: re-sent as {following.entry['method']}")
        else:
            followed.append(f"{request.id} -> {following.id}")
    return _verdict(check, followed, lost, "POSTs re-sent to the Location", "POSTs lost")


def _is_token_request(request: Request) -> bool:
    operation = str(request.entry.get("operation") or "")
    return operation.startswith("POST ") and "token" in operation.rsplit("/", 1)[-1].lower()


def token_reuse(requests: list[Request]) -> Check:
    check = Check("reuses its OAuth token")
    tokens = [r.id for r in requests if _is_token_request(r) and r.status == 200]
    calls = [r for r in requests if not _is_token_request(r)]
    if not tokens or len(calls) < TOKEN_CALLS:
        return check
    check.evidence = tokens
    if len(tokens) * 2 > len(calls):
        check.verdict = "fail"
        check.detail = f"{len(tokens)} tokens for {len(calls)} API calls: cache it until expiry"
    else:
        check.verdict = "pass"
        check.detail = f"{len(tokens)} token(s) for {len(calls)} API calls"
    return check


def paging(requests: list[Request]) -> Check:
    check = Check("pages to the end")
    reached: dict[str, tuple[int, int, str]] = {}
    for request in requests:
        page = str(request.entry.get("page") or "")
        number, _, pages = page.partition("/")
        if not (number.isdigit() and pages.isdigit()) or request.status != 200:
            continue
        listing = str(request.entry.get("operation") or request.entry.get("path"))
        seen = reached.get(listing, (0, 0, ""))
        if int(number) >= seen[0]:
            reached[listing] = (int(number), int(pages), request.id)
    paged = {k: v for k, v in reached.items() if v[1] > 1}  # one page: nothing to page
    done = [f"{k}: page {n}/{p} ({rid})" for k, (n, p, rid) in paged.items() if n >= p]
    stopped = [f"{k}: stopped at page {n}/{p} ({rid})" for k, (n, p, rid) in paged.items() if n < p]
    return _verdict(check, done, stopped, "listings read to the last page", "listings left unread")


def backoff(requests: list[Request]) -> Check:
    check = Check("backs off on 5xx")
    patient: list[str] = []
    hasty: list[str] = []
    previous_gap: dict[str, float] = {}
    for index, request in enumerate(requests):
        following = _next(requests, index)
        if not 500 <= request.status < 600 or following is None:
            continue
        operation = str(request.entry.get("operation") or request.entry.get("path"))
        if str(following.entry.get("operation") or following.entry.get("path")) != operation:
            previous_gap.pop(operation, None)
            continue
        gap = following.started - request.answered
        pair = f"{request.id} -> {following.id} after {gap:.2f} s"
        shrank = gap + 0.01 < previous_gap.get(operation, 0.0)
        (hasty if gap < MIN_BACKOFF or shrank else patient).append(pair)
        previous_gap[operation] = gap if 500 <= following.status < 600 else 0.0
    return _verdict(check, patient, hasty, "retries after 5xx waited", "retries hammered")


def _verdict(check: Check, good: list[str], bad: list[str], good_says: str, bad_says: str) -> Check:
    if bad:
        check.verdict, check.detail, check.evidence = "fail", f"{len(bad)} {bad_says}", bad
    elif good:
        check.verdict, check.detail, check.evidence = "pass", f"{len(good)} {good_says}", good
    return check


CHECKS = (retry_after, redirect_post, token_reuse, paging, backoff)


def grade(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One report per client: its checks and whether any failed."""
    reports = []
    for client, requests in sorted(clients(entries).items()):
        checks = [check(requests).as_json() for check in CHECKS]
        reports.append(
            {
                "client": client,
                "requests": len(requests),
                "ok": all(c["verdict"] != "fail" for c in checks),
                "checks": checks,
            }
        )
    return reports


def render(reports: list[dict[str, Any]]) -> str:
    """The checklist as text, one block per client."""
    lines = []
    for report in reports:
        lines.append(f"{report['client']}  ({report['requests']} requests)")
        for check in report["checks"]:
            verdict = check["verdict"].upper() if check["verdict"] != "n/a" else "n/a"
            lines.append(f"  {verdict:<5} {check['check']:<26} {check['detail']}")
            lines += [f"        {item}" for item in check["evidence"][:5]]
    return "\n".join(lines) if lines else "the journal has no requests"


def read_journal(
    url: str | None, path: str | None, admin_token: str | None
) -> list[dict[str, Any]]:
    """The journal of a running mock (`--url`), or of a file: a saved `/__admin/requests`
    answer (a JSON array) or an `--audit-log` file (JSON lines; its `request` entries)."""
    if url:
        headers = {"X-Spotcheck-Admin-Token": admin_token} if admin_token else {}
        try:
            answer = httpx.get(f"{url.rstrip('/')}/__admin/requests", headers=headers, timeout=30)
        except httpx.HTTPError as error:
            raise SpotcheckError(f"cannot read {url}/__admin/requests: {error}") from None
        if answer.status_code != 200:
            raise SpotcheckError(
                f"{url}/__admin/requests answered {answer.status_code}: pass --admin-token "
                "if the mock has one"
            )
        return list(answer.json())
    assert path is not None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SpotcheckError(f"cannot read {path}: {error.strerror}") from None
    try:
        loaded = json.loads(text) if text.lstrip().startswith("[") else None
        if loaded is None:
            lines = [json.loads(line) for line in text.splitlines() if line.strip()]
            loaded = [line for line in lines if line.get("kind") == "request"]
    except (ValueError, AttributeError):
        raise SpotcheckError(
            f"{path} is neither a /__admin/requests answer nor an --audit-log file"
        ) from None
    return [entry for entry in loaded if isinstance(entry, dict)]
