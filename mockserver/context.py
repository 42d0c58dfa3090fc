"""Per-request facts shared by the middlewares, kept in `scope["spotcheck"]`.

Connexion copies the ASGI scope between its middlewares; this object survives the shallow
copies, so what security decides is visible to the journal and the handlers.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.auth.authenticator import Identity
from mockserver.errorbodies import DETAIL_STYLE, ErrorStyle
from mockserver.spec.index import Operation

SCOPE_KEY = "spotcheck"


@dataclass
class RequestContext:
    request_id: str
    operation: Operation | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    identity: Identity | None = None
    error_style: ErrorStyle = DETAIL_STYLE
    api_version: str = ""  # the date a key/version-profile request is pinned to
    # the stage that refused the request (auth, rate_limit, validation, lifecycle, fault, ...)
    refused_by: str = ""
    fault: str = ""  # ids of the fault rules applied to it (pipeline/faults.py)
    retry_after: str = ""  # the Retry-After its answer promised (spotcheck report grades it)
    page: str = ""  # "page/pages" of a listing it read (did the client page to the end?)
    transport: Any = field(default=None, repr=False)  # the server's, for connection faults
    # header_map's dict, and the header list it was read from (several stages ask for it)
    headers: tuple[Any, dict[str, str]] | None = field(default=None, repr=False)
    # the JSON body request validation parsed, and its bytes (handlers read it, not again)
    json_body: tuple[bytes, Any] | None = field(default=None, repr=False)


def request_context(scope: MutableMapping[str, Any]) -> RequestContext:
    context = scope.get(SCOPE_KEY)
    if context is None:
        context = scope[SCOPE_KEY] = RequestContext(request_id="")
    return context


def header_map(scope: MutableMapping[str, Any]) -> dict[str, str]:
    """Request headers as a lower-case dict (the last value wins); undecodable bytes replaced.
    Read-only: the dict is shared by every stage of the request."""
    raw = scope.get("headers", [])
    context = request_context(scope)
    if context.headers is not None and context.headers[0] is raw:
        return context.headers[1]
    mapped = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw}
    context.headers = (raw, mapped)
    return mapped
