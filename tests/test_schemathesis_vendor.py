"""Schemathesis over every operation of the vendor's verbatim schema (SPOTCHECK_VENDOR_SPEC):
zero failures allowed. The run and its judgement are test_schemathesis.py's."""

from __future__ import annotations

import pytest

from tests.live import running_server
from tests.test_schemathesis import _assert_clean, _run_schemathesis

pytestmark = pytest.mark.e2e


@pytest.mark.vendor
def test_schemathesis_finds_nothing_on_the_vendor_schema(vendor_spec, tmp_path):
    args = (
        "--spec",
        str(vendor_spec.resolve()),
        "--db",
        str(tmp_path / "m.db"),
        "--rate-limit",
        "0",
        "--validate-responses",
    )
    with running_server(*args) as (url, _):
        _assert_clean(_run_schemathesis(url, tmp_path))
