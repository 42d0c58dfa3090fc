"""`spotcheck`: the mock's commands, plus the contract suite and the Locust profiles.

    spotcheck serve                                   # the mock, embedded defaults
    spotcheck test --base-url URL --max-examples 5    # the contract suite, from any folder
    spotcheck load --headless --host URL -t 30s       # the Locust profile for our schema
    spotcheck load --any-schema --schema FILE ...     # the schema-driven Locust profile
    spotcheck report --url URL                        # grade a client from the mock's journal
    spotcheck --version

This module sits above `mockserver`, `contract_tests` and `spotcheck.load`: it may name all
three, while the mock never imports the suite or Locust.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from collections.abc import Sequence

from mockserver.cli import add_mock_commands, guarded, run_mock_command
from mockserver.errors import SpotcheckError
from spotcheck import __version__

TEST_EXTRA = ("pytest", "hypothesis", "schemathesis")


def build_parser(suite_options: bool = False) -> argparse.ArgumentParser:
    """The whole command line; `suite_options` lists the contract suite's options under
    `test` (it imports the suite, so only a `test` command pays for it)."""
    parser = argparse.ArgumentParser(
        prog="spotcheck",
        description="An offline twin of a vendor API's UAT, its contract tests and load profiles.",
    )
    parser.add_argument("--version", action="version", version=f"spotcheck {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_mock_commands(commands)
    _add_test_command(commands, suite_options)
    _add_load_command(commands)
    _add_report_command(commands)
    return parser


def _add_test_command(commands: argparse._SubParsersAction, suite_options: bool) -> None:
    test = commands.add_parser(
        "test",
        help="run the contract suite (any other pytest option passes through)",
        description="The contract suite against the mock (started in-process) or --base-url. "
        "Options not listed here go to pytest unchanged (-k, -x, -v, ...).",
    )
    if not suite_options:
        return
    # The suite's own options, listed from the one place that defines them (needs the extra).
    if _missing(TEST_EXTRA):
        test.epilog = (
            "install the test extra for the suite's options: pip install 'spotcheck[test]'"
        )
        return
    from contract_tests.plugin import OPTIONS

    for flags, keywords in OPTIONS:
        test.add_argument(*flags, **keywords)


def _add_load_command(commands: argparse._SubParsersAction) -> None:
    load = commands.add_parser(
        "load",
        help="run a Locust profile (any Locust option passes through)",
        description="Locust with spotcheck's profile: our schema's integrator traffic, or with "
        "--any-schema traffic derived from --schema. Options go to Locust unchanged "
        "(--headless, --host, -u, -r, -t, --load-profile, --min-rps, ...).",
    )
    load.add_argument(
        "--any-schema", action="store_true", help="the schema-driven profile (anyschema.py)"
    )
    load.add_argument(
        "--print-path", action="store_true", help="print the locustfile's path and exit"
    )


def _add_report_command(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report",
        help="grade a client from the mock's request journal (a go-live checklist)",
        description="Did the client honour Retry-After, follow a 302 on a POST, reuse its "
        "OAuth token, page to the end, back off on 5xx? Request ids as evidence; exit 1 if "
        "any check failed.",
    )
    source = report.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="a running mock (reads /__admin/requests)")
    source.add_argument("--journal", help="a saved /__admin/requests answer or --audit-log file")
    report.add_argument("--admin-token", help="the mock's admin token (or SPOTCHECK_ADMIN_TOKEN)")
    report.add_argument("--json", action="store_true", help="machine-readable output")


def run_report(args: argparse.Namespace) -> int:
    import json
    import os

    from spotcheck.report import grade, read_journal, render

    token = args.admin_token or os.environ.get("SPOTCHECK_ADMIN_TOKEN")
    reports = grade(read_journal(args.url, args.journal, token))
    print(json.dumps(reports, indent=2) if args.json else render(reports))
    return 0 if all(report["ok"] for report in reports) else 1


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(suite_options="test" in arguments)
    args, rest = parser.parse_known_args(arguments)
    if rest and args.command not in ("test", "load"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "test":
        return guarded(lambda: run_suite(arguments[arguments.index("test") + 1 :]))
    if args.command == "load":
        return guarded(lambda: run_load(args.any_schema, args.print_path, rest))
    if args.command == "report":
        return guarded(lambda: run_report(args))
    return guarded(lambda: run_mock_command(args))


def run_suite(pytest_args: list[str]) -> int:
    """`spotcheck test ...` is `pytest <installed contract_tests> ...` from any folder: the
    arguments go to pytest as given, after argparse has checked the suite's own."""
    missing = _missing(TEST_EXTRA)
    if missing:
        raise SpotcheckError(
            f"spotcheck test needs {', '.join(missing)}: pip install 'spotcheck[test]'"
        )
    import contract_tests

    suite = contract_tests.__path__[0]
    # A fresh interpreter: pytest must import its plugins (anyio's, ...) before anything of
    # ours does. No cache folder in the caller's directory; caches go under --report-dir.
    command = [sys.executable, "-m", "pytest", suite, "-p", "no:cacheprovider", *pytest_args]
    return subprocess.run(command, check=False).returncode


def run_load(any_schema: bool, print_path: bool, locust_args: list[str]) -> int:
    """Locust in its own process: `import locust` patches the standard library (gevent)."""
    from mockserver.shipped import load_dir

    locustfile = load_dir() / ("anyschema.py" if any_schema else "locustfile.py")
    if print_path:
        print(locustfile)
        return 0
    if _missing(("locust",)):
        raise SpotcheckError("spotcheck load needs Locust: pip install 'spotcheck[load]'")
    command = [sys.executable, "-m", "locust", "-f", str(locustfile), *locust_args]
    return subprocess.run(command, check=False).returncode


def _missing(modules: Sequence[str]) -> list[str]:
    return [name for name in modules if importlib.util.find_spec(name) is None]
