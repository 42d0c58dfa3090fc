"""`serve --workers N`: uvicorn's own supervisor runs N processes on one socket.

uvicorn's `Multiprocess` replaces a worker that dies or stops answering its health check and
stops when a worker cannot start; what it cannot see is its own death: a parent killed with
`kill -9` would leave its workers serving the port. So each worker watches its parent and
shuts down gracefully when the parent is gone.

Workers are spawned, not forked: each builds its own app from the settings the parent hands
over in `SPOTCHECK_WORKER_SETTINGS` (JSON), through the factory `worker_app`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import socket
import threading
import time
from typing import Any

from mockserver.admin.metrics import worker_counts
from mockserver.httpguard import PROTOCOL, configure
from mockserver.profiles import profile
from mockserver.settings import Settings

SETTINGS_VARIABLE = "SPOTCHECK_WORKER_SETTINGS"
PARENT_POLL_SECONDS = 0.5

logger = logging.getLogger("spotcheck.workers")


def run_workers(settings: Settings, sock: socket.socket, log_level: str) -> int:
    """Serve with `settings.workers` supervised processes; 0 on a clean stop, 1 when the
    workers could not start (the supervisor gave up)."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    os.environ[SETTINGS_VARIABLE] = json.dumps(dataclasses.asdict(settings))
    os.environ["SPOTCHECK_PARENT_PID"] = str(os.getpid())
    config = uvicorn.Config(
        "mockserver.workers:worker_app",
        factory=True,
        workers=settings.workers,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        http=PROTOCOL,  # each worker configures it (worker_app)
    )
    supervisor = Multiprocess(config, sockets=[sock])
    with worker_counts():  # /metrics sums every worker's counts (admin/metrics.py)
        supervisor.run()
    # The supervisor stops, keeping the dead worker in its list, when one cannot start.
    return 1 if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes) else 0


def worker_app() -> Any:
    """The app of one worker process (uvicorn calls this factory in the child)."""
    from mockserver.app import create_app
    from mockserver.heap import settle as settle_heap

    logging.getLogger("connexion.operations").setLevel(logging.ERROR)
    settings = settings_from_json(os.environ[SETTINGS_VARIABLE])
    _watch_parent(int(os.environ.get("SPOTCHECK_PARENT_PID", os.getppid())))
    app = create_app(settings)
    configure(profile(app.runtime.schema.profile).error_style, settings.header_timeout)
    settle_heap()
    return app


def settings_from_json(text: str) -> Settings:
    values = json.loads(text)
    for item in dataclasses.fields(Settings):
        if isinstance(values.get(item.name), list):  # JSON has no tuples
            values[item.name] = tuple(values[item.name])
    return Settings(**values)


def _watch_parent(parent: int) -> None:
    """SIGTERM this worker (a graceful uvicorn shutdown) once its parent is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        logger.warning("the supervising process %s is gone: this worker stops", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="spotcheck-parent-watch", daemon=True).start()
