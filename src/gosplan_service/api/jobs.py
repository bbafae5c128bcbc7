"""Jobs: ``GET /api/jobs/{id}`` (status, progress, message, result summary, provenance)."""

from __future__ import annotations

from fastapi import APIRouter

from gosplan_service import audit
from gosplan_service.api.deps import CurrentUser, ObjectId, SessionDep
from gosplan_service.models import Job
from gosplan_service.plan_schemas import JobPublic, problem_responses
from gosplan_service.problems import Problem

__all__ = ["router"]

router = APIRouter(tags=["jobs"], responses=problem_responses(403, 404))


@router.get("/api/jobs/{job_id}")
def read_job(job_id: ObjectId, session: SessionDep, user: CurrentUser) -> JobPublic:
    """Where a job stands (planners)."""
    audit.require(session, user, "job.read", object_type="job", object_id=job_id)
    job = session.get(Job, job_id)
    if job is None:
        raise Problem.not_found()
    return JobPublic.model_validate(job)
