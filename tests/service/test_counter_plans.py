"""Counter-plans: submit on an open version, the upstream check, withdraw, who may."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gosplan_service import jobs
from gosplan_service.app import create_app
from gosplan_service.db import session_scope
from gosplan_service.models import CounterPlan, IdempotencyKey, Job, User

from .conftest import login, settings_for
from .seed import assert_problem, audit_rows, count, keyed, seed_version, solved

DONUGOL = "Donugol mines"
KUZBASS = "Kuzbass mines"


@pytest.fixture
def app_client(make_client: Callable[..., TestClient], database_url: str) -> TestClient:
    app = create_app(settings_for(database_url, submission_rate_limit=1000))
    return make_client(app=app)


def offer(enterprise: str = DONUGOL, *rows: dict[str, Any]) -> dict[str, Any]:
    return {"enterprise": enterprise, "rows": list(rows) or [{"period": 1930, "extra_output": 0.5}]}


def run_checks(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    jobs.run_pending(app.state.sessionmaker)


def submit(
    client: TestClient, version_id: int, headers: dict[str, str], body: Any, key: str
) -> Any:
    return client.post(
        f"/api/plans/{version_id}/counter-plans", json=body, headers=keyed(headers, key)
    )


def direct_check(cp_id: int, enterprise: str, rows: list[dict[str, Any]]) -> Any:
    """The library's own answer on the same offer (independent of the service)."""
    from gosplan.core.plan_result import PlanResult
    from gosplan.run import check_counter_plan
    from gosplan_service.plan_compute import spec_from_dict

    plan = solved()
    frame = pd.DataFrame(
        [{"counter_plan": f"cp{cp_id}", "enterprise": enterprise, **row} for row in rows]
    )
    return check_counter_plan(PlanResult.from_dict(plan.result), spec_from_dict(plan.spec), frame)


