import pytest

from mockserver.errors import SettingsError
from mockserver.settings import Settings


def test_flags_override_environment_over_defaults():
    settings = Settings.build(
        {"port": 9000, "env": None},
        {"SPOTCHECK_PORT": "7000", "SPOTCHECK_ENV": "production", "SPOTCHECK_RATE_LIMIT": "0"},
    )
    assert settings.port == 9000
    assert settings.env == "production"
    assert settings.rate_limit == 0


def test_retry_delays_parse_from_environment():
    settings = Settings.build({}, {"SPOTCHECK_WEBHOOK_RETRY_DELAYS": "1, 2.5,60"})
    assert settings.webhook_retry_delays == (1.0, 2.5, 60.0)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SPOTCHECK_PORT": "eighty"}, "SPOTCHECK_PORT"),
        ({"SPOTCHECK_ENV": "staging"}, "env must be"),
        ({"SPOTCHECK_RATE_LIMIT": "-1"}, "rate limit"),
        ({"SPOTCHECK_CLIENT_ID": "only-the-id"}, "together"),
        ({"SPOTCHECK_WEBHOOK_RETRY_DELAYS": "soon"}, "RETRY_DELAYS"),
    ],
)
def test_invalid_settings_are_refused_with_the_setting_named(environ, message):
    with pytest.raises(SettingsError, match=message):
        Settings.build({}, environ)


def test_secret_is_not_in_repr():
    settings = Settings(client_id="abc", client_secret="very-secret-value")
    assert "very-secret-value" not in repr(settings)
