"""Schemas: load one (file or URL), repair it, apply overlays, index its operations.

    from mockserver.spec import load_schema
    schema = load_schema("openapi/samples/travel-users.yaml")
    schema.profile, len(schema.index)   # ("oauth2-client-credentials", ...)

The names below are imported on first use: the loader (`spec.load`) reads the profiles, and
a profile reads `spec.walk` or `spec.versions` - importing one submodule must not run the other
side (the same lazy map as `mockserver/__init__`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.spec.index import Operation, OperationIndex
    from mockserver.spec.load import load_schema
    from mockserver.spec.loaded import LoadedSchema
    from mockserver.spec.repair import Defect

_PUBLIC = {
    "Defect": "mockserver.spec.repair",
    "LoadedSchema": "mockserver.spec.loaded",
    "Operation": "mockserver.spec.index",
    "OperationIndex": "mockserver.spec.index",
    "load_schema": "mockserver.spec.load",
}

__all__ = ["Defect", "LoadedSchema", "Operation", "OperationIndex", "load_schema"]


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'mockserver.spec' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
