"""Parse a client's JSON body with a bound on its nesting depth.

`json.loads` recurses once per level: a body nested 100,000 deep raises RecursionError, and one
a few hundred deep parses but then overflows the stack in the stages after it (jsonschema
validation, `json.dumps` into the store). Both are the client's mistake, so the depth is bounded
once, at the door, and reported as a ValueError the callers turn into a 400.
"""

from __future__ import annotations

import json
from typing import Any

# Far deeper than any body of the vendors' schemas (about 6 levels), far below the recursion
# limit that the later stages run into.
MAX_DEPTH = 128


class TooDeep(ValueError):
    """The JSON document nests deeper than MAX_DEPTH."""


def loads_bounded(raw: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads(raw)`, refusing documents nested deeper than `max_depth` with `TooDeep`.

    >>> loads_bounded('{"a": [1]}')
    {'a': [1]}
    """
    try:
        value = json.loads(raw)
    except RecursionError:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels") from None
    if isinstance(raw, str):
        opened = raw.count("{") + raw.count("[")
    else:
        opened = raw.count(b"{") + raw.count(b"[")
    if opened > max_depth and nesting_depth(value, max_depth) > max_depth:  # (a cheap bound)
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")
    return value


def nesting_depth(value: Any, stop_after: int) -> int:
    """How deep `value` nests (a scalar is 0), counted without recursion; stops early once the
    depth passes `stop_after`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > stop_after:
            return deepest
        stack.extend((child, depth) for child in children if isinstance(child, dict | list))
    return deepest
