"""What the reports add up to: the socialist competition and the alerts of a plan version.

Computed by the API's own functions (:mod:`gosplan_service.api.results`, which call the
library), so a page shows exactly what ``GET /api/plans/{id}/competition`` and
``.../alerts`` answer, with the same rules (enterprise roles see their own alerts only).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from gosplan_service.api import results
from gosplan_service.api.deps import ObjectId, SessionDep
from gosplan_service.pages.common import PageRoute, PageUser, render, version_or_404

__all__ = ["ALERT_COLUMNS", "COMPETITION_COLUMNS", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: Columns of the competition table: (key of a row, header).
COMPETITION_COLUMNS = (
    ("rank", "Rank"),
    ("enterprise", "Enterprise"),
    ("period", "Period"),
    ("month", "Month"),
    ("value", "Value"),
)
#: Columns of the alerts table: (key of a row, header).
ALERT_COLUMNS = (
    ("enterprise", "Enterprise"),
    ("product", "Product"),
    ("period", "Period"),
    ("month", "Month"),
    ("value", "Fulfilment"),
    ("probability", "Probability of a change"),
    ("direction", "Direction"),
    ("level", "Level"),
    ("reports", "Reports"),
)
MEASURES = {
    "fulfilment": "cumulative fulfilment (actual / planned output)",
    "growth": "growth of output over the previous period",
}


@router.get("/plans/{version_id}/competition")
def competition_page(
    request: Request,
    version_id: ObjectId,
    session: SessionDep,
    user: PageUser,
    measure: Annotated[Literal["fulfilment", "growth"], Query()] = "fulfilment",
) -> Response:
    """Every enterprise ranked by its fulfilment (or growth), period by period.

    Parameters
    ----------
    request
        The request.
    version_id
        The version's id.
    session
        The request's session.
    user
        Who looks (every role).
    measure
        ``fulfilment`` or ``growth``.

    Returns
    -------
    fastapi.Response
    """
    version = version_or_404(session, user, version_id)
    answer = results.read_competition(version.id, session, user, measure)
    context = {
        "version": version,
        "rows": answer.rows,
        "columns": COMPETITION_COLUMNS,
        "measure": measure,
        "measures": MEASURES,
    }
    return render(request, "competition.html", context, user=user)


@router.get("/plans/{version_id}/alerts")
def alerts_page(
    request: Request, version_id: ObjectId, session: SessionDep, user: PageUser
) -> Response:
    """The alerts open on the reports: falls and rises of fulfilment, escalated.

    Parameters
    ----------
    request
        The request.
    version_id
        The version's id.
    session
        The request's session.
    user
        Who looks (enterprise roles: their own enterprise's alerts).

    Returns
    -------
    fastapi.Response
    """
    version = version_or_404(session, user, version_id)
    answer = results.read_alerts(version.id, session, user)
    context = {"version": version, "rows": answer.rows, "columns": ALERT_COLUMNS}
    return render(request, "alerts.html", context, user=user)
