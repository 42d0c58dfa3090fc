"""Our own checks, loaded into the Schemathesis run (SCHEMATHESIS_HOOKS=contract_tests.st_hooks)."""

from __future__ import annotations

import json
import os

import schemathesis

from spotcheck.client.families import SPOTDRAFT, family
from spotcheck.client.pacing import Pacer

# Requests per second of the whole run (SPOTCHECK_CONTRACT_RATE, set by the runner; 0 = no
# pacing). Pacing lives here because Schemathesis takes either a fixed rate or "auto"
# (retry after a 429's Retry-After), not both: it does the second, this hook the first.
_PACER = Pacer(float(os.environ.get("SPOTCHECK_CONTRACT_RATE", "0") or 0))
# The family of the run (SPOTCHECK_CONTRACT_PROFILE): which vendor's error body to expect.
_FAMILY = family(os.environ.get("SPOTCHECK_CONTRACT_PROFILE") or SPOTDRAFT)


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    _PACER.wait()


@schemathesis.check
def vendor_error_body(ctx, response, case) -> None:
    """A 4xx answer carries the family's documented error body (SpotDraft: `detail` or
    `message`; OAuth2 client credentials: `debugIdentifier` and `errorMessages`)."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        raise AssertionError(f"{response.status_code} answer is not JSON") from None
    problem = _FAMILY.error_body_problem(body)
    if problem:
        raise AssertionError(f"{response.status_code} answer {problem}")
    return None


@schemathesis.check
def retry_after_on_429(ctx, response, case) -> None:
    """A 429 says when to retry."""
    if response.status_code == 429:
        value = response.headers.get("retry-after", [""])
        value = value[0] if isinstance(value, list) else value
        if not str(value).strip().isdigit():
            raise AssertionError("429 without a Retry-After in seconds")
    return None
