"""Sessions and transactions: commit, rollback, pending denials, SQLite's write lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from gosplan_service import audit
from gosplan_service.db import session_scope, upgrade
from gosplan_service.models import AuditEvent, User

from .conftest import database


def names(factory: object) -> list[str]:
    with factory() as session:  # type: ignore[operator]
        return list(session.scalars(select(User.name).order_by(User.name)))


def test_scope_commits_or_rolls_back(database_url: str) -> None:
    with database(database_url) as factory:
        with session_scope(factory) as session:
            session.add(User(name="kept", role="planner", password_hash="h"))
        with pytest.raises(RuntimeError), session_scope(factory) as session:
            session.add(User(name="lost", role="planner", password_hash="h"))
            session.flush()
            raise RuntimeError("boom")
        assert names(factory) == ["kept"]


def test_denials_are_written_after_the_rollback(database_url: str) -> None:
    with database(database_url) as factory:
        with pytest.raises(RuntimeError), session_scope(factory) as session:
            session.add(User(name="lost", role="planner", password_hash="h"))
            session.flush()
            audit.record(
                session,
                user=None,
                user_name="mallory",
                action="plan.create",
                object_type="plan_version",
                object_id=None,
                before=None,
                after=None,
                outcome="denied",
            )
            raise RuntimeError("refused")
        with factory() as session:
            rows = session.scalars(select(AuditEvent)).all()
        assert [(r.user_name, r.outcome) for r in rows] == [("mallory", "denied")]
        assert names(factory) == []


def test_done_rows_go_with_their_transaction(database_url: str) -> None:
    with database(database_url) as factory:
        with pytest.raises(RuntimeError), session_scope(factory) as session:
            audit.record(
                session,
                user=None,
                action="plan.create",
                object_type="plan_version",
                object_id=1,
                before=None,
                after={"x": 1},
            )
            raise RuntimeError("failed after the change")
        with factory() as session:
            assert session.scalars(select(AuditEvent)).all() == []


def test_snapshot_leaves_secrets_out() -> None:
    user = User(id=3, name="ivanov", role="planner", password_hash="$argon2id$secret")
    shot = audit.snapshot(user)
    assert shot is not None
    assert shot["name"] == "ivanov" and "password_hash" not in shot
    assert audit.snapshot(None) is None


def test_sqlite_writing_transaction_takes_the_lock_first(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with database(url) as factory:
            with session_scope(factory, writes=False):
                other.execute("BEGIN IMMEDIATE")  # a reader leaves the lock free
                other.execute("ROLLBACK")
            with session_scope(factory, writes=True):
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_compare_and_set(database_url: str) -> None:
    from gosplan_service.db import compare_and_set
    from gosplan_service.models import PlanVersion

    with database(database_url) as factory:
        with session_scope(factory) as session:
            user = User(name="petrov", role="planner", password_hash="h")
            session.add(user)
            session.flush()
            version = PlanVersion(plan_name="1929", number=1, spec={"a": 1}, created_by=user.id)
            session.add(version)
            session.flush()
            version_id = version.id
            assert version.row_version == 1
            assert version.result is None
        with session_scope(factory) as session:
            assert compare_and_set(session, PlanVersion, version_id, 1, status="published")
            assert not compare_and_set(session, PlanVersion, version_id, 1, status="draft")
            assert not compare_and_set(session, PlanVersion, version_id + 1, 2, status="draft")
        with factory() as session:
            stored = session.get(PlanVersion, version_id)
            assert stored is not None
            assert (stored.status, stored.row_version, stored.spec) == ("published", 2, {"a": 1})
            assert stored.updated_at >= stored.created_at
