"""What a client finds out about its target before it sends anything that counts."""

from __future__ import annotations

from urllib.parse import urlsplit

HEALTH = "/__admin/health"  # the mock's control plane; a real API has no such route


def is_mock(base_url: str, timeout: float = 5.0) -> bool:
    """Whether `base_url` is a spotcheck mock (its health endpoint answers `ok`)."""
    import httpx

    try:
        answer = httpx.get(f"{base_url.rstrip('/')}{HEALTH}", timeout=timeout)
        return answer.status_code == 200 and answer.json().get("status") == "ok"
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


def is_production(base_url: str, env: str) -> bool:
    """A vendor host not marked UAT or sandbox, or `env` production."""
    host = (urlsplit(base_url).hostname or "").lower()
    vendor_host = host.endswith("spotdraft.com")
    return env == "production" or (vendor_host and "uat" not in host and "sandbox" not in host)
