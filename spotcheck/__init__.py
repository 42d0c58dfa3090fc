"""spotcheck: an offline twin of a vendor API's UAT, its contract tests and load profiles.

The code lives in `mockserver` (the mock), `contract_tests` (the suite and its pytest plugin),
`spotcheck.client` (the client side both the suite and the Locust profiles use, which imports
nothing of the mock) and `spotcheck.load` (Locust profiles); this package names the
distribution and carries its data: `spotcheck.openapi` (our schema, overlays, samples) and
`spotcheck.fixtures` (the fixture workspaces), read through `importlib.resources` from a wheel
or a checkout alike.

    python -m spotcheck serve        # the same as the `spotcheck` command
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("spotcheck")
except PackageNotFoundError:  # a checkout on sys.path without an install
    __version__ = "0+unknown"

__all__ = ["__version__"]
