"""spotcheck's mock of a vendor API's UAT environment.

    from mockserver import Settings, create_app
    app = create_app(Settings(db=":memory:", rate_limit=0))   # an ASGI app

The names below are the public Python API (pinned by tests/test_public_api.py); everything
else is internal and may change.
"""

from mockserver.app import SpotcheckApp, create_app
from mockserver.errors import ApiProblem, SchemaError, SettingsError, SpotcheckError
from mockserver.settings import Settings
from mockserver.spec import LoadedSchema, load_schema

__all__ = [
    "ApiProblem",
    "LoadedSchema",
    "SchemaError",
    "Settings",
    "SettingsError",
    "SpotcheckApp",
    "SpotcheckError",
    "create_app",
    "load_schema",
]
