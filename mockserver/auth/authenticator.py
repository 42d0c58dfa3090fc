"""Decide an operation's `security` (an OR of ANDs) before any handler runs.

Each security scheme of the schema is classified into a kind of check; a requirement passes
when all its schemes pass together (a client id with its secret, a clickwrap id with Origin).
Secrets are compared in constant time against a SHA-256 digest; they are never logged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mockserver.auth.credential_cache import LIMIT, CredentialCache, CredentialRow, UserRow
from mockserver.auth.monitor import AuthFailureMonitor
from mockserver.auth.tokens import verify_token
from mockserver.clock import Clock
from mockserver.errors import ApiProblem
from mockserver.spec.index import Operation
from mockserver.state.fixtures import Workspace, secret_digest
from mockserver.state.store import Store

NOT_PROVIDED = "Authentication credentials were not provided."
_READ_METHODS = frozenset({"get", "head", "options"})
INVALID_CREDENTIALS = "Invalid client credentials for this environment."
BEARER_LABEL = "(bearer token)"  # how a failed bearer call is counted: never the token


@dataclass(frozen=True)
class Identity:
    """Who a request acts as: the credential (never its secret) and the workspace user."""

    workspace_id: int
    user_id: int
    user_email: str
    credential_id: str
    permissions: frozenset[str]
    via: str
    scopes: frozenset[str] = frozenset({"read", "write"})


class SchemeKinds:
    """Maps the schema's securitySchemes names to the checks this mock knows.

    `known` names the check for each credential header the profiles know (client id, client
    secret, ...); any other API-key header is only checked for presence.
    """

    def __init__(self, schemes: dict[str, Any], known: Mapping[str, str]) -> None:
        self.kinds: dict[str, str] = {}
        self.headers: dict[str, str] = {}
        for name, scheme in schemes.items():
            kind, header = _classify(scheme, known)
            self.kinds[name] = kind
            if header:
                self.headers[name] = header


def _classify(scheme: dict[str, Any], known: Mapping[str, str]) -> tuple[str, str]:
    scheme_type = scheme.get("type")
    if scheme_type == "http":
        http = str(scheme.get("scheme", "")).lower()
        return ("bearer" if http == "bearer" else "basic" if http == "basic" else "other"), ""
    if scheme_type == "oauth2" or scheme_type == "openIdConnect":
        return "bearer", ""
    if scheme_type == "apiKey" and scheme.get("in") == "header":
        header = str(scheme.get("name", "")).lower()
        return known.get(header, "api_key"), header
    return "other", ""


class Authenticator:
    """Checks requests against the credentials and users of one workspace."""

    def __init__(
        self,
        store: Store,
        workspace: Callable[[], Workspace],
        kinds: SchemeKinds,
        monitor: AuthFailureMonitor | None = None,
        *,
        profile_headers: tuple[str, str] = ("", ""),
        identity_headers: frozenset[str] = frozenset(),
        self_judged: frozenset[str] = frozenset(),
        authorize: Callable[[Operation, Identity], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        """`profile_headers`: where the profile sends a client id and secret when the schema
        names no header for them; `identity_headers`: every other header that carries a
        credential or an identity; `self_judged`: operation keys whose handler tells reads
        from writes itself (a GraphQL endpoint reads over POST)."""
        self._store = store
        self._cache = CredentialCache(store)
        # (client id, via) -> (the row it was made from, its identity): one identity object
        # per credential while its row stands (a new row comes with each auth epoch)
        self._identities: dict[tuple[str, str], tuple[CredentialRow, Identity]] = {}
        # per operation and per requirement, from the schema: read once, not per request
        self._operation_schemes: dict[str, tuple[tuple[str, ...], bool]] = {}
        self._requirement_kinds: dict[tuple[str, ...], dict[str, str]] = {}
        self._clock = clock or Clock()  # token and secret expiry, rotation windows
        self._current_workspace = workspace
        self._kinds = kinds
        self._monitor = monitor
        # keys the fingerprints of unknown client ids, so a shown one cannot be brute-forced
        self._fingerprint_key = secrets.token_bytes(16)
        header_of = {kind: kinds.headers.get(name) for name, kind in kinds.kinds.items()}
        self._id_header = header_of.get("client_id") or profile_headers[0]
        self._secret_header = header_of.get("client_secret") or profile_headers[1]
        self._identity_headers = identity_headers
        self._self_judged = self_judged
        self._authorize = authorize  # the domain's role rules: 403 for what a user may not do

    @property
    def credential_headers(self) -> frozenset[str]:
        """The lower-case names of every header that carries a credential or says whom a
        request acts as: each may be sent once (which of two would win is not for us to say)."""
        schemes = {header for header in self._kinds.headers.values() if header != "origin"}
        named = {self._id_header, self._secret_header} - {""}
        return frozenset({*schemes, "authorization", *self._identity_headers, *named})

    @property
    def id_header(self) -> str:
        """The lower-case header that names the client id ("" when the schema has none)."""
        return self._id_header

    @property
    def _workspace(self) -> Workspace:
        # Looked up per request: an admin reset replaces the workspace row.
        return self._current_workspace()

    def authenticate(
        self, operation: Operation, headers: dict[str, str], source: str = ""
    ) -> Identity | None:
        """The caller's identity; None for an open operation called without credentials.

        Raises ApiProblem 401 (missing or wrong credentials) or 403 (not allowed). `source`
        is the caller's address, for credentials limited to some networks.
        """
        try:
            identity = self._identify(operation, headers, source)
        except ApiProblem as problem:
            presented = headers.get(self._id_header, "")
            if not presented and headers.get("authorization", "").lower().startswith("bearer"):
                presented = BEARER_LABEL
            self._count_failure(problem, presented, source)
            raise
        if (
            identity is not None
            and operation.method not in _READ_METHODS
            # a GraphQL endpoint reads over POST: it judges queries and mutations itself
            and operation.key not in self._self_judged
            and "write" not in identity.scopes
        ):
            raise ApiProblem(403, "This credential is read-only.", "read_only_credential")
        if identity is not None and self._authorize and operation.key not in self._self_judged:
            self._authorize(operation, identity)
        return identity

    def verify_client(self, client_id: str, client_secret: str, source: str) -> Identity:
        """The identity of a client id and secret (an OAuth token request); 401/403 if not."""
        try:
            return self._credential(client_id, client_secret, {}, "client-credentials", source)
        except ApiProblem as problem:
            self._count_failure(problem, client_id, source)
            raise

    def _count_failure(self, problem: ApiProblem, credential_id: str, source: str) -> None:
        if problem.status == 401 and self._monitor is not None:
            self._monitor.record(self._shown_id(credential_id), source)

    def _shown_id(self, presented: str) -> str:
        """A presented client id as logs and metrics may show it: a known id as it is; any
        other value - it may be a secret pasted into the id header - as a keyed fingerprint."""
        if not presented or presented == BEARER_LABEL:
            return presented
        if self._store.query_one("SELECT 1 FROM credentials WHERE client_id = ?", (presented,)):
            return presented
        digest = hmac.new(self._fingerprint_key, presented.encode("utf-8", "replace"), "sha256")
        return f"unknown:{digest.hexdigest()[:12]}"

    def _identify(
        self, operation: Operation, headers: dict[str, str], source: str
    ) -> Identity | None:
        schemes, dual = self._schemes(operation)
        if operation.is_open and not any(self._presented(name, headers) for name in schemes):
            return None
        failure: ApiProblem | None = None
        for requirement in operation.security:
            if not requirement:
                continue
            try:
                identity = self._check_requirement(requirement, headers, dual, source)
            except ApiProblem as problem:
                # Prefer the most specific reason: a presented-but-wrong credential or a
                # forbidden user over "nothing was sent" for another alternative.
                if failure is None or (
                    failure.code == "not_authenticated" and problem.code != "not_authenticated"
                ):
                    failure = problem
                continue
            return identity
        # Like the vendor, a credential that is presented must be valid even where anonymous
        # calls are allowed.
        raise failure or ApiProblem(401, NOT_PROVIDED)

    def _presented(self, scheme: str, headers: dict[str, str]) -> bool:
        kind = self._kinds.kinds.get(scheme)
        if kind in ("bearer", "basic"):
            return headers.get("authorization", "").lower().startswith(kind)
        if kind == "origin":
            return False  # browsers send Origin on their own; it is not a credential
        header = self._kinds.headers.get(scheme)
        return bool(header and headers.get(header))

    def _schemes(self, operation: Operation) -> tuple[tuple[str, ...], bool]:
        """The operation's scheme names, and whether it takes a bearer token or client
        headers (worked out once per operation)."""
        found = self._operation_schemes.get(operation.key)
        if found is None:
            names = tuple(dict.fromkeys(name for req in operation.security for name in req))
            kinds = {self._kinds.kinds.get(name) for name in names}
            found = (names, "bearer" in kinds and "client_id" in kinds)
            self._operation_schemes[operation.key] = found
        return found

    def _check_requirement(
        self, requirement: tuple[str, ...], headers: dict[str, str], dual: bool, source: str
    ) -> Identity:
        kinds = self._requirement_kinds.get(requirement)
        if kinds is None:
            kinds = {self._kinds.kinds.get(name, "other"): name for name in requirement}
            self._requirement_kinds[requirement] = kinds
        if "client_id" in kinds or "client_secret" in kinds:
            return self._client_headers(headers, source)
        if "bearer" in kinds:
            return self._bearer(headers, dual, source)
        if "basic" in kinds:
            return self._basic(headers, source)
        if "clickwrap" in kinds:
            return self._clickwrap(
                headers, self._kinds.headers.get(kinds.get("origin", ""), "origin")
            )
        # A scheme this mock has no rule for: presence is all it can check.
        for name in requirement:
            header = self._kinds.headers.get(name)
            if header and not headers.get(header):
                raise ApiProblem(401, NOT_PROVIDED)
        return self._anonymous("api-key", "api-key")

    def _client_headers(self, headers: dict[str, str], source: str) -> Identity:
        client_id = headers.get(self._id_header, "")
        client_secret = headers.get(self._secret_header, "")
        if not client_id or not client_secret:
            raise ApiProblem(401, NOT_PROVIDED)
        return self._credential(client_id, client_secret, headers, "client-headers", source)

    def _credential(
        self, client_id: str, client_secret: str, headers: dict[str, str], via: str, source: str
    ) -> Identity:
        """The identity of a client id and secret, after its policy (rotation, expiry, the
        addresses it may be used from - `source` is the caller's)."""
        row = self._cache.credential(client_id)
        policy = row.policy if row else {}
        digest = secret_digest(client_secret)
        # Compare even when the id is unknown so timing does not reveal which ids exist.
        current = hmac.compare_digest(row.secret_sha256 if row else "0" * 64, digest)
        previous = hmac.compare_digest(policy.get("previous_sha256") or "0" * 64, digest)
        if row is None or not (current or previous) or row.workspace_id != self._workspace.id:
            raise ApiProblem(401, INVALID_CREDENTIALS, "invalid_credentials")
        expires = policy.get("expires_at") if current else policy.get("previous_expires_at")
        if expires and _past(expires, self._clock.utc()):
            which = "client secret" if current else "previous client secret"
            raise ApiProblem(
                401, f"The {which} expired at {expires}; use the rotated one.", "secret_expired"
            )
        _require_allowed_source(policy, source)
        identity = self._identity(row, via)
        impersonated = headers.get("user-email", "").strip()
        if impersonated:
            return self._impersonate(identity, impersonated)
        if not row.active:
            raise ApiProblem(
                403, "The user linked to this credential is not active.", "user_inactive"
            )
        return identity

    def _identity(self, row: CredentialRow, via: str) -> Identity:
        key = (row.client_id, via)
        kept = self._identities.get(key)
        if kept is not None and kept[0] is row:
            return kept[1]
        identity = Identity(
            workspace_id=row.workspace_id,
            user_id=row.user_id,
            user_email=row.user_email,
            credential_id=row.client_id,
            permissions=row.permissions,
            via=via,
            scopes=frozenset(row.policy.get("scopes", ["read", "write"])),
        )
        if len(self._identities) >= LIMIT:  # bounded like the rows they are made from
            self._identities.clear()
        self._identities[key] = (row, identity)
        return identity

    def _impersonate(self, identity: Identity, email: str) -> Identity:
        user = self._cache.user(identity.workspace_id, email)
        if user is None:
            raise ApiProblem(
                403, "user-email does not name a member of this workspace.", "unknown_user"
            )
        if not user.active:
            raise ApiProblem(
                403, "user-email names a user who is not active in this workspace.", "user_inactive"
            )
        return Identity(
            workspace_id=identity.workspace_id,
            user_id=user.user_id,
            user_email=user.email,
            credential_id=identity.credential_id,
            permissions=user.permissions,
            via=identity.via,
            scopes=identity.scopes,
        )

    def _bearer(self, headers: dict[str, str], dual: bool, source: str) -> Identity:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiProblem(401, NOT_PROVIDED)
        if dual and headers.get("x-sd-auth-type", "").lower() != "oauth-jwt":
            raise ApiProblem(
                401,
                "Send 'X-SD-Auth-Type: oauth-jwt' with a bearer token on this route.",
                "auth_type_required",
            )
        claims = verify_token(self._workspace.jwt_secret, token.strip(), self._clock.now())
        if claims.workspace_id != self._workspace.id:
            raise ApiProblem(401, "The bearer token is not valid.", "token_invalid")
        user = (
            self._token_client(claims.credential_id, source)
            if claims.credential_id
            else self._cache.user_by_id(self._workspace.id, claims.user_id)
        )
        if user is None or not user.active:
            raise ApiProblem(
                403, "The token's user is not an active member of this workspace.", "user_inactive"
            )
        return Identity(
            workspace_id=self._workspace.id,
            user_id=user.user_id,
            user_email=user.email,
            # A client-credentials token acts as its client; a user token as its user.
            credential_id=claims.credential_id or f"oauth:{user.user_id}",
            permissions=user.permissions,
            via="bearer",
            scopes=frozenset(claims.scopes) if claims.scopes else frozenset({"read", "write"}),
        )

    def _token_client(self, client_id: str, source: str) -> UserRow:
        """The user a client-credentials token acts as. The token is only as good as its
        client: a deleted client's tokens stop working, and its address allow-list applies to
        every call."""
        row = self._cache.credential(client_id)
        if row is None or row.workspace_id != self._workspace.id:
            raise ApiProblem(401, "The bearer token's client no longer exists.", "token_invalid")
        _require_allowed_source(row.policy, source)
        return UserRow(row.user_id, row.user_email, row.active, row.permissions)

    def _basic(self, headers: dict[str, str], source: str) -> Identity:
        scheme, _, encoded = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            raise ApiProblem(401, NOT_PROVIDED)
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiProblem(
                401, "The Basic credentials are not valid base64 of id:secret."
            ) from None
        client_id, separator, client_secret = decoded.partition(":")
        if not separator or not client_id or not client_secret:
            raise ApiProblem(401, "The Basic credentials are not valid base64 of id:secret.")
        return self._credential(client_id, client_secret, {}, "basic", source)

    def _anonymous(self, credential_id: str, via: str) -> Identity:
        return Identity(self._workspace.id, 0, "", credential_id, frozenset(), via)

    def _clickwrap(self, headers: dict[str, str], origin_header: str) -> Identity:
        public_id = headers.get("clickwrap-id", "")
        origin = headers.get(origin_header, "")
        if not public_id or not origin:
            raise ApiProblem(401, NOT_PROVIDED)
        clickwrap = self._store.get_record(self._workspace.id, "clickwrap", public_id)
        if clickwrap is None:
            raise ApiProblem(401, "Unknown clickwrap-id.", "invalid_credentials")
        if origin.rstrip("/") not in clickwrap.get("origins", []):
            raise ApiProblem(
                403, "This Origin is not allowed for the clickwrap.", "origin_not_allowed"
            )
        return self._anonymous(f"clickwrap:{public_id}", "clickwrap")


def _past(moment: str, now: datetime) -> bool:
    try:
        return datetime.fromisoformat(moment.replace("Z", "+00:00")) < now
    except ValueError:
        return True  # an unreadable expiry fails closed


def _require_allowed_source(policy: dict[str, Any], source: str) -> None:
    if not _allowed_source(policy.get("allowed_ips"), source):
        raise ApiProblem(
            403, "This credential may not be used from this address.", "ip_not_allowed"
        )


def _allowed_source(networks: list[str] | None, source: str) -> bool:
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(source)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)
