"""JSON on the hot path keeps what the standard library kept (mockserver/jsoncodec.py)."""

from __future__ import annotations

import json
import math

from mockserver import jsoncodec
from mockserver.state.store import Store


def test_integers_past_64_bits_come_back_as_the_same_integers(tmp_path):
    value = {"amount": 2**70, "low": -(2**63) - 1, "plain": 12, "name": "Café"}
    assert jsoncodec.loads(jsoncodec.dumps(value)) == value
    assert jsoncodec.loads(jsoncodec.dumps_bytes(value)) == value
    store = Store(str(tmp_path / "s.db"))
    with store.transaction() as db:
        store.put_record(db, 1, "things", "1", value)
    assert store.get_record(1, "things", "1") == value
    assert isinstance(store.list_records(1, "things")[0]["amount"], int)


def test_output_is_json_any_parser_reads_and_equal_to_the_standard_librarys():
    value = {"text": 'é \u2028 "quoted"', "nested": [1, 2.5, None, True], 3: "numeric key"}
    assert json.loads(jsoncodec.dumps(value)) == json.loads(json.dumps(value))
    assert math.isnan(jsoncodec.loads('{"x": NaN}')["x"])  # as json reads it
