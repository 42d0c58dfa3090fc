"""The vendor's signature: hex HMAC-SHA512 of the exact body bytes, keyed with the
base64-decoded workspace key, sent as X-SD-WEBHOOK-CONTENT-HASH."""

from __future__ import annotations

import base64
import hashlib
import hmac

SIGNATURE_HEADER = "X-SD-WEBHOOK-CONTENT-HASH"
DELIVERY_HEADER = "X-Spotcheck-Delivery-Id"


def sign(body: bytes, hmac_key_b64: str) -> str:
    return hmac.new(base64.b64decode(hmac_key_b64), body, hashlib.sha512).hexdigest()


def verify(body: bytes, hmac_key_b64: str, signature: str) -> bool:
    return hmac.compare_digest(sign(body, hmac_key_b64), signature.strip().lower())
