"""Jobs: queued, claimed once, failing with one line, re-queued after a restart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gosplan_service import jobs
from gosplan_service.jobs import JobKind, JobRunner, claim, run_pending, submit
from gosplan_service.models import Job, User

from .conftest import TestClient, session_on
from .test_plans import client

__all__ = ["client", "explode"]


def explode(parameters: dict[str, Any], progress: Callable[[float, str], None]) -> dict[str, Any]:
    """A computation that fails (with a message over two lines)."""
    progress(0.5, "half way")
    raise RuntimeError("the solver\nran out of patience")


def _user(make_user: Callable[..., User]) -> User:
    return make_user("planner")


def _job(client: TestClient, user: User, kind: str = "solve", **parameters: Any) -> int:
    with session_on(client) as session:
        return submit(session, kind=kind, parameters=parameters, user=user).id


def test_failure_is_one_line_and_a_missing_module_fails_only_its_job(
    client: TestClient, make_user: Callable[..., User], monkeypatch: Any
) -> None:
    user = _user(make_user)
    monkeypatch.setitem(
        jobs.KINDS, "simulation", JobKind(f"{__name__}:explode", f"{__name__}:explode")
    )
    monkeypatch.setitem(
        jobs.KINDS, "ensemble", JobKind("gosplan_service.no_such_module:run", "x:y")
    )
    failing = _job(client, user, "simulation")
    missing = _job(client, user, "ensemble")
    broken = _job(client, user, "solve", spec={"economy": "nowhere"})
    assert run_pending(client.app.state.sessionmaker) == 3  # type: ignore[attr-defined]
    with session_on(client) as session:
        rows = {j.id: j for j in session.query(Job).all()}
    assert rows[failing].status == "failed"
    assert rows[failing].message == "the solver ran out of patience"
    assert rows[missing].status == "failed" and "no_such_module" in (rows[missing].message or "")
    assert rows[broken].status == "failed" and "\n" not in (rows[broken].message or "")


def test_claim_once_and_requeue(
    client: TestClient, make_user: Callable[..., User], database_url: str
) -> None:
    user = _user(make_user)
    job_id = _job(client, user, "check")
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with session_on(client) as session:
        assert claim(session, job_id) is True
    with session_on(client) as session:
        assert claim(session, job_id) is False
    runner = JobRunner(factory, database_url, workers=1)
    assert runner.requeue_interrupted() == 1
    with session_on(client) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "queued"
