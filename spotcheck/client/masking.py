"""Mask secrets in data a tool keeps or shows: report bodies, recordings, printed lines.

A key is sensitive when its name says so (secret, token, password, hmac, api key, private
key, credential, authorization); its value is replaced by `MASK` wherever it sits: a JSON
document, a JSON text inside a string, a `key=value` pair of a form body, a base64 body.

    >>> mask_value({"hmac_key": "c2VjcmV0", "id": 7})
    {'hmac_key': '[Filtered]', 'id': 7}
    >>> mask_text("grant_type=client_credentials&client_secret=s3cr3t")
    'grant_type=client_credentials&client_secret=[Filtered]'
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

MASK = "[Filtered]"
_SENSITIVE = re.compile(
    r"secret|token|passw|hmac|api[_-]?key|private[_-]?key|credential|authorization", re.I
)
# `"key": "value"` in free text (a message quoting a body), and `key=value` in a form body.
_JSON_PAIR = re.compile(r'("(?P<key>[\w.-]+)"\s*:\s*)"(?:[^"\\]|\\.)*"')
_FORM_PAIR = re.compile(r"(?P<lead>(?:^|[&?\s])(?P<key>[\w.-]+)=)[^&\s\"']*")


def is_sensitive(key: str) -> bool:
    return bool(_SENSITIVE.search(key))


def mask_value(value: Any) -> Any:
    """`value` with every sensitive key's value masked, recursively (JSON in strings too)."""
    if isinstance(value, dict):
        if set(value) == {"$base64"} and isinstance(value["$base64"], str):
            return {"$base64": _mask_base64(value["$base64"])}
        return {
            key: MASK
            if is_sensitive(str(key)) and not isinstance(item, dict | list)
            else mask_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_value(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def mask_text(text: str) -> str:
    """A JSON document masked as data; any other text masked pair by pair."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            document = json.loads(text)
        except ValueError:
            pass
        else:
            masked = mask_value(document)
            # unchanged documents keep their bytes: only what held a secret is rewritten
            return text if masked == document else json.dumps(masked)
    text = _JSON_PAIR.sub(
        lambda m: f'{m.group(1)}"{MASK}"' if is_sensitive(m.group("key")) else m.group(0), text
    )
    return _FORM_PAIR.sub(
        lambda m: m.group("lead") + MASK if is_sensitive(m.group("key")) else m.group(0), text
    )


def _mask_base64(encoded: str) -> str:
    try:
        text = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return encoded  # binary (a PDF): nothing readable to mask
    masked = mask_text(text)
    return encoded if masked == text else base64.b64encode(masked.encode()).decode("ascii")
