"""In-process mocks on 127.0.0.1 (spotcheck.testing's server) for the test-kit tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.settings import Settings
from spotcheck.testing import MockServer


def vendor_mock(**changes: Any) -> Callable[..., Iterator[MockServer]]:
    """A module fixture: the vendor's schema served over HTTP, no rate limit, deliveries kept
    on this machine, with `changes` to the settings; assign it to the fixture's name."""

    @pytest.fixture(scope="module")
    def fixture(vendor_spec: Path) -> Iterator[MockServer]:
        settings = Settings(spec=str(vendor_spec), rate_limit=0, webhook_delivery="loopback")
        mock = MockServer(settings.replace(**changes))
        mock.start()
        yield mock
        mock.stop()

    return fixture
