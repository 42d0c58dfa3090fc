"""Two refusals a deep Schemathesis run on Box's real schema found, both the mock's: a
`retention_length` the schema allows (`{"type": "number", "format": "int32"}`: int32 bounds an
integer, not a number), and a multipart avatar upload with no body (Box's requestBody is
optional) answered 400 with "KeyError: 'Content-Type'".

Run on the corpus file where it lies (tests/test_corpus.py's CORPUS, booted by
tests/corpus_run.served); skipped, loudly, where the corpus is absent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mockserver.pipeline.validators import BODY_SCHEMAS, PARAMETER_SCHEMAS
from tests.corpus_run import Mock, auth_headers, served

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("SPOTCHECK_CORPUS_DIR") or ROOT.parent / "shared/specs/corpus")
BOX = CORPUS / "box-platform.json"
POLICY = {"policy_name": "Keep", "policy_type": "finite", "disposition_action": "remove_retention"}


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Mock, httpx.Client]]:
    if not BOX.is_file():
        pytest.skip(f"no Box corpus file at {BOX} (set SPOTCHECK_CORPUS_DIR): Box tests NOT run")
    with served(BOX, tmp_path_factory.mktemp("box") / "mock.db") as mock:
        document = json.loads(BOX.read_text(encoding="utf-8"))
        headers = auth_headers(mock, document)
        with httpx.Client(base_url=mock.url, headers=headers, timeout=30) as client:
            yield mock, client


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"type": "number", "format": "int32"}, 2**31, True),
        ({"type": "number", "format": "int32"}, -4.035186766343176e16, True),
        ({"type": "integer", "format": "int32"}, 2**31, False),
        ({"type": "integer", "format": "int32"}, 2**31 - 1, True),
        ({"type": ["integer", "null"], "format": "int64"}, 2**63, False),
        ({"format": "int32"}, 2**31, False),  # no type: the format alone says integer
    ],
)
def test_int32_and_int64_bound_integers_only(schema, value, valid):
    for compiler in (BODY_SCHEMAS, PARAMETER_SCHEMAS):
        assert compiler.compile(dict(schema)).is_valid(value) is valid


@pytest.mark.corpus
@pytest.mark.parametrize("length", [-4.035186766343176e16, 2**31, 1.5, "365", "indefinite"])
def test_box_takes_any_retention_length_its_schema_allows(box, length):
    _, client = box
    created = client.post("/retention_policies", json={**POLICY, "retention_length": length})
    assert created.status_code == 201, created.text
    policy = created.json()["id"]
    updated = client.put(f"/retention_policies/{policy}", json={"retention_length": length})
    assert updated.status_code == 200, updated.text


@pytest.mark.corpus
@pytest.mark.parametrize("length", [True, [365], {"days": 365}])
def test_box_still_refuses_a_retention_length_outside_its_schema(box, length):
    _, client = box
    refused = client.post("/retention_policies", json={**POLICY, "retention_length": length})
    assert refused.status_code == 400, refused.text
    assert "retention_length" in refused.json()["message"]


@pytest.fixture(scope="module")
def user(box) -> str:
    _, client = box
    made = client.post("/users", json={"name": "Ann Avatar", "login": "ann@example.com"})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


@pytest.mark.corpus
@pytest.mark.parametrize(
    "upload",
    [
        {},  # Box's requestBody is not required: no body, no Content-Type
        {"files": {"pic": ("me.png", b"\x89PNG\r\n\x1a\n", "image/png")}},
        {"files": {"pic": ("me.jpg", b"\xff\xd8\xff")}},  # a part without a Content-Type
    ],
    ids=["no-body", "png-part", "part-without-content-type"],
)
def test_box_takes_an_avatar_upload_its_schema_allows(box, user, upload):
    _, client = box
    answer = client.post(f"/users/{user}/avatar", **upload)
    assert answer.is_success, answer.text
    assert "pic_urls" in answer.json()


@pytest.mark.corpus
def test_box_refuses_a_broken_multipart_body_in_words_a_client_can_act_on(box, user):
    _, client = box
    headerless = client.post(
        f"/users/{user}/avatar", content=b'--b\r\nContent-Disposition: form-data; name="pic"'
    )
    assert headerless.status_code == 400
    assert "Content-Type" in headerless.json()["message"]
    no_part = client.post(
        f"/users/{user}/avatar",
        content=b"--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert no_part.status_code == 400
    assert "pic" in no_part.json()["message"]
    for answer in (headerless, no_part):
        assert "Error" not in answer.text, answer.text  # no Python exception's name
