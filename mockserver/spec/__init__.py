"""Load a schema, repair it, apply overlays and index its operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.settings import PROJECT_ROOT
from mockserver.spec.cache import cached
from mockserver.spec.index import Operation, OperationIndex
from mockserver.spec.loader import parse_document, read_text
from mockserver.spec.overlays import apply_examples, apply_links, apply_standard_errors
from mockserver.spec.repair import Defect, repair

OUR_EXAMPLES = PROJECT_ROOT / "openapi" / "examples.yaml"
OUR_LINKS = PROJECT_ROOT / "openapi" / "links.yaml"

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


def load_schema(source: str, overlays: bool = True, cache_dir: str | None = None) -> LoadedSchema:
    """Read `source` (file or URL), repair it, and add the standard-error overlay.

    With `cache_dir`, the repaired document is kept there and reused while the schema text
    and the loader's code stay the same.
    """
    text = read_text(source)

    def build() -> tuple[dict[str, Any], tuple[Defect, ...]]:
        result = repair(parse_document(text, source))
        # Links only describe the flow between operations: the contract tests use them even
        # where the standard-error overlay is left out.
        apply_links(result.document, OUR_LINKS)
        if overlays:
            apply_standard_errors(result.document)
            apply_examples(result.document, OUR_EXAMPLES)
        return result.document, tuple(result.defects)

    variant = f"overlays={overlays}"
    document, defects = cached(cache_dir, text, variant, (OUR_EXAMPLES, OUR_LINKS), build)
    return LoadedSchema(source, document, defects, OperationIndex(document))
