"""JSON on the hot path: orjson where it can, the standard library where it cannot.

Every answer, stored record, journal row and audit row is encoded here; orjson is several
times faster than `json` on the dicts a request writes. It refuses what `json` accepts in
a few corners - integers past 64 bits, non-string keys other than numbers, subclasses it
does not know - and those fall back to `json`, so nothing that encoded before fails now.
Output is compact UTF-8 (valid JSON, as `json.dumps` is, with other whitespace).

Reading back, orjson would take an integer past 64 bits for a float. Text this module
wrote with `json` starts with a space (still valid JSON), and only that text is read by
`json`: a scan for long digit runs cost several times the parse on every record read.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS
_BY_JSON = b" "  # the mark of text `json` wrote (orjson's never starts with whitespace)


def dumps_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        return _BY_JSON + json.dumps(value).encode("utf-8")


def dumps(value: Any) -> str:
    return dumps_bytes(value).decode("utf-8")


def loads(text: str | bytes) -> Any:
    """What this module (or `json`) wrote; `json` reads what it wrote and what orjson
    refuses (NaN)."""
    if text[:1] in (" ", _BY_JSON):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
