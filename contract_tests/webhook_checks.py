"""The webhook contract, as checks on one received delivery."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any


def delivery_problems(event: dict[str, Any], hmac_key: str, wanted: set[str]) -> list[str]:
    """What is wrong with a delivery: its signature (the published HMAC-SHA512 recipe) or
    its activity (not one the subscription asked for)."""
    problems = []
    expected = hmac.new(base64.b64decode(hmac_key), event["raw"], hashlib.sha512).hexdigest()
    if not hmac.compare_digest(expected, event.get("signature", "")):
        problems.append("X-SD-WEBHOOK-CONTENT-HASH does not match the body")
    if event.get("activity") not in wanted:
        problems.append(f"activity {event.get('activity')} is outside the subscription's filter")
    return problems
