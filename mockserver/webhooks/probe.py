"""`spotcheck webhooks probe URL --hmac-key KEY`: grade an integrator's webhook receiver.

The vendor signs only the body: no timestamp, no delivery id. So a receiver must verify the
raw bytes itself, accept resends and out-of-order events without failing, and answer fast.
Each check sends what the vendor (or an attacker) could send and grades the answer:
FAIL breaks an integration or its security, WARN deserves a look. Any FAIL fails the probe.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from mockserver.state.store import utc_now
from mockserver.webhooks.payload import activity_payload
from mockserver.webhooks.signing import DELIVERY_HEADER, SIGNATURE_HEADER, sign

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
OVERSIZED_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Check:
    name: str
    grade: str
    detail: str


def _event(activity: str, contract_id: int, padding: int = 0) -> bytes:
    contract = {
        "contract_id": contract_id,
        "contract_name": "spotcheck probe" + " " * padding,
        "status": "EXECUTED" if activity == "CONTRACT_EXECUTED" else "DRAFT",
        "kind": "TEMPLATE",
        "external_metadata": {"id": f"probe-{contract_id}"},
    }
    body = activity_payload(activity, "probe@spotcheck.test", utc_now(), contract)
    return json.dumps(body, separators=(",", ":")).encode()


class _Sender:
    def __init__(self, url: str, hmac_key: str, timeout: float) -> None:
        self.url, self.key, self.timeout = url, hmac_key, timeout
        self.http = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(
        self, body: bytes, signature: str | None = None, delivery_id: str | None = None
    ) -> tuple[int | None, float, str]:
        """(status or None, seconds, error) of one POST as the vendor makes it."""
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "spotcheck-webhooks/0.1 (probe)",
            SIGNATURE_HEADER: signature or sign(body, self.key),
            DELIVERY_HEADER: delivery_id or str(uuid.uuid4()),
        }
        started = time.perf_counter()
        try:
            status = self.http.post(self.url, content=body, headers=headers).status_code
            return status, time.perf_counter() - started, ""
        except httpx.TimeoutException:
            return None, time.perf_counter() - started, f"no answer within {self.timeout:g} s"
        except httpx.HTTPError as failure:
            return None, time.perf_counter() - started, type(failure).__name__


def _answer(status: int | None, seconds: float, error: str) -> str:
    return error or f"{status} in {seconds * 1000:.0f} ms"


def _accepts(name: str, result: tuple[int | None, float, str], why: str) -> Check:
    """A check where the receiver must acknowledge: 2xx (or 409 for a duplicate)."""
    status = result[0]
    if status is not None and (200 <= status < 300 or (status == 409 and "dup" in name)):
        return Check(name, PASS, _answer(*result))
    if status is not None and 400 <= status < 500:
        return Check(name, WARN, f"{_answer(*result)}: {why}")
    return Check(name, FAIL, f"{_answer(*result)}: {why}")


def _refuses(name: str, result: tuple[int | None, float, str], why: str) -> Check:
    """A check where the receiver must refuse with a 4xx."""
    status = result[0]
    grade = PASS if status is not None and 400 <= status < 500 else FAIL
    return Check(name, grade, _answer(*result) + ("" if grade == PASS else f": {why}"))


def probe(url: str, hmac_key: str, timeout: float = 5.0) -> list[Check]:
    """Run every check against the receiver at `url`; the scorecard, in order."""
    base64.b64decode(hmac_key, validate=True)  # a wrong key would make every check lie
    sender = _Sender(url, hmac_key, timeout)
    checks = []
    body, delivery_id = _event("CONTRACT_CREATED", 990001), str(uuid.uuid4())
    first = sender.send(body, delivery_id=delivery_id)
    checks.append(
        _accepts(
            "signed event", first, f"a correctly signed event must get a 2xx within {timeout:g} s"
        )
    )
    if first[0] is not None and first[1] > timeout / 2:
        checks.append(
            Check("answers fast", WARN, f"{first[1]:.2f} s: near the {timeout:g} s timeout")
        )
    else:
        checks.append(Check("answers fast", PASS if first[0] else FAIL, _answer(*first)))
    forged = sign(body, base64.b64encode(b"not-the-workspace-key").decode())
    checks.append(
        _refuses("wrong signature", sender.send(body, forged), "accepted a forged signature")
    )
    pretty = json.dumps(json.loads(body), indent=2).encode()
    checks.append(
        _refuses(
            "body re-serialised after signing",
            sender.send(pretty, sign(body, hmac_key)),
            "the signature must be checked on the raw bytes received, before parsing",
        )
    )
    checks.append(
        _accepts(
            "duplicate delivery id",
            sender.send(body, delivery_id=delivery_id),
            "the vendor delivers at least once: acknowledge a resend, do not process it twice",
        )
    )
    checks.append(
        _accepts(
            "replayed delivery",
            sender.send(body),
            "an identical body again must be acknowledged (and recognised), not an error",
        )
    )
    later = sender.send(_event("CONTRACT_EXECUTED", 990002))
    earlier = sender.send(_event("CONTRACT_CREATED", 990002))
    worst = later if (later[0] or 0) >= 300 or later[0] is None else earlier
    checks.append(
        _accepts(
            "activities out of order",
            worst,
            "events may arrive out of order: order them by activity_data.timestamp",
        )
    )
    big = sender.send(_event("CONTRACT_DATA_UPDATED", 990003, padding=OVERSIZED_BYTES))
    grade = PASS if big[0] is not None and (big[0] < 300 or big[0] == 413) else FAIL
    detail = _answer(*big) + ("" if grade == PASS else ": expect a 2xx or a clean 413")
    checks.append(Check(f"oversized body ({OVERSIZED_BYTES // 1024} KiB)", grade, detail))
    sender.http.close()
    return checks


def scorecard(checks: list[Check], as_json: bool) -> str:
    failed = any(check.grade == FAIL for check in checks)
    if as_json:
        return json.dumps({"passed": not failed, "checks": [asdict(c) for c in checks]})
    lines = [f"{check.grade}  {check.name:<34} {check.detail}" for check in checks]
    lines.append(f"grade: {'FAIL' if failed else 'PASS'}")
    return "\n".join(lines)


def failed(checks: list[Any]) -> bool:
    return any(check.grade == FAIL for check in checks)
