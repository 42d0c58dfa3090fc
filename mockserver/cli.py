"""The mock's commands: serve it, lint and derive schemas, receive webhooks.

spotcheck serve [--spec FILE|URL] [--host H] [--port P] [--env uat|production] [--db FILE]
spotcheck schema lint FILE|URL
spotcheck schema derive VENDOR_FILE OUT_FILE
spotcheck webhooks listen [--port P] [--hmac-key KEY]

`spotcheck` itself (spotcheck/cli.py) adds `test` and `load`, which need the suite and Locust.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from mockserver.errors import SpotcheckError
from mockserver.golive.cli import (
    GOLIVE_COMMANDS,
    add_golive_commands,
    run_golive,
    seed_recording,
)
from mockserver.profiles.names import PROFILE_NAMES
from mockserver.settings import Settings
from mockserver.webhooks.cli import add_webhooks_commands, run_webhooks


def _serve_parser(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run the mock UAT server")
    serve.add_argument("--spec", help="schema file or URL (default: the schema spotcheck ships)")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--env", choices=["uat", "production"], help="which workspace answers")
    serve.add_argument("--db", help="SQLite file, :memory: (default) or postgresql://...")
    serve.add_argument("--fixtures", help="folder of fixture workspaces (default: ours)")
    serve.add_argument("--seed", help="a `proxy --record` folder: its objects become the workspace")
    serve.add_argument("--rate-limit", type=float, dest="rate_limit", help="requests/s, 0 = off")
    serve.add_argument(
        "--validate-responses", action="store_true", default=None, dest="validate_responses"
    )
    serve.add_argument(
        "--no-overlays",
        action="store_false",
        default=None,
        dest="overlays",
        help="serve the schema without the standard-error overlay",
    )
    serve.add_argument("--workers", type=int, help="server processes sharing one --db file")
    serve.add_argument(
        "--profile",
        choices=PROFILE_NAMES,
        help="auth profile (default: the one the schema's securitySchemes describe)",
    )
    serve.add_argument(
        "--overlay",
        dest="overlay_file",
        help="our overlay for the schema: x-spotcheck-versions, GraphQL endpoints",
    )
    serve.add_argument(
        "--token-ttl", type=int, dest="token_ttl", help="seconds an OAuth token lives (3600)"
    )
    serve.add_argument(
        "--token-rate-limit",
        type=float,
        dest="token_rate_limit",
        help="OAuth tokens per minute per client (10; 0 = off)",
    )
    serve.add_argument("--audit-log", dest="audit_log", help="append the audit trail to this file")
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        dest="max_body_bytes",
        help="larger request bodies are refused with 413 (default 10 MiB)",
    )
    serve.add_argument(
        "--faults", help="a YAML file of fault rules (/__admin/faults), restored on reset"
    )
    serve.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )


def add_mock_commands(commands: argparse._SubParsersAction) -> None:
    """`serve`, `schema ...` and `webhooks ...`: the commands of the mock itself."""
    _serve_parser(commands)
    schema = commands.add_parser("schema", help="schema tools").add_subparsers(
        dest="schema_command", required=True
    )
    lint = schema.add_parser("lint", help="report (and count) the defects the loader repairs")
    lint.add_argument("source")
    lint.add_argument("--json", action="store_true", help="machine-readable output")
    derive = schema.add_parser("derive", help="write our prose-free schema from a vendor file")
    derive.add_argument("source")
    derive.add_argument("out")
    resources = schema.add_parser("resources", help="print the resources inferred from a schema")
    resources.add_argument("source")
    add_webhooks_commands(commands)
    add_golive_commands(commands)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spotcheck", description=__doc__.splitlines()[0])
    add_mock_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The mock's commands alone (`python -m mockserver.cli`); `spotcheck` adds test and load."""
    return guarded(lambda: run_mock_command(build_parser().parse_args(argv)))


def guarded(command: Callable[[], int]) -> int:
    """Run a command; a user's mistake is one line on stderr and exit 2, never a traceback."""
    # Connexion imports Starlette's TestClient at import time, which warns about httpx.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    try:
        return command()
    except SpotcheckError as error:
        print(f"spotcheck: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C before the server took over the signal
        print("spotcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `spotcheck schema lint FILE | head`
        return 0


def run_mock_command(args: argparse.Namespace) -> int:
    if args.command == "serve":
        from mockserver.serving import serve

        logging.basicConfig(
            level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
        )
        logging.getLogger("connexion.operations").setLevel(logging.ERROR)
        if args.seed:  # the recording's objects, written as fixtures, become the workspace
            seeded = seed_recording(Path(args.seed), Settings.build(vars(args), os.environ))
            args.fixtures = str(seeded)
        return serve(Settings.build(vars(args), os.environ), args.log_level)
    if args.command == "webhooks":
        return run_webhooks(args)
    if args.command in GOLIVE_COMMANDS:
        return run_golive(args)
    if args.schema_command == "lint":
        return lint(args.source, args.json)
    if args.schema_command == "resources":
        return resources(args.source)
    return derive(args.source, args.out)


def lint(source: str, as_json: bool) -> int:
    from mockserver.spec.loader import read_document
    from mockserver.spec.repair import repair

    result = repair(read_document(source))
    if as_json:
        print(json.dumps([d.__dict__ for d in result.defects], indent=2))
        return 0
    counts = result.counts()
    print(
        f"{source}: {len(result.defects)} defects "
        f"({sum(not d.repaired for d in result.defects)} kept as they are)"
    )
    for kind, count in counts.most_common():
        print(f"  {kind}: {count}")
    for defect in result.defects:
        print(defect.line())
    return 0


def resources(source: str) -> int:
    from mockserver.profiles import resource_path
    from mockserver.spec import load_schema
    from mockserver.spec.resource_model import ResourceModel

    model = ResourceModel(load_schema(source).document, resource_path)
    print(f"{source}: {len(model.resources)} resources")
    for line in model.lines():
        print(f"  {line}")
    return 0


def derive(source: str, out: str) -> int:
    from mockserver.profiles import detect_profile, profile
    from mockserver.spec.derive import derive as derive_schema
    from mockserver.spec.derive import dump
    from mockserver.spec.loader import read_document

    vendor = read_document(source)
    family = profile(detect_profile(vendor))  # names the model and the vendor's hosts
    servers = [{"url": url} for url in ("http://127.0.0.1:8080", *family.servers)]
    document = derive_schema(vendor, family.model_title, servers)
    Path(out).write_text(dump(document), encoding="utf-8")
    print(f"wrote {out}: {sum(1 for _ in document['paths'])} paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
