"""Fulfilment reports: submit on an approved version, read, list; validation writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gosplan_service.app import create_app
from gosplan_service.models import FulfilmentReport, IdempotencyKey, User

from .conftest import login, settings_for
from .seed import assert_problem, audit_rows, count, keyed, seed_version

DONUGOL = "Donugol mines"
KUZBASS = "Kuzbass mines"


@pytest.fixture
def app_client(make_client: Callable[..., TestClient], database_url: str) -> TestClient:
    app = create_app(settings_for(database_url, submission_rate_limit=1000))
    return make_client(app=app)


def report(enterprise: str = DONUGOL, period: int = 1929, **rows: Any) -> dict[str, Any]:
    items = rows or {"coal": 15.0}
    return {
        "enterprise": enterprise,
        "period": period,
        "rows": [{"product": p, "quantity": q} for p, q in items.items()],
    }


def test_submit_read_and_list(app_client: TestClient, make_user: Callable[..., User]) -> None:
    version = seed_version(app_client)
    director = make_user("director", enterprise=DONUGOL)
    other = make_user("director", enterprise=KUZBASS)
    planner = make_user("planner")
    headers = login(app_client, director.name)
    response = app_client.post(
        f"/api/plans/{version.id}/reports", json=report(), headers=keyed(headers, "r-1")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/reports/{body['id']}"
    assert body["enterprise"] == DONUGOL and body["period"] == 1929
    assert body["rows"] == [{"product": "coal", "quantity": 15.0}]
    assert body["submitted_by"] == director.id

    assert app_client.get(f"/api/reports/{body['id']}", headers=headers).json() == body
    listed = app_client.get(f"/api/plans/{version.id}/reports", headers=headers).json()
    assert listed["total"] == 1 and listed["items"] == [body]

    other_headers = login(app_client, other.name)
    assert_problem(app_client.get(f"/api/reports/{body['id']}", headers=other_headers), 404)
    hidden = app_client.get(f"/api/plans/{version.id}/reports", headers=other_headers).json()
    assert hidden["total"] == 0 and hidden["items"] == []
    planner_view = app_client.get(
        f"/api/plans/{version.id}/reports", headers=login(app_client, planner.name)
    )
    assert planner_view.json()["total"] == 1

    [row] = audit_rows(app_client, "report.submit", "done")
    assert (row.user_id, row.role, row.object_id) == (director.id, "director", str(body["id"]))
    assert row.before is None and row.after["rows"] == body["rows"]
    denied = audit_rows(app_client, "report.read", "denied")
    assert [(r.user_id, r.object_id) for r in denied] == [(other.id, str(body["id"]))]


@pytest.mark.parametrize(
    ("enterprise", "payload", "field"),
    [
        (DONUGOL, report(period=1900), "body.period"),
        ("coal-1", report(enterprise="coal-1"), "body.enterprise"),
        (DONUGOL, report(coal=15.0, unobtainium=1.0), "body.rows[1].product"),
        (DONUGOL, report(coal=15.0, grain=1.0), "body.rows[1].product"),
        (DONUGOL, report(coal="15"), "body.rows[0].quantity"),
        (DONUGOL, report(coal=True), "body.rows[0].quantity"),
        (DONUGOL, report(coal=-1.0), "body.rows[0].quantity"),
        (DONUGOL, {**report(), "month": 3}, "body.month"),
        (DONUGOL, {**report(), "period": "1929"}, "body.period"),
        (DONUGOL, {**report(), "rows": []}, "body.rows"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_written(
    app_client: TestClient,
    make_user: Callable[..., User],
    enterprise: str,
    payload: dict[str, Any],
    field: str,
) -> None:
    version = seed_version(app_client)
    director = make_user("director", enterprise=enterprise)
    headers = keyed(login(app_client, director.name), "bad-1")
    response = app_client.post(f"/api/plans/{version.id}/reports", json=payload, headers=headers)
    assert_problem(response, 422, field)
    assert count(app_client, FulfilmentReport) == 0
    assert count(app_client, IdempotencyKey) == 0
    assert audit_rows(app_client, "report.submit") == []


def test_one_bad_row_writes_nothing(app_client: TestClient, make_user: Callable[..., User]) -> None:
    version = seed_version(app_client)
    director = make_user("director", enterprise=DONUGOL)
    headers = keyed(login(app_client, director.name), "bad-row")
    payload = report(coal=15.0)
    payload["rows"] += [{"product": "coal", "quantity": 3.0}]  # the same product twice
    response = app_client.post(f"/api/plans/{version.id}/reports", json=payload, headers=headers)
    assert_problem(response, 422, "body.rows[1].product")
    assert count(app_client, FulfilmentReport) == 0


@pytest.mark.parametrize(
    ("role", "enterprise", "status"),
    [
        ("planner", None, 403),
        ("approver", None, 403),
        ("committee_member", None, 403),
        ("observer", None, 403),
        ("workers_committee", DONUGOL, 403),
        ("director", KUZBASS, 404),
    ],
)
def test_who_may_not_report(
    app_client: TestClient,
    make_user: Callable[..., User],
    role: str,
    enterprise: str | None,
    status: int,
) -> None:
    version = seed_version(app_client)
    user = make_user(role, enterprise=enterprise)
    headers = keyed(login(app_client, user.name), "deny-1")
    response = app_client.post(f"/api/plans/{version.id}/reports", json=report(), headers=headers)
    assert_problem(response, status)
    assert count(app_client, FulfilmentReport) == 0
    [denied] = audit_rows(app_client, "report.submit", "denied")
    assert (denied.user_id, denied.object_type, denied.object_id) == (
        user.id,
        "plan_version",
        str(version.id),
    )


@pytest.mark.parametrize("status", ["counter_plans_open", "superseded", "rejected"])
def test_only_an_approved_version_takes_reports(
    app_client: TestClient, make_user: Callable[..., User], status: str
) -> None:
    version = seed_version(app_client, status=status)
    director = make_user("director", enterprise=DONUGOL)
    headers = keyed(login(app_client, director.name), "s-1")
    response = app_client.post(f"/api/plans/{version.id}/reports", json=report(), headers=headers)
    body = assert_problem(response, 409)
    assert status in body["detail"]
    assert count(app_client, FulfilmentReport) == 0


def test_draft_and_missing_versions_answer_404(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    draft = seed_version(app_client, status="draft")
    director = make_user("director", enterprise=DONUGOL)
    headers = keyed(login(app_client, director.name), "d-1")
    assert_problem(
        app_client.post(f"/api/plans/{draft.id}/reports", json=report(), headers=headers), 404
    )
    assert_problem(
        app_client.post("/api/plans/999999/reports", json=report(), headers=headers), 404
    )
    assert_problem(app_client.get("/api/reports/999999", headers=headers), 404)
