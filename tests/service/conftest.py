"""Fixtures of the service's tests: a database on SQLite and on PostgreSQL, an app, users.

``database_url`` (migrated, no rows) and ``empty_database_url`` (no tables) are
parametrised over ``sqlite`` (a file in the test's temporary folder) and ``postgresql`` (a
new database on one throw-away server per test session, or on the server named by
``GOSPLAN_TEST_POSTGRES_URL``); every test that uses one runs on both. ``app_client`` is
a ``TestClient`` on a migrated app; ``make_client`` builds one with other settings;
``make_user`` creates users directly through the models.
"""

from __future__ import annotations

import itertools
import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gosplan_service.app import create_app
from gosplan_service.db import make_engine, make_sessionmaker, session_scope, upgrade
from gosplan_service.models import User
from gosplan_service.security import hash_password, password_hasher
from gosplan_service.settings import Settings

from .postgres_server import postgres_url_from_env, running_postgres

with warnings.catch_warnings():
    # Starlette 1.x suggests httpx2 for its test client; the extra pins httpx, which works.
    warnings.filterwarnings("ignore", "Using `httpx` with")
    from fastapi.testclient import TestClient

#: The password of every user the fixtures create.
PASSWORD = "correct horse battery staple"
#: The databases every test using ``database_url`` runs on.
DATABASES = ["sqlite", "postgresql"]
_DATABASES = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database, for this test session."""
    url = postgres_url_from_env()
    if url is not None:
        yield url
        return
    with running_postgres() as started:
        yield started


def _create_postgres_database(server_url: str, template: str | None = None) -> str:
    """A new database on the server (a copy of ``template``, else empty): its URL."""
    server = make_url(server_url)
    name = f"gosplan_test_{os.getpid()}_{next(_DATABASES)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    finally:
        admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite database to copy (made once a session)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'service.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_template(postgres_server: str) -> Iterator[str]:
    """A migrated PostgreSQL database to copy (made once a session, dropped at its end)."""
    url = _create_postgres_database(postgres_server)
    upgrade(url)
    yield url
    _drop_postgres_database(url)


def _empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'service.db'}"
        return
    url = _create_postgres_database(request.getfixturevalue("postgres_server"))
    try:
        yield url
    finally:
        _drop_postgres_database(url)


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables): a SQLite file, or a new PostgreSQL database."""
    yield from _empty_database(request, tmp_path)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated to the latest revision, with no rows: SQLite or PostgreSQL.

    A copy of a database migrated once per test session (a file copy on SQLite,
    ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL): faster than migrating each time.
    """
    template = request.getfixturevalue(f"{request.param}_template")
    if request.param == "sqlite":
        path = tmp_path / "service.db"
        shutil.copyfile(make_url(template).database or "", path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_server")
    url = _create_postgres_database(server, template=make_url(template).database)
    try:
        yield url
    finally:
        _drop_postgres_database(url)


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Settings for a test: the database, cheap argon2, no job runner, and ``overrides``.

    Jobs wait for :func:`gosplan_service.jobs.run_pending` unless a test asks for workers.
    """
    overrides.setdefault("job_workers", 0)
    return Settings(database_url=database_url, **overrides).cheap_hashing()


@pytest.fixture
def make_client(database_url: str) -> Iterator[Callable[..., TestClient]]:
    """``make_client(app=None, **settings)``: a started ``TestClient`` (closed at teardown).

    With ``app`` (made by :func:`create_app`, perhaps with test-only routes added) it drives
    that app; otherwise one made with :func:`settings_for` and ``settings``.
    """
    clients: list[TestClient] = []

    def make(app: FastAPI | None = None, **settings: Any) -> TestClient:
        if app is None:
            app = create_app(settings_for(database_url, **settings))
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


@pytest.fixture
def app_client(make_client: Callable[..., TestClient]) -> TestClient:
    """A ``TestClient`` on the app with the test settings, its database migrated."""
    return make_client()


@pytest.fixture
def make_user(app_client: TestClient) -> Callable[..., User]:
    """``make_user(role, name=None, enterprise=None, password=PASSWORD)``: a user, committed.

    A director or a workers' committee gets the enterprise ``coal-1`` unless told otherwise.
    """
    app = app_client.app
    assert isinstance(app, FastAPI)
    counter = itertools.count(1)

    def make(
        role: str,
        name: str | None = None,
        enterprise: str | None = None,
        password: str = PASSWORD,
    ) -> User:
        if enterprise is None and role in ("director", "workers_committee"):
            enterprise = "coal-1"
        hasher = password_hasher(app.state.settings)
        user = User(
            name=name or f"{role}-{next(counter)}",
            role=role,
            enterprise=enterprise,
            password_hash=hash_password(hasher, password),
        )
        with session_scope(app.state.sessionmaker) as session:
            session.add(user)
        return user

    return make


def login(client: TestClient, name: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in and return the ``Authorization`` header (the client's cookies are cleared)."""
    response = client.post("/api/auth/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@contextmanager
def database(url: str) -> Iterator[Any]:
    """A session factory on ``url`` (its engine disposed of afterwards)."""
    engine = make_engine(url)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def session_on(client: TestClient) -> AbstractContextManager[Any]:
    """A session in one transaction on the client's app's database."""
    app = client.app
    assert isinstance(app, FastAPI)
    return session_scope(app.state.sessionmaker)
