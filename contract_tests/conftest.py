"""The suite's options and fixtures, registered only where the suite is collected."""

from contract_tests.plugin import (
    contract_auth,
    contract_base_url,
    contract_options,
    contract_run,
    pytest_addoption,
    pytest_configure,
    pytest_terminal_summary,
)

__all__ = [
    "contract_auth",
    "contract_base_url",
    "contract_options",
    "contract_run",
    "pytest_addoption",
    "pytest_configure",
    "pytest_terminal_summary",
]
