"""`spotcheck proxy | diff | seed`: the before-go-live commands.

spotcheck proxy --target https://uat.vendor.test --port 8081 --record rec/
spotcheck diff rec/ --report-dir reports/diff     # exit 1 when the twin is wrong
spotcheck seed rec/ --out seeded-fixtures/        # then: spotcheck serve --seed rec/
"""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

from mockserver.settings import Settings

GOLIVE_COMMANDS = ("proxy", "diff", "seed")


def _schema_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--spec", help="the vendor's schema (default: the one spotcheck ships)")
    command.add_argument("--profile", help="auth profile (default: the schema's)")
    command.add_argument("--overlay", dest="overlay_file", help="our overlay for the schema")


def add_golive_commands(commands: argparse._SubParsersAction) -> None:
    """Add `proxy`, `diff` and `seed` to the main parser; `run_golive(args)` runs them."""
    proxy = commands.add_parser(
        "proxy", help="validating, recording proxy to the real UAT (before go-live)"
    )
    proxy.add_argument("--target", required=True, help="the vendor's UAT base URL")
    proxy.add_argument("--host", default="127.0.0.1")
    proxy.add_argument("--port", type=int, default=8081, help="0 picks a free one")
    proxy.add_argument("--record", type=Path, help="folder to record exchanges to (HAR 1.2)")
    proxy.add_argument("--allow-writes", action="store_true", help="forward writes too")
    proxy.add_argument("--allow-production", action="store_true")
    proxy.add_argument("--env", choices=["uat", "production"], default="uat")
    proxy.add_argument("--rate-limit", type=float, default=10.0, help="requests/s upstream")
    proxy.add_argument("--timeout", type=float, default=30.0, help="seconds, then 504")
    _schema_options(proxy)


def run_golive(args: argparse.Namespace) -> int:
    # Checked as `serve` checks them (a wrong --profile is one line); never echoes a secret.
    settings = Settings.build({"profile": args.profile, "spec": args.spec}, os.environ)
    if args.command == "proxy":
        return _proxy(args, settings)
    raise AssertionError(args.command)


def _proxy(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from mockserver.golive.proxy import ProxyOptions, proxy_app
    from mockserver.serving import bind

    options = ProxyOptions(
        args.target,
        spec=settings.spec,
        profile=settings.profile,
        overlay_file=args.overlay_file,
        record=args.record,
        allow_writes=args.allow_writes,
        allow_production=args.allow_production,
        env=args.env,
        rate_limit=args.rate_limit,
        timeout=args.timeout,
        cache_dir=settings.cache_dir,
    )
    app = proxy_app(options)
    sock = bind(args.host, args.port)
    mode = "writes allowed" if args.allow_writes else "read-only"
    where = f", recording to {args.record}" if args.record else ""
    print(
        f"proxying http://{args.host}:{sock.getsockname()[1]} -> {args.target} ({mode}{where})",
        flush=True,
    )
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])
    return 0
