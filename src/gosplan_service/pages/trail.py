"""The audit trail (``/audit``, paged) and a job's progress (``/jobs/{id}``, polled by JS)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select

from gosplan_service import audit
from gosplan_service.api.deps import ObjectId, PageQuery, SessionDep
from gosplan_service.models import AuditEvent, Job
from gosplan_service.pages.common import PageRoute, PageUser, render
from gosplan_service.problems import Problem

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, user: PageUser, page: PageQuery) -> Response:
    """The audit trail, newest first, one page at a time.

    Parameters
    ----------
    request
        The request.
    session
        The request's session.
    user
        Who looks (planners, approvers and observers).
    page
        ``limit`` and ``offset``.

    Returns
    -------
    fastapi.Response
    """
    audit.require(session, user, "audit.read", object_type="audit", object_id=None)
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    events = session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc()).limit(page.limit).offset(page.offset)
    ).all()
    previous = max(0, page.offset - page.limit) if page.offset > 0 else None
    following = page.offset + page.limit if page.offset + page.limit < total else None
    context = {
        "events": events,
        "total": total,
        "page": page,
        "previous": previous,
        "following": following,
    }
    return render(request, "audit.html", context, user=user)


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: ObjectId, session: SessionDep, user: PageUser) -> Response:
    """A job's progress; a few lines of JS poll ``/api/jobs/{id}`` every second until done.

    Parameters
    ----------
    request
        The request.
    job_id
        The job's id.
    session
        The request's session.
    user
        Who looks (planners).

    Returns
    -------
    fastapi.Response
    """
    audit.require(session, user, "job.read", object_type="job", object_id=job_id)
    job = session.get(Job, job_id)
    if job is None:
        raise Problem.not_found()
    result_url = f"/plans/{job.plan_version_id}" if job.plan_version_id is not None else None
    context = {"job": job, "result_url": result_url}
    return render(request, "job.html", context, user=user)
