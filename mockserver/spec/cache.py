"""A cache of loaded schemas: parsing and repairing the vendor's 914 KB file is most of the
start-up time, and the result only changes when one of its inputs does.

The key covers every input of the build, so a stale entry is never served: the package
version, the schema text, the build's variant (flags), every file the caller names (overlays,
examples, links, our overlay file) and the source of every module the build runs - the whole
`mockserver/spec` package plus the profiles package, the client families they detect with and
the error-body module it reads from. Listing modules by name once let an edited error schema be
served from an old entry.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from spotcheck.client import families

logger = logging.getLogger("spotcheck.cache")

_SPEC_PACKAGE = Path(__file__).resolve().parent
# Code outside mockserver/spec that shapes the repaired document: each profile declares its
# security there, and the error bodies are the standard errors' schemas.
_BUILD_PACKAGES = ("profiles",)
_BUILD_MODULES = ("errorbodies.py",)
# The profiles detect a schema's family and find its token path through the client families.
_CLIENT_FAMILIES = Path(families.__file__).resolve()


def build_sources() -> list[Path]:
    """Every source file whose code the schema build runs, in a stable order."""
    package = _SPEC_PACKAGE.parent
    return [
        *sorted(_SPEC_PACKAGE.rglob("*.py")),
        *(path for name in _BUILD_PACKAGES for path in sorted((package / name).rglob("*.py"))),
        *(package / name for name in _BUILD_MODULES),
        _CLIENT_FAMILIES,
    ]


def _package_version() -> str:
    try:
        return metadata.version("spotcheck")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown"


def cache_key(text: str, variant: str, inputs: Iterable[Path]) -> str:
    """The hash of everything the build of `text` depends on (see the module docstring)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        # Length-prefixed, so two different inputs can never concatenate to the same bytes.
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("version", _package_version().encode())
    add("variant", variant.encode())
    add("schema", text.encode("utf-8"))
    for path in (*build_sources(), *inputs):
        # A missing input is part of the key too: creating it later changes the key.
        add(str(path), path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


def cached(
    cache_dir: str | None,
    text: str,
    variant: str,
    inputs: tuple[Path, ...],
    build: Callable[[], Any],
) -> Any:
    """`build()`, or its stored result for the same text, variant, inputs and build code."""
    if not cache_dir:
        return build()
    path = Path(cache_dir) / f"schema-{cache_key(text, variant, inputs)}.pickle"
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
