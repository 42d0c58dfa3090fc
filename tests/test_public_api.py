"""The public names of the package and of the pytest plugin stay what the README promises."""

import mockserver
from contract_tests import plugin


def test_mockserver_public_names():
    assert sorted(mockserver.__all__) == [
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
    for name in mockserver.__all__:
        assert getattr(mockserver, name) is not None


def test_plugin_fixtures():
    fixtures = {name for name in dir(plugin) if name.startswith("contract_")}
    assert fixtures == {"contract_auth", "contract_base_url", "contract_options", "contract_run"}
