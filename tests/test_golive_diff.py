"""`spotcheck diff` and `spotcheck seed`: a recording of the loopback upstream replayed
against a fresh twin finds exactly the planted deviations; seeding gives the twin upstream's
templates and their metadata."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.cli import main
from mockserver.golive.checks import SchemaSource
from mockserver.golive.compare import DATA, TWIN
from mockserver.golive.diff import DiffOptions, run_diff
from mockserver.golive.har import read_entries
from mockserver.golive.proxy import ProxyOptions, proxy_app
from mockserver.golive.reports import write_reports
from mockserver.golive.seed import seed_fixtures
from mockserver.golive.webhooks import WebhookRecorder
from mockserver.settings import SCHEMA_DIR, Settings
from mockserver.webhooks.listener import ListenerState, listener_app
from mockserver.webhooks.payload import activity_payload
from mockserver.webhooks.signing import SIGNATURE_HEADER, sign
from tests.conftest import UAT
from tests.golive_upstream import (
    ACCESS_TOKEN,
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    HMAC_KEY,
    METADATA,
    PLANTED,
    running_upstream,
)
from tests.test_golive_proxy import CONTRACT, integrator_session


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("recording")
    with running_upstream() as url:
        options = ProxyOptions(url, record=folder, rate_limit=0, allow_writes=True)
        with TestClient(proxy_app(options, io.StringIO())) as client:
            integrator_session(client)
    return folder


def test_diff_finds_exactly_the_planted_deviations_with_their_class(recording):
    result = run_diff(DiffOptions(recording))
    found = {(d.operation, d.aspect, d.klass) for d in result.differences if d.klass != DATA}
    assert found == PLANTED
    assert result.twin_wrong and len(result.replayed) == 10 and result.skipped == 0
    data = {d.detail for d in result.of(DATA)}
    assert "`id`: upstream 'T-9001', twin 'T-1'" in data  # an id, by nature
    # Ids mapped: the status of upstream's T-9001 was asked of the twin's T-1, same answer.
    status_of_created = result.replayed.index(f"GET {API}/contracts/T-9001/status") + 1
    assert not [d for d in result.differences if d.exchange == status_of_created]


def test_diff_reports_markdown_json_junit(recording, tmp_path):
    result = run_diff(DiffOptions(recording))
    markdown, as_json, junit = write_reports(result, tmp_path, str(recording))
    text = markdown.read_text()
    assert "## The twin is wrong" in text and "upstream 400, twin 201" in text
    assert json.loads(as_json.read_text())["counts"][TWIN] == 1
    suite = ElementTree.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("10", "1")


def test_diff_command_exits_non_zero_when_the_twin_is_wrong(recording, tmp_path, capsys):
    assert main(["diff", str(recording), "--report-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "twin wrong 1, schema silent or wrong 4" in out
    assert (tmp_path / "diff.md").is_file() and (tmp_path / "junit-diff.xml").is_file()


def test_without_seed_upstream_objects_are_missing_in_the_twin(recording):
    result = run_diff(DiffOptions(recording, seed=False))
    missing = [d for d in result.of(TWIN) if d.detail == "upstream 200, twin 404"]
    # upstream's template 77 and its metadata (the twin's templates answer from its state)
    assert [d.operation for d in missing] == [
        f"GET {API}/templates/{{template_id}}/",
        f"GET {API}/templates/{{template_id}}/metadata",
    ]


def test_seeded_twin_answers_upstreams_templates_and_metadata(recording, tmp_path):
    schema = SchemaSource().load()
    summary = seed_fixtures(read_entries(recording), schema, tmp_path / "fixtures")
    assert summary.counts["templates"] == 2 and summary.counts["templates/metadata"] == 2
    settings = Settings(db=str(tmp_path / "twin.db"), rate_limit=0, cache_dir="")
    settings = settings.replace(fixtures=str(tmp_path / "fixtures"))
    with TestClient(create_app(settings)) as twin:
        listed = twin.get(f"{API}/templates/", headers=UAT).json()["items"]
        metadata = twin.get(f"{API}/templates/77/metadata", headers=UAT).json()
        assert [t["id"] for t in listed] == [21, 77]  # upstream's, not the fixtures' 21 and 22
        assert twin.get(f"{API}/templates/77/", headers=UAT).json()["name"] == "Supplier NDA (UAT)"
        assert metadata["attributes"] == METADATA["attributes"]
        # A contract from template 77 is checked against its real fields.
        party = {"first_name": "Gina", "email": "gina@globex.test"}
        base = {
            "contract_template_id": 77,
            "counter_party_details": [
                {"is_individual": False, "organization_name": "Globex", "poc_details": party}
            ],
        }
        good = {"effective_date": "2026-01-01", "supplier_tier": "gold"}
        created = twin.post(f"{API}/contracts/", headers=UAT, json={**base, "contract_data": good})
        stranger = twin.post(
            f"{API}/contracts/", headers=UAT, json={**base, "contract_data": {"term": 1}}
        )
    assert created.status_code == 201, created.text
    assert stranger.status_code == 400 and "effective_date" in stranger.text


def test_recorded_webhooks_are_verified_and_compared_with_the_twins_payload(recording, tmp_path):
    folder = tmp_path / "recording"
    shutil.copytree(recording, folder)
    state = ListenerState(HMAC_KEY, record=WebhookRecorder(folder))
    contract = {
        "contract_id": 9001,
        "contract_name": "Mutual NDA - Globex Ltd",
        "contract_type_name": "Non-Disclosure Agreement",
        "contract_type_id": 11,
        "status": "DRAFT",
        "kind": "TEMPLATE",
        "template_id": 21,
        "reference_id": "REF-04711",
        "counter_party_details": CONTRACT["counter_party_details"],
        "external_metadata": {"id": "crm-42"},
    }
    body = json.dumps(
        activity_payload("CONTRACT_CREATED", "it@acme.test", "2026-01-05T10:00:00Z", contract)
    ).encode()
    with TestClient(listener_app(state, io.StringIO())) as listener:
        good = listener.post(
            "/hooks", content=body, headers={SIGNATURE_HEADER: sign(body, HMAC_KEY)}
        )
        bad = listener.post("/hooks", content=body, headers={SIGNATURE_HEADER: "0" * 128})
    assert (good.status_code, bad.status_code) == (200, 401)
    kept = read_entries(folder, "webhooks")
    assert [item["_spotcheck"]["signature"] for item in kept] == ["valid", "INVALID"]
    assert HMAC_KEY.encode() not in b"".join(p.read_bytes() for p in folder.glob("*.har"))
    result = run_diff(DiffOptions(folder))
    webhook = [d for d in result.differences if d.operation.startswith("webhook")]
    assert {(d.operation, d.aspect, d.klass) for d in webhook if d.klass != DATA} == {
        ("webhook CONTRACT_CREATED", "signature", "schema")  # the broken one, not compared
    }
    assert result.replayed[-2:] == ["webhook CONTRACT_CREATED"] * 2
    # The valid one was compared field by field: only values that differ by nature remain.
    assert {d.detail.split("`")[1] for d in webhook if d.klass == DATA} >= {
        "activity_data.performed_by.email",
        "activity_data.timestamp",
    }


def test_oauth_recording_replays_with_a_twin_token(tmp_path):
    schema = SchemaSource(str(SCHEMA_DIR / "samples" / "travel-users.yaml"))
    with running_upstream() as url:
        options = ProxyOptions(url, schema, record=tmp_path, rate_limit=0)
        with TestClient(proxy_app(options, io.StringIO())) as client:
            form = {"grant_type": "client_credentials", "client_id": CLIENT_ID}
            client.post("/v2/auth/oauth2-token", data={**form, "client_secret": CLIENT_SECRET})
            client.get("/v2/companies", headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})
    result = run_diff(DiffOptions(tmp_path, schema))
    assert result.replayed == ["POST /v2/auth/oauth2-token", "GET /v2/companies"]
    # Same statuses (the twin's own token worked), upstream's company seeded into the twin:
    # only the optional fields the twin adds remain, the schema's part.
    assert not result.twin_wrong
    assert {d.detail for d in result.differences} == {
        "`companies.[].country`: only the twin has it (optional)",
        "`companies.[].domain`: only the twin has it (optional)",
    }
