"""List answers are kept while their records stay the same (behaviours/listings.py) and a
version's rewrite of the same bytes is kept too (pipeline/apiversions.py): neither may
outlive a write, mix two pages, or answer one version in another's shape."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.settings import SCHEMA_DIR, Settings
from mockserver.spec import load_schema
from tests.conftest import UAT

KEY = {"X-Spot-Api-Key": "acct_sandbox_1001", "X-Spot-Api-Secret": "sk_test_sandbox_1001"}
OLD = {**KEY, "X-Spot-Api-Version": "2024-06-01"}  # `full_name` was `name` then
NEW = {**KEY, "X-Spot-Api-Version": "2024-11-15"}
API = "/api/v2.1/public"


@pytest.fixture
def participants(settings: Settings):
    schema = load_schema(str(SCHEMA_DIR / "samples" / "participants.yaml"))
    with TestClient(create_app(settings, schema)) as client:
        yield client


def _names(client: TestClient, headers: dict[str, str], field: str) -> list[str]:
    answer = client.get("/participants", headers=headers)
    assert answer.status_code == 200, answer.text
    return [item[field] for item in answer.json()["data"]]


def test_a_write_changes_the_list_and_each_version_keeps_its_shape(participants):
    made = []
    for name in ("Ada", "Grace"):
        created = participants.post(
            "/participants", headers=NEW, json={"full_name": name, "email": f"{name}@x.test"}
        )
        assert created.status_code == 201, created.text
        made.append(created.json()["id"])
    for _ in range(2):  # the second read of each comes from the kept answers
        assert _names(participants, NEW, "full_name")[-2:] == ["Ada", "Grace"]
        assert _names(participants, OLD, "name")[-2:] == ["Ada", "Grace"]
    changed = participants.patch(
        f"/participants/{made[0]}", headers=NEW, json={"full_name": "Ada L."}
    )
    assert changed.status_code == 200, changed.text
    assert _names(participants, NEW, "full_name")[-2:] == ["Ada L.", "Grace"]
    assert _names(participants, OLD, "name")[-2:] == ["Ada L.", "Grace"]


def test_two_pages_of_the_same_records_are_two_answers(client):
    for index in range(12):
        created = client.post(
            f"{API}/counter_parties/",
            headers=UAT,
            json={"is_individual": True, "name": f"p{index}"},
        )
        assert created.status_code == 201
    pages = []
    for _ in range(2):
        for page in ("1", "2"):
            answer = client.get(
                f"{API}/counter_parties/", headers=UAT, params={"page": page, "limit": "5"}
            )
            assert answer.status_code == 200, answer.text
            pages.append([item["id"] for item in answer.json()["results"]])
    assert pages[0] == pages[2] and pages[1] == pages[3]
    assert not set(pages[0]) & set(pages[1])
    renamed = client.patch(
        f"{API}/counter_parties/{pages[0][0]}", headers=UAT, json={"name": "Renamed"}
    )
    assert renamed.status_code == 200, renamed.text
    first = client.get(f"{API}/counter_parties/", headers=UAT, params={"page": "1", "limit": "5"})
    assert first.json()["results"][0]["name"] == "Renamed"
