"""`GET /metrics`: scraped and read with Prometheus' own parser; exact after known traffic."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from mockserver.app import SpotcheckApp, create_app
from mockserver.settings import Settings
from mockserver.spec import LoadedSchema
from spotcheck.client.payloads import contract_from_template
from tests.conftest import UAT
from tests.live import running_server
from tests.receiver import receiver, wait_for

CONTRACTS = "/api/v2.1/public/contracts/"
LIST = f"GET {CONTRACTS}"
WEBHOOKS = "/api/v2.1/public/webhooks/"
NEW_CONTRACT = contract_from_template("Globex Ltd", contact=("Gina", "g@globex.test"))


def scrape(client: TestClient | httpx.Client, **headers: str) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, keyed by (name, sorted labels)."""
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_request_metrics_are_exact_after_known_traffic(settings: Settings, our_schema):
    app = create_app(settings, our_schema)
    with TestClient(app) as client:  # the dispatcher runs: deliveries are sent
        for _ in range(3):
            assert client.get(CONTRACTS, headers=UAT).status_code == 200
        wrong = {**UAT, "client-secret": "not-the-secret"}
        assert client.get(CONTRACTS, headers=wrong).status_code == 401
        assert client.get(CONTRACTS).status_code == 401
        assert client.get("/api/v2.1/public/nothing-here/", headers=UAT).status_code == 404
        assert client.get("/__admin/health").status_code == 200  # the control plane: not counted
        samples = scrape(client)
        again = scrape(client)  # a scrape is not a request either

    assert samples == again
    assert value(samples, "spotcheck_requests_total", operation=LIST, status="200") == 3
    assert value(samples, "spotcheck_requests_total", operation=LIST, status="401") == 2
    assert value(samples, "spotcheck_requests_total", operation="(unmatched)", status="404") == 1
    total = sum(v for (name, _), v in samples.items() if name == "spotcheck_requests_total")
    assert total == 6
    assert value(samples, "spotcheck_request_duration_seconds_count", operation=LIST) == 5
    inf = value(samples, "spotcheck_request_duration_seconds_bucket", operation=LIST, le="+Inf")
    assert inf == 5
    assert value(samples, "spotcheck_request_duration_seconds_sum", operation=LIST) > 0
    assert value(samples, "spotcheck_auth_failures_total", reason="invalid_credentials") == 1
    assert value(samples, "spotcheck_auth_failures_total", reason="not_authenticated") == 1
    assert value(samples, "spotcheck_refused_requests_total", stage="auth") == 2
    assert value(samples, "spotcheck_refused_requests_total", stage="edge") == 1
    # nothing that held a secret is a label
    assert not any("not-the-secret" in str(key) for key in samples)


def test_throttled_requests_are_counted(tmp_path: Path, our_schema: LoadedSchema):
    app = create_app(Settings(db=str(tmp_path / "t.db"), rate_limit=1), our_schema)
    client = TestClient(app)
    statuses = [client.get(CONTRACTS, headers=UAT).status_code for _ in range(3)]
    assert statuses.count(429) >= 1, statuses  # 1/s with a burst of one: back to back
    samples = scrape(client)
    assert value(samples, "spotcheck_throttled_requests_total", operation=LIST) == statuses.count(
        429
    )
    assert value(samples, "spotcheck_refused_requests_total", stage="rate_limit") == statuses.count(
        429
    )


def test_webhook_figures_come_from_the_store(settings: Settings, our_schema: LoadedSchema):
    app = create_app(settings, our_schema)
    client = TestClient(app)  # no lifespan: no dispatcher, so the queue stays as written
    subscription = {"title": "t", "url": "http://127.0.0.1:9/hooks"}
    subscription["only_for_activities"] = ["CONTRACT_CREATED"]  # type: ignore[assignment]
    assert client.post(WEBHOOKS, headers=UAT, json=subscription).status_code == 201
    for _ in range(2):
        assert client.post(CONTRACTS, headers=UAT, json=NEW_CONTRACT).status_code == 201
    time.sleep(1.1)  # created_at has whole seconds
    samples = scrape(client)
    assert value(samples, "spotcheck_webhook_queue_depth") == 2
    assert value(samples, "spotcheck_webhook_deliveries", outcome="pending") == 2
    assert value(samples, "spotcheck_webhook_deliveries", outcome="delivered") == 0
    assert 0.1 <= value(samples, "spotcheck_webhook_oldest_pending_age_seconds") < 60
    assert value(samples, "spotcheck_webhook_attempts_total", result="2xx") == 0

    client.post("/__admin/reset")  # the store's figures follow a reset
    samples = scrape(client)
    assert value(samples, "spotcheck_webhook_queue_depth") == 0
    assert value(samples, "spotcheck_webhook_oldest_pending_age_seconds") == 0


