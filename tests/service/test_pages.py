"""The server-rendered pages (TestClient, on SQLite and PostgreSQL).

Each page renders for a role allowed to see it, with labelled table headers and no
traceback; without a session cookie it redirects to ``/login``; a director asking for
another enterprise's figures or counter-plan gets a 404 page; a denied action shows a clear
message; names are escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gosplan_service.models import (
    AuditEvent,
    CounterPlan,
    FulfilmentReport,
    Job,
    PlanVersion,
    User,
    Vote,
)

from .conftest import PASSWORD, session_on, settings_for
from .seed import seed_version, solved
from .server import create_full_app

DIRECTOR_ENTERPRISE = "Donugol mines"
OTHER_ENTERPRISE = "Azneft"


def pages_app(database_url: str, **settings: Any) -> FastAPI:
    """The app with every API router, and the pages (unless ``create_app`` mounts them).

    ``settings`` override the test settings (``job_workers=1`` starts the real job runner).
    """
    from gosplan_service import pages

    settings.setdefault("login_rate_limit", 10_000)
    app: FastAPI = create_full_app(settings_for(database_url, **settings))
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/login" not in paths:
        app.include_router(pages.router)
    if "/static" not in paths:
        pages.mount_static(app)
    return app


@dataclass
class World:
    """What the tests seed: a client, users by role, versions and objects by name."""

    client: TestClient
    users: dict[str, User]
    ids: dict[str, int]

    def login(self, role: str) -> TestClient:
        """Log the client in as the user of ``role`` through the form (the cookie is set)."""
        self.client.cookies.clear()
        response = self.client.post(
            "/login",
            data={"name": self.users[role].name, "password": PASSWORD, "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return self.client


def _seed_objects(client: TestClient, users: dict[str, User], ids: dict[str, int]) -> None:
    with session_on(client) as session:
        quorum = PlanVersion(
            plan_name="quorum plan",
            number=1,
            status="counter_plans_open",
            spec=solved().spec,
            approval_policy="quorum",
            quorum=2,
            created_by=users["planner"].id,
        )
        session.add(quorum)
        session.flush()
        session.add(
            Vote(
                plan_version_id=quorum.id, user_id=users["committee_member"].id, decision="approve"
            )
        )
        check = {
            "ok": True,
            "accepted_share": 0.5,
            "message": "half of it can be supplied",
            "missing": [{"kind": "capacity", "item": "coal", "period": 1929, "quantity": 1.5}],
            "starved": [],
        }
        rows = [{"period": 1929, "extra_output": 2.0, "input": None, "new_coefficient": None}]
        mine = CounterPlan(
            plan_version_id=ids["open"],
            enterprise=DIRECTOR_ENTERPRISE,
            status="checked",
            rows=rows,
            check_result=check,
            submitted_by=users["director"].id,
        )
        theirs = CounterPlan(
            plan_version_id=ids["open"],
            enterprise=OTHER_ENTERPRISE,
            status="submitted",
            rows=rows,
            submitted_by=users["director"].id,
        )
        report = FulfilmentReport(
            plan_version_id=ids["approved"],
            enterprise=DIRECTOR_ENTERPRISE,
            period=1929,
            rows=[{"product": "coal", "quantity": 15.0}],
            submitted_by=users["director"].id,
        )
        job = Job(
            kind="solve",
            status="running",
            progress=0.4,
            message="solving",
            parameters={},
            plan_version_id=ids["approved"],
            requested_by=users["planner"].id,
        )
        session.add_all([mine, theirs, report, job])
        session.flush()
        ids.update(quorum=quorum.id, mine=mine.id, theirs=theirs.id, job=job.id)


@pytest.fixture
def world(
    database_url: str, make_client: Callable[..., TestClient], make_user: Callable[..., User]
) -> World:
    """A client on the pages, one user per role, an approved and an open version, objects."""
    client = make_client(app=pages_app(database_url))
    users = {
        role: make_user(
            role,
            enterprise=DIRECTOR_ENTERPRISE if role in ("director", "workers_committee") else None,
        )
        for role in (
            "planner",
            "approver",
            "committee_member",
            "director",
            "workers_committee",
            "observer",
        )
    }
    ids = {
        "approved": seed_version(client, status="approved", created_by=users["planner"]).id,
        "open": seed_version(client, status="counter_plans_open", created_by=users["planner"]).id,
    }
    _seed_objects(client, users, ids)
    return World(client, users, ids)


#: (role, path, headers the page's tables must show)
PAGES: list[tuple[str, str, tuple[str, ...]]] = [
    ("planner", "/", ("Plan", "Version", "Status", "Approval", "Parent")),
    ("observer", "/", ("Plan", "Version", "Status")),
    ("planner", "/plans/{approved}", ("Status", "Approval policy", "Parent", "ETag")),
    ("director", "/plans/{open}", ("Status", "Approval policy", "ETag")),
    ("planner", "/plans/{approved}/diff/{open}", ("What", "Where", "Activity", "Enterprise")),
    (
        "planner",
        "/plans/{approved}/figures",
        ("Enterprise", "Activity", "Product", "Period", "Month", "Output", "Unit"),
    ),
    ("director", "/plans/{approved}/figures", ("Enterprise", "Product", "Output", "Unit")),
    ("workers_committee", "/plans/{approved}/figures", ("Enterprise", "Output")),
    ("director", "/plans/{open}/counter-plans/new", ("Period", "Extra output", "Input (optional)")),
    ("director", "/counter-plans/{mine}", ("Period", "Extra output", "Kind", "Quantity")),
    ("observer", "/counter-plans/{theirs}", ("Period", "Extra output")),
    ("director", "/plans/{approved}/reports/new", ("Product", "Quantity", "Unit")),
    ("approver", "/plans/{open}/approval", ("When (UTC)", "Who", "Decision")),
    ("committee_member", "/plans/{quorum}/approval", ("Member", "Decision")),
    ("observer", "/plans/{approved}/competition", ("Rank", "Enterprise", "Period", "Value")),
    ("director", "/plans/{approved}/alerts", ("Enterprise", "Product", "Fulfilment", "Direction")),
    ("planner", "/audit", ("When (UTC)", "User", "Role", "Action", "Object", "Outcome")),
    ("planner", "/jobs/{job}", ()),
]


def headers_of(html: str) -> list[str]:
    """The text of every ``<th scope="col">`` and ``<th scope="row">`` of the page."""
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(r'<th scope="(?:col|row)">(.*?)</th>', html, re.S)
    ]


def test_each_page_renders_for_an_allowed_role(world: World) -> None:
    failures = []
    for role, template, expected in PAGES:
        path = template.format(**world.ids)
        response = world.login(role).get(path)
        html = response.text
        if response.status_code != 200 or "Traceback" in html:
            failures.append(f"{role} {path}: {response.status_code} {html[:300]}")
            continue
        assert response.headers["content-type"].startswith("text/html")
        missing = [h for h in expected if h not in headers_of(html)]
        if missing:
            failures.append(f"{role} {path}: no column {missing} in {headers_of(html)}")
        if expected and "<caption>" not in html:
            failures.append(f"{role} {path}: a table without a caption")
        user = world.users[role]
        if user.name not in html:
            failures.append(f"{role} {path}: the header does not name the user")
    assert failures == []


def test_the_header_shows_user_role_and_enterprise(world: World) -> None:
    html = world.login("director").get("/").text
    header = html[html.index("<header") : html.index("</header>")]
    assert world.users["director"].name in header
    assert "Director" in header
    assert DIRECTOR_ENTERPRISE in header


def test_figures_show_units_from_the_library(world: World) -> None:
    html = world.login("director").get(f"/plans/{world.ids['approved']}/figures").text
    assert "<td>Mt</td>" in html
    assert DIRECTOR_ENTERPRISE in html
    assert OTHER_ENTERPRISE not in html


def test_pages_redirect_to_login_without_a_cookie(world: World) -> None:
    world.client.cookies.clear()
    for template in sorted({p for _, p, _ in PAGES}):
        response = world.client.get(template.format(**world.ids), follow_redirects=False)
        assert response.status_code == 303, template
        assert response.headers["location"].startswith("/login?next="), template


def test_login_form_sets_the_cookie_and_redirects(world: World) -> None:
    client = world.client
    client.cookies.clear()
    form = client.get("/login?next=/audit")
    assert form.status_code == 200
    assert 'name="password"' in form.text and 'value="/audit"' in form.text
    name = world.users["planner"].name
    wrong = client.post("/login", data={"name": name, "password": "nope", "next": "/audit"})
    assert wrong.status_code == 401
    assert "Wrong name or password" in wrong.text and "Traceback" not in wrong.text
    right = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "next": "/audit"},
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/audit"
    cookie = right.headers["set-cookie"].lower()
    assert "gosplan_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/audit").status_code == 200
    elsewhere = client.post(
        "/login",
        data={"name": name, "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == "/"


def test_logout_ends_the_session(world: World) -> None:
    client = world.login("observer")
    assert client.get("/logout").status_code == 200
    response = client.post("/logout", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).status_code == 303


#: Pages of another enterprise's objects, for the director (of DIRECTOR_ENTERPRISE).
OTHERS = ("/plans/{approved}/figures?enterprise=" + OTHER_ENTERPRISE, "/counter-plans/{theirs}")
#: (role, page, status): pages the role may not see, or not now.
DENIED = [
    ("observer", "/plans/{open}/counter-plans/new", 403),
    ("committee_member", "/audit", 403),
    ("director", "/jobs/{job}", 403),
    ("approver", "/plans/{approved}/reports/new", 403),
    ("director", "/plans/{approved}/counter-plans/new", 409),
    ("planner", "/plans/999999", 404),
    ("planner", "/plans/0", 422),
]


def test_a_director_gets_404_for_another_enterprise(world: World) -> None:
    client = world.login("director")
    for template in OTHERS:
        response = client.get(template.format(**world.ids))
        assert response.status_code == 404, template
        assert "does not exist" in response.text
        assert "Traceback" not in response.text
        assert OTHER_ENTERPRISE not in response.text.split("</header>")[1]


def test_a_denied_page_shows_a_clear_message(world: World) -> None:
    for role, template, status in DENIED:
        response = world.login(role).get(template.format(**world.ids))
        assert response.status_code == status, (role, template, response.text)
        assert response.headers["content-type"].startswith("text/html")
        assert 'role="alert"' in response.text
        assert "Traceback" not in response.text and 'File "' not in response.text


def test_drafts_are_hidden_from_all_but_planners(world: World) -> None:
    with session_on(world.client) as session:
        draft = PlanVersion(
            plan_name="secret draft", number=1, spec={}, created_by=world.users["planner"].id
        )
        session.add(draft)
        session.flush()
        draft_id = draft.id
    assert "secret draft" in world.login("planner").get("/").text
    assert "secret draft" not in world.login("observer").get("/").text
    assert world.login("observer").get(f"/plans/{draft_id}").status_code == 404


def test_names_are_escaped(world: World) -> None:
    evil = "<script>alert('x')</script>"
    with session_on(world.client) as session:
        session.add(
            PlanVersion(
                plan_name=evil,
                number=1,
                status="published",
                spec={},
                created_by=world.users["planner"].id,
            )
        )
        session.add(
            AuditEvent(user_name=evil, action="login", object_type="user", outcome="denied")
        )
    for role, path in (("planner", "/"), ("planner", "/audit")):
        html = world.login(role).get(path).text
        assert evil not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_the_version_page_offers_the_roles_actions(world: World) -> None:
    open_id = world.ids["open"]
    approver = world.login("approver").get(f"/plans/{open_id}")
    assert f'data-api="/api/plans/{open_id}/approve"' in approver.text
    assert approver.headers["etag"] in approver.text.replace("&#34;", '"')
    director = world.login("director").get(f"/plans/{open_id}").text
    assert "data-api=" not in director
    assert f"/plans/{open_id}/counter-plans/new" in director
    planner = world.login("planner").get(f"/plans/{open_id}").text
    assert f'data-api="/api/plans/{open_id}/versions"' in planner
    assert "/approve" not in planner


def test_the_quorum_page_counts_votes(world: World) -> None:
    html = world.login("committee_member").get(f"/plans/{world.ids['quorum']}/approval").text
    assert "You voted <strong>approve</strong>" in html
    assert "Approve: <strong>1</strong> of 2" in html


def test_the_competition_ranks_the_reports(world: World) -> None:
    html = world.login("observer").get(f"/plans/{world.ids['approved']}/competition").text
    assert DIRECTOR_ENTERPRISE in html


def test_the_job_page_polls_the_api(world: World) -> None:
    html = world.login("planner").get(f"/jobs/{world.ids['job']}").text
    assert f'data-job-url="/api/jobs/{world.ids["job"]}"' in html
    assert "<progress" in html and 'src="/static/pages.js"' in html
    assert world.client.get("/static/pages.js").status_code == 200
    assert world.client.get("/static/pages.css").status_code == 200


def test_the_audit_trail_is_paged(world: World) -> None:
    world.login("planner")
    client = world.login("observer")
    first = client.get("/audit?limit=1").text
    assert 'rel="next" href="/audit?offset=1&amp;limit=1"' in first
    second = client.get("/audit?offset=1&limit=1").text
    assert 'rel="prev"' in second


# ------------------------------------------------------------------------ the new plan form
def _form_of(html: str, form_id: str) -> str:
    """The HTML of the form ``form_id`` (from its tag to its end)."""
    start = html.index(f'id="{form_id}"')
    return html[start : html.index("</form>", start)]


def test_the_new_plan_form_is_for_planners(world: World) -> None:
    from gosplan_service.pages.plans import scenario_choices

    html = world.login("planner").get("/").text
    form = _form_of(html, "new-plan-form")
    assert 'data-api="/api/plans"' in form and 'data-then="/plans/{id}"' in form
    assert 'data-field="approval.policy"' in form and 'data-field="approval.quorum"' in form
    assert "ussr-1928/basic" in scenario_choices()
    for scenario in scenario_choices():
        assert f'<option value="{scenario}"' in form
    assert "new-plan-form" not in world.login("observer").get("/").text


def test_a_bad_quorum_shows_the_apis_problem_next_to_the_form(world: World) -> None:
    from gosplan_service.pages.plans import plan_create_body

    fields = {"name": "five-year plan", "scenario": "ussr-1928/basic", "policy": "quorum"}
    client = world.login("planner")
    before = count_versions(world)
    for quorum, message in (("0", "greater than or equal to 1"), ("1.5", "valid integer")):
        response = client.post("/plans/new", data={**fields, "quorum": quorum})
        assert response.status_code == 422, response.text
        form = _form_of(response.text, "new-plan-form")
        assert "<code>body.approval.quorum</code>" in form and message in form
        assert 'value="five-year plan"' in form and f'value="{quorum}"' in form
        api = client.post("/api/plans", json=plan_create_body({**fields, "quorum": quorum}))
        assert api.status_code == 422
        assert [e["field"] for e in api.json()["errors"]] == ["body.approval.quorum"]
    single = client.post("/plans/new", data={**fields, "policy": "single", "quorum": "2"})
    assert single.status_code == 422 and "<code>body.approval</code>" in single.text
    unknown = client.post(
        "/plans/new", data={**fields, "scenario": "atlantis/basic", "quorum": "2"}
    )
    assert unknown.status_code == 422 and "<code>body.scenario</code>" in unknown.text
    assert count_versions(world) == before


def count_versions(world: World) -> int:
    """How many plan versions the database holds."""
    from .seed import count

    return count(world.client, PlanVersion)


def test_the_new_plan_form_creates_a_draft(world: World) -> None:
    client = world.login("planner")
    data = {"name": "<b>five</b>", "scenario": "ussr-1928/basic", "policy": "quorum", "quorum": "2"}
    response = client.post("/plans/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "&lt;b&gt;five&lt;/b&gt;" in page.text and "<b>five</b>" not in page.text
    assert "2 committee approvals needed" in page.text
    assert 'class="action action-solve"' in page.text and "action-publish" not in page.text
    assert world.login("observer").post("/plans/new", data=data).status_code == 403
    from .seed import audit_rows

    assert [r.outcome for r in audit_rows(world.client, "plan.create")] == ["done", "denied"]


def test_committee_members_vote_on_the_version_page(
    world: World, make_user: Callable[..., User]
) -> None:
    quorum = world.ids["quorum"]
    voted = world.login("committee_member").get(f"/plans/{quorum}").text
    assert "action-vote-approve" not in voted
    other = make_user("committee_member")
    world.client.cookies.clear()
    world.client.post("/login", data={"name": other.name, "password": PASSWORD, "next": "/"})
    html = world.client.get(f"/plans/{quorum}").text
    assert f'data-api="/api/plans/{quorum}/votes"' in html
    assert 'data-body="{&#34;decision&#34;: &#34;approve&#34;}"' in html
    assert "action-approve" not in world.login("approver").get(f"/plans/{quorum}").text


def test_denied_page_views_are_audited(world: World) -> None:
    from .seed import audit_rows

    client = world.login("director")
    other = f"/plans/{world.ids['approved']}/figures?enterprise={OTHER_ENTERPRISE}"
    assert client.get(other).status_code == 404
    assert client.get(f"/counter-plans/{world.ids['theirs']}").status_code == 404
    assert client.get(f"/jobs/{world.ids['job']}").status_code == 403
    assert world.login("committee_member").get("/audit").status_code == 403
    director = world.users["director"]
    figures = audit_rows(world.client, "figures.read", "denied")
    assert [(r.user_id, r.role, r.object_type, r.object_id) for r in figures] == [
        (director.id, "director", "plan_version", str(world.ids["approved"]))
    ]
    assert figures[0].detail.startswith("404")
    offers = audit_rows(world.client, "counter_plan.read", "denied")
    assert [r.object_id for r in offers] == [str(world.ids["theirs"])]
    assert [r.object_id for r in audit_rows(world.client, "job.read", "denied")] == [
        str(world.ids["job"])
    ]
    assert [r.role for r in audit_rows(world.client, "audit.read", "denied")] == [
        "committee_member"
    ]
