"""`spotcheck webhooks listen | trigger | resend | tail | probe`: the webhook developer kit.

    spotcheck webhooks listen --forward-to http://127.0.0.1:3000/hooks --events CONTRACT_EXECUTED
    spotcheck webhooks trigger CONTRACT_EXECUTED          # create, send, mark, sign
    spotcheck webhooks resend 3f1c...                     # same delivery id, sent again
    spotcheck webhooks tail
    spotcheck webhooks probe https://my-app.test/hooks --hmac-key KEY

Commands that talk to the mock take --mock URL (default SPOTCHECK_MOCK_URL or
http://127.0.0.1:8080), the credential from SPOTCHECK_CLIENT_ID/SECRET (else the fixture UAT
credential) and SPOTCHECK_ADMIN_TOKEN for /__admin/.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from mockserver.errors import SpotcheckError

if TYPE_CHECKING:
    from mockserver.profiles.base import WebhookKit


def add_webhooks_commands(commands: argparse._SubParsersAction) -> None:
    """Add `webhooks ...` to the main parser; `run_webhooks(args)` runs what was chosen."""
    webhooks = commands.add_parser("webhooks", help="webhook developer kit").add_subparsers(
        dest="webhooks_command", required=True
    )
    listen = webhooks.add_parser("listen", help="receive, verify and forward deliveries")
    listen.add_argument("--host", default="127.0.0.1")
    listen.add_argument("--port", type=int, default=9000)
    listen.add_argument("--hmac-key", dest="hmac_key", help="default: asked from the mock")
    listen.add_argument("--forward-to", dest="forward_to", help="your app's webhook URL")
    listen.add_argument("--events", help="comma separated activities to show and forward")
    listen.add_argument("--json", action="store_true", help="one JSON object per line")
    listen.add_argument("--print-key", action="store_true", help="print the hmac key and exit")
    listen.add_argument("--fail-status", dest="fail_status", type=int, default=503)
    listen.add_argument(
        "--fail-times", dest="fail_times", type=int, default=0, help="fail this many first"
    )
    listen.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    listen.add_argument("--record", help="keep each delivery in this folder (HAR, for diff)")
    trigger = webhooks.add_parser("trigger", help="make the mock emit an activity")
    trigger.add_argument("activity", nargs="?")
    trigger.add_argument("--contract", help="act on this contract (e.g. T-12)")
    trigger.add_argument("--list", action="store_true", help="what can be triggered")
    resend = webhooks.add_parser("resend", help="send a delivery again, same delivery id")
    resend.add_argument("delivery_id")
    tail = webhooks.add_parser("tail", help="follow deliveries as they happen")
    tail.add_argument("--json", action="store_true")
    tail.add_argument("--interval", type=float, default=0.5)
    tail.add_argument("--count", type=int, help="stop after this many lines")
    probe = webhooks.add_parser("probe", help="grade your webhook receiver")
    probe.add_argument("url")
    probe.add_argument("--hmac-key", dest="hmac_key", required=True)
    probe.add_argument("--timeout", type=float, default=5.0, help="the vendor's timeout (5 s)")
    probe.add_argument("--json", action="store_true")
    for command in (listen, trigger, resend, tail):
        command.add_argument("--mock", default=os.environ.get("SPOTCHECK_MOCK_URL"))


def run_webhooks(args: argparse.Namespace) -> int:
    command = args.webhooks_command
    if command == "probe":
        from mockserver.webhooks.probe import failed, probe, scorecard

        checks = probe(args.url, args.hmac_key, args.timeout)
        print(scorecard(checks, args.json), flush=True)
        return 1 if failed(checks) else 0
    if command == "trigger" and args.list:
        print("\n".join(_kit().activities))
        return 0
    with _mock_client(args.mock) as client:
        if command == "listen":
            return _listen(args, client)
        if command == "trigger":
            return _trigger(args, client)
        if command == "resend":
            return _resend(args.delivery_id, client)
        return _tail(args, client)


@contextmanager
def _mock_client(url: str | None) -> Iterator[Any]:
    import httpx

    from mockserver.webhooks.mockclient import MockClient

    http = httpx.Client(base_url=url or "http://127.0.0.1:8080", timeout=30)
    try:
        yield MockClient(http, _credential(), os.environ.get("SPOTCHECK_ADMIN_TOKEN"))
    finally:
        http.close()


def _kit() -> WebhookKit:
    """The webhook API of the family that sends webhooks (the default profile's)."""
    from mockserver.profiles import DEFAULT_PROFILE

    kit = DEFAULT_PROFILE.webhook_kit()
    if kit is None:  # pragma: no cover - the default family sends webhooks
        raise SpotcheckError("the default profile sends no webhooks")
    return kit


def _credential() -> dict[str, str]:
    from mockserver.profiles import DEFAULT_PROFILE
    from spotcheck.client.families import Credential

    client = DEFAULT_PROFILE.family
    client_id = os.environ.get("SPOTCHECK_CLIENT_ID")
    secret = os.environ.get("SPOTCHECK_CLIENT_SECRET")
    if not (client_id and secret):
        client_id, secret = client.fixture
    return client.headers(Credential(client_id, secret))


def _hmac_key(client: Any) -> str:
    return str(client.call("GET", _kit().key_path)["hmac_key"])


def _listen(args: argparse.Namespace, client: Any) -> int:
    from mockserver.webhooks.listener import ListenerState, run_listener

    if args.print_key:
        print(_hmac_key(client))
        return 0
    key = args.hmac_key
    if key is None:
        try:
            key = _hmac_key(client)
        except Exception as error:  # the listener still works, unverified
            print(f"signature check off: no --hmac-key and the mock said: {error}", file=sys.stderr)
    events = frozenset(e.strip() for e in (args.events or "").split(",") if e.strip())
    state = ListenerState(
        key,
        args.fail_status,
        args.fail_times,
        args.delay,
        forward_to=args.forward_to,
        only_events=events,
        as_json=args.json,
    )
    if args.record:
        from pathlib import Path

        from mockserver.golive.webhooks import WebhookRecorder

        state.record = WebhookRecorder(Path(args.record))
    run_listener(args.host, args.port, state)
    return 0


def _trigger(args: argparse.Namespace, client: Any) -> int:
    if not args.activity:
        raise SpotcheckError("name an ACTIVITY (or --list)")
    subject = _kit().trigger(client, args.activity.upper(), args.contract)
    print(f"triggered {args.activity.upper()} on {subject}")
    return 0


def _resend(delivery_id: str, client: Any) -> int:
    # The delivery id integrators see in headers and `listen`; the outbox row id works too.
    listed = client.call("GET", "/__admin/deliveries", admin=True)
    rows = [r for r in listed if delivery_id in (r["delivery_id"], str(r["id"]))]
    if not rows:
        raise SpotcheckError(f"no delivery {delivery_id}")
    client.call("POST", f"/__admin/deliveries/{rows[0]['id']}/redeliver", admin=True)
    print(f"resending {rows[0]['delivery_id']}")
    return 0


def _tail_line(row: dict[str, Any], as_json: bool) -> str:
    last = (row.get("attempt_log") or [{}])[-1]
    keys = ("delivery_id", "activity", "contract_id", "status", "attempts", "url", "last_error")
    if as_json:
        return json.dumps({k: row.get(k) for k in keys} | {"status_code": last.get("status_code")})
    code = last.get("status_code") or row.get("last_error") or ""
    return (
        f"{row['delivery_id']}  {row['activity']}  {row['contract_id']}  {row['status']}"
        f"  attempts {row['attempts']}  {code}  {row['url']}"
    )


def _tail(args: argparse.Namespace, client: Any) -> int:
    """Print a line whenever a delivery appears or changes; the newest 10 first."""
    seen: dict[int, tuple[str, int]] = {}
    printed = 0
    first = True
    while args.count is None or printed < args.count:
        rows = client.call("GET", "/__admin/deliveries", admin=True)
        fresh = [r for r in reversed(rows) if seen.get(r["id"]) != (r["status"], r["attempts"])]
        # First the newest few, as `tail` does; then every change as it happens.
        for row in fresh[-min(10, args.count or 10) :] if first else fresh:
            print(_tail_line(row, args.json), flush=True)
            printed += 1
            if args.count is not None and printed >= args.count:
                return 0
        seen.update({r["id"]: (r["status"], r["attempts"]) for r in rows})
        first = False
        time.sleep(args.interval)
    return 0
