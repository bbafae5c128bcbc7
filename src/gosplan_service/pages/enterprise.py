"""An enterprise's pages: control figures, counter-plans (a form and one offer) and reports.

Directors and workers' committees see their own enterprise only: asking for another
enterprise's figures or counter-plan answers a 404 page (as the API does). The forms post to
the JSON API from ``static/pages.js`` (with an ``Idempotency-Key``).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from gosplan_service import audit
from gosplan_service.api.deps import ObjectId, SessionDep
from gosplan_service.models import ControlFigure, CounterPlan, FulfilmentReport, PlanVersion
from gosplan_service.pages.common import (
    PageRoute,
    PageUser,
    allowed,
    render,
    version_or_404,
)
from gosplan_service.permissions import ENTERPRISE_ROLES
from gosplan_service.problems import Problem
from gosplan_service.settings import NAME_LENGTH

__all__ = ["check_tables", "product_units", "router"]

log = logging.getLogger(__name__)
#: How a stored spec names a bundled scenario's economy.
SCENARIO_PREFIX = "scenario:"

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: The most figure rows one page shows.
MAX_FIGURE_ROWS = 2000
#: Empty rows a new form starts with.
FORM_ROWS = 3

EnterpriseQuery = Annotated[str | None, Query(max_length=NAME_LENGTH)]
PeriodQuery = Annotated[int | None, Query(ge=0, le=10_000)]


@functools.lru_cache(maxsize=8)
def _scenario_units(scenario: str) -> dict[str, str]:
    from gosplan.datasets import scenario_path
    from gosplan.io import read_economy

    economy = read_economy(Path(scenario_path(scenario)))
    if "unit" not in economy.products.columns:
        return {}
    units = economy.products["unit"]
    return {str(label): str(unit) for label, unit in units.items() if isinstance(unit, str)}


def product_units(spec: Any) -> dict[str, str]:
    """The unit of each product, as the library gives it for the spec's economy.

    Parameters
    ----------
    spec
        The plan version's spec (JSON; its ``economy`` is ``scenario:NAME``).

    Returns
    -------
    dict of str to str
        Empty where the economy is not a bundled scenario or names no units.
    """
    economy = spec.get("economy") if isinstance(spec, dict) else None
    if not isinstance(economy, str) or not economy.startswith(SCENARIO_PREFIX):
        return {}
    try:
        return _scenario_units(economy.removeprefix(SCENARIO_PREFIX))
    except Exception:  # an unknown or unreadable scenario: the table goes without units
        log.warning("no units for the economy %r", economy, exc_info=True)
        return {}


def _figure_enterprise(
    session: SessionDep, user: PageUser, version: PlanVersion, enterprise: str | None
) -> str | None:
    """The enterprise a figures page is limited to (404 for another's, audited, as the API)."""
    wanted = enterprise
    if wanted is None and user.role in ENTERPRISE_ROLES:
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
    return wanted


@router.get("/plans/{version_id}/figures")
def figures_page(
    request: Request,
    version_id: ObjectId,
    session: SessionDep,
    user: PageUser,
    enterprise: EnterpriseQuery = None,
    period: PeriodQuery = None,
) -> Response:
    """The control figures of a version: the user's enterprise, or all (or one asked for).

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
    enterprise
        Only this enterprise (a director's own, or any for the other roles).
    period
        Only this period.

    Returns
    -------
    fastapi.Response
    """
    version = version_or_404(session, user, version_id)
    shown = _figure_enterprise(session, user, version, enterprise or None)
    query = select(ControlFigure).where(ControlFigure.plan_version_id == version.id)
    if shown is not None:
        query = query.where(ControlFigure.enterprise == shown)
    if period is not None:
        query = query.where(ControlFigure.period == period)
    rows = session.scalars(
        query.order_by(
            ControlFigure.enterprise,
            ControlFigure.period,
            ControlFigure.month,
            ControlFigure.activity,
            ControlFigure.product,
        ).limit(MAX_FIGURE_ROWS + 1)
    ).all()
    context = {
        "version": version,
        "rows": rows[:MAX_FIGURE_ROWS],
        "truncated": len(rows) > MAX_FIGURE_ROWS,
        "units": product_units(version.spec),
        "enterprise": shown,
        "period": period,
    }
    return render(request, "figures.html", context, user=user)


def _enterprise_products(
    session: SessionDep, version: PlanVersion, enterprise: str | None
) -> list[str]:
    query = (
        select(ControlFigure.product).distinct().where(ControlFigure.plan_version_id == version.id)
    )
    if enterprise is not None:
        query = query.where(ControlFigure.enterprise == enterprise)
    return sorted(session.scalars(query.limit(1000)).all())


@router.get("/plans/{version_id}/counter-plans/new")
def counter_plan_form(
    request: Request, version_id: ObjectId, session: SessionDep, user: PageUser
) -> Response:
    """The counter-plan form: rows of extra output by period (and new input norms).

    Parameters
    ----------
    request
        The request.
    version_id
        The version's id.
    session
        The request's session.
    user
        Who offers (a director or a workers' committee).

    Returns
    -------
    fastapi.Response
    """
    version = version_or_404(session, user, version_id)
    audit.require(
        session,
        user,
        "counter_plan.submit",
        object_type="plan_version",
        object_id=version.id,
        enterprise=user.enterprise,
        draft=version.status == "draft",
    )
    if version.status != "counter_plans_open":
        raise Problem(409, f"This version is {version.status}: it takes no counter-plans now.")
    mine = session.scalars(
        select(CounterPlan)
        .where(CounterPlan.plan_version_id == version.id, CounterPlan.enterprise == user.enterprise)
        .order_by(CounterPlan.id.desc())
    ).all()
    context = {
        "version": version,
        "rows": range(FORM_ROWS),
        "products": _enterprise_products(session, version, user.enterprise),
        "mine": mine,
    }
    return render(request, "counter_plan_new.html", context, user=user)


@router.get("/counter-plans/{counter_plan_id}")
def counter_plan_page(
    request: Request, counter_plan_id: ObjectId, session: SessionDep, user: PageUser
) -> Response:
    """One counter-plan: its rows, its status and its check (what is missing upstream).

    Parameters
    ----------
    request
        The request.
    counter_plan_id
        The counter-plan's id.
    session
        The request's session.
    user
        Who looks.

    Returns
    -------
    fastapi.Response
    """
    offer = session.get(CounterPlan, counter_plan_id)
    if offer is None:
        raise Problem.not_found()
    version = session.get(PlanVersion, offer.plan_version_id)
    assert version is not None
    audit.require(
        session,
        user,
        "counter_plan.read",
        object_type="counter_plan",
        object_id=offer.id,
        enterprise=offer.enterprise,
        draft=version.status == "draft",
    )
    check = offer.check_result or {}
    context = {
        "offer": offer,
        "version": version,
        "check": check,
        "tables": check_tables(check),
        "columns": list(dict.fromkeys(key for row in offer.rows for key in row)),
        "can_withdraw": offer.status in ("submitted", "checked")
        and allowed(user, "counter_plan.withdraw"),
    }
    return render(request, "counter_plan.html", context, user=user)


#: The tables of a stored check: (key, caption, text when empty).
CHECK_TABLES = (
    (
        "missing",
        "What is missing upstream to accept the counter-plan in full",
        "Nothing is missing: the plan's slack covers it.",
    ),
    ("starved", "Targets that would fall short", "No target falls short."),
)


def check_tables(check: Any) -> list[dict[str, Any]]:
    """The tables of a stored check (``missing``, ``starved``), each with its columns.

    Parameters
    ----------
    check
        The check's JSON (``{"ok": true, "missing": [{...}, ...], "starved": [...], ...}``).

    Returns
    -------
    list of dict
        ``name``, ``caption``, ``empty``, ``columns`` and ``rows`` (lists of cells).
    """
    if not isinstance(check, dict):
        return []
    tables = []
    for name, caption, empty in CHECK_TABLES:
        records = check.get(name)
        if not isinstance(records, list):
            continue
        records = [r for r in records if isinstance(r, dict)]
        columns = list(dict.fromkeys(key for record in records for key in record))
        rows = [[record.get(c) for c in columns] for record in records]
        tables.append(
            {"name": name, "caption": caption, "empty": empty, "columns": columns, "rows": rows}
        )
    return tables


@router.get("/plans/{version_id}/reports/new")
def report_form(
    request: Request, version_id: ObjectId, session: SessionDep, user: PageUser
) -> Response:
    """The fulfilment report form (a director's), with the enterprise's reports so far.

    Parameters
    ----------
    request
        The request.
    version_id
        The version's id.
    session
        The request's session.
    user
        Who reports.

    Returns
    -------
    fastapi.Response
    """
    version = version_or_404(session, user, version_id)
    audit.require(
        session,
        user,
        "report.submit",
        object_type="plan_version",
        object_id=version.id,
        enterprise=user.enterprise,
        draft=version.status == "draft",
    )
    if version.status != "approved":
        raise Problem(409, f"This version is {version.status}: reports are for approved plans.")
    reports = session.scalars(
        select(FulfilmentReport)
        .where(
            FulfilmentReport.plan_version_id == version.id,
            FulfilmentReport.enterprise == user.enterprise,
        )
        .order_by(FulfilmentReport.period, FulfilmentReport.id)
    ).all()
    context = {
        "version": version,
        "rows": range(FORM_ROWS),
        "products": _enterprise_products(session, version, user.enterprise),
        "units": product_units(version.spec),
        "reports": reports,
    }
    return render(request, "report_new.html", context, user=user)
