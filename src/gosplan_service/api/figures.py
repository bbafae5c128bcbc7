"""Control figures of a solved version: ``GET /api/plans/{id}/control-figures``.

Directors and workers' committees (``own``) see their enterprise's figures only: asking for
another enterprise's answers 404; without ``enterprise`` their list is limited to their own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from gosplan_service import audit
from gosplan_service.api.deps import CurrentUser, ObjectId, PageQuery, SessionDep
from gosplan_service.api.plans import load_version
from gosplan_service.models import ControlFigure
from gosplan_service.permissions import visible_enterprise
from gosplan_service.plan_schemas import ControlFigurePublic, Page, problem_responses
from gosplan_service.settings import NAME_LENGTH

__all__ = ["router"]

router = APIRouter(tags=["figures"], responses=problem_responses(403, 404))


@router.get("/api/plans/{version_id}/control-figures")
def control_figures(
    version_id: ObjectId,
    session: SessionDep,
    user: CurrentUser,
    page: PageQuery,
    enterprise: Annotated[str | None, Query(min_length=1, max_length=NAME_LENGTH)] = None,
    period: Annotated[int | None, Query(ge=-100_000, le=100_000)] = None,
) -> Page[ControlFigurePublic]:
    """The version's control figures, by enterprise, activity, product, period and month."""
    version = load_version(session, version_id)
    wanted = enterprise
    if wanted is None and user.role in ("director", "workers_committee"):
        wanted = user.enterprise
    audit.require(
        session,
        user,
        "figures.read",
        object_type="plan_version",
        object_id=version.id,
        enterprise=wanted,
        draft=version.status == "draft",
    )
    limit_to = visible_enterprise(user, "figures.read")
    conditions = [ControlFigure.plan_version_id == version.id]
    if wanted is not None:
        conditions.append(ControlFigure.enterprise == wanted)
    if limit_to is not None:
        conditions.append(ControlFigure.enterprise == limit_to)
    if period is not None:
        conditions.append(ControlFigure.period == period)
    statement = (
        select(ControlFigure)
        .where(*conditions)
        .order_by(
            ControlFigure.enterprise,
            ControlFigure.activity,
            ControlFigure.product,
            ControlFigure.period,
            ControlFigure.month,
        )
    )
    total = session.scalar(select(func.count()).select_from(ControlFigure).where(*conditions))
    items = session.scalars(statement.limit(page.limit).offset(page.offset)).all()
    return Page[ControlFigurePublic](
        items=[ControlFigurePublic.model_validate(f) for f in items],
        total=int(total or 0),
        limit=page.limit,
        offset=page.offset,
    )
