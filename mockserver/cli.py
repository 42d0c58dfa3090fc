"""`spotcheck`: serve the mock, lint and derive schemas.

spotcheck serve [--spec FILE|URL] [--host H] [--port P] [--env uat|production] [--db FILE]
spotcheck schema lint FILE|URL
spotcheck schema derive VENDOR_FILE OUT_FILE
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.errors import SpotcheckError
from mockserver.loopback import is_loopback_host
from mockserver.profiles import API_KEY_VERSION, OAUTH2, PROFILE_NAMES, token_path
from mockserver.settings import Settings
from mockserver.webhooks.cli import add_webhooks_commands, run_webhooks

if TYPE_CHECKING:
    from mockserver.spec import LoadedSchema

logger = logging.getLogger("spotcheck")


def _serve_parser(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="run the mock UAT server")
    serve.add_argument("--spec", help="schema file or URL (default: our openapi/spotdraft.yaml)")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--env", choices=["uat", "production"], help="which workspace answers")
    serve.add_argument("--db", help="SQLite file, or :memory: (default)")
    serve.add_argument("--fixtures", help="folder of fixture workspaces (default fixtures/)")
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
    serve.add_argument("--log-level", default="warning")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spotcheck", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    _serve_parser(commands)
    schema = commands.add_parser("schema", help="schema tools").add_subparsers(
        dest="schema_command", required=True
    )
    lint = schema.add_parser("lint", help="report (and count) the defects the loader repairs")
    lint.add_argument("source")
    lint.add_argument("--json", action="store_true", help="machine-readable output")
    test = commands.add_parser(
        "test", help="run the contract suite (pytest contract_tests ARGS...)", add_help=False
    )
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    add_webhooks_commands(commands)
    derive = schema.add_parser("derive", help="write our prose-free schema from a vendor file")
    derive.add_argument("source")
    derive.add_argument("out")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Connexion imports Starlette's TestClient at import time, which warns about httpx.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "webhooks":
            return run_webhooks(args)
        if args.command == "test":
            return run_contract_tests(args.pytest_args)
        if args.schema_command == "lint":
            return lint(args.source, args.json)
        return derive(args.source, args.out)
    except SpotcheckError as error:
        print(f"spotcheck: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `spotcheck schema lint FILE | head`
        return 0


def serve(args: argparse.Namespace) -> int:
    import socket

    from mockserver.app import create_app
    from mockserver.fixtures import ensure_fixtures
    from mockserver.spec import load_schema
    from mockserver.store import Store

    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("connexion.operations").setLevel(logging.ERROR)
    settings = Settings.build(vars(args), os.environ)
    if not is_loopback_host(settings.host) and not settings.admin_token:
        raise SpotcheckError(
            "binding beyond loopback needs SPOTCHECK_ADMIN_TOKEN to guard /__admin/"
        )
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(2048)
    port = sock.getsockname()[1]
    if settings.workers == 1:
        app = create_app(settings)
        print(_banner(settings, port, app.runtime.schema), flush=True)
        _run_uvicorn(app, sock, args.log_level)
        return 0
    # Load fixtures once, before the workers start, so they do not race to do it.
    store = Store(settings.db)
    ensure_fixtures(store, settings)
    store.close()
    # Loaded once here too: the workers then find the repaired schema in the cache.
    schema = load_schema(
        settings.spec,
        settings.overlays,
        settings.cache_dir,
        profile=settings.profile,
        overlay_file=settings.overlay_file,
    )
    print(
        _banner(settings, port, schema) + f"\n  workers: {settings.workers} sharing {settings.db}",
        flush=True,
    )
    return _run_workers(settings, sock, args.log_level)


def _run_uvicorn(app: object, sock: object, log_level: str) -> None:
    import uvicorn

    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on")  # type: ignore[arg-type]
    uvicorn.Server(config).run(sockets=[sock])  # type: ignore[list-item]


def _worker_main(settings: Settings, sock: object, log_level: str) -> None:
    from mockserver.app import create_app

    logging.getLogger("connexion.operations").setLevel(logging.ERROR)
    _run_uvicorn(create_app(settings), sock, log_level)


def _run_workers(settings: Settings, sock: object, log_level: str) -> int:
    """N processes accept on one inherited socket; each has its own app on the shared file."""
    import multiprocessing
    import signal

    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_worker_main, args=(settings, sock, log_level), daemon=True)
        for _ in range(settings.workers)
    ]
    for worker in workers:
        worker.start()

    def stop(_signum: int, _frame: object) -> None:
        for worker in workers:
            worker.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for worker in workers:
        worker.join()
    return 0


def _banner(settings: Settings, port: int, schema: LoadedSchema) -> str:
    url = f"http://{settings.host}:{port}"
    return "\n".join(
        [
            f"spotcheck mock ({settings.env}) serving {url}",
            f"  schema: {settings.spec}  auth profile: {schema.profile}",
            f"  {_credential_hint(settings, url, schema)}",
            f"  admin: {url}/__admin/health   docs: {url}/ui/",
        ]
    )


def _credential_hint(settings: Settings, url: str, schema: LoadedSchema) -> str:
    """How to call the mock, in its auth profile, with a credential it knows."""
    from mockserver.fixtures import read_fixtures

    if settings.client_id:
        # Given through the environment: name it, never echo the secret.
        return f"credential: client id {settings.client_id} (secret from SPOTCHECK_CLIENT_SECRET)"
    workspace = next(
        w for w in read_fixtures(settings.fixtures) if w["environment"] == settings.env
    )
    credentials = workspace["credentials"]
    if schema.profile == API_KEY_VERSION:
        key = next((c for c in credentials if c["client_id"].startswith("acct_")), credentials[0])
        return (
            f"fixture API key: X-Spot-Api-Key: {key['client_id']}  "
            f"X-Spot-Api-Secret: {key['client_secret']}"
        )
    client = credentials[0]
    if schema.profile == OAUTH2:
        return (
            f"fixture client: POST {url}{token_path(schema.document)} grant_type="
            f"client_credentials client_id={client['client_id']} "
            f"client_secret={client['client_secret']}"
        )
    return (
        f"fixture credential: client-id: {client['client_id']}  "
        f"client-secret: {client['client_secret']}"
    )


def run_contract_tests(pytest_args: list[str]) -> int:
    """`spotcheck test ...` is `pytest contract_tests ...` from anywhere."""
    import pytest

    suite = Path(__file__).resolve().parent.parent / "contract_tests"
    return int(pytest.main([str(suite), "-p", "no:cacheprovider", *pytest_args]))


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


def derive(source: str, out: str) -> int:
    from mockserver.spec.derive import derive as derive_schema
    from mockserver.spec.derive import dump
    from mockserver.spec.loader import read_document

    servers = [{"url": "http://127.0.0.1:8080"}] + [
        {"url": f"https://api.{region}.spotdraft.com"} for region in ("us", "eu", "in", "me")
    ]
    document = derive_schema(
        read_document(source), "SpotDraft public API (spotcheck model)", servers
    )
    Path(out).write_text(dump(document), encoding="utf-8")
    print(f"wrote {out}: {sum(1 for _ in document['paths'])} paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
