"""JSON on the hot path: orjson where it can, the standard library where it cannot.

Every answer, stored record, journal row and audit row is encoded here; orjson is several
times faster than `json` on the dicts a request writes. It refuses what `json` accepts in
a few corners - integers past 64 bits, non-string keys other than numbers, subclasses it
does not know - and those fall back to `json`, so nothing that encoded before fails now.
Output is compact UTF-8 (valid JSON, as `json.dumps` is, with other whitespace).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS
# 19 digits in a row may be an integer orjson cannot hold (2**63 has 19): `json` reads those
_LONG_TEXT = re.compile(r"\d{19}")
_LONG_BYTES = re.compile(rb"\d{19}")


def dumps_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value).encode("utf-8")


def dumps(value: Any) -> str:
    return dumps_bytes(value).decode("utf-8")


def loads(text: str | bytes) -> Any:
    """What this module (or `json`) wrote; `json` reads what orjson refuses (NaN) and what
    it would read differently (an integer past 64 bits becomes a float in orjson)."""
    if isinstance(text, bytes):
        long_number = _LONG_BYTES.search(text) is not None
    else:
        long_number = _LONG_TEXT.search(text) is not None
    if not long_number:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
