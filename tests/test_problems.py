"""One error renderer: every layer that refuses a request writes what `render_problem` made."""

from __future__ import annotations

import json

import pytest

from mockserver import problems
from mockserver.errorbodies import DEBUG_IDENTIFIER_STYLE
from mockserver.errors import ApiProblem
from tests.conftest import UAT

TYPES = "/api/v2.1/public/contract_types/"


@pytest.fixture
def rendered(monkeypatch):
    """Every RenderedProblem made while the test runs, in order."""
    made: list[problems.RenderedProblem] = []
    real = problems.render_problem

    def spy(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(problems, "render_problem", spy)
    return made


@pytest.mark.parametrize(
    ("layer", "method", "path", "headers", "status"),
    [
        ("edge", "GET", "/nowhere", {}, 404),
        ("edge 405", "DELETE", TYPES, UAT, 405),
        ("security", "GET", TYPES, {}, 401),
        (
            "validation",
            "POST",
            "/api/v2.1/public/contracts/",
            {**UAT, "content-type": "text/x"},
            415,
        ),
        ("handler", "GET", "/api/v2.1/public/contracts/999999/status", UAT, 404),
        ("admin", "GET", "/__admin/requests?limit=x", {}, 400),
    ],
)
def test_every_layer_answers_with_the_one_rendering(
    client, rendered, layer, method, path, headers, status
):
    answer = client.request(
        method, path, headers=headers, content=b"x" if method == "POST" else None
    )
    assert answer.status_code == status, (layer, answer.text)
    assert len(rendered) == 1, layer
    assert answer.content == rendered[0].body
    for name, value in rendered[0].headers.items():
        assert answer.headers[name] == value


def test_the_rendering_carries_the_problem_headers_and_the_style():
    problem = ApiProblem(429, "Slow down.", headers={"Retry-After": "3"})
    result = problems.render_problem(problem, DEBUG_IDENTIFIER_STYLE, "req-7")
    assert json.loads(result.body)["debugIdentifier"] == "req-7"
    assert (b"retry-after", b"3") in result.asgi_headers()
    response = result.response()
    assert response.status_code == 429 and response.headers["retry-after"] == "3"
    assert response.headers["content-type"] == "application/json"
