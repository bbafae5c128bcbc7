"""Plan versions: the list (``/``), one version, the differences of two, and the approval.

Read straight from the models, with the API's rules: drafts are shown to planners only
(404 to the others). A version's page shows as buttons the actions the user's role may take
from its status; the buttons call the JSON API (``If-Match`` from the page's ETag).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gosplan_service.api import plans as plans_api
from gosplan_service.api.deps import ObjectId, PageQuery, SessionDep, etag
from gosplan_service.models import AuditEvent, ControlFigure, PlanVersion, User, Vote
from gosplan_service.pages.common import PageRoute, PageUser, allowed, render, version_or_404
from gosplan_service.workflow import TRANSITIONS

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: The buttons of a version's page: (action, matrix action, label, API path after the id).
ACTIONS = (
    ("solve", "plan.solve", "Solve", "solve"),
    ("publish", "plan.publish", "Publish", "publish"),
    ("open", "plan.open", "Open for counter-plans", "open"),
    ("approve", "plan.approve", "Approve (sign)", "approve"),
    ("reject", "plan.approve", "Reject", "reject"),
)
#: The most rows a difference table shows.
MAX_DIFF_ROWS = 500


@router.get("/")
def versions_list(
    request: Request, session: SessionDep, user: PageUser, page: PageQuery
) -> Response:
    """The plan versions the user may see, newest first (paged).

    Parameters
    ----------
    request
        The request.
    session
        The request's session.
    user
        Who looks.
    page
        ``limit`` and ``offset``.

    Returns
    -------
    fastapi.Response
    """
    query = select(PlanVersion)
    if user.role != "planner":
        query = query.where(PlanVersion.status != "draft")
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    versions = session.scalars(
        query.order_by(PlanVersion.plan_name, PlanVersion.number.desc())
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    context = {"versions": versions, "total": total, "page": page}
    return render(request, "versions.html", context, user=user)


def available_actions(user: User, version: PlanVersion) -> list[dict[str, str]]:
    """The buttons for ``version``: actions the role may take from its status.

    Parameters
    ----------
    user
        Who looks.
    version
        The version.

    Returns
    -------
    list of dict
        ``action``, ``label``, ``url`` (the API's) and ``then`` (where to go afterwards:
        ``reload``, a path with ``{id}`` from the answer, or empty for the job's page).
    """
    moves = TRANSITIONS.get(version.status, {})
    buttons = []
    for action, permission, label, path in ACTIONS:
        if action not in moves or not allowed(user, permission):
            continue
        if permission == "plan.approve" and version.approval_policy != "single":
            continue
        if action == "solve" and version.status != "draft":
            continue
        then = "" if action == "solve" else "reload"
        url = f"/api/plans/{version.id}/{path}"
        buttons.append({"action": action, "label": label, "url": url, "then": then})
    if allowed(user, "plan.derive") and version.status != "draft":
        url = f"/api/plans/{version.id}/versions"
        buttons.append(
            {"action": "derive", "label": "Derive a new draft", "url": url, "then": "/plans/{id}"}
        )
    return buttons


@router.get("/plans/{version_id}")
def version_page(
    request: Request, version_id: ObjectId, session: SessionDep, user: PageUser
) -> Response:
    """One plan version: status, approval policy, parent, ETag, and the allowed actions.

    Parameters
    ----------
    request
        The request.
    version_id
        The version's id.
    session
        The request's session.
    user
        Who looks.

    Returns
    -------
    fastapi.Response
    """
    version = version_or_404(session, user, version_id)
    parent = version.parent
    if parent is not None and parent.status == "draft" and user.role != "planner":
        parent = None
    figures = session.scalar(
        select(func.count()).where(ControlFigure.plan_version_id == version.id)
    )
    context = {
        "version": version,
        "parent": parent,
        "etag": etag(version.row_version),
        "actions": available_actions(user, version),
        "figure_count": figures or 0,
        "solved": version.result is not None,
    }
    response = render(request, "version.html", context, user=user)
    response.headers["ETag"] = etag(version.row_version)
    return response


def _text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


def _key_text(key: dict[str, Any]) -> str:
    return ", ".join(f"{k} {_text(v)}" for k, v in key.items())


def difference_rows(diff: dict[str, Any]) -> list[dict[str, str]]:
    """The API's difference document as rows: what, where, and the two values.

    Parameters
    ----------
    diff
        What ``GET /api/plans/{id}/diff/{other}`` answers (as JSON).

    Returns
    -------
    list of dict
        ``what``, ``where``, ``one`` and ``other`` (text; empty where there is none).
    """
    rows = []
    if diff.get("status"):
        rows.append({"what": "status", "where": ""} | _pair(diff["status"]))
    if diff.get("approval"):
        rows.append({"what": "approval", "where": ""} | _pair(diff["approval"]))
    spec = diff.get("spec") or {}
    for key, change in (spec.get("settings") or {}).items():
        rows.append({"what": "setting", "where": key} | _pair(change))
    for name, table in (spec.get("tables") or {}).items():
        for row in table.get("removed", []):
            rows.append(
                {"what": f"{name}: row removed", "where": "", "one": _text(row), "other": ""}
            )
        for row in table.get("added", []):
            rows.append({"what": f"{name}: row added", "where": "", "one": "", "other": _text(row)})
        for change in table.get("changed", []):
            for column, cell in change.get("cells", {}).items():
                where = f"{_key_text(change.get('key', {}))}; {column}"
                rows.append({"what": name, "where": where} | _pair(cell))
    return rows[:MAX_DIFF_ROWS]


def _pair(change: dict[str, Any]) -> dict[str, str]:
    return {"one": _text(change.get("from")), "other": _text(change.get("to"))}


def figure_differences(session: Session, one: int, other: int) -> list[dict[str, Any]]:
    """The annual control figures (output by enterprise, product, period) that differ.

    Parameters
    ----------
    session
        The request's session.
    one, other
        The versions' ids.

    Returns
    -------
    list of dict
        ``enterprise``, ``product``, ``period``, ``one``, ``other`` (``None`` where the
        version has no such figure) and ``change``.
    """

    def outputs(version_id: int) -> dict[tuple[str, str, int], float]:
        rows = session.execute(
            select(
                ControlFigure.enterprise,
                ControlFigure.product,
                ControlFigure.period,
                func.sum(ControlFigure.output),
            )
            .where(ControlFigure.plan_version_id == version_id, ControlFigure.month == 0)
            .group_by(ControlFigure.enterprise, ControlFigure.product, ControlFigure.period)
        ).all()
        return {(e, p, t): float(q) for e, p, t, q in rows}

    left, right = outputs(one), outputs(other)
    found = []
    for key in sorted(set(left) | set(right)):
        a, b = left.get(key), right.get(key)
        if a is None or b is None or abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)):
            change = None if a is None or b is None else b - a
            found.append(
                {"enterprise": key[0], "product": key[1], "period": key[2], "one": a, "other": b}
                | {"change": change}
            )
    return found[:MAX_DIFF_ROWS]


@router.get("/plans/{version_id}/diff/{other_id}")
def diff_page(
    request: Request, version_id: ObjectId, other_id: ObjectId, session: SessionDep, user: PageUser
) -> Response:
    """The differences between two versions: their fields, specs and control figures.

    Parameters
    ----------
    request
        The request.
    version_id, other_id
        The versions' ids.
    session
        The request's session.
    user
        Who looks.

    Returns
    -------
    fastapi.Response
    """
    one = version_or_404(session, user, version_id)
    other = version_or_404(session, user, other_id)
    diff = plans_api.diff_plans(one.id, other.id, session, user).model_dump(mode="json")
    figures = figure_differences(session, one.id, other.id) if allowed(user, "figures.read") else []
    if user.role in ("director", "workers_committee"):
        figures = [row for row in figures if row["enterprise"] == user.enterprise]
    context = {
        "one": one,
        "other": other,
        "fields": difference_rows(diff),
        "levels": (diff.get("activity_levels") or [])[:MAX_DIFF_ROWS],
        "figures": figures,
        "limit": MAX_DIFF_ROWS,
    }
    return render(request, "diff.html", context, user=user)


@router.get("/plans/{version_id}/approval")
def approval_page(
    request: Request, version_id: ObjectId, session: SessionDep, user: PageUser
) -> Response:
    """The approval: one signature (``single``), or the committee's votes (``quorum``).

    Parameters
    ----------
    request
        The request.
    version_id
        The version's id.
    session
        The request's session.
    user
        Who looks.

    Returns
    -------
    fastapi.Response
    """
    version = version_or_404(session, user, version_id)
    votes = session.execute(
        select(Vote, User.name)
        .join(User, User.id == Vote.user_id)
        .where(Vote.plan_version_id == version.id)
        .order_by(Vote.created_at, Vote.id)
    ).all()
    signatures = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "plan_version",
            AuditEvent.object_id == str(version.id),
            AuditEvent.outcome == "done",
            AuditEvent.action.in_(("plan.approve", "plan.reject", "approve", "reject")),
        )
        .order_by(AuditEvent.id)
    ).all()
    open_now = version.status == "counter_plans_open"
    mine = next((vote for vote, name in votes if vote.user_id == user.id), None)
    context = {
        "version": version,
        "etag": etag(version.row_version),
        "votes": votes,
        "approvals": sum(1 for vote, _ in votes if vote.decision == "approve"),
        "rejections": sum(1 for vote, _ in votes if vote.decision == "reject"),
        "signatures": signatures,
        "can_sign": open_now
        and version.approval_policy == "single"
        and allowed(user, "plan.approve"),
        "can_vote": open_now
        and version.approval_policy == "quorum"
        and allowed(user, "plan.vote")
        and mine is None,
        "my_vote": mine,
    }
    return render(request, "approval.html", context, user=user)
