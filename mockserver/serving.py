"""`spotcheck serve`: bind, check the store, print the banner, run uvicorn (or N workers).

Every mistake a user can make at start-up (a port in use or privileged, a `--db` that cannot
be opened) becomes a `SpotcheckError` with one line that says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import sqlite3
from typing import TYPE_CHECKING

from mockserver.errors import SpotcheckError
from mockserver.loopback import is_loopback_host
from mockserver.profiles import profile
from mockserver.settings import Settings

if TYPE_CHECKING:
    from mockserver.spec.loaded import LoadedSchema

logger = logging.getLogger("spotcheck")


def serve(settings: Settings, log_level: str = "warning") -> int:
    """Run the mock until Ctrl-C or SIGTERM; 0 on a clean stop."""
    from mockserver.app import create_app
    from mockserver.heap import settle as settle_heap
    from mockserver.httpguard import configure
    from mockserver.spec.load import load_schema, paused_gc
    from mockserver.state.fixtures import ensure_fixtures
    from mockserver.state.store import Store, display_db

    if not is_loopback_host(settings.host) and not settings.admin_token:
        raise SpotcheckError(
            "binding beyond loopback needs SPOTCHECK_ADMIN_TOKEN to guard /__admin/"
        )
    check_db(settings.db)
    sock = bind(settings.host, settings.port)
    port = sock.getsockname()[1]
    if settings.workers == 1:
        with paused_gc():  # start-up makes objects, not garbage: no heap walks meanwhile
            app = create_app(settings)
        settle_heap()
        print(banner(settings, port, app.runtime.schema), flush=True)
        style = profile(app.runtime.schema.profile).error_style
        _run_uvicorn(app, sock, log_level, configure(style, settings.header_timeout))
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
        banner(settings, port, schema)
        + f"\n  workers: {settings.workers} sharing {display_db(settings.db)}",
        flush=True,
    )
    from mockserver.workers import run_workers

    return run_workers(settings, sock, log_level)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, or one line on what to change."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise SpotcheckError(
                f"port {port} on {host} is in use: stop what holds it, or give --port "
                "(0 picks a free one)"
            ) from None
        if error.errno == errno.EACCES:
            raise SpotcheckError(
                f"port {port} needs privileges this user lacks: give --port 1024 or above"
            ) from None
        if error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(
            error, socket.gaierror
        ):
            raise SpotcheckError(
                f"cannot bind {host}: not an address of this machine (try --host 127.0.0.1)"
            ) from None
        raise SpotcheckError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(2048)
    return sock


def check_db(db: str) -> None:
    """Open `--db` once, so that a wrong path or URL fails here in one line, not as a
    traceback."""
    from mockserver.state.store import is_postgres

    if db == ":memory:":
        return
    if is_postgres(db):
        check_postgres(db)
        return
    hint = "give a writable SQLite file path, or --db :memory:"
    try:
        connection = sqlite3.connect(db, timeout=5)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
            connection.execute("BEGIN IMMEDIATE")  # refuses a read-only file or folder
            connection.rollback()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        reason = str(error)
        if "not a database" in reason:
            reason = "the file is not a SQLite database"
        elif "unable to open" in reason:
            reason = "cannot open it (missing folder or no permission)"
        elif "readonly" in reason or "read-only" in reason:
            reason = "it is read-only"
        raise SpotcheckError(f"--db {db}: {reason}: {hint}") from None


def check_postgres(db: str) -> None:
    """Connect to a `--db postgresql://` URL and check that it may create tables."""
    import psycopg

    from mockserver.state.store import display_db

    shown = display_db(db)
    hint = "check the URL, that the server runs and that the user may create tables"
    try:
        with psycopg.connect(db, connect_timeout=5, autocommit=True) as connection:
            connection.execute("CREATE TEMPORARY TABLE spotcheck_probe (id INTEGER)")
    except psycopg.Error as error:
        reason = " ".join(line.strip() for line in str(error).splitlines()) or "cannot connect"
        # psycopg's message may quote the URL: never echo a password
        reason = reason.replace(db, shown)
        raise SpotcheckError(f"--db {shown}: {reason}: {hint}") from None


def _run_uvicorn(app: object, sock: socket.socket, log_level: str, http: str) -> None:
    import uvicorn

    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        log_level=log_level,
        access_log=False,
        lifespan="on",
        http=http,  # httpguard: a header-read deadline, bad bytes in the profile's body
    )
    # uvicorn shuts down gracefully, then re-raises the signal: Ctrl-C is how one stops a
    # server, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


def banner(settings: Settings, port: int, schema: LoadedSchema) -> str:
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
    from mockserver.state.fixtures import read_fixtures

    if settings.client_id:
        # Given through the environment: name it, never echo the secret.
        return f"credential: client id {settings.client_id} (secret from SPOTCHECK_CLIENT_SECRET)"
    workspace = next(
        w for w in read_fixtures(settings.fixtures) if w["environment"] == settings.env
    )
    credentials = workspace["credentials"]
    return profile(schema.profile).credential_hint(url, credentials, schema.document)
