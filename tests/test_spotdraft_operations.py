"""fixtures/OPERATIONS.md says, for each of the vendor's 182 operations, whether a SpotDraft
behaviour answers it from state or the generic state does (and why that is faithful): the
table must match what the mock serves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.app import create_app
from mockserver.profiles.spotdraft import PROFILE
from mockserver.settings import Settings

pytestmark = pytest.mark.vendor

TABLE = Path(__file__).parents[1] / "fixtures" / "OPERATIONS.md"
ROW = re.compile(r"^\| `(?P<key>[A-Z]+ [^`]+)` \| (?P<kind>state|generic) \| (?P<why>.+) \|$")


def test_the_operations_table_matches_the_mock(vendor_schema, tmp_path):
    app = create_app(
        Settings(spec=vendor_schema.source, db=str(tmp_path / "m.db"), rate_limit=0),
        vendor_schema,
    )
    with TestClient(app):
        registered = {
            key: registration.handler
            for registration in PROFILE.domain(app.runtime).registrations
            for key in registration.keys
        }
    text = TABLE.read_text(encoding="utf-8")
    rows = [ROW.match(line) for line in text.splitlines() if line.startswith("| `")]
    assert all(rows)
    table = {row["key"]: (row["kind"], row["why"]) for row in rows if row}
    served = {operation.key for operation in app.runtime.schema.index.operations}
    assert len(rows) == len(table) == len(served) == 182
    assert set(table) == served
    for key, (kind, why) in table.items():
        assert (kind == "state") == (key in registered), key
        if kind == "state":  # the module named is the one whose handler answers
            module = registered[key].__module__.rsplit(".", 1)[-1]
            assert why == f"`profiles/spotdraft/{module}.py`", key
        else:
            assert len(why) > 40, key  # a reason, not a label
    state = sum(1 for kind, _why in table.values() if kind == "state")
    assert f"**{state} operations are answered by a SpotDraft behaviour from state, " in text
    assert f"{182 - state}\nby the generic state**" in text
