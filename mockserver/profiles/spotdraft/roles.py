"""What each workspace role may do, decided after authentication and before any behaviour.

The fixture users carry `permissions` (fixtures/README.md): `contracts.read`,
`contracts.write` and `developer_settings`. The rules, the vendor's way:
- reading needs nothing more than an active membership (the authenticator already refuses an
  inactive or unknown user);
- a write needs `contracts.write` (a VIEWER has only `contracts.read`), except the POSTs that
  only read (a query, a preview, a download);
- the workspace's integration settings (webhooks, users and roles, feature flags) need
  `developer_settings` (the admin's "Developer Settings" permission).
Refusals carry the vendor's 403 body: "You do not have permission to perform this action."
"""

from __future__ import annotations

import re

from mockserver.auth.authenticator import Identity
from mockserver.errors import ApiProblem
from mockserver.spec.index import Operation

DENIED = "You do not have permission to perform this action."
WRITE = "contracts.write"
DEVELOPER_SETTINGS = "developer_settings"
_READ_METHODS = frozenset({"get", "head", "options"})
_VERSION = re.compile(r"^/api/v[0-9.]+/public")

# POSTs that change nothing: the vendor lets any member call them.
READING_POSTS = (
    re.compile(r"^/analytics/query/$"),
    re.compile(r"^/sidebar/(query|files)/$"),
    re.compile(r"^/contracts/preview/$"),
    re.compile(r"^/contracts/\{[a-z_]+\}/(download|download_link|download_docx/)$"),
    re.compile(r"^/key_pointers/field-name-mapping/$"),
    re.compile(r"^/clickwrap/"),
)
# Changes that need the Developer Settings permission.
DEVELOPER_PATHS = (
    re.compile(r"^/webhooks/"),
    re.compile(r"^/contracts/webhooks/re_trigger_latest/$"),
    re.compile(r"^/webhook-sample/$"),
    re.compile(r"^/auth/"),
    re.compile(r"^/workspace/feature-flags/$"),
)


def needed(operation: Operation) -> str | None:
    """The permission `operation` needs beyond membership, or None."""
    if operation.method in _READ_METHODS:
        return None
    suffix = _VERSION.sub("", operation.path)
    if any(rule.search(suffix) for rule in DEVELOPER_PATHS):
        return DEVELOPER_SETTINGS
    if any(rule.search(suffix) for rule in READING_POSTS):
        return None
    return WRITE


def authorize(operation: Operation, identity: Identity) -> None:
    """403 in the vendor's words when the identity's user lacks what `operation` needs."""
    if not identity.user_id:
        return  # a clickwrap or API-key caller acts as no workspace user
    permission = needed(operation)
    if permission is not None and permission not in identity.permissions:
        raise ApiProblem(403, DENIED, "permission_denied")
