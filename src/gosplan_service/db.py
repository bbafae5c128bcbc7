"""Engines, sessions and migrations: one session and one transaction per request.

:func:`make_engine` configures SQLite (foreign keys on, WAL journal, a busy timeout, and
transactions begun explicitly so that SQLite's DDL and savepoints are transactional) or
PostgreSQL (through psycopg). :func:`get_session` is the FastAPI dependency: it opens one
session per request from ``app.state.sessionmaker``, commits it when the endpoint returns
(before the response is sent, so a failed commit is a 500, not a lost write) and rolls it
back on any error. Use it through :data:`SessionDep`, so that every dependency of a request
shares the same session::

    @router.get("/api/things/{thing_id}")
    def read_thing(thing_id: int, session: SessionDep, user: CurrentUser) -> ThingPublic: ...

Denied attempts recorded with :func:`gosplan_service.audit.record` are written after the
request's transaction has ended, in a transaction of their own (:func:`session_scope`).

:func:`upgrade` and :func:`downgrade` run the Alembic migrations programmatically.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event, update
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

__all__ = [
    "SessionDep",
    "compare_and_set",
    "downgrade",
    "get_session",
    "make_engine",
    "make_sessionmaker",
    "session_scope",
    "upgrade",
]

#: Milliseconds a SQLite connection waits for another's write lock before failing.
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Methods whose requests only read.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``: SQLite (a file or ``:memory:``) or PostgreSQL via psycopg.

    Parameters
    ----------
    url
        A SQLAlchemy URL; ``postgresql://`` is read as ``postgresql+psycopg://``. An
        in-memory SQLite database (``sqlite://``) is one database shared by every thread
        (for tests).
    **kwargs
        Passed on to :func:`sqlalchemy.create_engine`.

    Returns
    -------
    sqlalchemy.Engine
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        if parsed.database in (None, "", ":memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(parsed, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (below) begin transactions, instead of pysqlite's guesswork.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """The session factory of the service: bound to ``engine``, objects kept after commit.

    Parameters
    ----------
    engine
        The engine.

    Returns
    -------
    sqlalchemy.orm.sessionmaker
    """
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope(factory: sessionmaker[Session], *, writes: bool = True) -> Iterator[Session]:
    """One session in one transaction: committed at the end, rolled back on an error.

    Denied attempts the session recorded (:func:`gosplan_service.audit.record`) are written
    afterwards in their own transaction, whether the session committed or rolled back.

    Parameters
    ----------
    factory
        The session factory.
    writes
        Whether the transaction may write. On SQLite a writing transaction begins
        ``IMMEDIATE`` (it takes the write lock first, so that what it read cannot change
        before it writes: no "database is locked" half-way, and a quorum count is exact);
        on PostgreSQL lock rows with ``SELECT ... FOR UPDATE`` where that matters.

    Yields
    ------
    sqlalchemy.orm.Session
    """
    from gosplan_service import audit

    session = factory()
    session.info[audit.SCOPED] = True
    try:
        if writes:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        try:
            audit.write_pending(session)
        finally:
            session.close()


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: the request's session (use it as :data:`SessionDep`).

    A ``GET``, ``HEAD`` or ``OPTIONS`` request reads; any other may write
    (see :func:`session_scope`).

    Parameters
    ----------
    request
        The request (its application holds the session factory in ``state.sessionmaker``).

    Yields
    ------
    sqlalchemy.orm.Session
    """
    writes = request.method not in SAFE_METHODS
    with session_scope(request.app.state.sessionmaker, writes=writes) as session:
        yield session


#: The request's session; ``scope="function"`` commits before the response is sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def compare_and_set(
    session: Session, model: Any, object_id: int, expected_row_version: int, **values: Any
) -> bool:
    """Update one row only if it is still at ``expected_row_version``; bump the version.

    One statement, ``UPDATE ... SET ..., row_version = row_version + 1 WHERE id = :id AND
    row_version = :expected``: the check and the change cannot be separated by another
    request. Loaded instances in ``session`` are updated too.

    Parameters
    ----------
    session
        The request's session.
    model
        A mapped class with ``id`` and ``row_version`` columns
        (:class:`~gosplan_service.models.PlanVersion`).
    object_id
        The row's id.
    expected_row_version
        The version the client last saw (from ``If-Match``).
    **values
        The columns to set.

    Returns
    -------
    bool
        ``True`` when the row was updated; ``False`` when it is missing or has moved on
        (answer 404 or 412, after looking which).
    """
    statement = (
        update(model)
        .where(model.id == object_id, model.row_version == expected_row_version)
        .values(**values, row_version=model.row_version + 1)
    )
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def _run_alembic(url_or_engine: str | Engine, command_name: str, revision: str) -> None:
    from alembic import command

    from gosplan_service.migrations import alembic_config

    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.begin() as connection:
            config = alembic_config(connection)
            getattr(command, command_name)(config, revision)
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def upgrade(url_or_engine: str | Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (from empty if need be), in one transaction.

    Parameters
    ----------
    url_or_engine
        The database's URL, or an engine made by :func:`make_engine`.
    revision
        The target revision (``"head"``: the latest).
    """
    _run_alembic(url_or_engine, "upgrade", revision)


def downgrade(url_or_engine: str | Engine, revision: str = "base") -> None:
    """Migrate the database down to ``revision`` (``"base"``: no tables but Alembic's).

    Parameters
    ----------
    url_or_engine
        The database's URL, or an engine made by :func:`make_engine`.
    revision
        The target revision.
    """
    _run_alembic(url_or_engine, "downgrade", revision)