def test_deliveries_by_outcome_after_a_failed_then_good_attempt(tmp_path: Path, our_schema):
    settings = Settings(
        db=str(tmp_path / "d.db"),
        rate_limit=0,
        webhook_delivery="loopback",
        webhook_retry_delays=(0.2,),
    )
    app = create_app(settings, our_schema)
    with (
        receiver(None, fail_times=1, fail_status=500) as (url, state),
        TestClient(app) as client,
    ):
        body = {"title": "t", "url": url, "only_for_activities": ["CONTRACT_CREATED"]}
        assert client.post(WEBHOOKS, headers=UAT, json=body).status_code == 201
        assert client.post(CONTRACTS, headers=UAT, json=NEW_CONTRACT).status_code == 201
        wait_for(lambda: len(state.events) == 1, 15, "the retried delivery")

        def delivered() -> dict:
            samples = scrape(client)
            done = value(samples, "spotcheck_webhook_deliveries", outcome="delivered")
            return samples if done == 1 else {}

        samples = wait_for(delivered, 10, "the delivery to be recorded")
    assert value(samples, "spotcheck_webhook_attempts_total", result="other_status") == 1
    assert value(samples, "spotcheck_webhook_attempts_total", result="2xx") == 1
    assert value(samples, "spotcheck_webhook_queue_depth") == 0


def test_metrics_sit_behind_the_admin_token(tmp_path: Path, our_schema: LoadedSchema):
    app = create_app(Settings(db=str(tmp_path / "g.db"), admin_token="s3cret-admin"), our_schema)
    client = TestClient(app)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"X-Spotcheck-Admin-Token": "wrong"}).status_code == 401
    samples = scrape(client, **{"X-Spotcheck-Admin-Token": "s3cret-admin"})
    assert ("spotcheck_webhook_queue_depth", ()) in samples


def test_openmetrics_when_the_scraper_asks(app: SpotcheckApp):
    client = TestClient(app)
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")


def test_importing_and_building_registers_nothing_globally():
    # A fresh interpreter: prometheus_client's default REGISTRY before and after our import
    # and a whole app, compared by the names it holds.
    code = (
        "from prometheus_client import REGISTRY\n"
        "before = set(REGISTRY._names_to_collectors)\n"
        "import spotcheck, mockserver.app\n"
        "from mockserver.settings import Settings\n"
        "mockserver.app.create_app(Settings())\n"
        "after = set(REGISTRY._names_to_collectors)\n"
        "assert before == after, after - before\n"
        "print('same', len(after))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("same")


def test_every_worker_answers_the_same_totals(tmp_path: Path):
    """`serve --workers 2`: counts from both workers, summed in each scrape (multiprocess)."""
    db = str(tmp_path / "workers.db")
    with running_server("--workers", "2", "--db", db, "--rate-limit", "0", timeout=90) as (
        url,
        _banner,
    ):
        sent = 0
        while sent < 20 or (len(_workers_seen(url)) < 2 and sent < 300):
            # a new connection each time: the kernel spreads them over both workers
            assert httpx.get(url + CONTRACTS, headers=UAT, timeout=10).status_code == 200
            sent += 1
        assert len(_workers_seen(url)) == 2  # else the sums below would prove nothing
        for _ in range(7):
            assert httpx.get(url + CONTRACTS, timeout=10).status_code == 401
        scrapes = []
        for _ in range(6):
            with httpx.Client(base_url=url, timeout=10) as client:
                scrapes.append(scrape(client))
    for samples in scrapes:
        assert value(samples, "spotcheck_requests_total", operation=LIST, status="200") == sent
        assert value(samples, "spotcheck_requests_total", operation=LIST, status="401") == 7
        assert value(samples, "spotcheck_auth_failures_total", reason="not_authenticated") == 7


def _workers_seen(url: str) -> set[str]:
    """The processes that answered, by their request-id prefix (`req-<process>-<n>`)."""
    entries = httpx.get(url + "/__admin/requests", params={"limit": 500}, timeout=10).json()
    return {entry["id"].rsplit("-", 1)[0] for entry in entries}


def test_the_readme_scrape_snippet_reads_a_live_server(tmp_path: Path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- snippet: scrape-metrics -->\s*```python\n(.*?)```", readme, re.S)
    assert found, "README snippet scrape-metrics is missing"
    namespace: dict = {}
    exec(found.group(1), namespace)
    with running_server("--db", str(tmp_path / "r.db"), "--rate-limit", "0") as (url, _banner):
        for headers in (UAT, UAT, {}):
            httpx.get(url + CONTRACTS, headers=headers, timeout=10)
        assert namespace["answered"](url, LIST) == {"200": 2.0, "401": 1.0}
