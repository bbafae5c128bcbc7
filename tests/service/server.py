"""Run the service in a real uvicorn subprocess (for the kill test and the load benchmark).

::

    with ServiceServer(database_url) as server:      # started, /api/health answered
        httpx.get(server.url("/api/health"))
        server.kill()                                # SIGKILL, as a crash would
        server.start()                               # again, on the same port and database

The server is ``python -m uvicorn --factory server:create_full_app`` (:func:`create_full_app`:
the app of :func:`~gosplan_service.app.create_app` with every router) on 127.0.0.1 and a
free port; it reads its settings from the
``GOSPLAN_SERVICE_*`` variables (:meth:`~gosplan_service.settings.Settings.from_env`), which
:class:`ServiceServer` sets from ``settings`` (cheap argon2 unless told otherwise). The
process runs in a session of its own, so a SIGKILL reaches every process it started (a job
worker pool, say). Its output goes to a log file, quoted when it fails to start.

This module holds no pytest fixtures; it is imported by the tests and by
``benchmarks/service_bench.py`` (by path).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

__all__ = ["ServiceServer", "create_full_app", "free_port", "seed_version_into"]

#: Seconds a start may take (migrating a new database included) on a slow machine.
START_TIMEOUT_S = 90.0
#: Settings every server of the tests gets unless told otherwise (cheap argon2).
CHEAP_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1}


def create_full_app(settings: Any = None) -> Any:
    """The service as ``gosplan serve`` runs it (:func:`~gosplan_service.app.create_app`).

    The uvicorn factory of the server subprocess; every router is in
    :data:`gosplan_service.api.ROUTERS` (``test_every_router_is_listed``).

    Parameters
    ----------
    settings
        A :class:`~gosplan_service.settings.Settings` (default: from the environment).

    Returns
    -------
    fastapi.FastAPI
    """
    from gosplan_service.app import create_app

    return create_app(settings)


def seed_version_into(database_url: str, solved: Any, status: str = "approved") -> int:
    """Put a solved plan version with its control figures into a database; its id.

    Parameters
    ----------
    database_url
        The database (migrated).
    solved
        The plan: anything with ``spec``, ``result`` and ``figures`` (``seed.solved()`` of
        the tests, solved once per process and reused for every version).
    status
        The version's status.

    Returns
    -------
    int
    """
    from sqlalchemy import func, select

    from gosplan_service.db import make_engine, make_sessionmaker, session_scope
    from gosplan_service.models import ControlFigure, PlanVersion, User

    engine = make_engine(database_url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            author = session.scalars(select(User).where(User.name == "seed-author")).first()
            if author is None:
                author = User(name="seed-author", role="planner", password_hash="x")
                session.add(author)
                session.flush()
            name = "ussr-1928"
            number = (
                session.scalar(
                    select(func.max(PlanVersion.number)).where(PlanVersion.plan_name == name)
                )
                or 0
            ) + 1
            version = PlanVersion(
                plan_name=name,
                number=number,
                status=status,
                spec=solved.spec,
                result=solved.result,
                created_by=author.id,
            )
            session.add(version)
            session.flush()
            session.add_all(
                ControlFigure(plan_version_id=version.id, **row) for row in solved.figures
            )
            return version.id
    finally:
        engine.dispose()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking).

    Returns
    -------
    int
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServiceServer:
    """The service as a uvicorn subprocess on 127.0.0.1: start, kill, start again.

    Parameters
    ----------
    database_url
        The database (migrated on start, if need be).
    port
        Where to listen (default: a free port, kept across restarts).
    log_path
        The server's output (default: a file in a new temporary folder).
    settings
        More settings, by field name (``submission_rate_limit=10**6``); they become
        ``GOSPLAN_SERVICE_<NAME>`` variables of the subprocess.
    """

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        log_path: Path | None = None,
        **settings: Any,
    ) -> None:
        self.database_url = database_url
        self.port = port if port is not None else free_port()
        if log_path is None:
            log_path = Path(tempfile.mkdtemp(prefix="gosplan-server-")) / "server.log"
        self.log_path = log_path
        self.settings: dict[str, Any] = {**CHEAP_HASHING, **settings}
        self.process: subprocess.Popen[bytes] | None = None
        #: How many times the server was started.
        self.starts = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` (``"/api/health"``) on this server."""
        return self.base_url + path

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["GOSPLAN_SERVICE_DATABASE_URL"] = self.database_url
        for name, value in self.settings.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            env[f"GOSPLAN_SERVICE_{name.upper()}"] = text
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def start(self, timeout_s: float = START_TIMEOUT_S) -> None:
        """Start the server and wait until ``GET /api/health`` answers 200.

        Parameters
        ----------
        timeout_s
            How long to wait.

        Raises
        ------
        RuntimeError
            It exited, or did not answer in time (the message quotes the end of its log).
        """
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the server is running already")
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "--app-dir",
            str(Path(__file__).resolve().parent),
            "server:create_full_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts + 1}: {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._environment(),
                start_new_session=True,
            )
        self.starts += 1
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=5.0) as client:
            while True:
                if self.process.poll() is not None:
                    status = self.process.returncode
                    raise RuntimeError(
                        f"the server exited with status {status}:\n{self.log_tail()}"
                    )
                try:
                    if client.get(self.url("/api/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError(
                        f"the server did not answer in {timeout_s:.0f} s:\n{self.log_tail()}"
                    )
                time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the server (and every process of its session) and reap it."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=30)

    def stop(self, timeout_s: float = 20.0) -> None:
        """Stop the server gracefully (SIGTERM), or SIGKILL it after ``timeout_s``."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
        else:
            self.kill()  # whatever else its session started

    def log_tail(self, characters: int = 4000) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(errors="replace")[-characters:]
        except OSError:
            return "(no log)"

    def __enter__(self) -> ServiceServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
