"""`spotcheck proxy | diff | seed`: the before-go-live commands.

spotcheck proxy --target https://uat.vendor.test --port 8081 --record rec/
spotcheck diff rec/ --report-dir reports/diff     # exit 1 when the twin is wrong
spotcheck seed rec/ --out seeded-fixtures/        # then: spotcheck serve --seed rec/
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
from pathlib import Path

from mockserver.errors import SpotcheckError
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

    diff = commands.add_parser(
        "diff", help="replay a recording against a fresh twin; exit 1 when the twin is wrong"
    )
    diff.add_argument("recording", type=Path, help="the folder `proxy --record` wrote")
    diff.add_argument("--report-dir", type=Path, default=Path("reports/diff"))
    diff.add_argument(
        "--no-seed", dest="seed", action="store_false", help="keep the fixture workspace"
    )
    _schema_options(diff)
    seed = commands.add_parser("seed", help="make a recording's objects the twin's workspace")
    seed.add_argument("recording", type=Path, help="the folder `proxy --record` wrote")
    seed.add_argument("--out", type=Path, help="fixtures folder to write (default: DIR/fixtures)")
    _schema_options(seed)


def run_golive(args: argparse.Namespace) -> int:
    # Checked as `serve` checks them (a wrong --profile is one line); never echoes a secret.
    flags = {"profile": args.profile, "spec": args.spec, "overlay_file": args.overlay_file}
    settings = Settings.build(flags, os.environ)
    if args.command == "proxy":
        return _proxy(args, settings)
    if args.command == "diff":
        return _diff(args, settings)
    out = seed_recording(args.recording, settings, args.out)
    print(
        f"serve it: spotcheck serve --fixtures {out}  (or: spotcheck serve --seed {args.recording})"
    )
    return 0


def seed_recording(recording: Path, settings: Settings, out: Path | None = None) -> Path:
    """Write the fixtures folder seeded from `recording` (default `recording/fixtures`)."""
    from mockserver.golive.checks import SchemaSource
    from mockserver.golive.har import read_entries
    from mockserver.golive.seed import seed_fixtures

    entries = read_entries(recording, "proxy")
    if not entries:
        raise SpotcheckError(f"{recording}: no recording (proxy-*.har) to seed from")
    out = out or recording / "fixtures"
    schema = SchemaSource.of(settings).load()
    summary = seed_fixtures(entries, schema, out, Path(settings.fixtures))
    print(summary.line(), flush=True)
    return out


def _diff(args: argparse.Namespace, settings: Settings) -> int:
    from mockserver.golive.diff import DiffOptions, run_diff
    from mockserver.golive.har import read_entries
    from mockserver.golive.reports import summary_line, write_reports

    if not read_entries(args.recording, "proxy"):
        raise SpotcheckError(f"{args.recording}: no recording (proxy-*.har) to replay")
    from mockserver.golive.checks import SchemaSource

    # The twin logs each error it answers; here they are the report's business.
    logger = logging.getLogger("spotcheck")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        result = run_diff(DiffOptions(args.recording, SchemaSource.of(settings), args.seed))
    finally:
        logger.setLevel(level)
    print(summary_line(result))
    for difference in result.of("twin"):
        print(f"  twin wrong: #{difference.exchange} {difference.operation}: {difference.detail}")
    for path in write_reports(result, args.report_dir, str(args.recording)):
        print(f"  report: {path}")
    return 1 if result.twin_wrong else 0


def _proxy(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from mockserver.golive.checks import SchemaSource
    from mockserver.golive.proxy import ProxyOptions, proxy_app
    from mockserver.serving import bind

    options = ProxyOptions(
        args.target,
        SchemaSource.of(settings),
        record=args.record,
        allow_writes=args.allow_writes,
        allow_production=args.allow_production,
        env=args.env,
        rate_limit=args.rate_limit,
        timeout=args.timeout,
        max_body_bytes=settings.max_body_bytes,
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
