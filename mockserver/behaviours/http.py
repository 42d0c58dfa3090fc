"""The HTTP pieces every stateful behaviour shares: JSON answers, request bodies as dicts,
and pages of a listing the vendor's way."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver import jsoncodec
from mockserver.context import request_context
from mockserver.errors import ApiProblem


def json_response(status: int, body: Any) -> Response:
    return encoded_response(status, None if body is None else jsoncodec.dumps_bytes(body))


class JsonAnswer(Response):
    """Starlette's Response for JSON already encoded, its two headers written directly: the
    general constructor renders and checks what is the same for every such answer."""

    media_type = "application/json"

    def __init__(self, content: bytes, status_code: int) -> None:
        self.status_code = status_code
        self.background = None
        self.body = content
        self.raw_headers = [
            (b"content-length", b"%d" % len(content)),
            (b"content-type", b"application/json"),
        ]


def encoded_response(status: int, content: bytes | None) -> Response:
    """A JSON answer already encoded (None: no body)."""
    if content is None or status == 204:
        return Response(status_code=status)
    if status < 200 or status == 304:  # answers without a length: Starlette's rules
        return Response(content, status_code=status, media_type="application/json")
    return JsonAnswer(content, status)


async def read_body(request: Request) -> dict[str, Any]:
    """The request body (already validated by Connexion) as a dict; forms become dicts too."""
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        raw = await request.body()
        if not raw.strip():
            return {}
        parsed = request_context(request.scope).json_body
        try:
            # parsed by validation already, unless the operation declares no JSON body
            body = parsed[1] if parsed is not None and parsed[0] == raw else json.loads(raw)
        except ValueError as error:
            raise ApiProblem(400, f"The request body is not valid JSON: {error}") from None
        return body if isinstance(body, dict) else {"items": body}
    if "form" in content_type:
        form = await request.form()
        return {key: value for key, value in form.items() if isinstance(value, str)}
    return {}


def page_of(items: list[Any], request: Request) -> tuple[int, int, list[Any]]:
    """One page, the vendor's (Django REST framework's) way: a limit that is not a positive
    number falls back to the default, a page that does not exist is a 404."""
    limit = _positive(request.query_params.get("limit"), DEFAULT_LIMIT, MAX_LIMIT)
    pages = max(1, -(-len(items) // limit))
    raw_page = request.query_params.get("page") or "1"
    page = int(raw_page) if raw_page.lstrip("-").isdigit() else 0
    if not 1 <= page <= pages:
        raise ApiProblem(404, "Invalid page.")
    request_context(request.scope).page = f"{page}/{pages}"  # journalled: paged to the end?
    start = (page - 1) * limit
    return page, limit, items[start : start + limit]


DEFAULT_LIMIT = 10
MAX_LIMIT = 1000


def _positive(raw: str | None, default: int, ceiling: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return min(value, ceiling) if value > 0 else default
