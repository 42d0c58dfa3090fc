"""Locust users that model integrator traffic on the SpotDraft public API.

    locust -f load/locustfile.py --headless --host http://127.0.0.1:8080 --load-profile smoke \
        --p95-ms 200 --max-error-ratio 0.01 --min-rps 5 --csv reports/load --html reports/load.html

For any other schema (Spotnana-style bearer or Spot Thought-style key/version APIs) use
load/anyschema.py, which derives its traffic from the schema. Options, credentials, the rate
cap and thresholds are shared (load/common.py): SPOTCHECK_CLIENT_ID / SPOTCHECK_CLIENT_SECRET
(default: the mock's fixture credential); against a host that is not the mock, requests are
capped at the vendor's 10 requests/s per process unless --rate-cap says otherwise (0 lifts
the cap); 429 answers are counted apart from failures (request type "429").
"""

from __future__ import annotations

import uuid

from common import IntegratorUser, ProfileShape  # type: ignore[import-not-found]  # load/ is on sys.path
from locust import task

from spotcheck.client.payloads import contract_from_template

API = "/api/v2.1/public"
__all__ = ["ProfileShape", "ReadingIntegrator", "WritingIntegrator"]


class ReadingIntegrator(IntegratorUser):
    """Most integration traffic: polling lists and statuses, reading reference data."""

    weight = 4

    @task(4)
    def list_contracts(self) -> None:
        self.call("GET", f"{API}/contracts/?limit=10", "GET contracts")

    @task(3)
    def contract_types(self) -> None:
        self.call("GET", f"{API}/contract_types/", "GET contract_types")

    @task(2)
    def templates(self) -> None:
        self.call("GET", f"{API}/templates/", "GET templates")

    @task(3)
    def a_status(self) -> None:
        listing = self.call("GET", f"{API}/contracts/?limit=1", "GET contracts")
        results = listing.json().get("results", []) if listing.status_code == 200 else []
        if results:
            self.call("GET", f"{API}/contracts/{results[0]['id']}/status", "GET contract status")


class WritingIntegrator(IntegratorUser):
    """Some writes: a contract with the integrator's own id, sent, its metadata updated."""

    weight = 1

    @task
    def contract_round_trip(self) -> None:
        external_id = f"load-{uuid.uuid4()}"
        created = self.call(
            "POST",
            f"{API}/contracts/",
            "POST contract",
            json=contract_from_template(
                "Load Test Ltd", external_id, "locust", ("Lou", "lou@load.test")
            ),
        )
        if created.status_code != 201:
            return
        composite_id = created.json()["id"]
        self.call(
            "POST",
            f"{API}/contracts/{composite_id}/send_to_counterparties",
            "POST send",
            json={"attachment_formats": ["PDF"]},
        )
        self.call(
            "POST",
            f"{API}/contracts/{created.json().get('contract_id', composite_id)}/external_metadata",
            "POST external metadata",
            json={"external_metadata": {"id": external_id, "record_type": "deal"}},
        )
