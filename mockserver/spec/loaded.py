"""`LoadedSchema`: a schema ready to serve, as every part of the mock reads it.

Apart from the loader (`spec/load.py`) on purpose: the loader reads the profiles, and the
profiles' behaviours read `LoadedSchema` (through the runtime); one module would tie them into
an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.spec.index import OperationIndex
from mockserver.spec.repair import Defect
from mockserver.spec.versions import VersionPlan


@dataclass(frozen=True)
class LoadedSchema:
    """A schema ready to serve: the repaired document, what was repaired, and its index."""

    source: str
    document: dict[str, Any]
    defects: tuple[Defect, ...]
    index: OperationIndex
    profile: str
    versions: VersionPlan | None

    @property
    def security_schemes(self) -> dict[str, Any]:
        return dict(self.document.get("components", {}).get("securitySchemes", {}))
