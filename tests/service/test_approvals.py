"""Approving plan versions: a single approver, and committee votes to a quorum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from gosplan_service.models import AuditEvent, PlanVersion

from .conftest import TestClient, session_on
from .test_plans import act, client, create, solved, users

__all__ = ["client"]


def opened(client: TestClient, planner: dict[str, str], **body: Any) -> tuple[int, str]:
    """A created, solved, published and opened version: its id and ETag."""
    vid = create(client, planner, **body).json()["id"]
    tag = solved(client, planner, vid)
    for what in ("publish", "open"):
        response = act(client, planner, vid, what, tag)
        assert response.status_code == 200, response.text
        tag = response.headers["ETag"]
    return vid, tag


def vote(client: TestClient, auth: dict[str, str], vid: int, decision: str) -> Any:
    """Cast a vote."""
    return client.post(f"/api/plans/{vid}/votes", json={"decision": decision}, headers=auth)


def test_single_reject_and_roles(client: TestClient, make_user: Callable[..., Any]) -> None:
    planner, approver, member = users(make_user, client, "planner", "approver", "committee_member")
    vid, tag = opened(client, planner)
    assert act(client, planner, vid, "approve", tag).status_code == 403
    assert act(client, member, vid, "reject", tag).status_code == 403
    assert act(client, approver, vid, "approve", '"1"').status_code == 412
    assert client.post(f"/api/plans/{vid}/approve", headers=approver).status_code == 428
    assert vote(client, member, vid, "approve").status_code == 409  # a single version
    rejected = act(client, approver, vid, "reject", tag)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert act(client, approver, vid, "approve", rejected.headers["ETag"]).status_code == 409


def test_quorum_approval(client: TestClient, make_user: Callable[..., Any]) -> None:
    planner, approver, *members = users(
        make_user, client, "planner", "approver", *["committee_member"] * 3
    )
    vid, tag = opened(client, planner, approval={"policy": "quorum", "quorum": 2})
    assert act(client, approver, vid, "approve", tag).status_code == 409
    assert vote(client, planner, vid, "approve").status_code == 403
    assert vote(client, members[0], vid, "approve").status_code == 201
    assert vote(client, members[0], vid, "reject").status_code == 409
    assert vote(client, members[0], vid, "maybe").status_code == 422
    assert client.get(f"/api/plans/{vid}", headers=planner).json()["status"] == "counter_plans_open"
    assert vote(client, members[1], vid, "approve").status_code == 201
    assert client.get(f"/api/plans/{vid}", headers=planner).json()["status"] == "approved"
    assert vote(client, members[2], vid, "approve").status_code == 409
    votes = client.get(f"/api/plans/{vid}/votes", headers=approver).json()
    assert votes["total"] == 2
    with session_on(client) as session:
        approvals = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "plan.approve", AuditEvent.object_id == str(vid)
            )
        ).all()
    assert len(approvals) == 1 and approvals[0].user_id is not None


def test_quorum_rejection_when_unreachable(
    client: TestClient, make_user: Callable[..., Any]
) -> None:
    planner, *members = users(make_user, client, "planner", *["committee_member"] * 3)
    vid, _ = opened(client, planner, approval={"policy": "quorum", "quorum": 2})
    assert vote(client, members[0], vid, "reject").status_code == 201
    with session_on(client) as session:
        assert session.get(PlanVersion, vid).status == "counter_plans_open"  # type: ignore[union-attr]
    assert vote(client, members[1], vid, "reject").status_code == 201
    assert client.get(f"/api/plans/{vid}", headers=planner).json()["status"] == "rejected"


def test_vote_on_a_draft_is_hidden(client: TestClient, make_user: Callable[..., Any]) -> None:
    planner, member = users(make_user, client, "planner", "committee_member")
    vid = create(client, planner, approval={"policy": "quorum", "quorum": 1}).json()["id"]
    assert vote(client, member, vid, "approve").status_code == 404
