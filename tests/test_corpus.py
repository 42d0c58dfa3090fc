"""The mock on every real vendor schema of the corpus (issue 16): boots, serves /openapi.json,
keeps identity through create -> read -> update -> delete for every inferred resource, and a
bounded Schemathesis run finds nothing that is the mock's fault.

The corpus is read where it lies (SPOTCHECK_CORPUS_DIR, else ../shared/specs/corpus beside
the repository); it is never copied into the project. Select with `pytest -m corpus`.
Schemathesis gets a time budget per file by its size, so the whole module stays within CI's
3 minutes on two cores (measured figures in BENCHMARKS.md).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.corpus_run import Mock, identity_round_trips, schemathesis_run, served

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("SPOTCHECK_CORPUS_DIR") or ROOT.parent / "shared/specs/corpus")
FILES = sorted(p for p in CORPUS.glob("*") if p.suffix in (".json", ".yaml", ".yml"))

# Failures that are the vendor schema's, not the mock's: (check, operation, words in the
# message). Each names why; nothing is classified by check name alone.
SCHEMA_GAPS: list[tuple[str, str, str, str]] = [
    (
        "",
        "#",
        "",
        "several operations share one method and path ('#fragment' path keys, Box): a server "
        "can answer only one of them, so the others' schemas cannot all hold",
    ),
    (
        "positive_data_acceptance",
        "",
        "is not a '",
        "Schemathesis' examples phase fills a parameter the examples leave out with a value "
        "its declared format refuses (Lago's lago_id '0' for format uuid); refusing it is right",
    ),
]
# OpenAPI 3.1 applies the keywords beside a `$ref` (Lago: `add_on: {$ref: AddOnBaseInput,
# required: [name, ...]}`), which Schemathesis' generation leaves out: it sends `{"add_on": {}}`
# as valid data, and refusing it is right. The wrappers where Lago does so:
SCHEMA_GAPS += [
    (
        "positive_data_acceptance",
        "",
        f"Invalid request body: {wrapper}: '",
        "3.1 keywords beside a $ref (required) that Schemathesis' generation ignores",
    )
    for wrapper in ("add_on", "billable_metric", "coupon", "tax")
]
# file -> figures for BENCHMARKS.md, written to $SPOTCHECK_CORPUS_REPORT when set
RESULTS: dict[str, dict[str, object]] = {}


def _budget(operations: int) -> int:
    """Seconds of Schemathesis for a schema of `operations` operations."""
    return max(3, min(8, operations // 40))


if not FILES:
    pytest.skip(
        f"no vendor corpus at {CORPUS} (set SPOTCHECK_CORPUS_DIR): corpus tests NOT run",
        allow_module_level=True,
    )


@pytest.fixture(scope="module", params=FILES, ids=[p.name for p in FILES])
def mock(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Mock]:
    with served(request.param, tmp_path_factory.mktemp("corpus") / "mock.db") as running:
        RESULTS[request.param.name] = {
            "startup_s": round(running.startup_s, 1),
            "rss_mb": round(running.rss_kb() / 1024),
            "url": running.url,
        }
        yield running


@pytest.fixture(scope="module")
def document(mock: Mock) -> dict:
    answer = httpx.get(f"{mock.url}/openapi.json", timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()


def test_boots_and_serves_its_docs(mock: Mock, document: dict) -> None:
    assert document["paths"]
    assert httpx.get(f"{mock.url}/ui/", timeout=30).status_code == 200


def test_every_resource_keeps_its_identity(mock: Mock, document: dict) -> None:
    found = identity_round_trips(mock, document)
    RESULTS[_name(mock)].update(
        resources=found.inferred, identity=f"{found.right}/{found.total}", wrong=found.wrong
    )
    assert not found.wrong, f"{found.right}/{found.total} round trips kept identity:\n" + "\n".join(
        found.wrong
    )


def test_schemathesis_finds_nothing_of_the_mocks(
    mock: Mock, document: dict, tmp_path: Path
) -> None:
    operations = sum(1 for item in document["paths"].values() for key in item if key in _METHODS)
    counts, failures = schemathesis_run(mock, document, tmp_path, _budget(operations))
    ours = [line for line in failures if not _is_gap(line)]
    RESULTS[_name(mock)].update(
        operations=operations,
        failures=dict(counts),
        gaps=len(failures) - len(ours),
        ours=sorted({line[:200] for line in ours}),
    )
    assert not ours, f"{len(ours)} failures:\n" + "\n".join(sorted(set(ours))[:30])


_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _is_gap(line: str) -> bool:
    label = line.split(": ", 1)[0]
    return any(
        check in line and operation in label and words in line
        for check, operation, words, _why in SCHEMA_GAPS
    )


def _name(mock: Mock) -> str:
    return next(name for name, figures in RESULTS.items() if figures.get("url") == mock.url)


def teardown_module() -> None:
    target = os.environ.get("SPOTCHECK_CORPUS_REPORT")
    if target:
        Path(target).write_text(json.dumps(RESULTS, indent=2), encoding="utf-8")
