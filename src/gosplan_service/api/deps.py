"""Dependencies every router shares: who asks, the session, the settings, pages, limits, ETags.

::

    from gosplan_service.api.deps import CurrentUser, PageQuery, SessionDep, SettingsDep

    @router.get("/api/plans")
    def list_plans(session: SessionDep, user: CurrentUser, page: PageQuery) -> Page[PlanPublic]:
        ...

- :data:`SessionDep` (from :mod:`gosplan_service.db`): the request's session and transaction;
- :func:`current_user` / :data:`CurrentUser`: the user of the bearer token or session
  cookie (401 otherwise); :data:`CurrentToken` also gives the token's row;
- :data:`SettingsDep`: the application's :class:`~gosplan_service.settings.Settings`;
- :data:`PageQuery`: ``limit`` (1 to ``max_page_size``) and ``offset`` query parameters;
- :data:`ObjectId`: a path id bounded to 1 .. :data:`~gosplan_service.settings.MAX_ID`;
- :func:`submission_limit`: the per-user rate limit of submissions (429);
- :func:`etag` and :func:`expected_row_version`: ``ETag`` / ``If-Match`` (428, 412).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gosplan_service.db import SessionDep
from gosplan_service.models import Token, User
from gosplan_service.problems import Problem
from gosplan_service.security import RateLimiter, user_for_token
from gosplan_service.settings import MAX_ID, PAGE_SIZE_CEILING, Settings

__all__ = [
    "SESSION_COOKIE",
    "CurrentToken",
    "CurrentUser",
    "ObjectId",
    "PageParams",
    "PageQuery",
    "SessionDep",
    "SettingsDep",
    "current_token",
    "current_user",
    "etag",
    "expected_row_version",
    "limiter",
    "submission_limit",
]

#: The cookie carrying the token for the pages (HttpOnly, SameSite=Strict).
SESSION_COOKIE = "gosplan_session"
#: The largest offset accepted in a page query.
MAX_OFFSET = MAX_ID


def get_settings(request: Request) -> Settings:
    """The application's settings (``app.state.settings``).

    Parameters
    ----------
    request
        The request.

    Returns
    -------
    Settings
    """
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def bearer_token(request: Request) -> str | None:
    """The token the request carries: ``Authorization: Bearer ...``, else the session cookie.

    Parameters
    ----------
    request
        The request.

    Returns
    -------
    str or None
    """
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return value.strip() or None
    return request.cookies.get(SESSION_COOKIE) or None


#: The bearer scheme, declared so that the OpenAPI schema says which operations need a token
#: (it never answers by itself: :func:`current_token` reads the header, or the cookie).
BEARER = HTTPBearer(
    auto_error=False,
    description="The token from POST /api/auth/login (the pages send it as the "
    f"{SESSION_COOKIE} cookie instead).",
)


def current_token(
    request: Request,
    session: SessionDep,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None,
) -> tuple[User, Token]:
    """The user and token row of the request's valid token, or a 401 problem.

    Parameters
    ----------
    request
        The request.
    session
        The request's session.
    _scheme
        The bearer credentials as :data:`BEARER` parsed them (unused: only declared).

    Returns
    -------
    tuple of (User, Token)

    Raises
    ------
    gosplan_service.problems.Problem
        401 without a token, or with an unknown or expired one.
    """
    token = bearer_token(request)
    if token is None:
        raise Problem.unauthorized("A token is needed: Authorization: Bearer <token>.")
    if len(token) > 256:
        raise Problem.unauthorized("The token is not valid (or has expired).")
    found = user_for_token(session, token)
    if found is None:
        raise Problem.unauthorized("The token is not valid (or has expired).")
    return found


CurrentToken = Annotated[tuple[User, Token], Depends(current_token)]


def current_user(found: CurrentToken) -> User:
    """FastAPI dependency: the user making the request (401 without a valid token).

    Parameters
    ----------
    found
        The user and token (from :func:`current_token`).

    Returns
    -------
    User
    """
    return found[0]


CurrentUser = Annotated[User, Depends(current_user)]


@dataclass(frozen=True)
class PageParams:
    """Which page of a list: at most ``limit`` items from position ``offset``."""

    limit: int
    offset: int


def page_params(
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=PAGE_SIZE_CEILING)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PageParams:
    """FastAPI dependency: the ``limit`` and ``offset`` query parameters, bounded.

    Parameters
    ----------
    settings
        The application's settings (``max_page_size``).
    limit
        Items per page (1 to ``max_page_size``).
    offset
        Items to skip.

    Returns
    -------
    PageParams

    Raises
    ------
    gosplan_service.problems.Problem
        422 naming ``query.limit`` above ``max_page_size``.
    """
    if limit > settings.max_page_size:
        message = f"Input should be less than or equal to {settings.max_page_size}"
        raise Problem.invalid([{"field": "query.limit", "message": message}])
    return PageParams(limit=limit, offset=offset)


PageQuery = Annotated[PageParams, Depends(page_params)]
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]


def limiter(request: Request, name: str) -> RateLimiter:
    """The application's rate limiter ``name`` (``"login"``, ``"submission"``).

    Parameters
    ----------
    request
        The request.
    name
        The limiter's name (a key of ``app.state.limiters``).

    Returns
    -------
    RateLimiter
    """
    found: RateLimiter = request.app.state.limiters[name]
    return found


def submission_limit(request: Request, user: CurrentUser) -> None:
    """FastAPI dependency: count one submission for the user; over the limit, 429.

    Use it as ``dependencies=[Depends(submission_limit)]`` on a submitting route.

    Parameters
    ----------
    request
        The request.
    user
        The user submitting.

    Raises
    ------
    gosplan_service.problems.Problem
        429 with ``Retry-After``.
    """
    limiter(request, "submission").hit("submission", str(user.id), description="submissions")


def etag(row_version: int) -> str:
    """The ``ETag`` of an object at ``row_version`` (a strong tag: ``"3"``).

    Parameters
    ----------
    row_version
        The object's row version.

    Returns
    -------
    str
    """
    return f'"{row_version}"'


def expected_row_version(
    if_match: Annotated[str | None, Header(max_length=100)] = None,
) -> int:
    """FastAPI dependency: the row version an ``If-Match`` header expects.

    The endpoint then updates with ``... WHERE id = :id AND row_version = :expected`` and
    answers 412 when no row matched.

    Parameters
    ----------
    if_match
        The header (``"3"``, or ``W/"3"``).

    Returns
    -------
    int

    Raises
    ------
    gosplan_service.problems.Problem
        428 without the header, 412 when it names no row version.
    """
    if if_match is None:
        raise Problem(428, 'This change needs an If-Match header: If-Match: "<row version>".')
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise Problem(412, "If-Match names no version of this object.")
    return int(text)
