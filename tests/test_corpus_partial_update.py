"""A full-replacement family (PUT sends the whole object) on a schema whose update body
requires nothing: Dropbox Sign's `PUT /api_app/{client_id}` takes any subset of
`ApiAppUpdateRequest`, and CI's Schemathesis run caught the mock refusing one (400 "PUT
replaces the whole object"). The schema's word wins: such a PUT merges.

Run on the corpus file where it lies; skipped, loudly, where the corpus is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from tests.corpus_run import auth_headers, served

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("SPOTCHECK_CORPUS_DIR") or ROOT.parent / "shared/specs/corpus")
DROPBOX = CORPUS / "dropboxsign-signature.yaml"


@pytest.fixture(scope="module")
def dropbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    if not DROPBOX.is_file():
        pytest.skip(f"no Dropbox Sign file at {DROPBOX} (set SPOTCHECK_CORPUS_DIR): NOT run")
    with served(DROPBOX, tmp_path_factory.mktemp("dropbox") / "mock.db") as mock:
        assert mock.profile == "oauth2-client-credentials"  # PUT takes the whole object
        document = yaml.load(DROPBOX.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        with httpx.Client(base_url=mock.url, headers=auth_headers(mock, document)) as client:
            yield client


def test_an_update_body_that_requires_nothing_takes_a_subset_and_keeps_the_rest(dropbox):
    created = dropbox.post("/api_app", json={"name": "Signer", "domains": ["acme.test"]})
    assert created.status_code == 201, created.text
    client_id = created.json()["api_app"]["client_id"]
    update = {"callback_url": "https://acme.test/hook"}
    updated = dropbox.put(f"/api_app/{client_id}", json=update)
    assert updated.status_code == 200, updated.text
    app = dropbox.get(f"/api_app/{client_id}").json()["api_app"]
    assert (app["callback_url"], app["name"], app["domains"]) == (
        "https://acme.test/hook",
        "Signer",
        ["acme.test"],
    )
