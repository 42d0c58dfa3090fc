"""What the target's auth profile promises, beyond what Schemathesis checks per operation:
an OAuth token is fetched once and serves the whole run; date-pinned versions answer, and
an unknown one is refused. Each test runs where the family has what it checks (a token, a
version header), whichever family that is."""

from __future__ import annotations

import httpx
import pytest

from contract_tests.runner import RunOptions, RunResult
from spotcheck.client.auth import ClientAuth
from spotcheck.client.tokens import token_grant


def _tokens(options: RunOptions) -> None:
    if not options.family().uses_token:
        pytest.skip(f"a token family only; this schema's profile is {options.profile}")


def _version_header(options: RunOptions) -> str:
    header = options.family().version_header
    if not header:
        pytest.skip(f"a family with dated versions only; this one is {options.profile}")
    return header


def _plain_get(options: RunOptions) -> str:
    schema = options.contract()
    paths = sorted(op.path for op in schema.operations if op.method == "get" and "{" not in op.path)
    if not paths:
        pytest.skip("the schema has no GET without path parameters")
    return paths[0]


def test_one_token_serves_the_whole_run(
    contract_options: RunOptions, contract_auth: ClientAuth, contract_run: RunResult
) -> None:
    _tokens(contract_options)
    assert contract_run.tested
    assert contract_auth.tokens is not None and contract_auth.tokens.fetches == 1


def test_token_endpoint_answers_and_refuses_as_documented(contract_options: RunOptions) -> None:
    _tokens(contract_options)
    url = contract_options.base_url + contract_options.contract().token_path()
    grant = token_grant(contract_options.client_id, contract_options.client_secret)
    issued = httpx.post(url, data=grant, timeout=30)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert body["token_type"] == "Bearer" and int(body["expires_in"]) > 0 and body["access_token"]
    refused = httpx.post(url, data={**grant, "client_secret": "not-the-secret"}, timeout=30)
    assert refused.status_code == 401
    assert {"debugIdentifier", "errorMessages"} <= set(refused.json())


def test_every_declared_version_answers(
    contract_options: RunOptions, contract_auth: ClientAuth
) -> None:
    header = _version_header(contract_options)
    versions = contract_options.contract().versions
    if versions is None:
        pytest.skip("the schema declares no versions (x-spotcheck-versions)")
    path = _plain_get(contract_options)
    headers = {**contract_auth.headers()}
    with httpx.Client(base_url=contract_options.base_url, timeout=30) as client:
        for date in versions.dates:
            answer = client.get(path, headers={**headers, header: date})
            assert answer.status_code == 200, f"{date}: {answer.status_code} {answer.text[:200]}"
        unknown = client.get(path, headers={**headers, header: "1999-01-01"})
    assert unknown.status_code == 400, unknown.text[:200]


def test_credentials_are_checked_before_anything_else(
    contract_options: RunOptions, contract_auth: ClientAuth
) -> None:
    header = _version_header(contract_options)
    path = _plain_get(contract_options)
    wrong = httpx.Headers(contract_auth.headers())
    for secret in contract_auth.family.secret_headers:
        wrong[secret] = "sk_test_not_the_secret"
    with httpx.Client(base_url=contract_options.base_url, timeout=30) as client:
        assert client.get(path).status_code == 401
        assert client.get(path, headers=wrong).status_code == 401
        # an unknown version does not get past missing credentials either
        assert client.get(path, headers={header: "1999-01-01"}).status_code == 401
