"""The serving process's heap, settled once the app is built.

The parsed schema, its indexes and the compiled validators are hundreds of thousands of
long-lived objects. Left in the collector's generations, every full collection walks them
all again while requests wait. A server process freezes them after start-up (they are
never garbage) so collections only look at what requests allocate. Tests that build many
apps in one process do not call this: frozen objects are never freed.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect start-up's garbage, then move every surviving object out of the collector's
    reach (`gc.freeze`)."""
    gc.collect()
    gc.freeze()
