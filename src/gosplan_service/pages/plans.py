"""Plan versions: the list (``/``, with a "New plan" form), one version, differences, approval.

Read straight from the models, with the API's rules: drafts are shown to planners only
(404 to the others). A version's page shows as buttons the actions the user's role may take
from its status; the buttons call the JSON API (``If-Match`` from the page's ETag).

The "New plan" form posts JSON to ``POST /api/plans`` from ``static/pages.js`` and goes to
the new version's page; without JavaScript it posts the form to ``/plans/new``, which calls
the same endpoint function and shows its problem next to the form.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gosplan_service import audit
from gosplan_service.api import plans as plans_api
from gosplan_service.api.deps import ObjectId, PageParams, PageQuery, SessionDep, etag
from gosplan_service.models import AuditEvent, ControlFigure, PlanVersion, User, Vote
from gosplan_service.pages.common import (
    PageRoute,
    PageUser,
    allowed,
    render,
    version_or_404,
)
from gosplan_service.plan_schemas import PlanCreate
from gosplan_service.problems import Problem, field_name
from gosplan_service.settings import NAME_LENGTH
from gosplan_service.workflow import TRANSITIONS

__all__ = ["available_actions", "plan_create_body", "router", "scenario_choices"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: The buttons of a version's page: (action, matrix action, label, API path after the id).
ACTIONS = (
    ("solve", "plan.solve", "Solve", "solve"),
    ("publish", "plan.publish", "Publish", "publish"),
    ("open", "plan.open", "Open for counter-plans", "open"),
    ("approve", "plan.approve", "Approve (sign)", "approve"),
    ("reject", "plan.approve", "Reject", "reject"),
)
#: A committee member's buttons on a quorum version: (decision, label).
VOTES = (("approve", "Vote to approve"), ("reject", "Vote to reject"))
#: What the "New plan" form starts with.
NEW_PLAN = {"name": "", "scenario": "ussr-1928/basic", "policy": "single", "quorum": ""}
#: A whole number as a form sends it.
WHOLE = re.compile(r"^[+-]?\d{1,9}$")
#: The most rows a difference table shows.
MAX_DIFF_ROWS = 500


@functools.cache
def scenario_choices() -> tuple[str, ...]:
    """The bundled scenarios the API accepts, as ``NAME/VARIANT`` (``ussr-1928/basic``, ...).

    Returns
    -------
    tuple of str
    """
    from gosplan.datasets import list_scenarios, list_specs

    return tuple(f"{name}/{variant}" for name in list_scenarios() for variant in list_specs(name))


def _versions_page(
    request: Request,
    session: Session,
    user: User,
    page: PageParams,
    *,
    form: dict[str, str] | None = None,
    problem: Problem | None = None,
) -> Response:
    query = select(PlanVersion)
    if user.role != "planner":
        query = query.where(PlanVersion.status != "draft")
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    versions = session.scalars(
        query.order_by(PlanVersion.plan_name, PlanVersion.number.desc())
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    context = {
        "versions": versions,
        "total": total,
        "page": page,
        "scenarios": scenario_choices() if allowed(user, "plan.create") else (),
        "form": NEW_PLAN | (form or {}),
        "problem": None if problem is None else problem.to_dict(),
    }
    status = 200 if problem is None else problem.status
    return render(request, "versions.html", context, user=user, status_code=status)


@router.get("/")
def versions_list(
    request: Request, session: SessionDep, user: PageUser, page: PageQuery
) -> Response:
    """The plan versions the user may see, newest first (paged); planners get a form too.

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
    return _versions_page(request, session, user, page)


