"""spotcheck's mock of a vendor API's UAT environment.

    from mockserver import Settings, create_app
    app = create_app(Settings(db=":memory:", rate_limit=0))   # an ASGI app

The names below are the public Python API (pinned by tests/test_public_api.py); everything
else is internal and may change. They are imported on first use, so that importing one
submodule (the CLI, the settings) does not load the whole server stack.
"""

from __future__ import annotations

import importlib
from typing import Any

_PUBLIC = {
    "ApiProblem": "mockserver.errors",
    "LoadedSchema": "mockserver.spec",
    "SchemaError": "mockserver.errors",
    "Settings": "mockserver.settings",
    "SettingsError": "mockserver.errors",
    "SpotcheckApp": "mockserver.app",
    "SpotcheckError": "mockserver.errors",
    "create_app": "mockserver.app",
    "load_schema": "mockserver.spec",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)
