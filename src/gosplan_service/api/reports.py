"""Fulfilment reports: ``POST /api/plans/{id}/reports``, ``GET /api/reports/{id}``, the list.

A director reports the actual output of their enterprise for one period of an ``approved``
version (``{enterprise, period, rows: [{product, quantity}]}``). The submission needs an
``Idempotency-Key`` (:mod:`gosplan_service.idempotency`) and counts against the
submission rate limit. The enterprise, the period and every product are checked against
the version's control figures (422 naming each offending field; nothing is written). A
director naming another enterprise gets 404 (:func:`gosplan_service.permissions.authorize`).

The helpers :func:`plan_version_for`, :func:`own_scope` and :func:`require_status` are
shared with the counter-plan and result routers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gosplan_service import audit, idempotency
from gosplan_service.api.deps import CurrentUser, ObjectId, PageQuery, SessionDep, submission_limit
from gosplan_service.api.plans import read_version
from gosplan_service.models import ControlFigure, FulfilmentReport, PlanVersion, User
from gosplan_service.permissions import cell
from gosplan_service.plan_schemas import problem_responses
from gosplan_service.problems import FieldError, Problem
from gosplan_service.report_compute import PlanLabels, plan_labels
from gosplan_service.report_schemas import ReportCreate, ReportPublic
from gosplan_service.schemas import Page

__all__ = [
    "READ_RESPONSES",
    "SUBMIT_RESPONSES",
    "own_scope",
    "plan_version_for",
    "require_status",
    "router",
    "version_labels",
]


#: Problem responses of reads, and of submissions.
READ_RESPONSES = problem_responses(403, 404)
SUBMIT_RESPONSES = problem_responses(403, 404, 409, 428)

router = APIRouter(tags=["reports"])


def own_scope(user: User, action: str) -> str | None:
    """The enterprise a list or result for ``action`` is limited to (``None``: no limit).

    Parameters
    ----------
    user
        Who asks.
    action
        A matrix action.

    Returns
    -------
    str or None
        The user's enterprise where the cell is ``own``.
    """
    return user.enterprise if cell(user.role, action) == "own" else None


def plan_version_for(
    session: Session, user: User, plan_id: int, action: str, *, enterprise: str | None = None
) -> PlanVersion:
    """The plan version ``plan_id``, once ``user`` may do ``action`` on it (else 403/404).

    Parameters
    ----------
    session
        The request's session.
    user
        Who asks.
    plan_id
        The version's id.
    action
        The matrix action (a refusal is audited).
    enterprise
        The enterprise of the object acted on (a submission's), or the one a list is
        limited to (:func:`own_scope`).

    Returns
    -------
    PlanVersion

    Raises
    ------
    gosplan_service.problems.Problem
        404 for a missing version (or a draft, to all but planners, or another
        enterprise's object); 403 where the role may not.
    """
    return read_version(session, user, plan_id, action, enterprise=enterprise)


def require_status(version: PlanVersion, allowed: str, what: str) -> None:
    """409 naming the version's status unless it is ``allowed``.

    Parameters
    ----------
    version
        The plan version.
    allowed
        The status the action needs.
    what
        The action, for the message (``"take fulfilment reports"``).

    Raises
    ------
    gosplan_service.problems.Problem
        409.
    """
    if version.status != allowed:
        raise Problem(
            409,
            f"A plan version in status {version.status!r} cannot {what}; it must be {allowed!r}.",
            title="Conflict with the current status",
        )


#: Labels of versions past draft (they no longer change), by database, id, row version and
#: creation time; bounded.
_LABELS: dict[tuple[str, int, int, str], PlanLabels] = {}
_LABELS_KEPT = 64


def version_labels(session: Session, version: PlanVersion) -> PlanLabels:
    """The labels (periods, products, enterprises) of a version and its control figures.

    A version past draft is immutable: its labels are kept (a report or counter-plan then
    loads neither the plan's result nor its figures again).

    Parameters
    ----------
    session
        The request's session.
    version
        The plan version.

    Returns
    -------
    PlanLabels
    """
    key = (
        str(session.get_bind().engine.url),
        version.id,
        version.row_version,
        str(version.created_at),
    )
    found = _LABELS.get(key)
    if found is not None:
        return found
    figures = session.scalars(
        select(ControlFigure).where(ControlFigure.plan_version_id == version.id)
    ).all()
    labels = plan_labels(version, figures)
    if version.status != "draft":
        if len(_LABELS) >= _LABELS_KEPT:
            _LABELS.pop(next(iter(_LABELS)))
        _LABELS[key] = labels
    return labels


def admit_submission(
    session: Session,
    user: User,
    plan_id: int,
    found: idempotency.Fingerprint,
    *,
    action: str,
    enterprise: str,
    location: Callable[[dict[str, Any]], str],
    status: str,
    what: str,
    check: Callable[[PlanLabels], list[FieldError]],
) -> tuple[PlanVersion, idempotency.Claim] | JSONResponse:
    """The start every submission shares (a fulfilment report, a counter-plan).

    The version the user may submit to (:func:`plan_version_for`), the Idempotency-Key
    claimed, the version's status required (:func:`require_status`) and the body checked
    against the plan's labels (``check``; 422 naming every field).

    Returns
    -------
    (PlanVersion, idempotency.Claim) or JSONResponse
        The version and the claim to complete, or the stored response of a replayed key.
    """
    version = plan_version_for(session, user, plan_id, action, enterprise=enterprise)
    claimed = idempotency.claim(session, user, found, location=location)
    if claimed.replay is not None:
        return claimed.replay
    require_status(version, status, what)
    errors = check(version_labels(session, version))
    if errors:
        raise Problem.invalid(errors)
    return version, claimed


def _report_errors(body: ReportCreate, labels: PlanLabels) -> list[FieldError]:
    errors: list[FieldError] = []
    if body.period not in labels.periods:
        periods = ", ".join(str(p) for p in sorted(labels.periods))
        errors.append({"field": "body.period", "message": f"not a period of the plan ({periods})"})
    if body.enterprise not in labels.enterprises:
        message = "no enterprise of that name has control figures in this plan"
        errors.append({"field": "body.enterprise", "message": message})
    made = labels.made.get(body.enterprise, frozenset())
    seen: set[str] = set()
    for i, row in enumerate(body.rows):
        field = f"body.rows[{i}].product"
        if row.product not in labels.products:
            errors.append({"field": field, "message": f"unknown product {row.product!r}"})
        elif body.enterprise in labels.enterprises and row.product not in made:
            message = f"the enterprise has no control figure for {row.product!r}"
            errors.append({"field": field, "message": message})
        elif row.product in seen:
            errors.append({"field": field, "message": f"{row.product!r} is reported twice"})
        seen.add(row.product)
    return errors


def _public(report: FulfilmentReport) -> ReportPublic:
    return ReportPublic.model_validate(report)


def _location(body: dict[str, Any]) -> str:
    return f"/api/reports/{body['id']}"


@router.post(
    "/api/plans/{plan_id}/reports",
    status_code=201,
    response_model=ReportPublic,
    responses=SUBMIT_RESPONSES,
    dependencies=[Depends(submission_limit)],
)
def submit_report(
    plan_id: ObjectId,
    body: ReportCreate,
    session: SessionDep,
    user: CurrentUser,
    found: idempotency.FingerprintDep,
) -> JSONResponse:
    """Report an enterprise's actual output for one period of an approved version."""
    admitted = admit_submission(
        session,
        user,
        plan_id,
        found,
        action="report.submit",
        enterprise=body.enterprise,
        location=_location,
        status="approved",
        what="take fulfilment reports",
        check=lambda labels: _report_errors(body, labels),
    )
    if isinstance(admitted, JSONResponse):
        return admitted
    version, claimed = admitted
    report = FulfilmentReport(
        plan_version_id=version.id,
        enterprise=body.enterprise,
        period=body.period,
        rows=[row.model_dump() for row in body.rows],
        submitted_by=user.id,
    )
    session.add(report)
    session.flush()
    audit.record(
        session,
        user=user,
        action="report.submit",
        object_type="fulfilment_report",
        object_id=report.id,
        before=None,
        after=audit.snapshot(report),
    )
    public = _public(report).model_dump(mode="json")
    return idempotency.complete(
        session, claimed, 201, public, headers={"Location": _location(public)}
    )


@router.get("/api/reports/{report_id}", responses=READ_RESPONSES)
def read_report(report_id: ObjectId, session: SessionDep, user: CurrentUser) -> ReportPublic:
    """One fulfilment report (own enterprise only for directors and committees)."""
    report = session.get(FulfilmentReport, report_id)
    if report is None:
        raise Problem.not_found()
    audit.require(
        session,
        user,
        "report.read",
        object_type="fulfilment_report",
        object_id=report_id,
        enterprise=report.enterprise,
    )
    return _public(report)


@router.get("/api/plans/{plan_id}/reports", responses=READ_RESPONSES)
def list_reports(
    plan_id: ObjectId, session: SessionDep, user: CurrentUser, page: PageQuery
) -> Page[ReportPublic]:
    """The reports of a version, oldest first (own enterprise only for enterprise roles)."""
    scope = own_scope(user, "report.read")
    version = plan_version_for(session, user, plan_id, "report.read", enterprise=scope)
    where = [FulfilmentReport.plan_version_id == version.id]
    if scope is not None:
        where.append(FulfilmentReport.enterprise == scope)
    total = session.scalar(select(func.count()).select_from(FulfilmentReport).where(*where)) or 0
    query = (
        select(FulfilmentReport)
        .where(*where)
        .order_by(FulfilmentReport.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    items = [_public(r) for r in session.scalars(query)]
    return Page[ReportPublic](items=items, total=total, limit=page.limit, offset=page.offset)
