"""Our own checks, loaded into the Schemathesis run (SCHEMATHESIS_HOOKS=contract_tests.st_hooks)."""

from __future__ import annotations

import json
import os
import threading
import time

import schemathesis

# Requests per second of the whole run (SPOTCHECK_CONTRACT_RATE, set by the runner; 0 = no
# pacing). Pacing lives here because Schemathesis takes either a fixed rate or "auto"
# (retry after a 429's Retry-After), not both: it does the second, this hook the first.
_RATE = float(os.environ.get("SPOTCHECK_CONTRACT_RATE", "0") or 0)
_PACE = threading.Lock()
_NEXT_SLOT = [0.0]


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if _RATE <= 0:
        return
    with _PACE:
        now = time.monotonic()
        slot = max(now, _NEXT_SLOT[0])
        _NEXT_SLOT[0] = slot + 1.0 / _RATE
    time.sleep(max(0.0, slot - now))


# The auth profile of the run (SPOTCHECK_CONTRACT_PROFILE): which vendor's error body to expect.
_PROFILE = os.environ.get("SPOTCHECK_CONTRACT_PROFILE", "spotdraft")


@schemathesis.check
def vendor_error_body(ctx, response, case) -> None:
    """A 4xx answer carries the vendor's error body: a JSON object with `detail` or `message`
    or, for the oauth2-client-credentials profile, `debugIdentifier` and `errorMessages`."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        raise AssertionError(f"{response.status_code} answer is not JSON") from None
    if _PROFILE == "oauth2-client-credentials":
        messages = body.get("errorMessages") if isinstance(body, dict) else None
        if not (
            isinstance(messages, list)
            and messages
            and all(isinstance(m, dict) and m.get("errorCode") for m in messages)
            and "debugIdentifier" in body
        ):
            raise AssertionError(
                f"{response.status_code} answer lacks the debugIdentifier/errorMessages body"
            )
        return None
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
