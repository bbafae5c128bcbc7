"""A throw-away PostgreSQL server for the service's tests, started by ``scripts/postgres.sh``.

The tests run on SQLite and on PostgreSQL. For PostgreSQL they use the server named by
``GOSPLAN_TEST_POSTGRES_URL`` when it is set (see :func:`postgres_url_from_env`), else one
that :func:`running_postgres` starts for them: a fresh cluster in a temporary directory,
listening on 127.0.0.1 only, on a free port, with trust authentication and fsync on, and a
database ``gosplan``. Without a PostgreSQL server installed, :func:`running_postgres` raises
:class:`PostgresNotInstalledError`, which names ``scripts/install-postgres.sh``.

This module holds no pytest fixtures; the fixtures that use it live in the tests' conftest.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The environment variable naming an already running server (a SQLAlchemy URL).
POSTGRES_URL_ENV = "GOSPLAN_TEST_POSTGRES_URL"

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
#: Starts (``start DIR``) and stops (``stop DIR``) a server.
POSTGRES_SCRIPT = SCRIPTS / "postgres.sh"
#: Installs the PostgreSQL server's binaries.
INSTALL_SCRIPT = SCRIPTS / "install-postgres.sh"

#: ``scripts/postgres.sh``'s exit status when no PostgreSQL server is installed.
NOT_INSTALLED_STATUS = 3

#: Seconds that starting or stopping a server may take (it takes about one).
SCRIPT_TIMEOUT_S = 120.0


class PostgresNotInstalledError(RuntimeError):
    """No PostgreSQL server is installed (no ``initdb`` was found)."""


def postgres_url_from_env() -> str | None:
    """The URL of an already running server, from ``GOSPLAN_TEST_POSTGRES_URL``.

    Returns
    -------
    str or None
        The variable's value (a SQLAlchemy URL such as
        ``postgresql+psycopg://user@host:5432/gosplan``), stripped of surrounding
        whitespace; ``None`` when the variable is unset or blank.
    """
    url = os.environ.get(POSTGRES_URL_ENV, "").strip()
    return url or None


def _run_script(command: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """Run ``scripts/postgres.sh COMMAND DIRECTORY`` to its end, capturing its output.

    The script runs in a session of its own, so that a Ctrl-C at the terminal reaches only
    Python; when Python is interrupted (or the script overruns :data:`SCRIPT_TIMEOUT_S`), the
    script is still given time to finish, so that the server it may be starting is left in a
    state that ``stop`` can clean up. A second interruption kills the script.
    """
    bash = shutil.which("bash") or "/bin/bash"
    process = subprocess.Popen(
        [bash, str(POSTGRES_SCRIPT), command, str(directory)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        try:
            stdout, stderr = process.communicate(timeout=SCRIPT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _kill_session(process)
            raise RuntimeError(
                f"`{POSTGRES_SCRIPT} {command} {directory}` did not finish in "
                f"{SCRIPT_TIMEOUT_S:.0f} s"
            ) from None
        except BaseException:
            try:
                process.communicate(timeout=SCRIPT_TIMEOUT_S)
            except BaseException:
                _kill_session(process)
            raise
    finally:
        if process.poll() is None:
            _kill_session(process)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _kill_session(process: subprocess.Popen[str]) -> None:
    """Kill a script started in a session of its own, with everything it started there."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def _start(directory: Path) -> str:
    """Start a server in ``directory`` (which exists and is empty) and return its URL."""
    result = _run_script("start", directory)
    if result.returncode == NOT_INSTALLED_STATUS:
        raise PostgresNotInstalledError(
            "no PostgreSQL server is installed (no initdb on PATH or under "
            f"/usr/lib/postgresql/*/bin): run `bash {INSTALL_SCRIPT}` to install one, then "
            "run the tests again (or point GOSPLAN_TEST_POSTGRES_URL at a running server)\n"
            + result.stderr.strip()
        )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines or not lines[-1].startswith("postgresql+psycopg://"):
        raise RuntimeError(
            f"`{POSTGRES_SCRIPT} start {directory}` failed (exit status {result.returncode}):\n"
            + (result.stderr.strip() or result.stdout.strip())
        )
    return lines[-1]


def _stop(directory: Path, *, check: bool) -> None:
    """Stop the server in ``directory`` and remove the directory.

    Parameters
    ----------
    directory
        The directory given to ``scripts/postgres.sh start``.
    check
        Raise :class:`RuntimeError` when stopping fails; otherwise only warn (used while
        another exception is on its way out, so that it is not masked).
    """
    result = _run_script("stop", directory)
    if result.returncode != 0:
        message = (
            f"`{POSTGRES_SCRIPT} stop {directory}` failed (exit status {result.returncode}):\n"
            + result.stderr.strip()
        )
        if check:
            raise RuntimeError(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)


@contextmanager
def running_postgres(base_dir: Path | None = None) -> Iterator[str]:
    """Start a throw-away PostgreSQL server, yield its URL, and stop it on the way out.

    The server lives in a fresh temporary directory (its cluster, its log and its unix
    socket), which is removed with it, whatever way the block is left (an exception and
    ``KeyboardInterrupt`` included). Start-up takes about a second.

    Parameters
    ----------
    base_dir
        Where to create the server's temporary directory; the system's temporary directory
        when ``None``. When the tests run as root the server runs as the ``postgres`` user,
        so every directory above must be searchable by that user (``/tmp`` is; pytest's
        ``tmp_path`` is not), and the path must be short (a unix socket's path holds at most
        107 bytes).

    Yields
    ------
    str
        The server's SQLAlchemy URL, ``postgresql+psycopg://USER@127.0.0.1:PORT/gosplan``;
        the database ``gosplan`` exists and is empty, and ``USER`` is its superuser.

    Raises
    ------
    PostgresNotInstalledError
        No PostgreSQL server is installed; the message says to run
        ``scripts/install-postgres.sh``.
    RuntimeError
        The server did not start (the message holds the end of its log) or did not stop.

    Examples
    --------
    A sketch (not run as a doctest: it starts a server)::

        with running_postgres() as url:
            engine = sqlalchemy.create_engine(url)
            with engine.connect() as connection:
                connection.execute(sqlalchemy.text("select 1")).scalar_one()
            engine.dispose()
    """
    directory = Path(tempfile.mkdtemp(prefix="gosplan-pg-", dir=base_dir))
    try:
        url = _start(directory)
        yield url
    except BaseException:
        _stop(directory, check=False)
        raise
    else:
        _stop(directory, check=True)
