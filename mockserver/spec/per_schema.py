"""Work done once per schema object: compiled validators, shaping plans.

Schemas are dicts (unhashable), so values are keyed by the object's id, and the object is
kept beside its value: an id reused by a new dict after the old one is gone is never taken
for it. Bounded: many apps in one process (tests) start the cache over.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class PerSchema(Generic[V]):
    def __init__(self, limit: int = 4096) -> None:
        self._limit = limit
        self._items: dict[int, tuple[object, V]] = {}

    def get(self, schema: object, make: Callable[[], V]) -> V:
        """The value for `schema`, made by `make()` the first time."""
        found = self._items.get(id(schema))
        if found is not None and found[0] is schema:
            return found[1]
        value = make()
        if len(self._items) >= self._limit:
            self._items.clear()
        self._items[id(schema)] = (schema, value)
        return value
