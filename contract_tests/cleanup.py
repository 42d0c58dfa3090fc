"""Remove what a --allow-writes run created on a real target.

Schemathesis records every exchange in its VCR cassette. Each successful POST whose answer
names an `id`, on a collection whose item the schema lets us DELETE, is deleted again after
the run (paced like the run). What cannot be deleted is counted and left, with the run id
(`X-Spotcheck-Run`) it was created under, so it can be found.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

from contract_tests.contract import Contract

_YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Cleanup:
    created: int = 0  # objects the run created, as far as its answers say
    deleted: int = 0
    left: list[str] = field(default_factory=list)  # "POST /path -> id: why it was left"

    def summary(self) -> str:
        return f"created {self.created}, deleted {self.deleted}, left {len(self.left)}" + "".join(
            f"\n  - {reason}" for reason in self.left[:50]
        )


def created_objects(cassette: Path) -> Iterator[tuple[str, Any]]:
    """(collection path, id) for every successful POST that answered an object with an id."""
    with cassette.open(encoding="utf-8") as handle:
        recorded = yaml.load(handle, Loader=_YamlLoader) or {}
    for interaction in recorded.get("http_interactions") or []:
        request = interaction.get("request") or {}
        response = interaction.get("response") or {}
        if str(request.get("method", "")).upper() != "POST":
            continue
        if str((response.get("status") or {}).get("code")) not in ("200", "201"):
            continue
        try:
            body = json.loads((response.get("body") or {}).get("string") or "null")
        except ValueError:
            continue
        if isinstance(body, dict) and body.get("id") is not None:
            yield urlsplit(str(request.get("uri", ""))).path, body["id"]


def clean_up(
    cassette: Path,
    contract: Contract,
    base_url: str,
    headers: dict[str, str],
    rate_limit: float,
) -> Cleanup:
    result = Cleanup()
    interval = 1.0 / rate_limit if rate_limit > 0 else 0.0
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for collection, item_id in created_objects(cassette):
            result.created += 1
            item_path = _item_path(contract, collection, item_id)
            if item_path is None:
                result.left.append(f"POST {collection} -> {item_id}: no DELETE documented")
                continue
            answer = client.delete(item_path)
            if answer.status_code in (200, 202, 204, 404):  # 404: already gone
                result.deleted += 1
            else:
                result.left.append(f"DELETE {item_path}: {answer.status_code}")
            time.sleep(interval)
    return result


def _item_path(contract: Contract, collection: str, item_id: Any) -> str | None:
    template = contract.match("post", collection)
    if template is None:
        return None
    base = template.rstrip("/")
    for operation in contract.operations:
        template = operation.path
        if operation.method != "delete" or not template.startswith(base + "/{"):
            continue
        rest = template[len(base) + 1 :]
        if rest.count("{") == 1 and rest.rstrip("/").endswith("}") and "/" not in rest.rstrip("/"):
            slash = "/" if template.endswith("/") else ""
            return f"{collection.rstrip('/')}/{item_id}{slash}"
    return None
