"""The contract suite: schema-driven checks over every operation, the vendor's redirect rule,
the documented integration flow and the webhook contract."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from contract_tests.contract import payload_errors
from contract_tests.findings import Finding
from contract_tests.runner import RunOptions, RunResult
from contract_tests.webhook_checks import delivery_problems, webhook_receiver
from spotcheck.client.auth import ClientAuth
from spotcheck.client.payloads import contract_from_template

API = "/api/v2.1/public"
# The operations the webhook flow calls: a schema with them has the flow, whatever its auth.
WEBHOOK_FLOW = (
    f"GET {API}/webhooks/hmac_key/",
    f"POST {API}/webhooks/",
    f"POST {API}/contracts/",
    f"POST {API}/contracts/{{composite_id}}/send_to_counterparties",
)


def _listing(findings: list[Finding]) -> str:
    lines = []
    for f in findings:
        reason = f.message.splitlines()[0] if f.message else f.title
        lines.append(
            f"{f.operation}: {f.check} ({f.code}, status {f.status})\n  {reason}\n  {f.curl}"
        )
    return "\n\n".join(lines)


def test_every_operation_keeps_the_contract(contract_run: RunResult) -> None:
    assert contract_run.tested, "Schemathesis tested no operation"
    assert not contract_run.broken, (
        f"the server broke the contract ({len(contract_run.broken)} finding(s), "
        f"seed {contract_run.seed}, report: {contract_run.report}):\n\n"
        f"{_listing(contract_run.broken)}"
    )


def test_schema_gaps_are_reported_apart(
    contract_run: RunResult, contract_options: RunOptions
) -> None:
    report = contract_run.report.read_text(encoding="utf-8")
    assert "## Schema gaps" in report
    if contract_options.strict_schema:
        assert not contract_run.gaps, (
            f"schema gaps (--strict-schema):\n\n{_listing(contract_run.gaps)}"
        )


def test_trailing_slash_mismatch_is_a_302(
    contract_options: RunOptions, contract_auth: ClientAuth
) -> None:
    schema = contract_options.contract()
    paths = sorted(
        op.path for op in schema.operations if op.method == "get" and "{" not in op.path
    )[:3]
    with httpx.Client(
        base_url=contract_options.base_url, headers=contract_auth.headers()
    ) as client:
        for path in paths:
            toggled = path[:-1] if path.endswith("/") else path + "/"
            response = client.get(toggled, follow_redirects=False)
            assert response.status_code == 302, f"GET {toggled}: {response.status_code}"
            assert response.headers["location"].endswith(path)
            time.sleep(1.0 / max(contract_options.rate_limit, 1.0))


@pytest.fixture
def writable(contract_run: RunResult, contract_options: RunOptions) -> RunOptions:
    lacking = contract_options.contract().missing(*WEBHOOK_FLOW)
    if lacking:
        pytest.skip(f"a SpotDraft webhook flow; this schema has no {', '.join(lacking)}")
    if not (contract_run.is_mock or contract_options.allow_writes):
        pytest.skip("creates data: runs against the mock, or with --allow-writes")
    return contract_options


def _create_contract(client: httpx.Client, external_id: str) -> dict:
    body = contract_from_template("spotcheck test", external_id)
    response = client.post(f"{API}/contracts/", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_webhook_contract(
    writable: RunOptions, contract_run: RunResult, contract_auth: ClientAuth
) -> None:
    """Register a receiver, trigger an activity, check signature, payload and filter."""
    remote = not contract_run.is_mock
    if remote and not writable.webhook_public_url:
        pytest.skip(
            "a remote target needs --webhook-public-url (a tunnel to --webhook-listen-port)"
        )
    document = writable.contract().document
    with (
        httpx.Client(base_url=writable.base_url, headers=contract_auth.headers()) as client,
        webhook_receiver(writable.webhook_listen_port if remote else None) as (url, events),
    ):
        if remote:
            url = str(writable.webhook_public_url)
        key = client.get(f"{API}/webhooks/hmac_key/").json()["hmac_key"]
        subscribed = client.post(
            f"{API}/webhooks/",
            json={
                "title": "spotcheck contract test",
                "url": url,
                "only_for_activities": ["CONTRACT_CREATED"],
            },
        )
        assert subscribed.status_code == 201, subscribed.text
        created = _create_contract(client, f"spotcheck-{uuid.uuid4()}")
        client.post(
            f"{API}/contracts/{created['id']}/send_to_counterparties",
            json={"attachment_formats": ["PDF"]},
        )
        deadline = time.monotonic() + 15
        while not events and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # a wrongly sent CONTRACT_SENT_TO_COUNTERPARTY would arrive by now
        client.delete(f"{API}/webhooks/{subscribed.json()['id']}")
    assert events, "no webhook arrived"
    problems = [p for event in events for p in delivery_problems(event, key, {"CONTRACT_CREATED"})]
    assert problems == []
    payload = json.loads(events[0]["raw"])
    activity = {"$ref": "#/components/schemas/ContractActivityDomainModel"}
    assert payload_errors(document, activity, payload) == []
