"""Plan versions through the API: the whole workflow, If-Match, bad input, roles."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from gosplan_service import plan_compute
from gosplan_service.app import create_app
from gosplan_service.jobs import JobRunner, run_pending
from gosplan_service.models import AuditEvent, ControlFigure, Job

from .conftest import TestClient, login, session_on, settings_for

#: An enterprise of the ussr-1928 economy.
ENTERPRISE = "Donugol mines"


def plan_app(database_url: str, **settings: Any) -> FastAPI:
    """The app on the test database (cheap hashing, no job runner, ``settings``)."""
    return create_app(settings_for(database_url, **settings))


@pytest.fixture
def client(make_client: Callable[..., TestClient], database_url: str) -> TestClient:
    """A client of the app."""
    return make_client(app=plan_app(database_url))


@pytest.fixture(scope="module")
def basic_spec() -> dict[str, Any]:
    """The ussr-1928 basic spec document (read once a module)."""
    return plan_compute.scenario_spec("ussr-1928")


def users(make_user: Callable[..., Any], client: TestClient, *roles: str) -> list[dict[str, str]]:
    """Log in one new user per role; their ``Authorization`` headers."""
    headers = []
    for role in roles:
        enterprise = ENTERPRISE if role in ("director", "workers_committee") else None
        user = make_user(role, enterprise=enterprise)
        headers.append(login(client, user.name))
    return headers


def create(client: TestClient, auth: dict[str, str], **body: Any) -> Any:
    """Create a plan (default: the ussr-1928 scenario); the response."""
    body.setdefault("name", "first five-year plan")
    if "spec" not in body:
        body.setdefault("scenario", "ussr-1928")
    return client.post("/api/plans", json=body, headers=auth)


def act(client: TestClient, auth: dict[str, str], version: int, what: str, tag: str) -> Any:
    """POST an action on a version with ``If-Match: tag``."""
    return client.post(f"/api/plans/{version}/{what}", headers={**auth, "If-Match": tag})


def solved(client: TestClient, auth: dict[str, str], version: int) -> str:
    """Solve a draft with ``run_pending``; its new ETag."""
    tag = client.get(f"/api/plans/{version}", headers=auth).headers["ETag"]
    response = act(client, auth, version, "solve", tag)
    assert response.status_code == 202, response.text
    run_pending(client.app.state.sessionmaker)  # type: ignore[attr-defined]
    job = client.get(response.headers["Location"], headers=auth).json()
    assert job["status"] == "done", job
    return str(client.get(f"/api/plans/{version}", headers=auth).headers["ETag"])


def audit_rows(client: TestClient, object_id: int, action: str) -> list[AuditEvent]:
    """The audit rows of one action on one plan version."""
    with session_on(client) as session:
        return list(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.object_type == "plan_version",
                    AuditEvent.object_id == str(object_id),
                    AuditEvent.action == action,
                )
            )
        )


def test_workflow_create_solve_publish_open_approve_supersede(
    client: TestClient, make_user: Callable[..., Any]
) -> None:
    planner, approver, director = users(make_user, client, "planner", "approver", "director")
    created = create(client, planner)
    assert created.status_code == 201, created.text
    first = created.json()
    vid, tags = first["id"], [created.headers["ETag"]]
    assert first["number"] == 1 and first["status"] == "draft" and first["row_version"] == 1
    assert created.headers["Location"] == f"/api/plans/{vid}"
    tags.append(solved(client, planner, vid))
    figures_page = client.get(
        f"/api/plans/{vid}/control-figures", params={"limit": 200}, headers=planner
    ).json()
    assert figures_page["total"] == 400
    enterprises = client.get(
        f"/api/plans/{vid}/enterprises", params={"limit": 200}, headers=planner
    ).json()
    assert enterprises["total"] == 80
    names = {row["enterprise"] for row in figures_page["items"]}
    assert names <= {e["enterprise"] for e in enterprises["items"]}
    assert ENTERPRISE in names
    for what, status in (("publish", "published"), ("open", "counter_plans_open")):
        response = act(client, planner, vid, what, tags[-1])
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
        tags.append(response.headers["ETag"])
    own = client.get(f"/api/plans/{vid}/control-figures", headers=director).json()
    assert own["total"] > 0 and {f["enterprise"] for f in own["items"]} == {ENTERPRISE}
    approved = act(client, approver, vid, "approve", tags[-1])
    assert approved.json()["status"] == "approved"
    tags.append(approved.headers["ETag"])
    assert len(set(tags)) == len(tags)
    derived = client.post(f"/api/plans/{vid}/versions", headers=planner)
    assert derived.status_code == 201
    second = derived.json()
    assert (second["number"], second["parent"], second["status"]) == (2, vid, "draft")
    assert second["spec"] == first["spec"]
    tag = solved(client, planner, second["id"])
    for what in ("publish", "open"):
        tag = act(client, planner, second["id"], what, tag).headers["ETag"]
    assert act(client, approver, second["id"], "approve", tag).json()["status"] == "approved"
    assert client.get(f"/api/plans/{vid}", headers=planner).json()["status"] == "superseded"
    for action in ("plan.create", "plan.solve", "plan.solved", "plan.publish", "plan.open"):
        rows = audit_rows(client, vid, action)
        assert len(rows) == 1 and rows[0].outcome == "done", action
        assert rows[0].after is not None
    (supersede,) = audit_rows(client, vid, "plan.supersede")
    assert supersede.before["status"] == "approved"  # type: ignore[index]
    assert supersede.after["status"] == "superseded"  # type: ignore[index]
    (approve,) = audit_rows(client, vid, "plan.approve")
    assert approve.before["status"] == "counter_plans_open"  # type: ignore[index]


def test_published_version_refuses_patch_and_keeps_its_spec(
    client: TestClient, make_user: Callable[..., Any], basic_spec: dict[str, Any]
) -> None:
    (planner,) = users(make_user, client, "planner")
    vid = create(client, planner).json()["id"]
    tag = act(client, planner, vid, "publish", solved(client, planner, vid)).headers["ETag"]
    changed = copy.deepcopy(basic_spec)
    changed["tables"]["targets"][0]["target"] = 1.0
    response = client.patch(
        f"/api/plans/{vid}", json={"spec": changed}, headers={**planner, "If-Match": tag}
    )
    assert response.status_code == 409
    assert "published" in response.json()["detail"]
    after = client.get(f"/api/plans/{vid}", headers=planner)
    assert after.json()["spec"] == basic_spec and after.headers["ETag"] == tag


def test_patch_spec_clears_result_and_figures(
    client: TestClient, make_user: Callable[..., Any], basic_spec: dict[str, Any]
) -> None:
    (planner,) = users(make_user, client, "planner")
    vid = create(client, planner).json()["id"]
    tag = solved(client, planner, vid)
    changed = copy.deepcopy(basic_spec)
    changed["tables"]["targets"][0]["target"] = 70.0
    response = client.patch(
        f"/api/plans/{vid}", json={"spec": changed}, headers={**planner, "If-Match": tag}
    )
    assert response.status_code == 200, response.text
    assert response.json()["has_result"] is False and response.headers["ETag"] != tag
    with session_on(client) as session:
        count = session.scalar(
            select(func.count())
            .select_from(ControlFigure)
            .where(ControlFigure.plan_version_id == vid)
        )
    assert count == 0
    diff = client.get(f"/api/plans/{vid}/diff/{vid}", headers=planner).json()
    assert diff["spec"] == {"settings": {}, "tables": {}}


def test_if_match_missing_stale_right(client: TestClient, make_user: Callable[..., Any]) -> None:
    (planner,) = users(make_user, client, "planner")
    vid = create(client, planner).json()["id"]
    body = {"approval": {"policy": "quorum", "quorum": 3}}
    assert client.patch(f"/api/plans/{vid}", json=body, headers=planner).status_code == 428
    stale = {**planner, "If-Match": '"7"'}
    assert client.patch(f"/api/plans/{vid}", json=body, headers=stale).status_code == 412
    right = client.patch(f"/api/plans/{vid}", json=body, headers={**planner, "If-Match": '"1"'})
    assert right.status_code == 200 and right.headers["ETag"] == '"2"'
    assert right.json()["approval"] == {"policy": "quorum", "quorum": 3}
    again = client.patch(f"/api/plans/{vid}", json=body, headers={**planner, "If-Match": '"1"'})
    assert again.status_code == 412
    assert act(client, planner, vid, "solve", '"1"').status_code == 412
    assert client.post(f"/api/plans/{vid}/publish", headers=planner).status_code == 428


def test_publish_needs_a_result(client: TestClient, make_user: Callable[..., Any]) -> None:
    (planner,) = users(make_user, client, "planner")
    vid = create(client, planner).json()["id"]
    response = act(client, planner, vid, "publish", '"1"')
    assert response.status_code == 409 and "solve" in response.json()["detail"]


def test_solve_with_a_real_job_runner(
    client: TestClient, make_user: Callable[..., Any], database_url: str
) -> None:
    (planner,) = users(make_user, client, "planner")
    vid = create(client, planner).json()["id"]
    location = act(client, planner, vid, "solve", '"1"').headers["Location"]
    app = client.app
    runner = JobRunner(app.state.sessionmaker, database_url, workers=1)  # type: ignore[attr-defined]
    runner.start()
    try:
        deadline = time.monotonic() + 60
        while (job := client.get(location, headers=planner).json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
    finally:
        runner.stop()
    assert job["status"] == "done", job
    assert job["progress"] == 1.0 and job["result"]["figures"] == 400
    assert job["provenance"]["function"] == "gosplan_service.plan_compute:solve"
    assert job["provenance"]["gosplan"]
    assert client.get(f"/api/plans/{vid}", headers=planner).json()["has_result"] is True


def test_bad_input(
    client: TestClient, make_user: Callable[..., Any], basic_spec: dict[str, Any]
) -> None:
    (planner,) = users(make_user, client, "planner")
    response = create(client, planner, scenario="atlantis-1950")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.scenario"
    broken = copy.deepcopy(basic_spec)
    broken["tables"]["targets"][2]["target"] = "plenty"
    response = create(client, planner, spec=broken)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.spec.tables.targets[2]"
    escaping = {**copy.deepcopy(basic_spec), "economy": "../../etc"}
    response = create(client, planner, spec=escaping)
    assert [e["field"] for e in response.json()["errors"]] == ["body.spec.economy"]
    for quorum in ("3", True, 0):
        response = create(client, planner, approval={"policy": "quorum", "quorum": quorum})
        assert response.status_code == 422, quorum
        assert response.json()["errors"][0]["field"].startswith("body.approval.quorum")
    both = create(client, planner, spec=basic_spec, scenario="ussr-1928")
    assert both.status_code == 422


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("planner", 201),
        ("approver", 403),
        ("committee_member", 403),
        ("director", 403),
        ("observer", 403),
    ],
)
def test_create_roles(
    client: TestClient, make_user: Callable[..., Any], role: str, status: int
) -> None:
    (auth,) = users(make_user, client, role)
    assert create(client, auth).status_code == status


def test_read_roles_and_drafts(client: TestClient, make_user: Callable[..., Any]) -> None:
    planner, observer, director = users(make_user, client, "planner", "observer", "director")
    vid = create(client, planner).json()["id"]
    assert client.get(f"/api/plans/{vid}").status_code == 401
    assert client.get(f"/api/plans/{vid}", headers=observer).status_code == 404
    assert client.get(f"/api/plans/{vid}/enterprises", headers=director).status_code == 404
    assert client.get("/api/plans", headers=observer).json()["total"] == 0
    assert client.get("/api/plans", headers=planner).json()["total"] == 1
    edit = client.patch(
        f"/api/plans/{vid}",
        json={"approval": {"policy": "single"}},
        headers={**observer, "If-Match": '"1"'},
    )
    assert edit.status_code == 404
    tag = solved(client, planner, vid)
    assert act(client, planner, vid, "publish", tag).status_code == 200
    assert client.get(f"/api/plans/{vid}", headers=observer).status_code == 200
    assert act(client, observer, vid, "open", '"3"').status_code == 403
    assert client.post(f"/api/plans/{vid}/versions", headers=director).status_code == 403
    with session_on(client) as session:
        denied = session.scalars(
            select(AuditEvent).where(AuditEvent.outcome == "denied", AuditEvent.role == "observer")
        ).all()
    assert {row.action for row in denied} >= {"plan.read", "plan.edit", "plan.open"}


def test_jobs_and_audit_roles(client: TestClient, make_user: Callable[..., Any]) -> None:
    planner, approver, member, director = users(
        make_user, client, "planner", "approver", "committee_member", "director"
    )
    vid = create(client, planner).json()["id"]
    job = act(client, planner, vid, "solve", '"1"').json()
    assert client.get(f"/api/jobs/{job['id']}", headers=planner).status_code == 200
    assert client.get(f"/api/jobs/{job['id']}", headers=approver).status_code == 403
    assert client.get("/api/jobs/999999", headers=planner).status_code == 404
    page = client.get(
        "/api/audit",
        params={"object_type": "plan_version", "object_id": str(vid)},
        headers=approver,
    ).json()
    assert [row["action"] for row in page["items"]] == ["plan.solve", "plan.create"]
    assert client.get("/api/audit", headers=member).status_code == 403
    assert client.get("/api/audit", headers=director).status_code == 403
    with session_on(client) as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 1


def test_figures_own_enterprise(client: TestClient, make_user: Callable[..., Any]) -> None:
    planner, director, committee = users(
        make_user, client, "planner", "director", "workers_committee"
    )
    vid = create(client, planner).json()["id"]
    tag = act(client, planner, vid, "publish", solved(client, planner, vid)).headers["ETag"]
    url = f"/api/plans/{vid}/control-figures"
    other = client.get(url, params={"enterprise": "Kuzbass mines"}, headers=director)
    assert other.status_code == 404
    mine = client.get(url, params={"enterprise": ENTERPRISE, "period": 1933}, headers=committee)
    assert mine.status_code == 200
    assert {(f["enterprise"], f["period"]) for f in mine.json()["items"]} == {(ENTERPRISE, 1933)}
    assert client.get(url, params={"enterprise": "Kuzbass mines"}, headers=planner).json()["total"]
    assert tag
