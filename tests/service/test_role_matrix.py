"""Every cell of the role matrix of docs/service.md, over HTTP, on SQLite and PostgreSQL.

The expectations are read from the document (the table between the ``role-matrix``
markers), not from :data:`gosplan_service.permissions.MATRIX`: the document is the test
table. For every action, role and object (an object of the user's own enterprise, another
enterprise's, or, for objects of no enterprise, any), the action is performed as a user of
that role, and the status must be the documented one:

- ``all``: 2xx; ``own``: 2xx on an own object, 404 on another enterprise's;
- ``-``: 403, and 404 for a director or workers' committee on another enterprise's object;
- without a token: 401 (one test per action).

State-changing actions get a fresh object in the right state per cell (a seeded version:
the ussr-1928 plan is solved once per process and its result reused). Where the right state
is a draft (``plan.edit``, ``plan.solve``, ``plan.publish``), the denied roles are asked on a
published version instead, since a draft answers 404 to every role but planner (checked by
its own test); their 403 would otherwise never be seen.

One database and app per database kind for the whole module (a fresh one per cell would
take minutes); the cells only add objects to it.
"""

from __future__ import annotations

import itertools
import re
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from gosplan_service.db import session_scope
from gosplan_service.models import (
    ControlFigure,
    CounterPlan,
    FulfilmentReport,
    Job,
    PlanVersion,
    User,
)
from gosplan_service.security import issue_token

from .conftest import _create_postgres_database, _drop_postgres_database, settings_for
from .seed import solved
from .server import create_full_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Using `httpx` with")
    from fastapi.testclient import TestClient

DOC = Path(__file__).resolve().parents[2] / "docs" / "service.md"
ENTERPRISE_ROLES = ("director", "workers_committee")


