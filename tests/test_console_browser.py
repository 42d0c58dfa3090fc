"""The console in a real browser: Debian's Chromium, headless, driven by Playwright for Python.

One server (`spotcheck serve`, a real process), one receiver and one browser for the module.
Every request any console page makes is recorded; the last test checks none left loopback.
Each test saves a screenshot under reports/console/ (SPOTCHECK_REPORT_DIR to move it).
Without /usr/bin/chromium or Playwright the module is skipped with a banner (conftest.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from spotcheck.client.payloads import contract_from_template
from tests.conftest import NO_BROWSER, UAT
from tests.live import running_server
from tests.receiver import receiver, wait_for

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
API = "/api/v2.1/public"
SHOTS = Path(os.environ.get("SPOTCHECK_REPORT_DIR", "reports")) / "console"
CONTRACT = contract_from_template("Globex Ltd", contact=("Gina", "g@globex.test"))
TIMEOUT_MS = 15_000

try:
    from playwright import sync_api
except ImportError:  # the test extra is not installed: every test skips with the banner
    sync_api = None  # type: ignore[assignment]

REQUESTS_SEEN: list[str] = []  # every URL any console page asked for, whole module


def expect(locator: Any) -> Any:
    """Playwright's `expect`: it polls from Playwright's own script world, so the page's CSP
    (no eval) holds, which `wait_for_function` would break."""
    return sync_api.expect(locator)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if sync_api is None:
        pytest.skip(f"{NO_BROWSER}: playwright (the test extra) is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{NO_BROWSER} at {CHROMIUM}: install Debian's chromium")
    sync_api.expect.set_options(timeout=TIMEOUT_MS)
    with sync_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except sync_api.Error as error:
            pytest.skip(f"{NO_BROWSER}: {CHROMIUM} does not start: {str(error)[:200]}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def hooks() -> Iterator[tuple[str, Any]]:
    with receiver(None) as (url, state):
        yield url, state


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("console") / "mock.db"
    env = {"SPOTCHECK_WEBHOOK_RETRY_DELAYS": "0.3,0.3"}
    with running_server("--db", str(db), "--rate-limit", "0", env=env) as (url, _banner):
        yield url


@pytest.fixture
def page(browser: Any, server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    httpx.post(f"{server}/__admin/reset", timeout=10).raise_for_status()
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.on("request", lambda r: REQUESTS_SEEN.append(r.url))
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], errors  # the console's script never failed


def shot(tab: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    tab.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


def subscribe(server: str, url: str, activities: list[str]) -> None:
    body = {"title": "console test", "url": url, "only_for_activities": activities}
    answer = httpx.post(f"{server}{API}/webhooks/", headers=UAT, json=body, timeout=10)
    assert answer.status_code == 201, answer.text


def create_contract(server: str) -> str:
    answer = httpx.post(f"{server}{API}/contracts/", headers=UAT, json=CONTRACT, timeout=10)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_a_refused_request_shows_the_stage_that_refused_it(page: Any, server: str):
    wrong = {**UAT, "client-secret": "not-the-secret"}
    refused = httpx.get(f"{server}{API}/contracts/", headers=wrong, timeout=10)
    assert refused.status_code == 401
    bad = {**CONTRACT, "contract_template_id": "twenty-one"}
    invalid = httpx.post(f"{server}{API}/contracts/", headers=UAT, json=bad, timeout=10)
    assert invalid.status_code == 400
    httpx.get(f"{server}{API}/contracts/", headers=UAT, timeout=10).raise_for_status()

    page.goto(f"{server}/__admin/console")
    auth_id = refused.headers["x-request-id"]
    row = page.locator(f'#request-list tr[data-key="{auth_id}"]')
    row.wait_for()
    assert "auth" in row.inner_text()
    # the filter by refusing stage keeps only that request
    page.select_option("#f-stage", "auth")
    expect(page.locator("#request-list tbody tr")).to_have_count(1)
    # keyboard: focus the row, Enter opens its decisions
    row.focus()
    page.keyboard.press("Enter")
    auth = page.locator('#decisions li[data-stage="auth"]')
    auth.wait_for()
    assert "refused" in auth.inner_text() and "Invalid client credentials" in auth.inner_text()
    assert "not reached" in page.locator('#decisions li[data-stage="validation"]').inner_text()
    detail = page.locator("#request-detail").inner_text()
    assert "not-the-secret" not in detail and "[Filtered]" in detail
    assert '"client-secret: $CLIENT_SECRET"' in page.locator("#curl").inner_text()

    page.select_option("#f-stage", "validation")
    page.locator(f'#request-list tr[data-key="{invalid.headers["x-request-id"]}"]').click()
    validation = page.locator('#decisions li[data-stage="validation"]')
    # the list shown until the clicked request's decisions load is the previous one's, which
    # has a validation line too ("not reached"): wait for this request's own
    expect(validation).to_contain_text("'twenty-one' is not of type 'integer'")
    text = validation.inner_text()
    assert "contract_template_id" in text and "'twenty-one' is not of type 'integer'" in text
    assert "passed" in page.locator('#decisions li[data-stage="auth"]').inner_text()
    shot(page, "requests")


def test_a_delivery_shows_its_attempts_and_resend_works(page: Any, server: str, hooks):
    url, state = hooks
    state.events.clear()
    state.fail_status, state.fail_times = 500, 1  # the first attempt fails, the retry lands
    subscribe(server, url, ["CONTRACT_CREATED"])
    contract = create_contract(server)
    wait_for(lambda: [e["answered"] for e in state.events] == [500, 200], 20, "the retry")

    page.goto(f"{server}/__admin/console#deliveries")
    page.keyboard.press("2")  # the page's own shortcut, harmless when already there
    row = page.locator("#delivery-list tbody tr", has_text=contract)
    row.click()
    attempts = page.locator("#delivery-detail table.attempts tbody tr")
    expect(attempts).to_have_count(2)
    assert "500" in attempts.nth(0).inner_text() and "200" in attempts.nth(1).inner_text()
    assert "told to fail" in attempts.nth(0).inner_text()  # the receiver's own answer
    assert "CONTRACT_CREATED" in page.locator("#payload").inner_text()
    page.click("#resend")
    wait_for(lambda: len(state.events) == 3, 20, "the resent delivery")
    expect(attempts).to_have_count(3)
    assert len({event["delivery_id"] for event in state.events}) == 1  # one delivery id
    shot(page, "deliveries")


def test_a_contract_is_signed_from_the_console_and_its_webhook_appears(
    page: Any, server: str, hooks
):
    url, state = hooks
    state.events.clear()
    subscribe(server, url, ["CONTRACT_SIGNED", "CONTRACT_EXECUTED"])
    contract = create_contract(server)

    page.goto(f"{server}/__admin/console#workspace")
    row = page.locator('section[data-section="Contracts"] tbody tr', has_text=contract)
    row.locator('button[data-action="mark for execution"]').click()
    expect(row.locator("td").nth(2)).to_have_text("SIGN")
    shot(page, "workspace")  # the steps the lifecycle allows from SIGN, as buttons
    row.locator('button[data-action="sign"]').click()
    expect(row.locator("td").nth(2)).to_have_text("EXECUTED")
    wanted = {"CONTRACT_SIGNED", "CONTRACT_EXECUTED"}
    wait_for(lambda: wanted <= {e["activity"] for e in state.events}, 20, "the signing webhooks")

    page.keyboard.press("2")
    page.locator("#delivery-list tbody tr", has_text="CONTRACT_SIGNED").first.wait_for()
    page.locator("#delivery-list tbody tr", has_text="CONTRACT_EXECUTED").first.wait_for()


def test_faults_clock_and_reset_from_the_console(page: Any, server: str):
    page.goto(f"{server}/__admin/console#controls")
    rule = {"on": "request", "match": {"method": "GET"}, "first": 1, "action": "status"}
    page.fill("#fault-rule", str({**rule, "status": 503}).replace("'", '"'))
    page.click("#faults button[type=submit]")
    page.locator("#faults tbody tr").first.wait_for()
    faulted = httpx.get(f"{server}{API}/contracts/", headers=UAT, timeout=10)
    assert faulted.status_code == 503
    before = page.inner_text("#clock-now")
    page.fill("#clock-advance", "2h")
    page.click("#clock button[type=submit] >> nth=0")
    expect(page.locator("#clock-now")).not_to_have_text(before)
    assert "offset 7200" in page.inner_text("#clock")
    shot(page, "controls")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#reset")
    expect(page.locator("#clock")).to_contain_text("real time")
    expect(page.locator("#faults tbody tr")).to_have_count(0)  # re-rendered after the reset
    entries = httpx.get(f"{server}/__admin/requests", timeout=10).json()
    assert entries == []  # the reset emptied the journal too


def test_no_console_page_loads_anything_from_outside_loopback(page: Any, server: str):
    for name in ("requests", "deliveries", "workspace", "controls"):
        page.goto(f"{server}/__admin/console#{name}")
        page.wait_for_load_state("networkidle")
    assert REQUESTS_SEEN, "no request recorded"
    hosts = {urlsplit(url).hostname for url in REQUESTS_SEEN}
    assert hosts == {"127.0.0.1"}, hosts
    assert all(re.match(r"http://127\.0\.0\.1:\d+/", url) for url in REQUESTS_SEEN)
