"""Approving plan versions: by one approver (``single``) or by a committee's votes (``quorum``).

``POST /api/plans/{id}/approve`` and ``/reject`` (an approver; a ``single`` version open for
counter-plans; ``If-Match``). ``POST /api/plans/{id}/votes`` (a committee member; a
``quorum`` version open for counter-plans): the version's row is locked before the votes
are counted (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the request's transaction
is ``IMMEDIATE``, so counts are serialised), one vote per member (409 on a second). When
the approvals reach the quorum the version is approved; when the rejections leave fewer
possible approvals than the quorum (out of the active committee members) it is rejected.
An approval supersedes the version of the same plan approved before it.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gosplan_service import audit
from gosplan_service.api.deps import CurrentUser, ObjectId, PageQuery, SessionDep
from gosplan_service.api.plans import IfMatch, change_status, read_version, to_detail
from gosplan_service.db import compare_and_set
from gosplan_service.models import PlanVersion, User, Vote
from gosplan_service.plan_compute import version_snapshot
from gosplan_service.plan_schemas import Page, PlanDetail, VoteCreate, VotePublic, problem_responses
from gosplan_service.problems import Problem
from gosplan_service.workflow import check_transition

__all__ = ["router", "supersede_previous"]

router = APIRouter(tags=["approvals"], responses=problem_responses(403, 404, 409, 412, 428))
OBJECT = "plan_version"


def _policy(version: PlanVersion, wanted: str) -> None:
    if version.approval_policy != wanted:
        how = "by committee votes" if version.approval_policy == "quorum" else "by an approver"
        raise Problem(
            409,
            f"This version is approved {how} (policy {version.approval_policy!r}).",
            title="Conflict with the approval policy",
        )


def supersede_previous(session: Session, user: User, version: PlanVersion) -> None:
    """Mark the earlier approved versions of ``version``'s plan ``superseded`` (audited).

    Parameters
    ----------
    session
        The request's session.
    user
        Who approved ``version``.
    version
        The version just approved.
    """
    earlier = session.scalars(
        select(PlanVersion)
        .where(
            PlanVersion.plan_name == version.plan_name,
            PlanVersion.status == "approved",
            PlanVersion.id != version.id,
        )
        .with_for_update()
    ).all()
    for old in earlier:
        status = check_transition(old.status, "supersede")
        before = version_snapshot(old)
        if not compare_and_set(session, PlanVersion, old.id, old.row_version, status=status):
            raise Problem(409, "An earlier version changed at the same time; retry.")
        session.refresh(old)
        audit.record(
            session,
            user=user,
            action="plan.supersede",
            object_type=OBJECT,
            object_id=old.id,
            before=before,
            after=version_snapshot(old),
            detail=f"superseded by version {version.id}",
        )


@router.post("/api/plans/{version_id}/approve")
def approve_plan(
    version_id: ObjectId,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> PlanDetail:
    """Approve a ``single`` version open for counter-plans (an approver)."""
    version = read_version(session, user, version_id, "plan.approve")
    _policy(version, "single")
    change_status(session, user, version, if_match, "approve", "plan.approve")
    supersede_previous(session, user, version)
    return to_detail(version, response)


@router.post("/api/plans/{version_id}/reject")
def reject_plan(
    version_id: ObjectId,
    session: SessionDep,
    user: CurrentUser,
    response: Response,
    if_match: IfMatch = None,
) -> PlanDetail:
    """Reject a ``single`` version open for counter-plans (an approver)."""
    version = read_version(session, user, version_id, "plan.approve")
    _policy(version, "single")
    change_status(session, user, version, if_match, "reject", "plan.reject")
    return to_detail(version, response)


def _counts(session: Session, version_id: int) -> tuple[int, int]:
    rows = session.execute(
        select(Vote.decision, func.count())
        .where(Vote.plan_version_id == version_id)
        .group_by(Vote.decision)
    ).all()
    found = {decision: int(count) for decision, count in rows}
    return found.get("approve", 0), found.get("reject", 0)


def _members(session: Session) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "committee_member", User.active.is_(True))
    )
    return int(count or 0)


def _decide(session: Session, user: User, version: PlanVersion) -> str | None:
    assert version.quorum is not None
    approvals, rejections = _counts(session, version.id)
    members = max(_members(session), approvals + rejections)
    if approvals >= version.quorum:
        transition, action = "approve", "plan.approve"
    elif members - rejections < version.quorum:
        transition, action = "reject", "plan.reject"
    else:
        return None
    status = check_transition(version.status, transition)
    before = version_snapshot(version)
    if not compare_and_set(session, PlanVersion, version.id, version.row_version, status=status):
        raise Problem(409, "The version changed while the votes were counted; retry.")
    session.refresh(version)
    audit.record(
        session,
        user=user,
        action=action,
        object_type=OBJECT,
        object_id=version.id,
        before=before,
        after=version_snapshot(version),
        detail=f"quorum {version.quorum}: {approvals} approve, {rejections} reject, "
        f"{members} members",
    )
    if status == "approved":
        supersede_previous(session, user, version)
    return status


@router.post("/api/plans/{version_id}/votes", status_code=201)
def vote(
    version_id: ObjectId, body: VoteCreate, session: SessionDep, user: CurrentUser
) -> VotePublic:
    """A committee member's vote on a ``quorum`` version open for counter-plans."""
    version = read_version(session, user, version_id, "plan.vote", lock=True)
    _policy(version, "quorum")
    check_transition(version.status, "vote")
    mine = session.scalar(
        select(Vote.id).where(Vote.plan_version_id == version.id, Vote.user_id == user.id)
    )
    if mine is not None:
        raise Problem(409, "You have voted on this version already.")
    ballot = Vote(plan_version_id=version.id, user_id=user.id, decision=body.decision)
    try:
        with session.begin_nested():
            session.add(ballot)
    except IntegrityError:
        raise Problem(409, "You have voted on this version already.") from None
    audit.record(
        session,
        user=user,
        action="plan.vote",
        object_type=OBJECT,
        object_id=version.id,
        before=None,
        after={"vote_id": ballot.id, "decision": ballot.decision},
    )
    _decide(session, user, version)
    return VotePublic.model_validate(ballot)


@router.get("/api/plans/{version_id}/votes")
def list_votes(
    version_id: ObjectId, session: SessionDep, user: CurrentUser, page: PageQuery
) -> Page[VotePublic]:
    """The votes cast on a version, oldest first."""
    version = read_version(session, user, version_id)
    statement = select(Vote).where(Vote.plan_version_id == version.id).order_by(Vote.id)
    total = session.scalar(
        select(func.count()).select_from(Vote).where(Vote.plan_version_id == version.id)
    )
    items = session.scalars(statement.limit(page.limit).offset(page.offset)).all()
    return Page[VotePublic](
        items=[VotePublic.model_validate(v) for v in items],
        total=int(total or 0),
        limit=page.limit,
        offset=page.offset,
    )
