"""The audit trail: ``GET /api/audit?object_type=&object_id=&action=`` (newest first)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from gosplan_service import audit
from gosplan_service.api.deps import CurrentUser, PageQuery, SessionDep
from gosplan_service.models import AuditEvent
from gosplan_service.plan_schemas import AuditPublic, Page, problem_responses

__all__ = ["router"]

router = APIRouter(tags=["audit"], responses=problem_responses(403))


@router.get("/api/audit")
def list_audit(
    session: SessionDep,
    user: CurrentUser,
    page: PageQuery,
    object_type: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    object_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    action: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    outcome: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
) -> Page[AuditPublic]:
    """Audit events, newest first, filtered by object, action and outcome."""
    audit.require(session, user, "audit.read", object_type="audit", object_id=None)
    conditions = []
    if object_type is not None:
        conditions.append(AuditEvent.object_type == object_type)
    if object_id is not None:
        conditions.append(AuditEvent.object_id == object_id)
    if action is not None:
        conditions.append(AuditEvent.action == action)
    if outcome is not None:
        conditions.append(AuditEvent.outcome == outcome)
    statement = (
        select(AuditEvent).where(*conditions).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
    items = session.scalars(statement.limit(page.limit).offset(page.offset)).all()
    return Page[AuditPublic](
        items=[AuditPublic.model_validate(e) for e in items],
        total=int(total or 0),
        limit=page.limit,
        offset=page.offset,
    )
