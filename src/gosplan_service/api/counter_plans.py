"""Counter-plans: submit on a version open for them, read, list, withdraw.

- ``POST /api/plans/{id}/counter-plans`` (a director or workers' committee, for their own
  enterprise; ``Idempotency-Key`` needed): ``{enterprise, rows: [{period, extra_output[,
  input, new_coefficient]}]}``, only on a version in ``counter_plans_open`` (else 409 naming
  its status). Rows are checked against the version's periods, products and labour types
  (422 naming the row and field). The counter-plan is stored ``submitted`` and a ``check``
  job is queued (:func:`gosplan_service.jobs.submit`), which runs
  :func:`gosplan_service.report_compute.check` and stores the answer with
  :func:`~gosplan_service.report_compute.apply_check` (``checked``).
- ``GET /api/counter-plans/{id}``: with the stored check (what is missing upstream).
- ``GET /api/plans/{id}/counter-plans``: paged; enterprise roles see their own only.
- ``POST /api/counter-plans/{id}/withdraw``: ``submitted`` or ``checked`` -> ``withdrawn``.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gosplan_service import audit, idempotency
from gosplan_service.api.deps import CurrentUser, ObjectId, PageQuery, SessionDep, submission_limit
from gosplan_service.api.reports import (
    READ_RESPONSES,
    SUBMIT_RESPONSES,
    admit_submission,
    own_scope,
    plan_version_for,
)
from gosplan_service.models import CounterPlan, Job, PlanVersion, User
from gosplan_service.problems import FieldError, Problem
from gosplan_service.report_compute import PlanLabels, check_parameters
from gosplan_service.report_schemas import (
    CounterPlanCreate,
    CounterPlanCreated,
    CounterPlanPublic,
)
from gosplan_service.schemas import Page
from gosplan_service.workflow import COUNTER_PLAN, check_transition

log = logging.getLogger(__name__)

__all__ = ["router"]

router = APIRouter(tags=["counter-plans"])
_SNAPSHOT_EXCLUDE = frozenset({"check_result"})


def _row_errors(body: CounterPlanCreate, labels: PlanLabels) -> list[FieldError]:
    errors: list[FieldError] = []
    if body.enterprise not in labels.enterprises:
        message = "no enterprise of that name has control figures in this plan"
        errors.append({"field": "body.enterprise", "message": message})
    inputs = labels.products | labels.labour_types
    extra: dict[int, float] = {}
    seen: set[tuple[int, str | None]] = set()
    for i, row in enumerate(body.rows):
        where = f"body.rows[{i}]"
        if row.period not in labels.periods:
            periods = ", ".join(str(p) for p in sorted(labels.periods))
            message = f"not a period of the plan ({periods})"
            errors.append({"field": f"{where}.period", "message": message})
        if row.input is not None and row.input not in inputs:
            message = f"unknown product or labour type {row.input!r}"
            errors.append({"field": f"{where}.input", "message": message})
        if (row.period, row.input) in seen:
            message = "a second row for the same period and input"
            errors.append({"field": where, "message": message})
        seen.add((row.period, row.input))
        if extra.setdefault(row.period, row.extra_output) != row.extra_output:
            message = "rows of one period must give the same extra_output"
            errors.append({"field": f"{where}.extra_output", "message": message})
    return errors


def _queue_check(session: Session, user: User, version: PlanVersion, cp: CounterPlan) -> Job | None:
    try:
        jobs = importlib.import_module("gosplan_service.jobs")
    except ImportError:
        log.warning("gosplan_service.jobs is not available: counter-plan %s not checked", cp.id)
        return None
    job: Job = jobs.submit(
        session,
        kind="check",
        parameters=check_parameters(version, cp),
        user=user,
        plan_version_id=version.id,
    )
    return job


def _public(cp: CounterPlan) -> CounterPlanPublic:
    return CounterPlanPublic.model_validate(cp)


def _location(body: dict[str, Any]) -> str:
    return f"/api/counter-plans/{body['id']}"


@router.post(
    "/api/plans/{plan_id}/counter-plans",
    status_code=201,
    response_model=CounterPlanCreated,
    responses=SUBMIT_RESPONSES,
    dependencies=[Depends(submission_limit)],
)
def submit_counter_plan(
    plan_id: ObjectId,
    body: CounterPlanCreate,
    session: SessionDep,
    user: CurrentUser,
    found: idempotency.FingerprintDep,
) -> JSONResponse:
    """Offer a counter-plan for an enterprise on a version open for counter-plans."""
    admitted = admit_submission(
        session,
        user,
        plan_id,
        found,
        action="counter_plan.submit",
        enterprise=body.enterprise,
        location=_location,
        status="counter_plans_open",
        what="take counter-plans",
        check=lambda labels: _row_errors(body, labels),
    )
    if isinstance(admitted, JSONResponse):
        return admitted
    version, claimed = admitted
    cp = CounterPlan(
        plan_version_id=version.id,
        enterprise=body.enterprise,
        status="submitted",
        rows=[row.model_dump() for row in body.rows],
        submitted_by=user.id,
    )
    session.add(cp)
    session.flush()
    job = _queue_check(session, user, version, cp)
    audit.record(
        session,
        user=user,
        action="counter_plan.submit",
        object_type="counter_plan",
        object_id=cp.id,
        before=None,
        after=audit.snapshot(cp, exclude=_SNAPSHOT_EXCLUDE),
        detail=None if job is None else f"check job {job.id}",
    )
    public = CounterPlanCreated.model_validate(cp).model_copy(
        update={"job_id": None if job is None else job.id}
    )
    content = public.model_dump(mode="json")
    return idempotency.complete(
        session, claimed, 201, content, headers={"Location": _location(content)}
    )


def _counter_plan_for(session: Session, user: User, cp_id: int, action: str) -> CounterPlan:
    cp = session.get(CounterPlan, cp_id)
    if cp is None:
        raise Problem.not_found()
    audit.require(
        session, user, action, object_type="counter_plan", object_id=cp_id, enterprise=cp.enterprise
    )
    return cp


@router.get("/api/counter-plans/{cp_id}", responses=READ_RESPONSES)
def read_counter_plan(cp_id: ObjectId, session: SessionDep, user: CurrentUser) -> CounterPlanPublic:
    """One counter-plan, with its stored check."""
    return _public(_counter_plan_for(session, user, cp_id, "counter_plan.read"))


@router.get("/api/plans/{plan_id}/counter-plans", responses=READ_RESPONSES)
def list_counter_plans(
    plan_id: ObjectId, session: SessionDep, user: CurrentUser, page: PageQuery
) -> Page[CounterPlanPublic]:
    """The counter-plans of a version, oldest first (enterprise roles: their own only)."""
    scope = own_scope(user, "counter_plan.read")
    version = plan_version_for(session, user, plan_id, "counter_plan.read", enterprise=scope)
    where = [CounterPlan.plan_version_id == version.id]
    if scope is not None:
        where.append(CounterPlan.enterprise == scope)
    total = session.scalar(select(func.count()).select_from(CounterPlan).where(*where)) or 0
    query = (select(CounterPlan).where(*where).order_by(CounterPlan.id).limit(page.limit)).offset(
        page.offset
    )
    items = [_public(cp) for cp in session.scalars(query)]
    return Page[CounterPlanPublic](items=items, total=total, limit=page.limit, offset=page.offset)


@router.post("/api/counter-plans/{cp_id}/withdraw", responses=SUBMIT_RESPONSES)
def withdraw_counter_plan(
    cp_id: ObjectId, session: SessionDep, user: CurrentUser
) -> CounterPlanPublic:
    """Withdraw a submitted or checked counter-plan (409 from any other status)."""
    cp = _counter_plan_for(session, user, cp_id, "counter_plan.withdraw")
    before = audit.snapshot(cp, exclude=_SNAPSHOT_EXCLUDE)
    cp.status = check_transition(cp.status, "withdraw", COUNTER_PLAN)
    session.flush()
    audit.record(
        session,
        user=user,
        action="counter_plan.withdraw",
        object_type="counter_plan",
        object_id=cp.id,
        before=before,
        after=audit.snapshot(cp, exclude=_SNAPSHOT_EXCLUDE),
    )
    return _public(cp)