@pytest.mark.parametrize(
    ("rows", "accepted"),
    [
        ([{"period": 1930, "extra_output": 0.5}], True),
        ([{"period": 1930, "extra_output": 500.0}], False),
        ([{"period": 1931, "extra_output": 200.0}, {"period": 1932, "extra_output": 1.0}], False),
    ],
)
def test_submit_and_check(
    app_client: TestClient,
    make_user: Callable[..., User],
    rows: list[dict[str, Any]],
    accepted: bool,
) -> None:
    version = seed_version(app_client, status="counter_plans_open")
    director = make_user("director", enterprise=DONUGOL)
    headers = login(app_client, director.name)
    response = submit(app_client, version.id, headers, offer(DONUGOL, *rows), "cp-1")
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/api/counter-plans/{created['id']}"
    assert created["status"] == "submitted" and created["check"] is None
    assert created["job_id"] is not None

    run_checks(app_client)
    got = app_client.get(f"/api/counter-plans/{created['id']}", headers=headers).json()
    assert got["status"] == "checked"
    check = got["check"]
    assert check["ok"] is True
    expected = direct_check(created["id"], DONUGOL, rows)
    share = expected.accepted_share(f"cp{created['id']}")
    assert check["accepted_share"] == pytest.approx(share)
    assert (share >= 1.0) is accepted
    missing = {(m["item"], m["kind"], m["period"]): m["quantity"] for m in check["missing"]}
    want = {
        (r.item, r.kind, int(r.period)): float(r.quantity) for r in expected.missing.itertuples()
    }
    assert missing.keys() == want.keys()
    assert list(missing.values()) == pytest.approx(list(want.values()))
    if not accepted:
        assert ("coal", "capacity", rows[0]["period"]) in missing  # what is missing upstream
    else:
        assert missing == {}
    with session_scope(app_client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        job = session.get(Job, created["job_id"])
        assert job is not None and job.status == "done" and job.kind == "check"
    [done] = audit_rows(app_client, "counter_plan.check", "done")
    assert done.before["status"] == "submitted" and done.after["status"] == "checked"


def test_workers_committee_submits_and_withdraws(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    version = seed_version(app_client, status="counter_plans_open")
    committee = make_user("workers_committee", enterprise=DONUGOL)
    headers = login(app_client, committee.name)
    created = submit(app_client, version.id, headers, offer(), "w-1").json()
    url = f"/api/counter-plans/{created['id']}/withdraw"
    withdrawn = app_client.post(url, headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert_problem(app_client.post(url, headers=headers), 409)
    run_checks(app_client)  # a check finishing after the withdrawal keeps it withdrawn
    got = app_client.get(f"/api/counter-plans/{created['id']}", headers=headers).json()
    assert got["status"] == "withdrawn"
    assert [r.action for r in audit_rows(app_client, "counter_plan.submit", "done")] == [
        "counter_plan.submit"
    ]
    [row] = audit_rows(app_client, "counter_plan.withdraw", "done")
    assert (row.before["status"], row.after["status"]) == ("submitted", "withdrawn")


def test_withdraw_a_checked_counter_plan(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    version = seed_version(app_client, status="counter_plans_open")
    director = make_user("director", enterprise=DONUGOL)
    headers = login(app_client, director.name)
    created = submit(app_client, version.id, headers, offer(), "c-1").json()
    run_checks(app_client)
    response = app_client.post(f"/api/counter-plans/{created['id']}/withdraw", headers=headers)
    assert response.json()["status"] == "withdrawn"
    assert response.json()["check"]["ok"] is True  # the check stays with it


@pytest.mark.parametrize("status", ["approved", "superseded", "published", "rejected"])
def test_only_an_open_version_takes_counter_plans(
    app_client: TestClient, make_user: Callable[..., User], status: str
) -> None:
    version = seed_version(app_client, status=status)
    director = make_user("director", enterprise=DONUGOL)
    response = submit(app_client, version.id, login(app_client, director.name), offer(), "s-1")
    body = assert_problem(response, 409)
    assert repr(status) in body["detail"]
    assert count(app_client, CounterPlan) == 0 and count(app_client, Job) == 0


def test_another_enterprise_is_hidden(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    version = seed_version(app_client, status="counter_plans_open")
    mine = make_user("director", enterprise=DONUGOL)
    theirs = make_user("director", enterprise=KUZBASS)
    observer = make_user("observer")
    headers = login(app_client, mine.name)
    other_headers = login(app_client, theirs.name)
    created = submit(app_client, version.id, headers, offer(), "h-1").json()
    assert_problem(submit(app_client, version.id, other_headers, offer(DONUGOL), "h-2"), 404)
    assert_problem(
        app_client.get(f"/api/counter-plans/{created['id']}", headers=other_headers), 404
    )
    assert_problem(
        app_client.post(f"/api/counter-plans/{created['id']}/withdraw", headers=other_headers), 404
    )
    url = f"/api/plans/{version.id}/counter-plans"
    assert app_client.get(url, headers=other_headers).json()["total"] == 0
    assert app_client.get(url, headers=headers).json()["total"] == 1
    seen = app_client.get(url, headers=login(app_client, observer.name)).json()
    assert [item["id"] for item in seen["items"]] == [created["id"]]
    denied = {
        (r.action, r.user_id) for r in audit_rows(app_client, "counter_plan.submit", "denied")
    }
    assert denied == {("counter_plan.submit", theirs.id)}
    assert len(audit_rows(app_client, "counter_plan.read", "denied")) == 1
    assert len(audit_rows(app_client, "counter_plan.withdraw", "denied")) == 1


@pytest.mark.parametrize("role", ["planner", "approver", "committee_member", "observer"])
def test_roles_without_the_right_get_403(
    app_client: TestClient, make_user: Callable[..., User], role: str
) -> None:
    version = seed_version(app_client, status="counter_plans_open")
    director = make_user("director", enterprise=DONUGOL)
    created = submit(app_client, version.id, login(app_client, director.name), offer(), "r-1")
    user = make_user(role)
    headers = login(app_client, user.name)
    assert_problem(submit(app_client, version.id, headers, offer(), "r-2"), 403)
    withdraw = f"/api/counter-plans/{created.json()['id']}/withdraw"
    assert_problem(app_client.post(withdraw, headers=headers), 403)
    assert count(app_client, CounterPlan) == 1
    assert [r.user_id for r in audit_rows(app_client, "counter_plan.submit", "denied")] == [user.id]
    assert [r.user_id for r in audit_rows(app_client, "counter_plan.withdraw", "denied")] == [
        user.id
    ]


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ([{"period": 1900, "extra_output": 1.0}], "body.rows[0].period"),
        (
            [
                {"period": 1930, "extra_output": 1.0},
                {"period": 1930, "extra_output": 1.0, "input": "unobtainium", "new_coefficient": 1},
            ],
            "body.rows[1].input",
        ),
        ([{"period": 1930, "extra_output": "1"}], "body.rows[0].extra_output"),
        ([{"period": 1930, "extra_output": 1.0, "input": "coal"}], "body.rows[0]"),
        ([{"period": 1930, "extra_output": 1.0, "brigade": 3}], "body.rows[0].brigade"),
        (
            [{"period": 1930, "extra_output": 1.0}, {"period": 1930, "extra_output": 2.0}],
            "body.rows[1]",
        ),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(
    app_client: TestClient,
    make_user: Callable[..., User],
    rows: list[dict[str, Any]],
    field: str,
) -> None:
    version = seed_version(app_client, status="counter_plans_open")
    director = make_user("director", enterprise=DONUGOL)
    response = submit(
        app_client, version.id, login(app_client, director.name), offer(DONUGOL, *rows), "b-1"
    )
    assert_problem(response, 422, field)
    assert count(app_client, CounterPlan) == 0
    assert count(app_client, Job) == 0
    assert count(app_client, IdempotencyKey) == 0


def test_missing_idempotency_key_is_428(
    app_client: TestClient, make_user: Callable[..., User]
) -> None:
    version = seed_version(app_client, status="counter_plans_open")
    director = make_user("director", enterprise=DONUGOL)
    response = app_client.post(
        f"/api/plans/{version.id}/counter-plans",
        json=offer(),
        headers=login(app_client, director.name),
    )
    assert_problem(response, 428)
    assert count(app_client, CounterPlan) == 0
