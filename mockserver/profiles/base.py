"""`Profile`: what one vendor family changes in the mock, as one object per family.

A profile is chosen per served schema (read from its `securitySchemes`, or forced with
`--profile`) and decides how calls authenticate and fail: the security the served schema
declares, the error body, the id policy, the full-PUT rule, the routes it adds (a token
endpoint). The client side of the same family (its fixture credential, the headers a client
sends, how its schemes are recognised) is defined once, in `spotcheck.client.families`: a
profile holds its `family` and reads those answers from it.

A family's *domain* (its routes and the parents its paths name) follows the operations
rather than the chosen profile: a schema that has the family's operations gets them whichever
profile authenticates it (our SpotDraft schema served with API keys still keeps contracts).

Every method has the neutral answer, so a family overrides only what it changes; a fourth
family is a new package with one subclass, added to the registry in `__init__`.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.errorbodies import DETAIL_STYLE, ErrorStyle
from mockserver.spec.walk import operations
from spotcheck.client.families import ClientFamily

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from mockserver.auth.authenticator import Authenticator, Identity
    from mockserver.behaviours import Registration
    from mockserver.behaviours.generic import ParentCheck
    from mockserver.runtime import Runtime
    from mockserver.spec.index import Operation
    from mockserver.spec.versions import VersionPlan


# A family's role rules: raise ApiProblem(403) when the identity may not call the operation.
Authorize = Callable[["Operation", "Identity"], None]


@dataclass(frozen=True)
class AdminRoute:
    """A control-plane endpoint a family adds under `/__admin` (behind the admin guard unless
    `guarded` is off: a signed link carries its own credential)."""

    path: str
    endpoint: Callable[[Request], Awaitable[Response]]
    methods: tuple[str, ...] = ("GET",)
    guarded: bool = True


@dataclass(frozen=True)
class ConsoleAction:
    """A button on a row of a console section: POSTs to the admin `path` (`{id}` is the row's
    id) when the row's `status` is one of `when` (any status when empty)."""

    label: str
    path: str
    when: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ConsoleSection:
    """A table on the console's workspace page: a family's view of its own records."""

    title: str
    columns: tuple[str, ...]  # keys of each row, shown in this order
    rows: Callable[[], list[dict[str, Any]]]  # read at each request (a reset replaces data)
    actions: tuple[ConsoleAction, ...] = ()
    kinds: tuple[str, ...] = ()  # the store's record kinds shown here (not listed again)


@dataclass(frozen=True)
class WebhookKit:
    """A family's webhook API as `spotcheck webhooks` drives it: where a client reads the
    signing key, and the activities it can make the mock emit (`trigger(client, activity,
    contract)` returns what it acted on)."""

    key_path: str
    activities: tuple[str, ...]
    trigger: Callable[[Any, str, str | None], str]


@dataclass(frozen=True)
class Domain:
    """What a family's domain adds to a schema that has its operations."""

    registrations: tuple[Registration, ...] = ()
    parents: Mapping[str, ParentCheck] = field(default_factory=dict)  # path variable -> check
    # Operations whose handler judges reads and writes itself and answers every pinned
    # version in its own shape (a GraphQL endpoint reads over POST).
    self_judged: frozenset[str] = frozenset()
    admin_routes: tuple[AdminRoute, ...] = ()
    console_sections: tuple[ConsoleSection, ...] = ()  # its part of the console's workspace
    # role rules, run after authentication: raise ApiProblem(403) for what a user may not do
    authorize: Authorize | None = None


class Profile:
    """One vendor family's conventions; see the module docstring."""

    name: str = ""
    # The client side of this family: fixture credential, client headers, scheme detection.
    # The neutral family for a new profile (detects nothing, sends no headers).
    family: ClientFamily = ClientFamily()
    error_style: ErrorStyle = DETAIL_STYLE
    uuid_ids: bool = False  # new resources get UUIDs rather than numbers
    full_replacement: bool = False  # a PUT must send the complete object
    # credential header (lower case) -> the kind of check the authenticator runs for it
    header_kinds: Mapping[str, str] = {}
    # where a client id and secret travel when the schema names no header for them
    id_header: str = ""
    secret_header: str = ""
    # headers beyond the schema's schemes that carry a credential or say whom a call acts as
    identity_headers: frozenset[str] = frozenset()
    version_header: str = ""  # the header that pins a dated API version, if the family has one
    model_title: str = "vendor API (spotcheck model)"  # `spotcheck schema derive`
    servers: tuple[str, ...] = ()  # the vendor's own hosts, for a derived schema
    # the banner's line on calling the mock: {url}, {client_id}, {client_secret} filled in
    hint = "fixture credential: {client_id} / {client_secret}"

    def detects(self, document: dict[str, Any]) -> bool:
        """Whether the schema's `securitySchemes` are this family's (as its client reads them)."""
        return self.family.detects(document)

    def declare(self, document: dict[str, Any], versions: VersionPlan | None) -> None:
        """Make the served schema declare what this profile enforces (in place)."""

    def auth_routes(
        self, runtime: Runtime, authenticator: Authenticator
    ) -> tuple[Registration, ...]:
        """Routes the profile itself serves (a token endpoint)."""
        return ()

    def domain(self, runtime: Runtime) -> Domain:
        """The family's behaviours, if the served schema has its operations."""
        return Domain()

    def resource_path(self, path: str) -> str:
        """`path` without what does not name a resource (an API version prefix)."""
        return path

    def webhook_kit(self) -> WebhookKit | None:
        """The family's webhook API for `spotcheck webhooks` (None: it sends no webhooks)."""
        return None

    def fixture_client(self, credentials: list[dict[str, Any]]) -> dict[str, Any]:
        """Which of the workspace's fixture credentials the banner shows."""
        return credentials[0]

    def credential_hint(
        self, url: str, credentials: list[dict[str, Any]], document: dict[str, Any]
    ) -> str:
        """One banner line: how to call the mock at `url` with a fixture credential."""
        return self.hint.format(url=url, **self.fixture_client(credentials))


# How a profile's `declare` writes into the served schema. A schema that already declares the
# profile's schemes is left alone by the profiles; one forced into another profile
# (`--profile`) gets the profile's schemes as its security, keeping operations that are
# explicitly open (`security: []`).


def require_schemes(document: dict[str, Any], schemes: dict[str, Any]) -> None:
    """`schemes` together become the security of the schema and of every secured operation."""
    components = document.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(schemes)
    requirement: list[dict[str, list[str]]] = [{name: [] for name in schemes}]
    document["security"] = requirement
    for _path, _method, operation in operations(document):
        declared = operation.get("security")
        if declared is not None and any(declared):
            operation["security"] = copy.deepcopy(requirement)


def add_header_parameter(document: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    """An optional header `name` on every operation that does not declare it already."""
    parameter = {"name": name, "in": "header", "required": False, "schema": schema}
    for _path, _method, operation in operations(document):
        parameters = operation.setdefault("parameters", [])
        names = {str(p.get("name", "")).lower() for p in parameters if isinstance(p, dict)}
        if name.lower() not in names:
            parameters.append(dict(parameter))