def read_matrix(path: Path = DOC) -> dict[str, dict[str, str]]:
    """``matrix[action][role]`` from the table between the markers of ``path``."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"<!-- role-matrix:start -->\n(.*?)<!-- role-matrix:end -->", text, re.S)
    assert found, f"{path} has no role-matrix markers"
    lines = [line.strip() for line in found.group(1).strip().splitlines() if line.strip()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[0] == "action", header
    matrix: dict[str, dict[str, str]] = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        assert all(c in ("all", "own", "-") for c in cells[1:]), line
        matrix[cells[0]] = dict(zip(header[1:], cells[1:], strict=True))
    return matrix


MATRIX = read_matrix()
ROLES = tuple(next(iter(MATRIX.values())))
#: Actions on objects of an enterprise (asked on an own object and on another's).
ENTERPRISE_OBJECT_ACTIONS = frozenset(
    {
        "figures.read",
        "counter_plan.read",
        "counter_plan.submit",
        "counter_plan.withdraw",
        "report.read",
        "report.submit",
    }
)
#: Actions on lists limited to the user's enterprise: there is no other enterprise's object.
ENTERPRISE_LIST_ACTIONS = frozenset({"alerts.read"})
#: Actions whose right state is a draft (hidden from all but planners).
DRAFT_ACTIONS = frozenset({"plan.edit", "plan.solve", "plan.publish"})


def _scopes(action: str, role: str) -> tuple[str, ...]:
    if role not in ENTERPRISE_ROLES:
        return ("any",)
    if action in ENTERPRISE_OBJECT_ACTIONS:
        return ("own", "other")
    if action in ENTERPRISE_LIST_ACTIONS:
        return ("own",)
    return ("any",)


CELLS = [
    pytest.param(action, role, scope, id=f"{action}-{role}-{scope}")
    for action in MATRIX
    for role in ROLES
    for scope in _scopes(action, role)
]


def expected_status(cell: str, role: str, scope: str) -> str:
    """``"2xx"``, ``"403"`` or ``"404"``: what the document says the cell answers."""
    if role in ENTERPRISE_ROLES and scope == "other":
        return "404"
    if cell in ("all", "own"):
        return "2xx"
    return "403"


_NAMES = itertools.count(1)


@dataclass
class Office:
    """The module's app, its users' tokens and the objects the read cells share."""

    client: TestClient
    app: FastAPI
    tokens: dict[str, str]
    planner_id: int
    own: str
    other: str
    approved: int
    open_single: int
    figures: dict[str, dict[str, Any]]
    shared: dict[str, int]

    def session(self) -> Any:
        return session_scope(self.app.state.sessionmaker)

    def version(self, status: str, *, quorum: int | None = None) -> int:
        """A new ussr-1928 version in ``status`` with its control figures."""
        plan = solved()
        with self.session() as session:
            version = PlanVersion(
                plan_name=f"matrix-{next(_NAMES)}",
                number=1,
                status=status,
                spec=plan.spec,
                result=plan.result,
                approval_policy="quorum" if quorum else "single",
                quorum=quorum,
                created_by=self.planner_id,
            )
            session.add(version)
            session.flush()
            session.add_all(ControlFigure(plan_version_id=version.id, **r) for r in plan.figures)
            return version.id

    def counter_plan(self, enterprise: str) -> int:
        with self.session() as session:
            cp = CounterPlan(
                plan_version_id=self.open_single,
                enterprise=enterprise,
                rows=[{"period": self.figures[enterprise]["period"], "extra_output": 1.0}],
                submitted_by=self.planner_id,
            )
            session.add(cp)
            session.flush()
            return cp.id

    def report(self, enterprise: str) -> int:
        figure = self.figures[enterprise]
        with self.session() as session:
            report = FulfilmentReport(
                plan_version_id=self.approved,
                enterprise=enterprise,
                period=figure["period"],
                rows=[{"product": figure["product"], "quantity": 1.0}],
                submitted_by=self.planner_id,
            )
            session.add(report)
            session.flush()
            return report.id


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Office]:
    """One migrated database (SQLite file or PostgreSQL database) and app for the module."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("matrix") / "service.db"
        path.write_bytes(Path(make_url(template).database or "").read_bytes())
        url, drop = f"sqlite:///{path}", None
    else:
        template = request.getfixturevalue("postgresql_template")
        server = request.getfixturevalue("postgres_server")
        url = _create_postgres_database(server, template=make_url(template).database)
        drop = url
    app = create_full_app(settings_for(url, submission_rate_limit=10**6, login_rate_limit=10**6))
    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    try:
        plan = solved()
        figures: dict[str, dict[str, Any]] = {}
        for row in plan.figures:
            figures.setdefault(row["enterprise"], row)
        own, other = sorted(figures)[:2]
        tokens: dict[str, str] = {}
        with session_scope(app.state.sessionmaker) as session:
            users = {}
            for role in ROLES:
                user = User(
                    name=f"matrix-{role}",
                    role=role,
                    enterprise=own if role in ENTERPRISE_ROLES else None,
                    password_hash="x",
                )
                session.add(user)
                session.flush()
                users[role] = user
                tokens[role], _ = issue_token(session, user, 24 * 3600)
            planner_id = users["planner"].id
        office = Office(client, app, tokens, planner_id, own, other, 0, 0, figures, shared={})
        office.approved = office.version("approved")
        office.open_single = office.version("counter_plans_open")
        with office.session() as session:
            job = Job(
                kind="solve",
                status="done",
                progress=1.0,
                parameters={},
                plan_version_id=office.approved,
                requested_by=planner_id,
            )
            session.add(job)
            session.flush()
            office.shared["job"] = job.id
        for scope, enterprise in (("own", own), ("other", other)):
            office.shared[f"cp-{scope}"] = office.counter_plan(enterprise)
            office.shared[f"report-{scope}"] = office.report(enterprise)
        yield office
    finally:
        client.__exit__(None, None, None)
        if drop is not None:
            _drop_postgres_database(drop)


def _if_match(version_id: int) -> dict[str, str]:
    return {"If-Match": '"1"'}


Request = tuple[str, str, dict[str, Any]]


