"""`spotcheck report` (issue 18): grades real clients from the journal of a mock they called
over HTTP; one behaving and one misbehaving client per check, told apart by User-Agent."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.settings import SCHEMA_DIR, Settings
from spotcheck.cli import main
from spotcheck.testing import MockServer
from tests.conftest import UAT
from tests.mock_servers import vendor_mock
from tests.test_contracts_http import create

API = "/api/v2.1/public"
TYPES = f"{API}/contract_types/"


server = vendor_mock()


def client(server: MockServer, name: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={**UAT, "User-Agent": name}, timeout=10)


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["report", *args, "--json"])
    reports = json.loads(capsys.readouterr().out)
    by_agent = {
        entry["client"].split(" ", 1)[1]: {c["check"]: c for c in entry["checks"]}
        for entry in reports
    }
    return code, by_agent


def fault(server: MockServer, **rule: Any) -> None:
    answer = httpx.post(f"{server.url}/__admin/faults", json=rule)
    assert answer.status_code == 201, answer.text


def test_retry_after_ignored_is_flagged_and_honoured_passes(
    server: MockServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server.reset()
    for name, honours in (("polite/1.0", True), ("rude/1.0", False)):
        fault(server, action="status", status=429, retry_after=1, first=1)
        with client(server, name) as http:
            throttled = http.get(TYPES)
            assert throttled.status_code == 429
            if honours:
                time.sleep(float(throttled.headers["Retry-After"]))
            assert http.get(TYPES).status_code == 200
    code, clients = report(capsys, "--url", server.url)
    assert code == 1
    throttled_ids = [entry["id"] for entry in server.requests(status=429)]
    polite, rude = (
        clients["polite/1.0"]["honours Retry-After"],
        clients["rude/1.0"]["honours Retry-After"],
    )
    assert polite["verdict"] == "pass" and polite["evidence"][0].startswith(throttled_ids[0])
    assert rude["verdict"] == "fail" and rude["evidence"][0].startswith(throttled_ids[1])
    assert main(["report", "--url", server.url]) == 1  # the checklist as text
    text = capsys.readouterr().out
    assert "FAIL  honours Retry-After" in text and "PASS  honours Retry-After" in text
    assert throttled_ids[1] in text
    # the same verdicts from a saved journal
    saved = tmp_path / "journal.json"
    saved.write_text(json.dumps(httpx.get(f"{server.url}/__admin/requests").json()))
    code, again = report(capsys, "--journal", str(saved))
    assert code == 1 and again["rude/1.0"]["honours Retry-After"]["evidence"] == rude["evidence"]


def test_a_post_redirect_must_be_re_sent_as_a_post(
    server: MockServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reset()
    with client(server, "follows-blindly/1.0") as http:
        lost = http.post(f"{API}/contracts", json={}, follow_redirects=True)
        assert lost.request.method == "GET"  # httpx turns a 302 POST into a GET
    with client(server, "re-posts/1.0") as http:
        first = http.post(f"{API}/contracts", json={})
        assert first.status_code == 302
        http.post(first.headers["location"], json={})
    _code, clients = report(capsys, "--url", server.url)
    assert clients["follows-blindly/1.0"]["follows a 302 on a POST"]["verdict"] == "fail"
    assert (
        "re-sent as GET" in clients["follows-blindly/1.0"]["follows a 302 on a POST"]["evidence"][0]
    )
    assert clients["re-posts/1.0"]["follows a 302 on a POST"]["verdict"] == "pass"


def test_paging_to_the_end(server: MockServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.reset()
    with client(server, "setup") as http:
        for number in range(3):
            create(http, f"crm-page-{number}")
    with client(server, "reads-all/1.0") as http:
        page, pages = 1, None
        while pages is None or page <= pages:
            listing = http.get(f"{API}/contracts/", params={"limit": 1, "page": page}).json()
            pages = -(-listing["total_results"] // 1)
            page += 1
    with client(server, "first-page-only/1.0") as http:
        assert http.get(f"{API}/contracts/", params={"limit": 1}).status_code == 200
    _code, clients = report(capsys, "--url", server.url)
    assert clients["reads-all/1.0"]["pages to the end"]["verdict"] == "pass"
    stopped = clients["first-page-only/1.0"]["pages to the end"]
    assert stopped["verdict"] == "fail" and "stopped at page 1/" in stopped["evidence"][0]


def test_backing_off_on_5xx(server: MockServer, capsys: pytest.CaptureFixture[str]) -> None:
    server.reset()
    for name, waits in (("hammers/1.0", (0, 0, 0)), ("backs-off/1.0", (0.1, 0.2, 0.4))):
        fault(server, match={"path": TYPES}, action="status", status=503, first=3)
        with client(server, name) as http:
            for wait in waits:
                assert http.get(TYPES).status_code == 503
                time.sleep(wait)
            assert http.get(TYPES).status_code == 200
    _code, clients = report(capsys, "--url", server.url)
    assert clients["hammers/1.0"]["backs off on 5xx"]["verdict"] == "fail"
    assert clients["backs-off/1.0"]["backs off on 5xx"]["verdict"] == "pass"


def test_oauth_token_reuse(capsys: pytest.CaptureFixture[str]) -> None:
    travel = str(SCHEMA_DIR / "samples" / "travel-users.yaml")
    mock = MockServer(Settings(spec=travel, rate_limit=0, token_rate_limit=0))
    mock.start()
    grant = {
        "grant_type": "client_credentials",
        "client_id": mock.client_id,
        "client_secret": mock.client_secret,
    }
    try:
        for name, per_call in (("caches/1.0", False), ("token-per-call/1.0", True)):
            with httpx.Client(base_url=mock.url, headers={"User-Agent": name}) as http:
                token = ""
                for _ in range(3):
                    if per_call or not token:
                        token = http.post("/v2/auth/oauth2-token", data=grant).json()[
                            "access_token"
                        ]
                    answer = http.get("/v2/users", headers={"Authorization": f"Bearer {token}"})
                    assert answer.status_code == 200
        _code, clients = report(capsys, "--url", mock.url)
    finally:
        mock.stop()
    assert clients["caches/1.0"]["reuses its OAuth token"]["verdict"] == "pass"
    wasteful = clients["token-per-call/1.0"]["reuses its OAuth token"]
    assert wasteful["verdict"] == "fail" and len(wasteful["evidence"]) == 3


def test_a_journal_file_that_is_neither_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a journal\n")
    assert main(["report", "--journal", str(wrong)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "neither a /__admin/requests answer nor an --audit-log" in err[0]
