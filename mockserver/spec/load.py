"""`load_schema`: read a schema, repair it, apply overlays, declare its profile, index it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mockserver import profiles
from mockserver.settings import SCHEMA_DIR
from mockserver.spec.cache import cached
from mockserver.spec.extensions import apply_overlay_file
from mockserver.spec.index import OperationIndex
from mockserver.spec.loaded import LoadedSchema
from mockserver.spec.loader import parse_document, read_text
from mockserver.spec.overlays import apply_examples, apply_links, apply_standard_errors
from mockserver.spec.repair import Defect, repair
from mockserver.spec.versions import version_plan

OUR_EXAMPLES = SCHEMA_DIR / "examples.yaml"
OUR_LINKS = SCHEMA_DIR / "links.yaml"


def load_schema(
    source: str,
    overlays: bool = True,
    cache_dir: str | None = None,
    profile: str | None = None,
    overlay_file: str | None = None,
) -> LoadedSchema:
    """Read `source` (file or URL), repair it, merge our `overlay_file` (versions, GraphQL
    endpoints), declare its auth profile's security (`profile`, else the one its
    securitySchemes describe) and add the standard-error overlay.

    With `cache_dir`, the repaired document is kept there and reused while the schema text
    and the loader's code stay the same.
    """
    with paused_gc():
        return _load(source, overlays, cache_dir, profile, overlay_file)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: building a schema (or a server around it) makes
    tens of thousands of containers, each batch of which set off a collection that walks the
    whole heap of imported modules - a third of the vendor file's cold load. The few cycles
    made meanwhile are collected after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(
    source: str,
    overlays: bool,
    cache_dir: str | None,
    profile: str | None,
    overlay_file: str | None,
) -> LoadedSchema:
    text = read_text(source)

    def build() -> tuple[dict[str, Any], tuple[Defect, ...]]:
        result = repair(parse_document(text, source), in_place=True)
        if overlay_file:
            apply_overlay_file(result.document, Path(overlay_file))
        chosen = profiles.profile(profile or profiles.detect_profile(result.document))
        style = chosen.error_style
        chosen.declare(result.document, version_plan(result.document, profiles.version_header()))
        # Links only describe the flow between operations: the contract tests use them even
        # where the standard-error overlay is left out.
        apply_links(result.document, OUR_LINKS)
        if overlays:
            apply_standard_errors(result.document, style)
            apply_examples(result.document, OUR_EXAMPLES)
        return result.document, tuple(result.defects)

    variant = f"overlays={overlays};profile={profile};overlay={overlay_file}"
    inputs = (OUR_EXAMPLES, OUR_LINKS, *((Path(overlay_file),) if overlay_file else ()))
    document, defects = cached(cache_dir, text, variant, inputs, build)
    chosen = profile or profiles.detect_profile(document)
    return LoadedSchema(
        source,
        document,
        defects,
        OperationIndex(document),
        chosen,
        version_plan(document, profiles.version_header()),
    )
