"""List answers kept while the records they list stay the same.

A list read loads every record and fits each into the answer's schema (`shaping.fit`): a
fifth of a generic read's CPU (issue 21's profile). The same records, paged the same way,
always make the same answer, so the encoded answer is kept, keyed by the operation, the page
and the stored text of each record listed: any write changes a text and so the key.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from mockserver import jsoncodec

SIZE = 256  # answers kept (least recently used go first)
MOST_CHARS = 32_768  # stored text past which an answer is made every time (memory)


class ListingMemo:
    def __init__(self) -> None:
        self._answers: OrderedDict[Hashable, tuple[int, bytes | None]] = OrderedDict()

    def answer(
        self, key: Hashable, texts: tuple[str, ...], make: Callable[[], tuple[int, Any]]
    ) -> tuple[int, bytes | None]:
        """(status, encoded body) of the answer `make` builds from `texts` (None: no body)."""
        full_key = (key, texts)
        found = self._answers.get(full_key)
        if found is not None:
            self._answers.move_to_end(full_key)
            return found
        status, body = make()
        made = (status, None if body is None else jsoncodec.dumps_bytes(body))
        if sum(map(len, texts)) <= MOST_CHARS:
            self._answers[full_key] = made
            if len(self._answers) > SIZE:
                self._answers.popitem(last=False)
        return made
