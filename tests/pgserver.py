"""A throw-away PostgreSQL server for tests: the machine's own binaries, a temp folder, a free
loopback port. `.ci/run` installs Debian's postgresql package when the binaries are missing;
elsewhere the tests that need one skip with a banner (`postgres_binaries`).

As root (CI containers) the server runs as the `postgres` system user, since PostgreSQL
refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

SKIP_BANNER = (
    "\n" + "=" * 78 + "\n"
    "  PostgreSQL tests SKIPPED: no initdb/pg_ctl found (PATH, /usr/lib/postgresql/*/bin,\n"
    "  SPOTCHECK_PG_BIN). Install Debian's `postgresql` package (.ci/run does) to run the\n"
    "  shared-store tests: two mock processes on one PostgreSQL.\n" + "=" * 78
)


def postgres_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    candidates = [os.environ.get("SPOTCHECK_PG_BIN", "")]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(os.path.realpath(initdb)).parent))
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def postgres_server(binaries: Path, folder: Path, timeout: float = 30) -> Iterator[str]:
    """Start PostgreSQL in `folder` on a loopback port; yield its URL; stop it."""
    data = folder / "pgdata"
    data.mkdir(parents=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (folder, data):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = _free_port()
    run = {"check": True, "capture_output": True, "timeout": timeout}
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "spotcheck",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        **run,  # type: ignore[arg-type]
    )
    options = f"-h 127.0.0.1 -p {port} -k {folder} -F -c max_connections=200"
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "server.log"),
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ]
        ),
        **run,  # type: ignore[arg-type]
    )
    try:
        yield f"postgresql://spotcheck@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user(
                [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            ),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
