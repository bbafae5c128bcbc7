"""What the reports add up to: fulfilment, competition and alerts of a plan version.

Computed in the request from the stored reports and control figures (they are small), by
the library (:mod:`gosplan_service.report_compute`): a later report of the same
enterprise, period and product replaces an earlier one.

- ``GET /api/plans/{id}/fulfilment``: one row per enterprise, product and period reported
  (:func:`gosplan.run.fulfilment`); enterprise roles see their own rows only;
- ``GET /api/plans/{id}/competition?measure=fulfilment|growth``: every enterprise ranked
  (:func:`gosplan.run.competition`), for every role;
- ``GET /api/plans/{id}/alerts``: alerts on falls and rises of fulfilment
  (:func:`gosplan.run.alerts`); enterprise roles see their own only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from gosplan_service.api.deps import CurrentUser, ObjectId, SessionDep
from gosplan_service.api.reports import READ_RESPONSES, own_scope, plan_version_for
from gosplan_service.models import ControlFigure, FulfilmentReport, PlanVersion
from gosplan_service.report_compute import (
    alert_rows,
    competition_rows,
    fulfilment_report,
    fulfilment_rows,
)
from gosplan_service.report_schemas import AlertsPublic, CompetitionPublic, FulfilmentPublic

if TYPE_CHECKING:
    from gosplan.core.fulfilment_report import FulfilmentReport as Fulfilment

__all__ = ["router"]

router = APIRouter(tags=["results"])


def _fulfilment(session: Session, version: PlanVersion) -> Fulfilment | None:
    figures = session.scalars(
        select(ControlFigure).where(ControlFigure.plan_version_id == version.id)
    ).all()
    reports = session.scalars(
        select(FulfilmentReport)
        .where(FulfilmentReport.plan_version_id == version.id)
        .order_by(FulfilmentReport.id)
    ).all()
    return fulfilment_report(figures, [(r.enterprise, r.period, r.rows) for r in reports])


@router.get("/api/plans/{plan_id}/fulfilment", responses=READ_RESPONSES)
def read_fulfilment(plan_id: ObjectId, session: SessionDep, user: CurrentUser) -> FulfilmentPublic:
    """The reports measured against the control figures."""
    scope = own_scope(user, "report.read")
    version = plan_version_for(session, user, plan_id, "report.read", enterprise=scope)
    rows = fulfilment_rows(_fulfilment(session, version), scope)
    return FulfilmentPublic(plan_version_id=version.id, rows=rows)


@router.get("/api/plans/{plan_id}/competition", responses=READ_RESPONSES)
def read_competition(
    plan_id: ObjectId,
    session: SessionDep,
    user: CurrentUser,
    measure: Literal["fulfilment", "growth"] = "fulfilment",
) -> CompetitionPublic:
    """Every enterprise ranked by its cumulative fulfilment (or growth), period by period."""
    version = plan_version_for(session, user, plan_id, "competition.read")
    rows = competition_rows(_fulfilment(session, version), measure)
    return CompetitionPublic(plan_version_id=version.id, measure=measure, rows=rows)


@router.get("/api/plans/{plan_id}/alerts", responses=READ_RESPONSES)
def read_alerts(plan_id: ObjectId, session: SessionDep, user: CurrentUser) -> AlertsPublic:
    """The alerts open on the reports (falls and rises of fulfilment, escalated)."""
    scope = own_scope(user, "alerts.read")
    version = plan_version_for(session, user, plan_id, "alerts.read", enterprise=scope)
    rows = alert_rows(_fulfilment(session, version), scope)
    return AlertsPublic(plan_version_id=version.id, rows=rows)
