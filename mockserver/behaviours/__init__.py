"""Behaviours: what the mock does per operation, beyond its documented answer."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from mockserver.context import RequestContext
from mockserver.errors import UnmatchedBehaviourWarning

Handler = Callable[[Request, RequestContext], Awaitable[Response]]

__all__ = ["Handler", "Registration", "bind"]


@dataclass(frozen=True)
class Registration:
    """A behaviour and the operations ("METHOD /path") it answers, as alternatives: one path
    under each API version, say. It must match at least one operation of the served schema."""

    keys: tuple[str, ...]
    handler: Handler


def bind(registrations: Iterable[Registration], operations: set[str]) -> dict[str, Handler]:
    """The handler of each operation; a registration that matches none of `operations` is
    a mistake (a typo, a path the vendor dropped) and warns rather than vanish."""
    bound: dict[str, Handler] = {}
    for registration in registrations:
        matched = [key for key in registration.keys if key in operations]
        if not matched:
            warnings.warn(
                f"a behaviour is registered for {' | '.join(registration.keys)}, "
                "which the served schema does not have",
                UnmatchedBehaviourWarning,
                stacklevel=2,
            )
        bound.update(dict.fromkeys(matched, registration.handler))
    return bound
