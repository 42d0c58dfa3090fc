"""A running mock's API with one credential, and its admin API: what the webhook kit drives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from mockserver.errors import SpotcheckError


@dataclass
class MockClient:
    """The mock's API with one credential, and its admin API (with its token, if any)."""

    http: httpx.Client
    credential: dict[str, str]
    admin_token: str | None = None

    def call(self, method: str, path: str, body: Any = None, admin: bool = False) -> Any:
        headers = dict(self.credential)
        if admin and self.admin_token:
            headers = {"x-spotcheck-admin-token": self.admin_token}
        response = self.http.request(method, path, json=body, headers=headers)
        if response.status_code >= 400:
            raise SpotcheckError(
                f"{method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json() if response.content else None
