"""Load a schema, repair it, apply overlays and index its operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.settings import PROJECT_ROOT
from mockserver.spec.index import Operation, OperationIndex
from mockserver.spec.loader import read_document
from mockserver.spec.overlays import apply_examples, apply_standard_errors
from mockserver.spec.repair import Defect, repair

OUR_EXAMPLES = PROJECT_ROOT / "openapi" / "examples.yaml"

__all__ = ["Defect", "LoadedSchema", "Operation", "OperationIndex", "load_schema"]


@dataclass(frozen=True)
class LoadedSchema:
    """A schema ready to serve: the repaired document, what was repaired, and its index."""

    source: str
    document: dict[str, Any]
    defects: tuple[Defect, ...]
    index: OperationIndex

    @property
    def security_schemes(self) -> dict[str, Any]:
        return dict(self.document.get("components", {}).get("securitySchemes", {}))


def load_schema(source: str, overlays: bool = True) -> LoadedSchema:
    """Read `source` (file or URL), repair it, and add the standard-error overlay."""
    result = repair(read_document(source))
    if overlays:
        apply_standard_errors(result.document)
        apply_examples(result.document, OUR_EXAMPLES)
    return LoadedSchema(
        source, result.document, tuple(result.defects), OperationIndex(result.document)
    )