def plan_create_body(form: dict[str, str]) -> dict[str, Any]:
    """The JSON body of ``POST /api/plans`` for what the "New plan" form sent.

    As ``static/pages.js`` builds it: ``quorum`` a whole number (other text is passed on,
    for the API to refuse and name), ``None`` when empty.

    Parameters
    ----------
    form
        ``name``, ``scenario``, ``policy`` and ``quorum`` as text.

    Returns
    -------
    dict
        ``{"name": ..., "scenario": ..., "approval": {"policy": ..., "quorum": ...}}``.
    """
    text = form.get("quorum", "").strip()
    quorum: int | str | None = int(text) if WHOLE.match(text) else (text or None)
    approval = {"policy": form.get("policy", ""), "quorum": quorum}
    return {
        "name": form.get("name", ""),
        "scenario": form.get("scenario", ""),
        "approval": approval,
    }


FormText = Annotated[str, Form(max_length=NAME_LENGTH)]


@router.post("/plans/new")
def new_plan_submit(
    request: Request,
    session: SessionDep,
    user: PageUser,
    page: PageQuery,
    name: FormText = "",
    scenario: FormText = "",
    policy: FormText = "",
    quorum: FormText = "",
) -> Response:
    """The "New plan" form without JavaScript: create the plan as ``POST /api/plans`` does.

    Parameters
    ----------
    request
        The request.
    session
        The request's session.
    user
        Who creates (a planner; another role gets the 403 page, audited).
    page
        The list's ``limit`` and ``offset`` (to show the list again).
    name, scenario, policy, quorum
        What the form sent.

    Returns
    -------
    fastapi.Response
        303 to the new version's page, or the list with the form and the API's problem.
    """
    audit.require(session, user, "plan.create", object_type="plan_version", object_id=None)
    form = {"name": name, "scenario": scenario, "policy": policy, "quorum": quorum}
    try:
        body = PlanCreate.model_validate(plan_create_body(form))
        created = plans_api.create_plan(body, session, user, Response())
    except ValidationError as exc:
        fields = [
            {"field": field_name(("body", *e["loc"])), "message": str(e["msg"])}
            for e in exc.errors(include_url=False)
        ]
        problem = Problem.invalid(fields)
    except Problem as refused:
        problem = refused
    else:
        return RedirectResponse(f"/plans/{created.id}", status_code=303)
    session.rollback()
    return _versions_page(request, session, user, page, form=form, problem=problem)


def _button(action: str, label: str, url: str, then: str, body: str = "{}") -> dict[str, str]:
    return {"action": action, "label": label, "url": url, "then": then, "body": body}


def available_actions(
    user: User, version: PlanVersion, *, voted: bool = False
) -> list[dict[str, str]]:
    """The buttons for ``version``: actions the role may take from its status.

    Parameters
    ----------
    user
        Who looks.
    version
        The version.
    voted
        ``user`` has voted on it already (no vote buttons then).

    Returns
    -------
    list of dict
        ``action``, ``label``, ``url`` (the API's), ``body`` (JSON) and ``then`` (where to
        go afterwards: ``reload``, a path with ``{id}`` from the answer, or empty for the
        job's page).
    """
    moves = TRANSITIONS.get(version.status, {})
    base = f"/api/plans/{version.id}"
    buttons = []
    for action, permission, label, path in ACTIONS:
        if action not in moves or not allowed(user, permission):
            continue
        if permission == "plan.approve" and version.approval_policy != "single":
            continue
        if action == "publish" and version.result is None:
            continue
        then = "" if action == "solve" else "reload"
        buttons.append(_button(action, label, f"{base}/{path}", then))
    if (
        "vote" in moves
        and allowed(user, "plan.vote")
        and version.approval_policy == "quorum"
        and not voted
    ):
        for decision, label in VOTES:
            body = json.dumps({"decision": decision})
            buttons.append(_button(f"vote-{decision}", label, f"{base}/votes", "reload", body))
    if allowed(user, "plan.derive") and version.status != "draft":
        buttons.append(_button("derive", "Derive a new draft", f"{base}/versions", "/plans/{id}"))
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
    voted = session.scalar(
        select(Vote.id).where(Vote.plan_version_id == version.id, Vote.user_id == user.id)
    )
    context = {
        "version": version,
        "parent": parent,
        "etag": etag(version.row_version),
        "actions": available_actions(user, version, voted=voted is not None),
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
