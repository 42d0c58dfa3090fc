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
import tempfile
from collections.abc import Iterator
from pathlib import Path

SKIP_BANNER = (
    "\n" + "=" * 78 + "\n"
    "  PostgreSQL tests SKIPPED: no initdb/pg_ctl found (PATH, /usr/lib/postgresql/*/bin,\n"
    "  SPOTCHECK_PG_BIN). Install Debian's `postgresql` package (.ci/run does) to run the\n"
    "  shared-store tests: two mock processes on one PostgreSQL.\n" + "=" * 78
)


def postgres_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None (also when SPOTCHECK_PG_BIN=none)."""
    if os.environ.get("SPOTCHECK_PG_BIN") == "none":
        return None
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


def _run(command: list[str], timeout: float) -> None:
    done = subprocess.run(
        _as_server_user(command), capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{Path(command[0]).name} failed: {done.stdout}{done.stderr}")


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextlib.contextmanager
def postgres_server(binaries: Path, timeout: float = 30) -> Iterator[str]:
    """Start PostgreSQL in a temp folder on a loopback port; yield its URL; stop it."""
    # Not under pytest's tmp_path: as root, its folders are closed to the `postgres` user.
    with tempfile.TemporaryDirectory(prefix="spotcheck-pg-") as name:
        folder = Path(name)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(folder, user.pw_uid, user.pw_gid)
        with _running(binaries, folder, timeout) as url:
            yield url


@contextlib.contextmanager
def _running(binaries: Path, folder: Path, timeout: float) -> Iterator[str]:
    data = folder / "pgdata"
    port = _free_port()
    initdb = [str(binaries / "initdb"), "-D", str(data), "-U", "spotcheck", "-A", "trust"]
    _run([*initdb, "-E", "UTF8", "--no-sync"], timeout)
    options = f"-h 127.0.0.1 -p {port} -k {folder} -F -c max_connections=200"
    pg_ctl = [str(binaries / "pg_ctl"), "-D", str(data)]
    log = str(folder / "server.log")
    _run([*pg_ctl, "-o", options, "-l", log, "-w", "-t", str(int(timeout)), "start"], timeout)
    try:
        yield f"postgresql://spotcheck@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([*pg_ctl, "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