def prepare(office: Office, action: str, role: str, scope: str) -> Request:
    """The request performing ``action`` as ``role`` on a ``scope`` object (fresh if need be)."""
    enterprise = office.other if scope in ("other", "any") else office.own
    allowed = MATRIX[action][role] != "-"
    figure = office.figures[enterprise]
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body: dict[str, Any]
    if action == "plan.read":
        return "GET", f"/api/plans/{office.approved}", {}
    if action == "plan.create":
        return (
            "POST",
            "/api/plans",
            {"json": {"name": f"new-{next(_NAMES)}", "scenario": "ussr-1928"}},
        )
    if action in DRAFT_ACTIONS:
        version = office.version("draft" if allowed else "published")
        if action == "plan.edit":
            body = {"approval": {"policy": "quorum", "quorum": 2}}
            return "PATCH", f"/api/plans/{version}", {"json": body, "headers": _if_match(version)}
        verb = action.split(".")[1]
        return "POST", f"/api/plans/{version}/{verb}", {"headers": _if_match(version)}
    if action == "plan.simulate":
        body = {"periods": [1929], "shocks": [{"product": "coal", "from_step": 0, "share": 0.1}]}
        return "POST", f"/api/plans/{office.approved}/simulations", {"json": body}
    if action == "plan.open":
        version = office.version("published")
        return "POST", f"/api/plans/{version}/open", {"headers": _if_match(version)}
    if action == "plan.derive":
        return "POST", f"/api/plans/{office.approved}/versions", {}
    if action == "plan.approve":
        version = office.version("counter_plans_open")
        return "POST", f"/api/plans/{version}/approve", {"headers": _if_match(version)}
    if action == "plan.vote":
        version = office.version("counter_plans_open", quorum=2)
        return "POST", f"/api/plans/{version}/votes", {"json": {"decision": "approve"}}
    if action == "figures.read":
        query = {"enterprise": enterprise}
        return "GET", f"/api/plans/{office.approved}/control-figures", {"params": query}
    if action == "counter_plan.read":
        cp = office.shared["cp-own" if scope == "own" else "cp-other"]
        return "GET", f"/api/counter-plans/{cp}", {}
    if action == "counter_plan.submit":
        body = {
            "enterprise": enterprise,
            "rows": [{"period": figure["period"], "extra_output": 1.0}],
        }
        path = f"/api/plans/{office.open_single}/counter-plans"
        return "POST", path, {"json": body, "headers": key}
    if action == "counter_plan.withdraw":
        return "POST", f"/api/counter-plans/{office.counter_plan(enterprise)}/withdraw", {}
    if action == "report.read":
        report = office.shared["report-own" if scope == "own" else "report-other"]
        return "GET", f"/api/reports/{report}", {}
    if action == "report.submit":
        body = {
            "enterprise": enterprise,
            "period": figure["period"],
            "rows": [{"product": figure["product"], "quantity": 2.0}],
        }
        return "POST", f"/api/plans/{office.approved}/reports", {"json": body, "headers": key}
    if action == "competition.read":
        return "GET", f"/api/plans/{office.approved}/competition", {}
    if action == "alerts.read":
        return "GET", f"/api/plans/{office.approved}/alerts", {}
    if action == "audit.read":
        return "GET", "/api/audit", {}
    if action == "job.read":
        return "GET", f"/api/jobs/{office.shared['job']}", {}
    raise AssertionError(f"the test does not know how to perform {action!r}: add it to prepare()")


def perform(office: Office, request: Request, token: str | None) -> httpx.Response:
    method, path, kwargs = request
    headers = dict(kwargs.pop("headers", {}))
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    office.client.cookies.clear()
    return office.client.request(method, path, headers=headers, **kwargs)


def _matches(status: int, expected: str) -> bool:
    return 200 <= status < 300 if expected == "2xx" else status == int(expected)


def test_the_document_lists_every_role_and_an_action() -> None:
    assert ROLES == (
        "planner", "approver", "committee_member", "director", "workers_committee", "observer",
    )  # fmt: skip
    assert "report.submit" in MATRIX


@pytest.mark.parametrize(("action", "role", "scope"), CELLS)
def test_cell(office: Office, action: str, role: str, scope: str) -> None:
    expected = expected_status(MATRIX[action][role], role, scope)
    response = perform(office, prepare(office, action, role, scope), office.tokens[role])
    assert _matches(response.status_code, expected), (
        f"{role} {action} on {scope}: expected {expected} (docs/service.md says"
        f" {MATRIX[action][role]!r}), got {response.status_code}: {response.text[:500]}"
    )


@pytest.mark.parametrize("action", list(MATRIX))
def test_without_a_token(office: Office, action: str) -> None:
    response = perform(office, prepare(office, action, "planner", "any"), None)
    assert response.status_code == 401, response.text[:500]


@pytest.mark.parametrize("action", sorted(DRAFT_ACTIONS))
@pytest.mark.parametrize("role", [r for r in ROLES if r != "planner"])
def test_a_draft_is_hidden_from_all_but_planners(office: Office, action: str, role: str) -> None:
    version = office.version("draft")
    if action == "plan.edit":
        request: Request = (
            "PATCH",
            f"/api/plans/{version}",
            {"json": {"approval": {"policy": "single"}}},
        )
    else:
        request = ("POST", f"/api/plans/{version}/{action.split('.')[1]}", {})
    request[2]["headers"] = _if_match(version)
    response = perform(office, request, office.tokens[role])
    assert response.status_code == 404, response.text[:500]
