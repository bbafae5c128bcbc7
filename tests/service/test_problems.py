"""Errors are problem documents: 400, 413, 422, 404, 405, 500; one transaction per request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from pydantic import Field
from sqlalchemy import select

from gosplan_service import audit
from gosplan_service.api.deps import CurrentUser, ObjectId, PageQuery, SessionDep
from gosplan_service.app import create_app
from gosplan_service.models import AuditEvent, User
from gosplan_service.problems import Problem, field_name
from gosplan_service.schemas import Name, Quantity, RequestModel, Text

from .conftest import PASSWORD, login, session_on, settings_for
from .test_auth import assert_problem


class Row(RequestModel):
    product: Name
    quantity: Quantity


class Rows(RequestModel):
    rows: Annotated[list[Row], Field(max_length=5)]
    note: Text = ""


def test_routes() -> APIRouter:
    router = APIRouter()

    @router.post("/api/test/rows")
    def post_rows(body: Rows) -> dict[str, float]:
        return {"total": sum(r.quantity for r in body.rows)}

    @router.get("/api/test/boom")
    def boom(session: SessionDep) -> None:
        session.add(User(name="intruder", role="planner", password_hash="x"))
        session.flush()
        raise RuntimeError("secret internals at /srv/gosplan/db.py line 42")

    @router.post("/api/test/guarded/{thing_id}")
    def guarded(thing_id: ObjectId, session: SessionDep, user: CurrentUser) -> None:
        session.add(User(name="side-effect", role="planner", password_hash="x"))
        session.flush()
        audit.require(session, user, "plan.create", object_type="thing", object_id=thing_id)

    @router.post("/api/test/late-failure")
    def late_failure(session: SessionDep) -> dict[str, bool]:
        # not flushed: the duplicate name fails only when the request's transaction commits
        session.add(User(name="olga", role="planner", password_hash="x"))
        return {"ok": True}

    @router.get("/api/test/page")
    def page(page: PageQuery) -> dict[str, int]:
        return {"limit": page.limit, "offset": page.offset}

    return router


test_routes.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def client(database_url: str, make_client: Callable[..., TestClient]) -> Iterator[TestClient]:
    app = create_app(settings_for(database_url, max_body_bytes=4096, max_string_length=20))
    app.include_router(test_routes())
    yield make_client(app)


def test_malformed_json_is_400(client: TestClient) -> None:
    for raw in (b'{"rows": [', b"{'rows': []}", b"\xff\xfe"):
        response = client.post(
            "/api/test/rows", content=raw, headers={"content-type": "application/json"}
        )
        body = assert_problem(response, 400)
        assert body["detail"] == "The request body is not valid JSON."


@pytest.mark.parametrize("bad", ["3", True, None, [1], float("nan")])
def test_wrong_type_is_422_naming_the_field(client: TestClient, bad: object) -> None:
    rows = [{"product": "coal", "quantity": 1}, {"product": "ore", "quantity": 2.5}]
    rows.append({"product": "steel", "quantity": bad})
    if bad != bad:  # NaN: JSON has no NaN, so send the text Python would
        content = b'{"rows": [{"product": "steel", "quantity": NaN}]}'
        response = client.post(
            "/api/test/rows", content=content, headers={"content-type": "application/json"}
        )
        fields = ["body.rows[0].quantity"]
    else:
        response = client.post("/api/test/rows", json={"rows": rows})
        fields = ["body.rows[2].quantity"]
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == fields  # type: ignore[union-attr]
    assert all(e["message"] for e in body["errors"])  # type: ignore[union-attr]


def test_valid_body_passes(client: TestClient) -> None:
    response = client.post(
        "/api/test/rows", json={"rows": [{"product": "coal", "quantity": 1}], "note": "ok"}
    )
    assert response.status_code == 200
    assert response.json() == {"total": 1.0}


def test_unknown_field_and_bounds_are_422(client: TestClient) -> None:
    response = client.post(
        "/api/test/rows",
        json={"rows": [{"product": "coal", "quantity": 1, "colour": "red"}], "extra": 1},
    )
    fields = {e["field"] for e in assert_problem(response, 422)["errors"]}  # type: ignore[union-attr]
    assert fields == {"body.rows[0].colour", "body.extra"}
    too_long = client.post("/api/test/rows", json={"rows": [], "note": "x" * 21})
    errors = assert_problem(too_long, 422)["errors"]
    assert [e["field"] for e in errors] == ["body.note"]  # type: ignore[index, union-attr]
    assert "20" in errors[0]["message"]  # type: ignore[index]
    many = client.post("/api/test/rows", json={"rows": [{"product": "a", "quantity": 1}] * 6})
    assert [e["field"] for e in assert_problem(many, 422)["errors"]] == ["body.rows"]  # type: ignore[union-attr]
    name = client.post("/api/test/rows", json={"rows": [{"product": "", "quantity": 1}]})
    assert_problem(name, 422)
    login = client.post("/api/auth/login", json={"name": 7, "password": False})
    fields = {e["field"] for e in assert_problem(login, 422)["errors"]}  # type: ignore[union-attr]
    assert fields == {"body.name", "body.password"}


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    big = b'{"rows": [], "note": "' + b"x" * 5000 + b'"}'
    announced = client.post(
        "/api/test/rows", content=big, headers={"content-type": "application/json"}
    )
    assert_problem(announced, 413)

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    streamed = client.post(
        "/api/test/rows", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in streamed.request.headers
    assert_problem(streamed, 413)


def test_bad_ids_and_pages_are_422(client: TestClient, make_user: Callable[..., User]) -> None:
    make_user("observer", name="olga")
    headers = login(client, "olga")
    for bad in ("0", "-1", "abc", str(2**31), "1" * 400):
        response = client.post(f"/api/test/guarded/{bad}", headers=headers)
        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["path.thing_id"]  # type: ignore[union-attr]
    assert client.get("/api/test/page").json() == {"limit": 50, "offset": 0}
    assert client.get("/api/test/page?limit=200&offset=3").json() == {"limit": 200, "offset": 3}
    for query in ("limit=201", "limit=0", "offset=-1", "limit=x"):
        body = assert_problem(client.get(f"/api/test/page?{query}"), 422)
        assert body["errors"][0]["field"].startswith("query.")  # type: ignore[index]


def test_500_shows_no_internals_and_writes_nothing(client: TestClient) -> None:
    response = client.get("/api/test/boom")
    body = assert_problem(response, 500)
    for leak in ("secret", "Traceback", "RuntimeError", "/srv", "line 42", "db.py"):
        assert leak not in response.text
    assert body["title"] == "Internal Server Error"
    with session_on(client) as session:
        assert session.scalars(select(User).where(User.name == "intruder")).all() == []


def test_a_failed_commit_is_a_500_not_a_success(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    make_user("observer", name="olga")
    response = client.post("/api/test/late-failure")
    assert_problem(response, 500)
    assert "olga" not in response.text


def test_denied_attempt_is_audited_and_its_request_rolled_back(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user("observer", name="olga")
    headers = login(client, "olga")
    body = assert_problem(client.post("/api/test/guarded/7", headers=headers), 403)
    assert "plan.create" in str(body["detail"])
    with session_on(client) as session:
        assert session.scalars(select(User).where(User.name == "side-effect")).all() == []
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.create")).all()
    assert [(r.outcome, r.user_id, r.role, r.object_type, r.object_id) for r in rows] == [
        ("denied", user.id, "observer", "thing", "7")
    ]
    assert rows[0].detail is not None and rows[0].detail.startswith("403")


def test_allowed_request_commits_once(client: TestClient, make_user: Callable[..., User]) -> None:
    make_user("planner", name="petrov", password=PASSWORD)
    headers = login(client, "petrov")
    assert client.post("/api/test/guarded/7", headers=headers).status_code == 200
    with session_on(client) as session:
        assert len(session.scalars(select(User).where(User.name == "side-effect")).all()) == 1


def test_unknown_path_and_method_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/api/no-such-thing"), 404)
    assert_problem(client.delete("/api/health"), 405)


def test_field_name() -> None:
    assert field_name(("body", "rows", 2, "quantity")) == "body.rows[2].quantity"
    assert field_name(("query", "limit")) == "query.limit"
    assert field_name(()) == ""


def test_problem_document() -> None:
    problem = Problem(409, "no", errors=[{"field": "a", "message": "b"}])
    assert problem.to_dict() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "no",
        "errors": [{"field": "a", "message": "b"}],
    }
    assert Problem.too_many_requests(0.2, "things").headers == {"Retry-After": "1"}  # type: ignore[arg-type]


def test_health(app_client: TestClient, database_url: str) -> None:
    response = app_client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == database_url.split(":")[0].split("+")[0]


def test_openapi_is_served(app_client: TestClient) -> None:
    schema = app_client.get("/api/openapi.json").json()
    assert "/api/auth/login" in schema["paths"]


def test_app_is_a_fastapi_app() -> None:
    assert isinstance(create_app(settings_for("sqlite://")), FastAPI)
