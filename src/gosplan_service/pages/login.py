"""``/login`` (a form) and ``/logout``: the session cookie, set and cleared by the API's logic.

The form posts the name and password here; the page calls
:func:`gosplan_service.api.auth.login` (the same rate limits, audit rows and cookie as
``POST /api/auth/login``) and redirects to the page asked for. A wrong name or password, or
too many attempts, shows the form again with the API's message.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from gosplan_service.api import auth
from gosplan_service.api.deps import CurrentToken, SessionDep, SettingsDep
from gosplan_service.pages.common import PageRoute, render, safe_next
from gosplan_service.problems import Problem, field_name
from gosplan_service.schemas import LoginRequest

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login form.

    Parameters
    ----------
    request
        The request.
    next
        Where to go after logging in (a local path).

    Returns
    -------
    fastapi.Response
    """
    return render(request, "login.html", {"next": safe_next(next), "problem": None, "name": ""})


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Log in: set the session cookie and go to ``next``; or show the form with the problem.

    Parameters
    ----------
    request
        The request.
    session
        The request's session.
    settings
        The application's settings.
    name, password
        What the form sent.
    next
        Where to go afterwards.

    Returns
    -------
    fastapi.Response
        303 to ``next`` with the cookie set, or the form again (401, 422 or 429).
    """
    target = safe_next(next)
    redirect = RedirectResponse(target, status_code=303)
    try:
        body = LoginRequest(name=name, password=password)
        auth.login(body, request, redirect, session, settings)
    except ValidationError as exc:
        problem = Problem.invalid(
            [
                {"field": field_name(e["loc"]), "message": str(e["msg"])}
                for e in exc.errors(include_url=False)
            ]
        )
        return _form_again(request, problem, name, target)
    except Problem as problem:
        return _form_again(request, problem, name, target)
    return redirect


def _form_again(request: Request, problem: Problem, name: str, target: str) -> Response:
    context = {"next": target, "problem": problem.to_dict(), "name": name}
    response = render(request, "login.html", context, status_code=problem.status)
    retry_after = (problem.headers or {}).get("Retry-After")
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


@router.get("/logout")
def logout_form(request: Request) -> Response:
    """A page with one button that logs out (logging out changes state: it is a POST).

    Parameters
    ----------
    request
        The request.

    Returns
    -------
    fastapi.Response
    """
    return render(request, "logout.html", {})


@router.post("/logout")
def logout_submit(found: CurrentToken, session: SessionDep) -> Response:
    """Log out: the token stops working, the cookie is cleared; then the login form.

    Parameters
    ----------
    found
        The user and token of the session cookie.
    session
        The request's session.

    Returns
    -------
    fastapi.Response
        303 to ``/login``.
    """
    redirect = RedirectResponse("/login", status_code=303)
    auth.logout(found, session, redirect)
    return redirect
