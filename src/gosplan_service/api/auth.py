"""Log in and out, and who am I: ``POST /api/auth/login``, ``.../logout``, ``GET /api/me``.

A login answers the token (give it as ``Authorization: Bearer <token>``) and sets it in the
``gosplan_session`` cookie (HttpOnly, SameSite=Strict) for the pages. Logins are
rate-limited per user name and per client address (429 with ``Retry-After``); a wrong name
or password answers 401 and leaves a ``denied`` audit row.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from gosplan_service import audit
from gosplan_service.api.deps import (
    SESSION_COOKIE,
    CurrentToken,
    CurrentUser,
    SessionDep,
    SettingsDep,
    current_user,
    limiter,
)
from gosplan_service.models import User
from gosplan_service.problems import Problem
from gosplan_service.schemas import LoginRequest, TokenPublic, UserPublic
from gosplan_service.security import (
    hash_password,
    issue_token,
    password_hasher,
    revoke_token,
    verify_password,
)

__all__ = ["current_user", "router"]

router = APIRouter(tags=["auth"])


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


@router.post("/api/auth/login")
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> TokenPublic:
    """Exchange a name and password for a token."""
    limits = limiter(request, "login")
    limits.hit("login", f"name:{body.name}", description="login attempts")
    limits.hit("login", f"client:{_client(request)}", description="login attempts")
    user = session.scalars(select(User).where(User.name == body.name)).one_or_none()
    hasher = password_hasher(settings)
    encoded = user.password_hash if user is not None else None
    if not verify_password(hasher, encoded, body.password) or user is None or not user.active:
        audit.record(
            session,
            user=user,
            user_name=body.name,
            action="login",
            object_type="user",
            object_id=user.id if user is not None else None,
            before=None,
            after=None,
            outcome="denied",
            detail=f"wrong name or password (client {_client(request)})",
        )
        raise Problem.unauthorized("Wrong name or password.")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(hasher, body.password)
    token, row = issue_token(session, user, settings.token_lifetime_s)
    audit.record(
        session,
        user=user,
        action="login",
        object_type="user",
        object_id=user.id,
        before=None,
        after={"token_id": row.id, "expires_at": row.expires_at.isoformat()},
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.token_lifetime_s,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )
    return TokenPublic(access_token=token, expires_at=row.expires_at, user=_public(user))


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user)


@router.post("/api/auth/logout", status_code=204)
def logout(found: CurrentToken, session: SessionDep, response: Response) -> None:
    """End the session: the token stops working."""
    user, token = found
    audit.record(
        session,
        user=user,
        action="logout",
        object_type="user",
        object_id=user.id,
        before={"token_id": token.id},
        after=None,
    )
    revoke_token(session, token)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


@router.get("/api/me")
def me(user: CurrentUser) -> UserPublic:
    """The user the token belongs to."""
    return _public(user)
