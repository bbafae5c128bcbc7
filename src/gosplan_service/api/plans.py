"""Plan versions: list, create, read, edit, solve, publish, open, derive, diff, enterprises.

Every change of a version needs ``If-Match: "<row version>"`` (428 without, 412 when stale)
and is one compare-and-set ``UPDATE`` (:func:`gosplan_service.db.compare_and_set`). Drafts
are visible to planners only (404 to anyone else). Every change leaves an audit row with
the version before and after (the spec and result as digests), every refusal a ``denied``
one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gosplan_service import audit, jobs, plan_compute
from gosplan_service.api.deps import (
    CurrentUser,
    ObjectId,
    PageQuery,
    SessionDep,
    etag,
    expected_row_version,
)
from gosplan_service.db import compare_and_set
from gosplan_service.models import ControlFigure, PlanVersion, User
from gosplan_service.plan_compute import SpecInvalid, version_snapshot
from gosplan_service.plan_schemas import (
    DiffPublic,
    EnterprisePublic,
    JobPublic,
    Page,
    PlanCreate,
    PlanDetail,
    PlanPublic,
    PlanUpdate,
    problem_responses,
)
from gosplan_service.problems import Problem
from gosplan_service.workflow import check_transition

__all__ = [
    "IfMatch",
    "change_status",
    "load_version",
    "read_version",
    "router",
    "to_detail",
    "to_public",
]

router = APIRouter(tags=["plans"], responses=problem_responses(403, 404, 409, 412, 428))

#: The ``If-Match`` header (checked after authorization, so a refusal is a 403/404 first).
IfMatch = Annotated[str | None, Header(max_length=100)]
OBJECT = "plan_version"


def _links(version: PlanVersion) -> dict[str, str]:
    base = f"/api/plans/{version.id}"
    links = {
        "self": base,
        "control_figures": f"{base}/control-figures",
        "enterprises": f"{base}/enterprises",
        "votes": f"{base}/votes",
    }
    if version.parent_id is not None:
        links["parent"] = f"/api/plans/{version.parent_id}"
    return links


def _fields(version: PlanVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "name": version.plan_name,
        "number": version.number,
        "parent": version.parent_id,
        "status": version.status,
        "approval": {"policy": version.approval_policy, "quorum": version.quorum},
        "row_version": version.row_version,
        "has_result": version.result is not None,
        "created_by": version.created_by,
        "created_at": version.created_at,
        "updated_at": version.updated_at,
        "links": _links(version),
    }


def to_public(version: PlanVersion) -> PlanPublic:
    """A version as a list shows it.

    Parameters
    ----------
    version
        The version.

    Returns
    -------
    PlanPublic
    """
    return PlanPublic.model_validate(_fields(version))


def to_detail(version: PlanVersion, response: Response | None = None) -> PlanDetail:
    """A version with its spec; sets the ``ETag`` header on ``response``.

    Parameters
    ----------
    version
        The version.
    response
        The response to carry the ``ETag``.

    Returns
    -------
    PlanDetail
    """
    if response is not None:
        response.headers["ETag"] = etag(version.row_version)
    return PlanDetail.model_validate({**_fields(version), "spec": version.spec})


def load_version(session: Session, version_id: int, *, lock: bool = False) -> PlanVersion:
    """The version ``version_id`` (``lock``: ``SELECT ... FOR UPDATE``), or 404.

    Parameters
    ----------
    session
        The request's session.
    version_id
        The version's id.
    lock
        Lock its row until the transaction ends (PostgreSQL; SQLite's writing transactions
        hold the database's write lock already).

    Returns
    -------
    PlanVersion

    Raises
    ------
    gosplan_service.problems.Problem
        404.
    """
    statement = select(PlanVersion).where(PlanVersion.id == version_id)
    if lock:
        statement = statement.with_for_update()
    version = session.scalars(statement).one_or_none()
    if version is None:
        raise Problem.not_found()
    return version


def read_version(
    session: Session,
    user: User,
    version_id: int,
    action: str = "plan.read",
    *,
    lock: bool = False,
    enterprise: str | None = None,
) -> PlanVersion:
    """Load a version and authorize ``action`` on it (a draft is 404 but to planners).

    Parameters
    ----------
    session
        The request's session.
    user
        Who asks.
    version_id
        The version's id.
    action
        The matrix action.
    lock
        Lock its row (see :func:`load_version`).
    enterprise
        The enterprise of the object acted on (a submission's), or the one a list is
        limited to: another enterprise's is 404 to a director or workers' committee.

    Returns
    -------
    PlanVersion
    """
    version = load_version(session, version_id, lock=lock)
    audit.require(
        session,
        user,
        action,
        object_type=OBJECT,
        object_id=version.id,
        enterprise=enterprise,
        draft=version.status == "draft",
    )
    return version


def _expect(version: PlanVersion, if_match: str | None) -> int:
    expected = expected_row_version(if_match)
    if expected != version.row_version:
        raise Problem(412, f"The version has changed (it is at row version {version.row_version}).")
    return expected


def _set(session: Session, version: PlanVersion, expected: int, **values: Any) -> None:
    if not compare_and_set(session, PlanVersion, version.id, expected, **values):
        raise Problem(412, "The version changed while this request ran; read it again.")
    session.refresh(version)


def change_status(
    session: Session,
    user: User,
    version: PlanVersion,
    if_match: str | None,
    transition: str,
    action: str,
) -> dict[str, Any] | None:
    """Move ``version`` by ``transition`` with one compare-and-set, and audit it.

    Parameters
    ----------
    session
        The request's session.
    user
        Who acts (already authorized).
    version
        The version.
    if_match
        The ``If-Match`` header.
    transition
        The state machine's action (``"publish"``, ``"approve"``, ...).
    action
        The audit action.

    Returns
    -------
    dict
        The version's snapshot before the change.
    """
    expected = _expect(version, if_match)
    status = check_transition(version.status, transition)
    before = version_snapshot(version)
    _set(session, version, expected, status=status)
    audit.record(
        session,
        user=user,
        action=action,
        object_type=OBJECT,
        object_id=version.id,
        before=before,
        after=version_snapshot(version),
    )
    return before


def _spec_of(scenario: str | None, spec: dict[str, Any] | None) -> dict[str, Any]:
    try:
        if scenario is not None:
            return plan_compute.scenario_spec(scenario)
        assert spec is not None
        return plan_compute.canonical_spec(spec)
    except SpecInvalid as exc:
        errors = [{"field": f"body.{e['field']}", "message": e["message"]} for e in exc.errors]
        raise Problem.invalid(errors) from None


def _page(session: Session, statement: Any, limit: int, offset: int) -> tuple[list[Any], int]:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    items = list(session.scalars(statement.limit(limit).offset(offset)))
    return items, int(total or 0)


@router.get("/api/plans")
def list_plans(
    session: SessionDep,
    user: CurrentUser,
    page: PageQuery,
    name: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
) -> Page[PlanPublic]:
    """The plan versions (drafts only for planners), by plan name and number."""
    audit.require(session, user, "plan.read", object_type=OBJECT, object_id=None)
    statement = select(PlanVersion).order_by(PlanVersion.plan_name, PlanVersion.number)
    if user.role != "planner":
        statement = statement.where(PlanVersion.status != "draft")
    if name is not None:
        statement = statement.where(PlanVersion.plan_name == name)
    if status is not None:
        statement = statement.where(PlanVersion.status == status)
    items, total = _page(session, statement, page.limit, page.offset)
    return Page[PlanPublic](
        items=[to_public(v) for v in items], total=total, limit=page.limit, offset=page.offset
    )


def _next_number(session: Session, name: str) -> int:
    found = session.scalar(
        select(func.max(PlanVersion.number)).where(PlanVersion.plan_name == name)
    )
    return int(found or 0) + 1


def _insert(session: Session, version: PlanVersion) -> None:
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:
        raise Problem(
            409, "Another version of this plan was made at the same time; retry."
        ) from None


@router.post("/api/plans", status_code=201)
def create_plan(
    body: PlanCreate, session: SessionDep, user: CurrentUser, response: Response
) -> PlanDetail:
    """A new plan: version 1 (or the next number of that name), a draft."""
    audit.require(session, user, "plan.create", object_type=OBJECT, object_id=None)
    spec = _spec_of(body.scenario, body.spec)
    version = PlanVersion(
        plan_name=body.name,
        number=_next_number(session, body.name),
        status="draft",
        spec=spec,
        approval_policy=body.approval.policy,
        quorum=body.approval.quorum,
        row_version=1,
        created_by=user.id,
    )
    _insert(session, version)
    audit.record(
        session,
        user=user,
        action="plan.create",
        object_type=OBJECT,
        object_id=version.id,
        before=None,
        after=version_snapshot(version),
    )
    response.headers["Location"] = f"/api/plans/{version.id}"
    return to_detail(version, response)


@router.get("/api/plans/{version_id}")
def read_plan(
    version_id: ObjectId, session: SessionDep, user: CurrentUser, response: Response
) -> PlanDetail:
    """One version with its spec (``ETag``: its row version)."""
    return to_detail(read_version(session, user, version_id), response)


@router.patch("/api/plans/{version_id}")
def edit_plan(
    version_id: ObjectId,
    body: PlanUpdate,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> PlanDetail:
    """Change a draft's spec or approval policy (a new spec clears the result and figures)."""
    version = read_version(session, user, version_id, "plan.edit")
    expected = _expect(version, if_match)
    check_transition(version.status, "edit")
    values: dict[str, Any] = {}
    if body.scenario is not None or body.spec is not None:
        spec = _spec_of(body.scenario, body.spec)
        if plan_compute.spec_digest(spec) != plan_compute.spec_digest(version.spec):
            values.update(spec=spec, result=None)
    if body.approval is not None:
        values.update(approval_policy=body.approval.policy, quorum=body.approval.quorum)
    before = version_snapshot(version)
    _set(session, version, expected, **values)
    if "spec" in values:
        session.execute(delete(ControlFigure).where(ControlFigure.plan_version_id == version.id))
    audit.record(
        session,
        user=user,
        action="plan.edit",
        object_type=OBJECT,
        object_id=version.id,
        before=before,
        after=version_snapshot(version),
    )
    return to_detail(version, response)


@router.post("/api/plans/{version_id}/solve", status_code=202)
def solve_plan(
    version_id: ObjectId,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> JobPublic:
    """Queue a job solving the draft (``Location``: the job); its result lands on the version."""
    version = read_version(session, user, version_id, "plan.solve")
    expected = _expect(version, if_match)
    check_transition(version.status, "solve")
    before = version_snapshot(version)
    _set(session, version, expected)
    job = jobs.submit(
        session,
        kind="solve",
        parameters={"spec": version.spec},
        user=user,
        plan_version_id=version.id,
    )
    audit.record(
        session,
        user=user,
        action="plan.solve",
        object_type=OBJECT,
        object_id=version.id,
        before=before,
        after={**(version_snapshot(version) or {}), "job_id": job.id},
    )
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return JobPublic.model_validate(job)


@router.post("/api/plans/{version_id}/publish")
def publish_plan(
    version_id: ObjectId,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> PlanDetail:
    """Publish a solved draft: from now on it is immutable."""
    version = read_version(session, user, version_id, "plan.publish")
    _expect(version, if_match)
    check_transition(version.status, "publish")
    if version.result is None:
        raise Problem(409, "The version has no result yet: solve it before publishing.")
    change_status(session, user, version, if_match, "publish", "plan.publish")
    return to_detail(version, response)


@router.post("/api/plans/{version_id}/open")
def open_plan(
    version_id: ObjectId,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> PlanDetail:
    """Open a published version for counter-plans."""
    version = read_version(session, user, version_id, "plan.open")
    change_status(session, user, version, if_match, "open", "plan.open")
    return to_detail(version, response)


@router.post("/api/plans/{version_id}/versions", status_code=201)
def derive_plan(
    version_id: ObjectId, session: SessionDep, user: CurrentUser, response: Response
) -> PlanDetail:
    """A new draft of the same plan whose parent is this version (its spec copied)."""
    parent = read_version(session, user, version_id, "plan.derive")
    version = PlanVersion(
        plan_name=parent.plan_name,
        number=_next_number(session, parent.plan_name),
        parent_id=parent.id,
        status="draft",
        spec=parent.spec,
        approval_policy=parent.approval_policy,
        quorum=parent.quorum,
        row_version=1,
        created_by=user.id,
    )
    _insert(session, version)
    audit.record(
        session,
        user=user,
        action="plan.derive",
        object_type=OBJECT,
        object_id=version.id,
        before=None,
        after=version_snapshot(version),
        detail=f"derived from version {parent.id}",
    )
    response.headers["Location"] = f"/api/plans/{version.id}"
    return to_detail(version, response)


@router.get("/api/plans/{version_id}/diff/{other_id}")
def diff_plans(
    version_id: ObjectId, other_id: ObjectId, session: SessionDep, user: CurrentUser
) -> DiffPublic:
    """What differs from this version to the other: status, approval, spec, activity levels."""
    version = read_version(session, user, version_id)
    other = read_version(session, user, other_id)
    status = None
    if version.status != other.status:
        status = {"from": version.status, "to": other.status}
    approval = None
    mine = {"policy": version.approval_policy, "quorum": version.quorum}
    theirs = {"policy": other.approval_policy, "quorum": other.quorum}
    if mine != theirs:
        approval = {"from": mine, "to": theirs}
    levels = None
    if version.result is not None and other.result is not None:
        levels = plan_compute.diff_results(version.result, other.result)
    return DiffPublic(
        version=version.id,
        other=other.id,
        status=status,
        approval=approval,
        spec=plan_compute.diff_specs(version.spec, other.spec),
        activity_levels=levels,
    )


@router.get("/api/plans/{version_id}/enterprises")
def plan_enterprises(
    version_id: ObjectId, session: SessionDep, user: CurrentUser, page: PageQuery
) -> Page[EnterprisePublic]:
    """The enterprises of the version's economy, with their activity and industry."""
    version = read_version(session, user, version_id)
    rows = plan_compute.enterprises(version.spec)
    chosen = rows[page.offset : page.offset + page.limit]
    return Page[EnterprisePublic](
        items=[EnterprisePublic.model_validate(r) for r in chosen],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )
