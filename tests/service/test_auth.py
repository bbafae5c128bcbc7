"""Logging in and out, ``/api/me``, tokens, and the login rate limit, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gosplan_service.models import AuditEvent, Token, User, utcnow
from gosplan_service.security import issue_token, token_digest

from .conftest import PASSWORD, login, session_on

PROBLEM = "application/problem+json"


def audit_rows(client: TestClient, action: str) -> list[AuditEvent]:
    with session_on(client) as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


def assert_problem(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert {"type", "title", "status", "errors"} <= set(body)
    return body  # type: ignore[no-any-return]


def test_login_me_logout(app_client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user("director", name="ivanov", enterprise="coal-1")
    response = app_client.post("/api/auth/login", json={"name": "ivanov", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"] == {
        "id": user.id,
        "name": "ivanov",
        "role": "director",
        "enterprise": "coal-1",
    }
    token = body["access_token"]
    cookie = response.headers["set-cookie"]
    assert "gosplan_session=" in cookie and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    # only the digest is stored
    with session_on(app_client) as session:
        stored = session.scalars(select(Token.token_hash)).all()
    assert stored == [token_digest(token)]
    assert token not in stored

    app_client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    me = app_client.get("/api/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["name"] == "ivanov"
    assert "password_hash" not in me.text

    assert app_client.post("/api/auth/logout", headers=headers).status_code == 204
    assert_problem(app_client.get("/api/me", headers=headers), 401)
    assert [(r.outcome, r.user_id, r.role) for r in audit_rows(app_client, "login")] == [
        ("done", user.id, "director")
    ]
    assert [r.outcome for r in audit_rows(app_client, "logout")] == ["done"]


def test_session_cookie_authenticates(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    make_user("observer", name="olga")
    response = app_client.post("/api/auth/login", json={"name": "olga", "password": PASSWORD})
    assert response.status_code == 200
    assert app_client.get("/api/me").json()["name"] == "olga"  # the cookie alone
    app_client.cookies.clear()
    assert_problem(app_client.get("/api/me"), 401)


def test_401_without_or_with_a_bad_token(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    make_user("planner", name="petrov")
    good = login(app_client, "petrov")
    body = assert_problem(app_client.get("/api/me"), 401)
    assert "token" in str(body["detail"]).lower()
    for header in (
        "Bearer not-a-token",
        "Bearer ",
        "Basic cGV0cm92OnBhc3M=",
        good["Authorization"] + "x",
        "Bearer " + "a" * 5000,
    ):
        response = app_client.get("/api/me", headers={"Authorization": header})
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    assert app_client.get("/api/me", headers=good).status_code == 200


def test_401_with_an_expired_token(app_client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user("planner", name="sidorov")
    with session_on(app_client) as session:
        past = utcnow() - timedelta(hours=10)
        token, _ = issue_token(session, session.get(User, user.id), 3600, now=past)
        fresh, _ = issue_token(session, session.get(User, user.id), 3600)
    assert_problem(app_client.get("/api/me", headers={"Authorization": f"Bearer {token}"}), 401)
    response = app_client.get("/api/me", headers={"Authorization": f"Bearer {fresh}"})
    assert response.status_code == 200


def test_deactivated_user_is_refused(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("planner", name="gone")
    headers = login(app_client, "gone")
    with session_on(app_client) as session:
        session.get(User, user.id).active = False
    assert_problem(app_client.get("/api/me", headers=headers), 401)
    response = app_client.post("/api/auth/login", json={"name": "gone", "password": PASSWORD})
    assert_problem(response, 401)


def test_wrong_password_is_401_with_a_denied_audit_row(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("approver", name="kuznetsov")
    response = app_client.post(
        "/api/auth/login", json={"name": "kuznetsov", "password": "wrong password"}
    )
    body = assert_problem(response, 401)
    assert "wrong password" not in response.text
    assert body["detail"] == "Wrong name or password."
    unknown = app_client.post("/api/auth/login", json={"name": "nobody", "password": "x"})
    assert assert_problem(unknown, 401)["detail"] == body["detail"]  # names are not disclosed
    rows = audit_rows(app_client, "login")
    assert [(r.outcome, r.user_id, r.user_name, r.role) for r in rows] == [
        ("denied", user.id, "kuznetsov", "approver"),
        ("denied", None, "nobody", None),
    ]
    assert all(r.after is None and r.before is None for r in rows)
    with session_on(app_client) as session:
        assert session.scalar(select(func.count()).select_from(Token)) == 0


def test_login_rate_limit_is_429_with_retry_after(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(login_rate_limit=3)
    for _ in range(3):
        assert_problem(client.post("/api/auth/login", json={"name": "a", "password": "b"}), 401)
    response = client.post("/api/auth/login", json={"name": "a", "password": "b"})
    body = assert_problem(response, 429)
    retry = int(response.headers["retry-after"])
    assert 1 <= retry <= 60
    assert "login" in str(body["detail"])
    # the client's address is limited too, whatever the name
    assert_problem(client.post("/api/auth/login", json={"name": "c", "password": "d"}), 429)
    # the refused attempts were not even tried: three denied rows, not five
    assert len(audit_rows(client, "login")) == 3
