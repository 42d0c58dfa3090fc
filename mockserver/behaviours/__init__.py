"""Behaviours: what the mock does per operation, beyond its documented answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from mockserver.context import RequestContext

Handler = Callable[[Request, RequestContext], Awaitable[Response]]

__all__ = ["Handler"]
