"""What every page shares: the templates, the page route class, rendering and error pages.

- :data:`TEMPLATES`: the Jinja2 environment on ``gosplan_service/templates`` (autoescape on
  for every template, undefined names are errors);
- :class:`PageRoute`: a route class that turns a :class:`~gosplan_service.problems.Problem`
  (or a validation error) raised by a page or its dependencies into an HTML page: 401
  redirects to ``/login``, 403/404/409 show a clear message (never a traceback);
- :func:`render`: a template as an :class:`~fastapi.responses.HTMLResponse`;
- :func:`version_or_404`: a plan version the user may read, as the API decides.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.orm import Session

from gosplan_service import audit
from gosplan_service.api.deps import CurrentUser
from gosplan_service.api.plans import load_version
from gosplan_service.models import PlanVersion, User
from gosplan_service.permissions import MATRIX
from gosplan_service.problems import Problem, field_name

__all__ = [
    "TEMPLATES",
    "PageRoute",
    "PageUser",
    "allowed",
    "error_page",
    "login_redirect",
    "render",
    "safe_next",
    "version_or_404",
]

#: The folder of the page templates.
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
#: The Jinja2 environment of the pages: every template is autoescaped.
TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
#: Role names as the pages show them.
ROLE_LABELS = {
    "planner": "Planner",
    "approver": "Approver",
    "committee_member": "Committee member",
    "director": "Director",
    "workers_committee": "Workers' committee",
    "observer": "Observer",
}
TEMPLATES.filters["label"] = lambda name: str(name).replace("_", " ").capitalize()
TEMPLATES.globals["role_label"] = lambda role: ROLE_LABELS.get(role, role)
TEMPLATES.filters["number"] = lambda value, digits=2: (
    "" if value is None else f"{float(value):,.{digits}f}"
)


def allowed(user: User, action: str) -> bool:
    """Whether the role matrix lets ``user``'s role do ``action`` at all (``all`` or ``own``).

    Only to decide which buttons and links a page shows; the API decides again.

    Parameters
    ----------
    user
        Who looks.
    action
        One of :data:`gosplan_service.permissions.ACTIONS`.

    Returns
    -------
    bool
    """
    return MATRIX[action].get(user.role, "-") != "-"


TEMPLATES.globals["allowed"] = allowed


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    user: User | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``template`` with ``context`` (plus ``request`` and ``user``) as HTML.

    Parameters
    ----------
    request
        The request (templates read its path).
    template
        The template's file name in ``templates/``.
    context
        The template's variables.
    user
        Who is logged in (shown in the header), if anyone.
    status_code
        The response's status.

    Returns
    -------
    fastapi.responses.HTMLResponse
    """
    html = TEMPLATES.get_template(template).render(
        {"request": request, "user": user, "path": request.url.path, **context}
    )
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(html, status_code=status_code, headers=headers)


def safe_next(target: str | None) -> str:
    """A local path to go to after logging in (anything else gives ``/``).

    Parameters
    ----------
    target
        The ``next`` the client gave.

    Returns
    -------
    str
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_redirect(request: Request) -> RedirectResponse:
    """Send the browser to ``/login``, to come back to this page afterwards.

    Parameters
    ----------
    request
        The request that had no valid session.

    Returns
    -------
    fastapi.responses.RedirectResponse
        303 to ``/login?next=<this path>``.
    """
    here = request.url.path
    if request.url.query:
        here += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)


def error_page(request: Request, problem: Problem) -> HTMLResponse:
    """The HTML page of a problem: its status, title, detail and fields.

    Parameters
    ----------
    request
        The request.
    problem
        What went wrong.

    Returns
    -------
    fastapi.responses.HTMLResponse
        With the problem's status.
    """
    user = getattr(request.state, "page_user", None)
    context = {"problem": problem.to_dict()}
    return render(request, "error.html", context, user=user, status_code=problem.status)


def _validation_problem(exc: RequestValidationError) -> Problem:
    fields = [
        {"field": field_name(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
        for e in exc.errors()
    ]
    return Problem.invalid(fields)


class PageRoute(APIRoute):
    """A route answering HTML: problems become pages, a missing session a redirect to login."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, wrapped to turn problems into HTML.

        Returns
        -------
        callable
        """
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return error_page(request, _validation_problem(exc))
            except Problem as problem:
                if problem.status == 401:
                    return login_redirect(request)
                return error_page(request, problem)

        return page_handler


def page_user(request: Request, user: CurrentUser) -> User:
    """FastAPI dependency: the logged-in user (kept for the header of an error page).

    Parameters
    ----------
    request
        The request.
    user
        The user of the session cookie (401, so a redirect to ``/login``, without one).

    Returns
    -------
    User
    """
    request.state.page_user = user
    return user


PageUser = Annotated[User, Depends(page_user)]


def version_or_404(
    session: Session, user: User, version_id: int, action: str = "plan.read"
) -> PlanVersion:
    """The plan version ``version_id``, if ``user`` may read it (and do ``action`` on it).

    As the API: a draft is visible to planners only (404 to the others), an unknown id 404;
    a refusal is audited (``denied``), as the API's :func:`gosplan_service.audit.require` does.

    Parameters
    ----------
    session
        The request's session.
    user
        Who asks.
    version_id
        The version's id.
    action
        What the page is for (``"plan.read"``, ``"figures.read"``, ...), checked for an
        object of no enterprise where the cell is ``all`` (an ``own`` cell is checked by
        the page, with the enterprise it shows).

    Returns
    -------
    PlanVersion

    Raises
    ------
    gosplan_service.problems.Problem
        404 for an unknown or hidden version, 403 where the role may not do ``action``.
    """
    version = load_version(session, version_id)
    checks = ["plan.read"]
    if action != "plan.read" and MATRIX[action].get(user.role, "-") != "own":
        checks.append(action)
    for check in checks:
        audit.require(
            session,
            user,
            check,
            object_type="plan_version",
            object_id=version.id,
            draft=version.status == "draft",
        )
    return version
