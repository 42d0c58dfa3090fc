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


def _boundary(app):
    from mockserver.behaviours.documented_errors import DocumentedErrors
    from mockserver.pipeline.connexion_stack import ErrorBoundary

    class _NoDocumentedBodies(DocumentedErrors):
        def __init__(self) -> None:
            pass

    return ErrorBoundary(app, _NoDocumentedBodies())


async def _drive(app):
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b""}
    await app(scope, receive, send)
    return scope, sent


def test_the_boundary_answers_an_unexpected_error_with_a_logged_500_in_the_profile_body(caplog):
    import asyncio
    import threading

    threads: list[str] = []

    async def broken(scope, receive, send):
        threads.append(threading.current_thread().name)
        raise KeyError("not a client's mistake")

    boundary = _boundary(broken)
    with caplog.at_level("ERROR", logger="spotcheck.problems"):
        scope, sent = asyncio.run(_drive(boundary))
    assert threads == [threading.main_thread().name]
    # as an application's outer layer: Starlette's form reader answers 400 only with it set
    assert scope["app"] is boundary
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 500
    body = json.loads(sent[1]["body"])
    assert body["status_code"] == 500 and "failed" in body["message"]
    assert "KeyError" in caplog.text  # the traceback is the mock's to show, in its log
    from mockserver.context import request_context

    assert request_context(scope).refused_by == "server"


def test_the_boundary_does_not_start_a_second_answer_after_the_first_began():
    import asyncio

    async def half(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise ApiProblem(400, "too late to say so")

    with pytest.raises(ApiProblem):
        asyncio.run(_drive(_boundary(half)))


def test_a_refusal_is_rendered_on_the_serving_thread(client, monkeypatch):
    # Starlette's exception layer ran the (synchronous) error handler in a worker thread:
    # a thread hop for every 401, 404 and 429
    import threading

    names: list[str] = []
    real = problems.render_problem

    def spy(*args, **kwargs):
        names.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(problems, "render_problem", spy)
    assert client.get(TYPES).status_code == 401
    assert names and all(name == names[0] for name in names)
    assert "AnyIO worker" not in names[0]


def _uninvite_all(client, content_type: str, body: bytes):
    """POST a body to an operation that declares none (validation leaves it to the handler),
    on a contract that exists."""
    from spotcheck.client.payloads import contract_from_template

    api = "/api/v2.1/public"
    created = client.post(f"{api}/contracts/", headers=UAT, json=contract_from_template("Initech"))
    assert created.status_code == 201, created.text
    number = str(created.json()["id"]).split("-")[-1]
    return client.post(
        f"{api}/contracts/{number}/uninvite_all/",
        headers={**UAT, "content-type": content_type},
        content=body,
    )


def test_a_multipart_body_without_a_boundary_is_the_clients_400(client):
    # Schemathesis' undeclared-Content-Type check (ST102): Starlette's form reader raises on a
    # multipart type that names no boundary, and says 400 only inside an app's scope
    answer = _uninvite_all(client, "multipart/form-data", b"x")
    assert answer.status_code == 400, answer.text
    assert "boundary" in answer.json()["message"].lower()


def test_a_multipart_error_outside_an_apps_scope_is_still_a_400():
    from starlette.formparsers import MultiPartException

    problem = problems.as_problem(MultiPartException("Missing boundary in multipart."))
    assert problem.status == 400 and "boundary" in problem.detail


def test_malformed_json_to_an_operation_without_a_json_body_is_the_clients_400(client):
    answer = _uninvite_all(client, "application/json", b"{bad")
    assert answer.status_code == 400, answer.text
    assert "not valid JSON" in answer.json()["message"]
