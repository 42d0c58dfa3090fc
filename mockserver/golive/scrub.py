"""Keep secrets out of a recording: credential headers, sensitive query values and body
fields masked, and every secret value seen so far blanked wherever else it shows up.

Masking by key name (`mockserver.masking`) catches `client_secret=...` in a form body or
`"access_token": ...` in a JSON answer; a value a server echoes under an innocent name (a
token inside a URL, a secret quoted in an error message) is caught by remembering every
secret the session has seen and replacing it in every text kept afterwards.

    >>> scrubber = Scrubber()
    >>> scrubber.headers([("x-app-secret", "s3cr3t-value"), ("accept", "*/*")])
    [('x-app-secret', '[Filtered]'), ('accept', '*/*')]
    >>> scrubber.text('{"detail": "bad secret s3cr3t-value"}')
    '{"detail": "bad secret [Filtered]"}'
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from mockserver.masking import MASK, is_sensitive, mask_text
from mockserver.profiles import credential_headers

# Headers whose names do not say "secret": every family's credential and identity headers
# (the id half of a pair, whom a call acts as), cookies.
_CREDENTIAL_HEADERS = frozenset(
    {name.lower() for name in credential_headers()}
    | {"cookie", "set-cookie", "proxy-authorization"}
)
_MIN_SECRET = 6  # shorter values are not remembered: blanking them would garble the text


def is_secret_header(name: str) -> bool:
    return name.lower() in _CREDENTIAL_HEADERS or is_sensitive(name)


class Scrubber:
    """Masks what is kept; remembers the secret values it masked (for the whole session)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._longest_first: tuple[str, ...] = ()  # kept sorted as secrets are learnt

    def remember(self, value: str) -> None:
        value = value.strip()
        if len(value) >= _MIN_SECRET and value != MASK and value not in self._seen:
            self._seen.add(value)
            self._longest_first = tuple(sorted(self._seen, key=len, reverse=True))

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        kept = []
        for name, value in headers:
            if is_secret_header(name):
                self._remember_credential(value)
                kept.append((name, MASK))
            else:
                kept.append((name, self.text(value)))
        return kept

    def query(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        kept = []
        for name, value in pairs:
            if is_sensitive(name):
                self.remember(value)
                kept.append((name, MASK))
            else:
                kept.append((name, self.text(value)))
        return kept

    def body(self, text: str, media_type: str) -> str:
        """A request or response body: sensitive fields remembered, then masked."""
        if "json" in media_type:
            with contextlib.suppress(ValueError):
                self._remember_fields(json.loads(text))
        elif "form-urlencoded" in media_type:
            for name, value in parse_qsl(text, keep_blank_values=True):
                if is_sensitive(name):
                    self.remember(value)
        return self.text(mask_text(text))

    def text(self, text: str) -> str:
        """`text` with every remembered secret blanked (longest first: no partial leftovers)."""
        for secret in self._longest_first:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def _remember_credential(self, value: str) -> None:
        scheme, _, credential = value.partition(" ")
        if scheme.lower() == "basic" and credential:
            try:
                pair = base64.b64decode(credential, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                pair = ""
            for part in pair.split(":", 1):
                self.remember(part)
        if scheme.lower() in ("bearer", "basic", "token") and credential:
            self.remember(credential)
        self.remember(value)

    def _remember_fields(self, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if is_sensitive(str(key)) and isinstance(item, str | int):
                    self.remember(str(item))
                else:
                    self._remember_fields(item)
        elif isinstance(value, list):
            for item in value:
                self._remember_fields(item)
