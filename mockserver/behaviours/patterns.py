"""Strings that match a schema's `pattern`: readable where possible, generated otherwise.

The value the field's name or format suggests is kept when the pattern takes it; else a
readable candidate; else one drawn from the pattern itself by rstr, seeded by the pattern
and the object's seed so that the same schema always gives the same value.
"""

from __future__ import annotations

import random
import re
from typing import Any

import rstr

_PATTERN_CANDIDATES = (
    *("T-1", "1", "https://example.com/resource", "a", "A1", "USD"),
    *("jane.doe@example.com", "2025-06-07", "+14155550100"),
)


def from_pattern(pattern: str, schema: dict[str, Any], preferred: str, at: str) -> str:
    """A string `pattern` matches within the schema's length bounds: the value the field's
    name or format suggests when it matches, else a readable candidate, else one generated
    from the pattern (rstr), seeded so the same schema and seed always give the same value."""
    minimum, maximum = schema.get("minLength", 0), schema.get("maxLength")
    try:
        compiled = re.compile(pattern)
    except re.error:
        return preferred

    def fits(value: str) -> bool:
        within = minimum <= len(value) <= (maximum if maximum is not None else len(value))
        return within and compiled.search(value) is not None

    for candidate in (preferred, *_PATTERN_CANDIDATES):
        if fits(candidate):
            return candidate
    generator = rstr.Rstr(random.Random(f"{pattern}|{at}"))
    for _ in range(20):
        try:
            value = generator.xeger(pattern)
        except (re.error, ValueError, IndexError, TypeError):
            break
        # `[\s\S]` draws control characters: a space reads better and matches as well
        value = "".join(char if char.isprintable() else " " for char in value)
        if fits(value):
            return value
    return preferred
