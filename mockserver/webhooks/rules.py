"""What a subscription may point at and carry, and how its URL is shown.

Checked when a subscription is written (a 400 naming the rule) and again before each send, so
a subscription stored before a rule existed, or a host name that resolves somewhere it must
not, never reaches the network. Every refusal names its rule; private addresses name the
setting that allows them. `mask_url` hides userinfo and query values wherever a URL is shown.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from mockserver.errors import FieldError

ALLOW_PRIVATE = "SPOTCHECK_WEBHOOK_ALLOW_PRIVATE=1"
# Cloud instance-metadata endpoints: a webhook must never be a way to read credentials there.
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.com",
        "metadata.tencentyun.com",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("100.100.100.200", "168.63.129.16", "fd00:ec2::254")
)
# RFC 7230 token, and the vendor's rule that custom headers start with X-.
_HEADER_NAME = re.compile(r"X-[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Prefixes the sender sets itself; a subscription may not forge them (a family adds its own).
SPOTCHECK_PREFIXES = ("x-spotcheck-",)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, private in practice


def has_control_or_surrogate(text: str) -> bool:
    return bool(_CONTROL.search(text))


def address_problem(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool
) -> str | None:
    """The rule an IP address breaks as a webhook target, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "cloud metadata addresses are refused"
    if address.is_link_local:
        return "link-local addresses (169.254.0.0/16, fe80::/10) are refused"
    if address.is_loopback:
        return None  # receivers on this machine: the mock's everyday use
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return "unspecified, multicast and reserved addresses are refused"
    if (address.is_private or address in _SHARED) and not allow_private:
        return f"private addresses are refused unless {ALLOW_PRIVATE} is set"
    return None


def host_problem(host: str, allow_private: bool) -> str | None:
    """The rule a URL's host breaks (literal addresses and known names; no DNS here)."""
    name = host.rstrip(".").lower()
    if name in METADATA_HOSTS:
        return "cloud metadata hosts are refused"
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return None
    return address_problem(address, allow_private)


def url_problems(
    url: Any, env: str, strict: bool, allow_private: bool, field: str = "url"
) -> list[FieldError]:
    """Problems of a subscription URL; empty when it may be stored."""
    if not isinstance(url, str) or not url:
        return [FieldError(field, "must be an absolute http(s) URL")]
    if has_control_or_surrogate(url):
        return [FieldError(field, "must not contain control characters or lone surrogates")]
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return [FieldError(field, "must be an absolute http(s) URL")]
    if parts.scheme not in ("http", "https") or not host:
        return [FieldError(field, "must be an absolute http(s) URL")]
    problem = host_problem(host, allow_private)
    if problem is not None:
        return [FieldError(field, problem)]
    if parts.scheme == "https":
        return []
    if env == "production" or strict:
        return [FieldError(field, "must use https")]
    if host_problem(host, False) is None and _loopback(host):
        return []
    return [FieldError(field, "must use https (http is allowed only to loopback hosts in UAT)")]


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def header_problems(
    headers: Any, field: str = "custom_headers", reserved: tuple[str, ...] = ()
) -> list[FieldError]:
    """Why these custom headers cannot be sent (`reserved`: the family's own prefixes)."""
    reserved = SPOTCHECK_PREFIXES + reserved
    if headers is None:
        return []
    if not isinstance(headers, dict):
        return [FieldError(field, "must be an object of header names to values")]
    problems = []
    for name, value in headers.items():
        where = f"{field}.{_printable(name)}"
        if not _HEADER_NAME.fullmatch(name):
            problems.append(
                FieldError(where, "header names must start with 'X-' and be RFC 7230 tokens")
            )
        elif name.lower().startswith(reserved):
            problems.append(FieldError(where, f"the '{name.split('-')[1]}' prefix is reserved"))
        if not isinstance(value, str):
            problems.append(FieldError(where, "header values must be strings"))
        elif has_control_or_surrogate(value) or not value.isascii():
            problems.append(
                FieldError(where, "header values must be printable ASCII (no CR, LF or NUL)")
            )
    return problems


def _printable(text: str) -> str:
    # Field names echo into error bodies and logs: no raw control characters there.
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def mask_url(url: str) -> str:
    """`url` with userinfo and query values replaced by ***, for logs and admin views."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    if parts.username is not None or parts.password is not None:
        netloc = f"***@{netloc}"
    query = "&".join(
        f"{pair.split('=', 1)[0]}=***" if "=" in pair else "***"
        for pair in parts.query.split("&")
        if pair
    )
    masked = SplitResult(parts.scheme, netloc, _printable(parts.path), query, "")
    return urlunsplit(masked)


async def resolved_problem(url: str, allow_private: bool) -> str | None:
    """The rule the addresses `url`'s host name resolves to break, just before a send.

    A name checked when the subscription was made may point elsewhere since (DNS rebinding).
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    problem = host_problem(host, allow_private)
    if problem is not None or _is_literal(host):
        return problem
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError:
        return None  # the send itself reports the name error, with the attempt
    for info in infos:
        problem = address_problem(
            ipaddress.ip_address(str(info[4][0]).split("%")[0]), allow_private
        )
        if problem is not None:
            return f"{host} resolves to a refused address: {problem}"
    return None


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True
