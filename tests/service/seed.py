"""Seed a solved ussr-1928 plan version straight into the database, through the models.

The spec comes from :func:`gosplan_service.plan_compute.scenario_spec` (the format the plan
endpoints store), the result from :func:`gosplan.plan.optimise` and the control figures from
:func:`gosplan.run.control_figures`. The plan is solved once per test process and cached
(it takes about a second), so tests of counter-plans and reports do not depend on the plan
endpoints.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gosplan_service.db import session_scope
from gosplan_service.models import ControlFigure, PlanVersion, User
from gosplan_service.report_compute import control_figure_rows

_NUMBERS = itertools.count(1)


@dataclass(frozen=True)
class Solved:
    """The spec and result documents of the plan, and its control figure rows."""

    spec: dict[str, Any]
    result: dict[str, Any]
    figures: list[dict[str, Any]]


@dataclass(frozen=True)
class Seeded:
    """A seeded version: its id, its enterprises and its control figure rows."""

    id: int
    enterprises: list[str]
    figures: list[dict[str, Any]]

    def figure(self, enterprise: str, period: int) -> dict[str, Any]:
        """The figure row of one enterprise and period."""
        return next(
            f for f in self.figures if f["enterprise"] == enterprise and f["period"] == period
        )


@functools.cache
def solved() -> Solved:
    """The ussr-1928 basic plan, solved (once per process)."""
    from gosplan.plan import optimise
    from gosplan_service.plan_compute import scenario_spec, spec_from_dict

    document = scenario_spec("ussr-1928")
    spec = spec_from_dict(document)
    result = optimise(spec)
    return Solved(document, result.to_dict(), control_figure_rows(result, spec))


def seed_version(
    client: TestClient, *, status: str = "approved", created_by: User | None = None
) -> Seeded:
    """Put a solved ussr-1928 version with its control figures into the client's database.

    Parameters
    ----------
    client
        A started test client.
    status
        The version's status (``approved``, ``counter_plans_open``, ``superseded``, ...).
    created_by
        Its author (default: a new planner).

    Returns
    -------
    Seeded
    """
    app = client.app
    assert isinstance(app, FastAPI)
    plan = solved()
    number = next(_NUMBERS)
    with session_scope(app.state.sessionmaker) as session:
        if created_by is None:
            created_by = User(name=f"seed-planner-{number}", role="planner", password_hash="x")
            session.add(created_by)
            session.flush()
        version = PlanVersion(
            plan_name="ussr-1928",
            number=number,
            status=status,
            spec=plan.spec,
            result=plan.result,
            created_by=created_by.id,
        )
        session.add(version)
        session.flush()
        session.add_all(ControlFigure(plan_version_id=version.id, **row) for row in plan.figures)
        version_id = version.id
    enterprises = sorted({row["enterprise"] for row in plan.figures})
    return Seeded(version_id, enterprises, plan.figures)


# ---------------------------------------------------------------------------- test helpers
PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, *fields: str) -> dict[str, Any]:
    """The problem document of ``response``; it has ``status`` and names ``fields``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    named = {e["field"] for e in body["errors"]}
    assert set(fields) <= named, (fields, body)
    return body


def audit_rows(client: TestClient, action: str, outcome: str | None = None) -> list[Any]:
    """The audit rows of ``action`` (and ``outcome``), oldest first."""
    from sqlalchemy import select

    from gosplan_service.models import AuditEvent

    app = client.app
    assert isinstance(app, FastAPI)
    with session_scope(app.state.sessionmaker) as session:
        query = select(AuditEvent).where(AuditEvent.action == action)
        if outcome is not None:
            query = query.where(AuditEvent.outcome == outcome)
        return list(session.scalars(query.order_by(AuditEvent.id)))


def count(client: TestClient, model: Any) -> int:
    """How many rows ``model``'s table holds."""
    from sqlalchemy import func, select

    app = client.app
    assert isinstance(app, FastAPI)
    with session_scope(app.state.sessionmaker) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    """``headers`` with an ``Idempotency-Key``."""
    return {**headers, "Idempotency-Key": key}
