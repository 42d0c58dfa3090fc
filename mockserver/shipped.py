"""Where the data that ships with spotcheck lies, in a wheel or a checkout alike.

The repository keeps `openapi/`, `fixtures/` and `load/` at its top; the distribution maps them
to `spotcheck.openapi`, `spotcheck.fixtures` and `spotcheck.load` (pyproject.toml), so that an
installed copy carries no generic top-level names. `importlib.resources` finds either layout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from mockserver.errors import SpotcheckError


def shipped_dir(package: str) -> Path:
    """The folder of a shipped data package, e.g. `shipped_dir("spotcheck.openapi")`.

    Connexion and Locust take file paths, so this is a real folder: pip installs wheels
    unpacked, never zipped.
    """
    try:
        folder = Path(str(resources.files(package)))
    except ModuleNotFoundError:
        raise SpotcheckError(
            f"{package} is missing: reinstall spotcheck (pip install spotcheck)"
        ) from None
    if not folder.is_dir():
        raise SpotcheckError(f"{package} is not a folder on disk ({folder}): reinstall spotcheck")
    return folder


def schema_dir() -> Path:
    """Our schema (the default family's), its overlays and `samples/`."""
    return shipped_dir("spotcheck.openapi")


def fixtures_dir() -> Path:
    """The fixture workspaces."""
    return shipped_dir("spotcheck.fixtures")


def load_dir() -> Path:
    """The Locust profiles (`locustfile.py`, `anyschema.py`) and the benchmark."""
    return shipped_dir("spotcheck.load")
