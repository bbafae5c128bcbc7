"""The throw-away PostgreSQL server of the service's tests: it starts, takes SQL, and goes.

Needs a PostgreSQL server installed (``initdb``); without one these tests fail and say how to
install it (``bash scripts/install-postgres.sh``).
"""

from __future__ import annotations

import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, select, text

from .postgres_server import (
    INSTALL_SCRIPT,
    POSTGRES_URL_ENV,
    PostgresNotInstalledError,
    postgres_url_from_env,
    running_postgres,
)


@pytest.fixture
def base_dir() -> Iterator[Path]:
    """An empty directory for servers; under /tmp and searchable by all, as root needs.

    (pytest's ``tmp_path`` will not do when the tests run as root: the server then runs as
    the ``postgres`` user, who cannot enter ``/tmp/pytest-of-root``.)
    """
    path = Path(tempfile.mkdtemp(prefix="gosplan-pg-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def listening(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def port_of(url: str) -> int:
    port = sqlalchemy.engine.make_url(url).port
    assert port is not None
    return port


def test_a_server_takes_sql_and_goes_away(base_dir: Path):
    with running_postgres(base_dir) as url:
        parsed = sqlalchemy.engine.make_url(url)
        assert parsed.drivername == "postgresql+psycopg"
        assert parsed.host == "127.0.0.1"
        assert parsed.database == "gosplan"
        assert parsed.username
        assert parsed.port is not None
        port = parsed.port
        [server_dir] = base_dir.iterdir()
        assert listening(port)

        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as connection:
                version = connection.execute(text("select version()")).scalar_one()
                assert version.startswith("PostgreSQL ")
                assert connection.execute(text("show fsync")).scalar_one() == "on"
                assert connection.execute(text("show listen_addresses")).scalar_one() == (
                    "127.0.0.1"
                )

            metadata = MetaData()
            plan = Table(
                "plan",
                metadata,
                Column("id", Integer, primary_key=True),
                Column("product", String(50), nullable=False),
                Column("level", Float, nullable=False),
            )
            rows = [
                {"id": 1, "product": "steel", "level": 757.5},
                {"id": 2, "product": "grain", "level": 1050.0},
            ]
            with engine.begin() as connection:
                metadata.create_all(connection)
                connection.execute(plan.insert(), rows)
            # a new connection sees what the first one committed
            with engine.connect() as connection:
                got = connection.execute(select(plan).order_by(plan.c.id)).mappings().all()
            assert [dict(row) for row in got] == rows
        finally:
            engine.dispose()

    assert not listening(port)
    assert not server_dir.exists()
    assert list(base_dir.iterdir()) == []


def test_the_server_stops_when_the_block_is_interrupted(base_dir: Path):
    with pytest.raises(KeyboardInterrupt), running_postgres(base_dir) as url:
        port = port_of(url)
        assert listening(port)
        raise KeyboardInterrupt
    assert not listening(port)
    assert list(base_dir.iterdir()) == []


def test_two_servers_run_side_by_side(base_dir: Path):
    with running_postgres(base_dir) as first, running_postgres(base_dir) as second:
        assert port_of(first) != port_of(second)
        for url in (first, second):
            engine = sqlalchemy.create_engine(url)
            try:
                with engine.connect() as connection:
                    assert connection.execute(text("select 1")).scalar_one() == 1
            finally:
                engine.dispose()
    assert list(base_dir.iterdir()) == []


def test_without_postgres_the_error_names_the_install_script(
    base_dir: Path, monkeypatch: pytest.MonkeyPatch
):
    # scripts/postgres.sh looks for its binaries in $GOSPLAN_POSTGRES_BIN first
    monkeypatch.setenv("GOSPLAN_POSTGRES_BIN", str(base_dir / "no-postgres-here"))
    with pytest.raises(PostgresNotInstalledError, match=r"install-postgres\.sh") as caught:
        with running_postgres(base_dir):
            pytest.fail("a server started without binaries")
    assert isinstance(caught.value, RuntimeError)
    assert str(INSTALL_SCRIPT) in str(caught.value)
    assert list(base_dir.iterdir()) == []


def test_the_url_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(POSTGRES_URL_ENV, raising=False)
    assert postgres_url_from_env() is None
    monkeypatch.setenv(POSTGRES_URL_ENV, "  ")
    assert postgres_url_from_env() is None
    url = "postgresql+psycopg://planner@db.example:5432/gosplan"
    monkeypatch.setenv(POSTGRES_URL_ENV, f" {url}\n")
    assert postgres_url_from_env() == url
