"""Verification over the journal: `GET /__admin/requests/count` and `POST /__admin/verify`.

Criteria (all optional, all must hold): `method`; `path`, a concrete path or the schema's
template (`/contracts/{id}`); `operation`, a key (`GET /contracts/{id}`) or an operationId;
`status`, a code or a class (`4xx`); `credential`, the credential id the request
authenticated as. An expectation adds `count`: a number (exact), or {"at_least": n} /
{"at_most": n}; without one, at least once. A failed expectation lists its near misses: the
requests that met most of its criteria, what differed, and the stage that refused each
(`refused_by`: auth, rate_limit, validation, lifecycle, fault, edge, behaviour, server).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockserver.admin.common import json_object
from mockserver.errors import ApiProblem
from mockserver.runtime import Runtime

CRITERIA = ("method", "path", "operation", "status", "credential")
NEAR_MISSES = 5
_SHOWN = ("id", "method", "path", "operation", "status", "credential_id", "refused_by", "fault")


def criteria_of(raw: Mapping[str, Any], operation_keys: Mapping[str, str]) -> dict[str, str]:
    """The criteria of a query or an expectation, checked; operationIds become keys."""
    criteria: dict[str, str] = {}
    for key in CRITERIA:
        value = raw.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ApiProblem(400, f"{key} must be a string.")
        text = str(value)
        if key == "status" and not _status_pattern(text):
            raise ApiProblem(400, "status must be a code (201) or a class (2xx).")
        if key == "operation":
            text = operation_keys.get(text, text)
        criteria[key] = text
    return criteria


def _status_pattern(text: str) -> bool:
    return len(text) == 3 and text[0] in "12345" and (text[1:].isdigit() or text[1:] == "xx")


def differences(entry: Mapping[str, Any], criteria: Mapping[str, str]) -> list[str]:
    """The criteria `entry` does not meet."""
    missed = []
    for key, wanted in criteria.items():
        if key == "method":
            ok = str(entry.get("method", "")).upper() == wanted.upper()
        elif key == "path":
            template = str(entry.get("operation") or " ").split(" ", 1)[1]
            ok = wanted in (entry.get("path"), template)
        elif key == "operation":
            ok = entry.get("operation") == wanted
        elif key == "status":
            status = str(entry.get("status", ""))
            ok = status == wanted or (wanted.endswith("xx") and status[:1] == wanted[0])
        else:
            ok = entry.get("credential_id") == wanted
        if not ok:
            missed.append(key)
    return missed


def _count_rule(raw: Any) -> tuple[int, int | None]:
    """(least, most) a `count` allows."""
    if raw is None:
        return 1, None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw, raw
    if isinstance(raw, dict) and set(raw) <= {"at_least", "at_most"} and raw:
        bounds = [raw.get("at_least", 0), raw.get("at_most", 0)]
        if all(isinstance(b, int) and not isinstance(b, bool) and b >= 0 for b in bounds):
            return raw.get("at_least", 0), raw.get("at_most")
    raise ApiProblem(400, 'count must be a number, {"at_least": n} or {"at_most": n}.')


def _shown(entry: Mapping[str, Any], differs: list[str] | None = None) -> dict[str, Any]:
    shown = {key: entry.get(key) for key in _SHOWN}
    return shown if differs is None else shown | {"differs": differs}


def check(
    entries: list[dict[str, Any]], expectation: Mapping[str, Any], keys: Mapping[str, str]
) -> dict[str, Any]:
    """One expectation against the journal, oldest entry first."""
    criteria = criteria_of(expectation, keys)
    least, most = _count_rule(expectation.get("count"))
    matched = [entry for entry in entries if not differences(entry, criteria)]
    ok = least <= len(matched) and (most is None or len(matched) <= most)
    result: dict[str, Any] = {
        "expectation": dict(expectation),
        "ok": ok,
        "count": len(matched),
        "matched": [entry["id"] for entry in matched],
    }
    if not ok:
        result["near_misses"] = near_misses(entries, criteria)
    return result


def near_misses(entries: list[dict[str, Any]], criteria: Mapping[str, str]) -> list[dict[str, Any]]:
    """The requests closest to `criteria` (fewest differences, newest first)."""
    scored = []
    for position, entry in enumerate(entries):
        missed = differences(entry, criteria)
        if missed and len(missed) < len(criteria):
            scored.append((len(missed), -position, entry, missed))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [_shown(entry, missed) for _, _, entry, missed in scored[:NEAR_MISSES]]


def in_order(
    entries: list[dict[str, Any]], expectations: list[dict[str, Any]], keys: Mapping[str, str]
) -> dict[str, Any]:
    """Whether the expectations were met one after another (each after the previous one)."""
    position, sequence = 0, list[str]()
    for number, expectation in enumerate(expectations):
        criteria = criteria_of(expectation, keys)
        found = next(
            (i for i in range(position, len(entries)) if not differences(entries[i], criteria)),
            None,
        )
        if found is None:
            after = sequence[-1] if sequence else None
            return {"ok": False, "sequence": sequence, "failed_at": number, "after": after}
        sequence.append(entries[found]["id"])
        position = found + 1
    return {"ok": True, "sequence": sequence}


def verify_routes(runtime: Runtime) -> list[Route]:
    """The endpoints, unguarded: `admin_app` wraps them with the admin token check."""

    def keys() -> dict[str, str]:
        return {op.operation_id: op.key for op in runtime.schema.index.operations}

    async def journal() -> tuple[list[dict[str, Any]], bool]:
        await runtime.journal.settle()
        entries = list(reversed(runtime.journal.entries()))  # oldest first
        return entries, runtime.journal.total <= len(entries)

    async def count(request: Request) -> Response:
        criteria = criteria_of(request.query_params, keys())
        entries, complete = await journal()
        matched = [entry for entry in entries if not differences(entry, criteria)]
        return JSONResponse({"count": len(matched), "criteria": criteria, "complete": complete})

    async def verify(request: Request) -> Response:
        body = await json_object(request)
        expectations = body.get("expect")
        if not isinstance(expectations, list) or not all(isinstance(e, dict) for e in expectations):
            raise ApiProblem(400, 'Send {"expect": [{"method": ..., "count": 1}], "order": false}.')
        entries, complete = await journal()
        operation_keys = keys()
        results = [check(entries, expectation, operation_keys) for expectation in expectations]
        answer: dict[str, Any] = {"ok": all(r["ok"] for r in results), "results": results}
        if body.get("order"):
            answer["order"] = in_order(entries, expectations, operation_keys)
            answer["ok"] = answer["ok"] and answer["order"]["ok"]
        answer["complete"] = complete  # False: the journal dropped older requests
        return JSONResponse(answer)

    return [
        Route("/__admin/requests/count", count, methods=["GET"]),
        Route("/__admin/verify", verify, methods=["POST"]),
    ]
