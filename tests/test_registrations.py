"""A behaviour registered for no operation of the served schema warns at start-up, and fails
the harness's own tests (pyproject: UnmatchedBehaviourWarning is an error)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from starlette.responses import Response

from mockserver.app import create_app
from mockserver.behaviours import Registration, bind
from mockserver.errors import UnmatchedBehaviourWarning
from mockserver.profiles import profile
from mockserver.profiles.base import Domain
from mockserver.settings import SCHEMA_DIR
from mockserver.spec import load_schema


async def _answer(_request, _context) -> Response:
    return Response(status_code=204)


def test_bind_takes_every_matching_alternative_and_warns_for_none():
    both = Registration(("GET /v1/things", "GET /v2/things"), _answer)
    lost = Registration(("GET /v1/thongs",), _answer)
    with pytest.warns(UnmatchedBehaviourWarning, match="GET /v1/thongs"):
        bound = bind([both, lost], {"GET /v2/things", "GET /v2/other"})
    assert bound == {"GET /v2/things": _answer}


def test_a_registration_for_a_missing_path_warns_when_the_app_starts(
    settings, our_schema, monkeypatch
):
    family = type(profile("spotdraft"))
    real = family.domain

    def with_a_typo(self, runtime) -> Domain:
        domain = real(self, runtime)
        typo = Registration(("GET /api/v2.1/public/contract_typos/",), _answer)
        return Domain((*domain.registrations, typo), domain.parents, domain.self_judged)

    monkeypatch.setattr(family, "domain", with_a_typo)
    with pytest.warns(UnmatchedBehaviourWarning, match="contract_typos"):
        create_app(settings, our_schema)


SHIPPED = [
    SCHEMA_DIR / "spotdraft.yaml",
    SCHEMA_DIR / "samples" / "travel-users.yaml",
    SCHEMA_DIR / "samples" / "participants.yaml",
    Path(__file__).parent / "data" / "things.yaml",
]


@pytest.mark.parametrize("schema", SHIPPED, ids=lambda path: path.name)
def test_every_registration_matches_an_operation_of_each_schema_we_ship(settings, schema):
    loaded = load_schema(str(schema), cache_dir="")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmatchedBehaviourWarning)
        create_app(settings, loaded)


def test_every_registration_matches_an_operation_of_the_vendor_schema(settings, vendor_schema):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnmatchedBehaviourWarning)
        create_app(settings, vendor_schema)
