"""Who may use the control plane (`/__admin`, `/metrics`) and how a browser may.

Programs send the admin token in `X-Spotcheck-Admin-Token` (when one is configured; the CLI
insists on one when the server is bound beyond loopback). A browser cannot add that header
to a page load, so the console trades the token once for a session cookie (HttpOnly,
SameSite=Strict) and its requests are held to the browser rules:

- never from another site (`Sec-Fetch-Site: cross-site`);
- without a token only on a loopback host name: a page that re-binds its own domain name to
  127.0.0.1 (DNS rebinding) is same-origin to the browser, but its `Host` gives it away;
- a change (any method but GET/HEAD) only with the page's CSRF token in `X-Spotcheck-Csrf`
  and an `Origin` equal to the server's own.

A request is a browser's when it carries what only browsers send (`Origin`, `Sec-Fetch-*`,
a cookie, a `Mozilla/` user agent): curl, httpx and the CLI keep working as they did.

The secrets are derived, never stored: every worker on one store computes the same CSRF
token and session value from the admin token (or, without one, the workspace's JWT secret).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from mockserver.errors import ApiProblem
from mockserver.loopback import is_loopback_host
from mockserver.problems import as_problem, render_for
from mockserver.settings import Settings

Endpoint = Callable[[Request], Awaitable[Response]]

TOKEN_HEADER = "x-spotcheck-admin-token"
CSRF_HEADER = "x-spotcheck-csrf"
SESSION_COOKIE = "spotcheck_console"
SAFE_METHODS = frozenset({"GET", "HEAD"})
_BROWSER_HEADERS = ("origin", "sec-fetch-site", "sec-fetch-mode", "cookie")


def problem_response(request: Request, problem: ApiProblem) -> Response:
    """`problem` in the profile's error body, with the request's id."""
    return render_for(request.scope, problem).response()


class AdminGuard:
    """Admits a request to the control plane or says why not (module docstring)."""

    def __init__(self, settings: Settings, shared_secret: Callable[[], str]) -> None:
        self._settings = settings
        self._shared_secret = shared_secret  # read per request: a reset reloads the workspace

    def _derive(self, purpose: str) -> str:
        key = f"{self._settings.admin_token or ''}\0{self._shared_secret()}".encode()
        return hmac.new(key, purpose.encode(), hashlib.sha256).hexdigest()

    def csrf_token(self) -> str:
        """The token the console page carries and sends back on every change."""
        return self._derive("console-csrf")

    def session_value(self) -> str:
        """The console's cookie value: proves the token was given, without being it."""
        return self._derive("console-session")

    def token_matches(self, given: str) -> bool:
        token = self._settings.admin_token or ""
        return bool(token) and hmac.compare_digest(token.encode(), given.encode())

    def refusal(self, request: Request) -> ApiProblem | None:
        """Why `request` may not use the control plane (None: it may)."""
        headers = request.headers
        if self._settings.admin_token:
            given = headers.get(TOKEN_HEADER)
            if given is not None:
                if not self.token_matches(given):
                    return ApiProblem(401, "The admin token is missing or wrong.")
                return self.browser_refusal(request) if is_browser(request) else None
            cookie = request.cookies.get(SESSION_COOKIE, "")
            if not hmac.compare_digest(cookie.encode(), self.session_value().encode()):
                return ApiProblem(401, "The admin token is missing or wrong.")
            return self.browser_refusal(request)
        return self.browser_refusal(request) if is_browser(request) else None

    def browser_refusal(self, request: Request) -> ApiProblem | None:
        """The browser rules (module docstring); None when `request` keeps them."""
        headers = request.headers
        if headers.get("sec-fetch-site") == "cross-site":
            return ApiProblem(403, "The control plane does not answer other sites' pages.")
        host = request.url.hostname or ""
        if not self._settings.admin_token and not (
            is_loopback_host(host) or host == self._settings.host
        ):
            return ApiProblem(
                403,
                f"Open the console on 127.0.0.1 or localhost, not {host!r} "
                "(or set an admin token).",
            )
        if request.method in SAFE_METHODS:
            return None
        origin = headers.get("origin", "")
        if not origin or not _same_origin(origin, request):
            return ApiProblem(403, "A change must come from the console's own origin.")
        given = headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.csrf_token().encode()):
            return ApiProblem(403, "The CSRF token is missing or wrong: reload the console.")
        return None


def is_browser(request: Request) -> bool:
    """Whether `request` carries what only a browser sends."""
    headers = request.headers
    if any(name in headers for name in _BROWSER_HEADERS):
        return True
    return headers.get("user-agent", "").startswith("Mozilla/")


def _same_origin(origin: str, request: Request) -> bool:
    parts = urlsplit(origin)
    own_port = request.url.port or (443 if request.url.scheme == "https" else 80)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.scheme, (parts.hostname or "").lower(), port) == (
        request.url.scheme,
        (request.url.hostname or "").lower(),
        own_port,
    )


def guarded(guard: AdminGuard, endpoint: Endpoint) -> Endpoint:
    """`endpoint` behind the guard; every failure answers in the profile's error body."""
    return _checked(guard.refusal, endpoint)


def browser_only(guard: AdminGuard, endpoint: Endpoint) -> Endpoint:
    """`endpoint` held to the browser rules only (the console's page and its sign-in)."""
    return _checked(guard.browser_refusal, endpoint)


def _checked(refusal: Callable[[Request], ApiProblem | None], endpoint: Endpoint) -> Endpoint:
    async def checked(request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return problem_response(request, refused)
        try:
            return await endpoint(request)
        except Exception as error:
            # ApiProblems as they are; a full disk as 503; anything else a logged 500.
            return problem_response(request, as_problem(error))

    return checked
