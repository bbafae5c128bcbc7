"""Concurrent requests on a real server: one If-Match winner, and quorum votes counted once.

A uvicorn server on a loopback port runs the app (with the plan routers) in a thread; each
request comes from its own thread and ``httpx`` client, released together by a barrier.

Votes: Q = 5 committee members vote ``approve`` at once on a version with quorum 3. With a
quorum below the number of voters the race that matters is exercised: the third vote must
approve the version exactly once, and the two late votes must see it approved (409). With
quorum 5 every vote would be needed, and a double approval could not happen at all.

The server gets more worker threads than there are concurrent requests. With anyio's
default of 40 and 50 writers, 40 threads can sit in ``BEGIN IMMEDIATE`` (SQLite) or in the
connection pool's checkout (PostgreSQL) inside the session dependency while the request
holding the lock waits for a free thread to run its endpoint: a stall until the busy (or
pool) timeout, answered 500. That is a limit of the request/session design
(:mod:`gosplan_service.db`), not of the If-Match or vote logic tested here.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread
import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gosplan_service.models import AuditEvent, PlanVersion, User, Vote

from .conftest import PASSWORD, session_on
from .test_plans import plan_app

ROUNDS_PATCH = 5
CLIENTS = 50
ROUNDS_VOTE = 30
MEMBERS = 5
QUORUM = 3
#: Worker threads of the server (anyio's default is 40).
THREADS = 4 * CLIENTS


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    """The base URL of a uvicorn server on a free loopback port (stopped afterwards)."""
    config = uvicorn.Config(
        plan_app(database_url, login_rate_limit=1000),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="on",
    )
    running = uvicorn.Server(config)

    async def serve() -> None:
        # More worker threads than concurrent requests: see the module's docs.
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        await running.serve()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    port = running.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


def _login(base: str, user: User) -> dict[str, str]:
    response = httpx.post(f"{base}/api/auth/login", json={"name": user.name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _at_once(requests: list[Callable[[httpx.Client], int]]) -> list[int]:
    barrier = threading.Barrier(len(requests))

    def run(request: Callable[[httpx.Client], int]) -> int:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            return request(client)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(run, requests))


def _version(app_client: TestClient, user: User, **values: Any) -> int:
    version = PlanVersion(
        plan_name=values.pop("plan_name", "concurrent"),
        spec={"economy": "scenario:ussr-1928", "tables": {}},
        created_by=user.id,
        **values,
    )
    with session_on(app_client) as session:
        session.add(version)
    return version.id


def test_fifty_patches_one_etag_one_winner(
    server: str, app_client: TestClient, make_user: Callable[..., User]
) -> None:
    planner = make_user("planner")
    auth = _login(server, planner)
    for round_ in range(ROUNDS_PATCH):
        vid = _version(app_client, planner, plan_name="patched", number=round_ + 1)

        def patch(client: httpx.Client, quorum: int, url: str = f"{server}/api/plans/{vid}") -> int:
            body = {"approval": {"policy": "quorum", "quorum": quorum}}
            return client.patch(url, json=body, headers={**auth, "If-Match": '"1"'}).status_code

        statuses = _at_once([lambda c, q=q: patch(c, q) for q in range(1, CLIENTS + 1)])
        assert sorted(statuses) == [200] + [412] * (CLIENTS - 1), statuses
        with session_on(app_client) as session:
            version = session.get(PlanVersion, vid)
            assert version is not None and version.row_version == 2
            edits = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "plan.edit", AuditEvent.object_id == str(vid))
            )
        assert edits == 1


def test_quorum_votes_at_once_approve_exactly_once(
    server: str, app_client: TestClient, make_user: Callable[..., User]
) -> None:
    planner = make_user("planner")
    members = [make_user("committee_member") for _ in range(MEMBERS)]
    tokens = [_login(server, member) for member in members]
    for round_ in range(ROUNDS_VOTE):
        vid = _version(
            app_client,
            planner,
            plan_name=f"voted-{round_}",
            number=1,
            status="counter_plans_open",
            approval_policy="quorum",
            quorum=QUORUM,
        )
        url = f"{server}/api/plans/{vid}/votes"
        statuses = _at_once(
            [
                lambda c, t=t, url=url: (
                    c.post(url, json={"decision": "approve"}, headers=t).status_code
                )
                for t in tokens
            ]
        )
        assert sorted(statuses) == [201] * QUORUM + [409] * (MEMBERS - QUORUM), statuses
        with session_on(app_client) as session:
            version = session.get(PlanVersion, vid)
            assert version is not None and version.status == "approved"
            approvals = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "plan.approve", AuditEvent.object_id == str(vid))
            )
            voters = session.scalars(select(Vote.user_id).where(Vote.plan_version_id == vid)).all()
        assert approvals == 1
        assert len(voters) == QUORUM == len(set(voters))
    with pytest.raises(IntegrityError), session_on(app_client) as session:
        session.add_all([Vote(plan_version_id=vid, user_id=voters[0], decision="reject")])
