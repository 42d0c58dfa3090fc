"""A cache of loaded schemas: parsing and repairing the vendor's 914 KB file is most of the
start-up time, and the result only changes when the file or the loader's code does."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

logger = logging.getLogger("spotcheck.cache")

# The loader's own code is part of the key: a change to a repair invalidates old entries.
_LOADER_FILES = (
    "repair.py",
    "overlays.py",
    "auth_overlay.py",
    "versions.py",
    "loader.py",
    "walk.py",
)


def _code_fingerprint(extra: tuple[Path, ...]) -> bytes:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in (*(here / name for name in _LOADER_FILES), *extra):
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.digest()


def cached(
    cache_dir: str | None,
    text: str,
    variant: str,
    inputs: tuple[Path, ...],
    build: Callable[[], Any],
) -> Any:
    """`build()`, or its stored result for the same text, variant, inputs and loader code."""
    if not cache_dir:
        return build()
    key = hashlib.sha256(
        text.encode("utf-8") + variant.encode() + _code_fingerprint(inputs)
    ).hexdigest()
    path = Path(cache_dir) / f"schema-{key}.pickle"
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a concurrent reader never sees half a file.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
            pickle.dump(value, temporary, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary.name, path)
    except OSError as error:
        logger.warning("schema cache not written (%s); start-up will repeat the work", error)
    return value
