"""Our own checks, loaded into the Schemathesis run (SCHEMATHESIS_HOOKS=contract_tests.st_hooks)."""

from __future__ import annotations

import json

import schemathesis


@schemathesis.check
def vendor_error_body(ctx, response, case) -> None:
    """A 4xx answer carries the vendor's error body: a JSON object with `detail` or `message`."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        raise AssertionError(f"{response.status_code} answer is not JSON") from None
    if not isinstance(body, dict) or not ({"detail", "message"} & set(body)):
        raise AssertionError(
            f"{response.status_code} answer lacks the vendor's detail/message body"
        )
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
