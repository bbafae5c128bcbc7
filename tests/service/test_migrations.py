"""Migrations on both databases: up from empty, down to base, up again, no drift; audit triggers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from gosplan_service.db import downgrade, make_engine, upgrade
from gosplan_service.models import AuditEvent, Base, utcnow

from .conftest import database

TABLES = {
    "users",
    "tokens",
    "plan_versions",
    "control_figures",
    "counter_plans",
    "fulfilment_reports",
    "votes",
    "jobs",
    "idempotency_keys",
    "audit_events",
}


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def drift(url: str, metadata: sa.MetaData = Base.metadata) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_without_drift(empty_database_url: str) -> None:
    database_url = empty_database_url
    assert table_names(database_url) == set()
    upgrade(database_url)
    assert table_names(database_url) == TABLES | {"alembic_version"}
    assert set(Base.metadata.tables) == TABLES
    assert drift(database_url) == []
    downgrade(database_url, "base")
    assert table_names(database_url) == {"alembic_version"}
    upgrade(database_url)
    assert table_names(database_url) == TABLES | {"alembic_version"}
    assert drift(database_url) == []


def test_drift_is_detected(database_url: str) -> None:
    # the comparison is not vacuous: a column the migrations lack shows up
    metadata = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    metadata.tables["users"].append_column(sa.Column("nickname", sa.String(20)))
    differences = drift(database_url, metadata)
    assert [d[0] for d in differences if isinstance(d, tuple)] == ["add_column"]


def _audit_row() -> AuditEvent:
    return AuditEvent(
        at=utcnow(),
        user_name="nobody",
        action="login",
        object_type="user",
        outcome="denied",
        before=None,
        after={"n": 1},
    )


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"],
)
def test_audit_table_rejects_update_and_delete(database_url: str, statement: str) -> None:
    with database(database_url) as factory:
        with factory.begin() as session:
            session.add(_audit_row())
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), factory.begin() as session:
            session.execute(text(statement))
        with factory() as session:
            rows = session.execute(text("SELECT action, after FROM audit_events")).all()
    assert [row.action for row in rows] == ["login"]


def test_audit_triggers_go_with_the_downgrade(database_url: str) -> None:
    downgrade(database_url, "base")
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            else:
                query = (
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal UNION ALL "
                    "SELECT proname FROM pg_proc WHERE proname = 'audit_events_append_only'"
                )
            assert connection.execute(text(query)).all() == []
    finally:
        engine.dispose()


def test_sqlite_connections_are_configured(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.db")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(database_url: str) -> None:
    with database(database_url) as factory:
        with pytest.raises(sa.exc.IntegrityError), factory.begin() as session:
            session.execute(
                text(
                    "INSERT INTO tokens (user_id, token_hash, created_at, expires_at) "
                    "VALUES (12345, 'x', :t, :t)"
                ),
                {"t": utcnow()},
            )


def test_role_and_enterprise_checks(database_url: str) -> None:
    insert = text(
        "INSERT INTO users (name, password_hash, role, enterprise, active, created_at) "
        "VALUES (:name, 'h', :role, :enterprise, true, :t)"
    )
    cases = [
        ("boss", "boss", None),  # unknown role
        ("dir", "director", None),  # a director needs an enterprise
        ("plan", "planner", "coal-1"),  # a planner has none
    ]
    with database(database_url) as factory:
        for name, role, enterprise in cases:
            with pytest.raises(sa.exc.IntegrityError), factory.begin() as session:
                session.execute(
                    insert, {"name": name, "role": role, "enterprise": enterprise, "t": utcnow()}
                )
        with factory.begin() as session:
            session.execute(
                insert, {"name": "ok", "role": "director", "enterprise": "coal-1", "t": utcnow()}
            )
