"""Importing spotcheck leaves other libraries alone, and its schema cache is never stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.pipeline.validators import FORMAT_CHECKER
from mockserver.settings import Settings
from mockserver.spec import cache, load_schema

SAMPLE = str(Path(Settings().spec).parent / "samples" / "participants.yaml")

# Plain jsonschema, as Schemathesis or an integrator's own tests use it, before and after
# `import mockserver.app` in one clean interpreter.
_PROBE = r"""
import json, sys
from jsonschema import Draft4Validator, Draft7Validator, FormatChecker

CASES = [
    ("date-time", "not a date"), ("date-time", "2026-01-01T00:00:00Z"),
    ("date", "2026-13-45"), ("date", "yesterday"), ("uuid", "x"),
    ("uri", "no scheme"), ("email", "nobody"), ("ipv4", "999.1.1.1"),
]

def results():
    out = []
    for fmt, value in CASES:
        for checker in (Draft4Validator.FORMAT_CHECKER, Draft7Validator.FORMAT_CHECKER,
                        FormatChecker()):
            validator = Draft4Validator({"format": fmt}, format_checker=checker)
            out.append(validator.is_valid(value))
    return out, sorted(Draft4Validator.FORMAT_CHECKER.checkers), sorted(FormatChecker.checkers)

before = results()
import mockserver.app  # noqa: F401  the whole server stack, validators included
after = results()
print(json.dumps({"before": before, "after": after}))
"""


def test_plain_jsonschema_validates_the_same_after_importing_spotcheck():
    run = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert outcome["before"] == outcome["after"]


def test_our_checker_is_strict_where_the_shared_one_is_not():
    assert not FORMAT_CHECKER.conforms("not a date", "date-time")
    assert FORMAT_CHECKER.conforms("2026-01-01T00:00:00Z", "date-time")
    assert not FORMAT_CHECKER.conforms("x", "uuid")
    # Draft 4's own formats are kept.
    assert not FORMAT_CHECKER.conforms("nobody", "email")


def test_query_parameter_date_time_still_checked(client):
    from tests.conftest import UAT

    response = client.get(
        "/api/v2.1/public/contracts/",
        params={"filter__created_at[$gt]": "2026-01-01T00:00:00Z"},
        headers=UAT,
    )
    assert response.status_code == 200


def test_editing_an_overlay_file_is_seen_through_the_cache(tmp_path):
    overlay = tmp_path / "ours.yaml"
    cache_dir = str(tmp_path / "cache")
    overlay.write_text("x-spotcheck-note: first\n", encoding="utf-8")
    first = load_schema(SAMPLE, cache_dir=cache_dir, overlay_file=str(overlay))
    assert first.document["x-spotcheck-note"] == "first"
    overlay.write_text("x-spotcheck-note: second\n", encoding="utf-8")
    second = load_schema(SAMPLE, cache_dir=cache_dir, overlay_file=str(overlay))
    assert second.document["x-spotcheck-note"] == "second"
    assert len(list((tmp_path / "cache").glob("schema-*.pickle"))) == 2


def test_cache_key_covers_the_build_code_and_the_package_version(monkeypatch, tmp_path):
    names = {path.name for path in cache.build_sources()}
    spec_modules = {path.name for path in Path(cache.__file__).parent.glob("*.py")}
    assert spec_modules <= names
    assert {"errorbodies.py", "extensions.py"} <= names
    profiles = Path(cache.__file__).parents[1] / "profiles"
    assert set(profiles.rglob("*.py")) <= set(cache.build_sources())  # every family's declare
    key = cache.cache_key("openapi: 3.0.3", "v", ())
    assert key == cache.cache_key("openapi: 3.0.3", "v", ())
    assert key != cache.cache_key("openapi: 3.0.3 ", "v", ())
    monkeypatch.setattr(cache, "_package_version", lambda: "999.0")
    assert key != cache.cache_key("openapi: 3.0.3", "v", ())


@pytest.mark.parametrize("edited", ["errorbodies.py", "repair.py"])
def test_cache_key_changes_when_a_build_module_changes(monkeypatch, tmp_path, edited):
    before = cache.cache_key("text", "v", ())
    real = cache.build_sources()
    copy = tmp_path / edited
    original = next(path for path in real if path.name == edited)
    copy.write_bytes(original.read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(
        cache, "build_sources", lambda: [copy if p == original else p for p in real]
    )
    assert cache.cache_key("text", "v", ()) != before
