"""The pages in a real browser: Playwright driving Debian's Chromium against uvicorn.

The app runs its real job runner (``job_workers=1``: a worker process), so the job page's
polling watches a real background job. In the browser:

- a planner logs in through the form, creates a plan through the "New plan" form, solves
  it (the job page polls until done, then links back), publishes, opens and derives it;
  creates a quorum plan (a bad quorum first: the API's problem shows next to the form,
  the field named; then quorum 2), solves, publishes and opens it;
- a director opens their control figures, submits a counter-plan through the form (a
  wrong row first) and sees its check, withdraws another counter-plan, and enters a
  fulfilment report; an approver signs;
- two committee members vote in their own browsers, and the quorum version is approved;
- the audit page lists these actions.

Every page is screenshotted (full page) into ``test-artifacts/screenshots/`` and each
screenshot must not be blank.

Runs on SQLite only (the uvicorn thread and the job worker share the database file).
Needs a Chromium binary on PATH (Playwright's own browser downloads are not used); without
one the test fails and says to run ``bash scripts/install-chromium.sh``.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI
from matplotlib.image import imread
from playwright.sync_api import Browser, Page, expect, sync_playwright

from gosplan_service.db import session_scope
from gosplan_service.models import CounterPlan, User
from gosplan_service.security import hash_password, password_hasher

from .conftest import PASSWORD
from .seed import solved
from .server import free_port, seed_version_into
from .test_pages import DIRECTOR_ENTERPRISE, pages_app

#: Where the screenshots go (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
#: Milliseconds a page may take to show what is awaited.
WAIT_MS = 15_000
#: Milliseconds a solve job may take (the first one starts the worker process).
JOB_MS = 40_000
#: The committee members who vote on the quorum plan.
MEMBERS = ("committee-galina", "committee-dmitri")


def chromium() -> str:
    """Debian's Chromium on PATH; fails the test (no skip) when there is none."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "no `chromium` on PATH: run `bash scripts/install-chromium.sh` to install "
            "Debian's Chromium (Playwright's own browser downloads are not used here)",
            pytrace=False,
        )
    return path


@dataclass
class Served:
    """The running service: its base URL, its app, and the ids of the seeded objects."""

    url: str
    app: FastAPI
    open_id: int
    approved_id: int
    offer_id: int


def _add_users(app: FastAPI) -> None:
    hasher = password_hasher(app.state.settings)
    users = [
        ("planner-anna", "planner", None),
        ("director-boris", "director", DIRECTOR_ENTERPRISE),
        ("approver-vera", "approver", None),
        *((name, "committee_member", None) for name in MEMBERS),
    ]
    with session_scope(app.state.sessionmaker) as session:
        for name, role, enterprise in users:
            password = hash_password(hasher, PASSWORD)
            session.add(User(name=name, role=role, enterprise=enterprise, password_hash=password))


def _add_offer(app: FastAPI, version_id: int) -> int:
    """A checked counter-plan of the director's enterprise (for the director to withdraw)."""
    check = {"ok": True, "accepted_share": 1.0, "message": "covered", "missing": [], "starved": []}
    with session_scope(app.state.sessionmaker) as session:
        boris = session.query(User).filter_by(name="director-boris").one()
        offer = CounterPlan(
            plan_version_id=version_id,
            enterprise=DIRECTOR_ENTERPRISE,
            status="checked",
            rows=[{"period": 1929, "extra_output": 1.0, "input": None, "new_coefficient": None}],
            check_result=check,
            submitted_by=boris.id,
        )
        session.add(offer)
        session.flush()
        return offer.id


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    """uvicorn on 127.0.0.1 and a free port in a thread, seeded, with its real job runner."""
    app = pages_app(database_url, job_workers=1)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        assert app.state.job_runner is not None, "the app did not start its job runner"
        _add_users(app)
        plan = solved()
        approved_id = seed_version_into(database_url, plan, status="approved")
        open_id = seed_version_into(database_url, plan, status="counter_plans_open")
        offer_id = _add_offer(app, open_id)
        yield Served(f"http://127.0.0.1:{port}", app, open_id, approved_id, offer_id)
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot of ``page``; asserts it is not blank (more than one colour)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    pixels = imread(path)
    assert pixels.size and np.any(pixels != pixels[0, 0]), f"{path} is blank"
    return path


def log_in(browser: Browser, served: Served, name: str, path: str, shot: str | None = None) -> Page:
    """A new browser context: open ``path``, get sent to the login form, log in there."""
    page = browser.new_context(viewport={"width": 1200, "height": 800}).new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(served.url + path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    if shot:
        shoot(page, shot)
    page.click("#login-form button[type=submit]")
    expect(page).to_have_url(served.url + path)
    expect(page.locator("header .user-name")).to_have_text(name)
    return page


def status_of(page: Page) -> str:
    """The version's status as its page shows it (waiting for the page to show one)."""
    return page.locator("table.facts .status").inner_text()


def new_plan(page: Page, served: Served, name: str, quorum: str | None = None) -> int:
    """Create a plan through the "New plan" form on ``/``; the new draft's id."""
    page.goto(served.url + "/")
    page.fill("#plan-name", name)
    page.select_option("#plan-scenario", "ussr-1928/basic")
    page.select_option("#plan-policy", "single" if quorum is None else "quorum")
    if quorum is not None:
        page.fill("#plan-quorum", quorum)
    page.click("#new-plan-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/plans/\d+$"))
    expect(page.locator("table.facts .status")).to_have_text("draft")
    return int(page.url.rsplit("/", 1)[1])


def solve(page: Page, served: Served, version_id: int, shot: str | None = None) -> None:
    """Solve the draft: the job page polls the real job until done; then back to the version."""
    page.click("button.action-solve")
    expect(page).to_have_url(re.compile(r"/jobs/\d+$"))
    expect(page.locator("[data-job-status]")).to_have_text("done", timeout=JOB_MS)
    expect(page.locator("[data-job-percent]")).to_have_text("100 %")
    if shot:
        shoot(page, shot)
    page.click("#job-back")
    expect(page).to_have_url(f"{served.url}/plans/{version_id}")
    expect(page.locator("table.facts")).to_contain_text("control figures")


def publish_and_open(page: Page) -> None:
    """Publish the solved draft, then open it for counter-plans (each reloads the page)."""
    page.click("button.action-publish")
    expect(page.locator("table.facts .status")).to_have_text("published")
    page.click("button.action-open")
    expect(page.locator("table.facts .status")).to_have_text("counter_plans_open")


def planner_plans(page: Page, served: Served) -> int:
    """A plan made, solved, published, opened and derived; a quorum plan opened: its id."""
    single = new_plan(page, served, "second five-year plan")
    shoot(page, "03-new-draft")
    solve(page, served, single, shot="04-job-done")
    publish_and_open(page)
    shoot(page, "05-plan-open")
    page.click("button.action-derive")
    expect(page).to_have_url(re.compile(rf"/plans/(?!{single}$)\d+$"))
    expect(page.locator("table.facts .status")).to_have_text("draft")
    expect(page.locator("table.facts")).to_contain_text("second five-year plan v1")
    shoot(page, "06-derived-draft")

    page.goto(served.url + "/")
    page.fill("#plan-name", "committee plan")
    page.select_option("#plan-policy", "quorum")
    page.fill("#plan-quorum", "0")
    page.click("#new-plan-form button[type=submit]")
    problem = page.locator("#new-plan-form [data-problem]")
    expect(problem).to_contain_text("body.approval.quorum")
    expect(problem).to_contain_text("greater than or equal to 1")
    shoot(page, "07-new-plan-problem")
    quorum = new_plan(page, served, "committee plan", quorum="2")
    expect(page.locator("table.facts")).to_contain_text("2 committee approvals needed")
    solve(page, served, quorum)
    publish_and_open(page)
    return quorum


def director_counter_plan(browser: Browser, served: Served) -> Page:
    """The director's figures, then a counter-plan (a wrong one first) and its check."""
    page = log_in(browser, served, "director-boris", f"/plans/{served.open_id}/figures")
    expect(page.locator("#figures caption")).to_contain_text(DIRECTOR_ENTERPRISE)
    expect(page.locator("#figures td", has_text="Mt").first).to_be_visible()
    shoot(page, "08-director-figures")
    page.goto(f"{served.url}/plans/{served.open_id}/counter-plans/new")
    page.fill("input[name=period-0]", "1800")
    page.fill("input[name=extra_output-0]", "50")
    page.click("#counter-plan-form button[type=submit]")
    problem = page.locator("#counter-plan-form [data-problem]")
    expect(problem).to_contain_text("body.rows[0].period")
    shoot(page, "09-counter-plan-problem")
    page.fill("input[name=period-0]", "1929")
    page.click("#counter-plan-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/counter-plans/\d+$"))
    expect(page.locator("#check-summary")).to_be_visible(timeout=JOB_MS)
    expect(page.locator("#check-missing caption")).to_contain_text("missing upstream")
    expect(page.locator("#check-missing tbody")).to_contain_text("capacity")
    expect(page.locator("#check-summary")).to_contain_text("25.0 %")
    shoot(page, "10-counter-plan-check")
    return page


def director_withdraws(page: Page, served: Served) -> None:
    """The director withdraws the other counter-plan of the enterprise."""
    page.goto(f"{served.url}/counter-plans/{served.offer_id}")
    expect(page.locator("main .status")).to_have_text("checked")
    page.click("button.action-withdraw")
    expect(page.locator("main .status")).to_have_text("withdrawn")
    expect(page.locator("button.action-withdraw")).to_have_count(0)
    shoot(page, "11-counter-plan-withdrawn")


def director_report(page: Page, served: Served) -> None:
    """The director enters a fulfilment report on the approved version."""
    page.goto(f"{served.url}/plans/{served.approved_id}/reports/new")
    page.fill("#report-period", "1929")
    page.fill("input[name=product-0]", "coal")
    page.fill("input[name=quantity-0]", "15.5")
    page.click("#report-form button[type=submit]")
    expect(page.locator("#reports tbody")).to_contain_text("coal")
    expect(page.locator("#reports tbody")).to_contain_text("15.50")
    shoot(page, "12-report")


def committee_votes(browser: Browser, served: Served, quorum: int) -> None:
    """Each member votes to approve in their own browser; the second vote approves it."""
    for number, name in enumerate(MEMBERS, start=1):
        page = log_in(browser, served, name, f"/plans/{quorum}")
        page.click("button.action-vote-approve")
        expect(page.locator("button.action-vote-approve")).to_have_count(0)
        expected = "approved" if number == len(MEMBERS) else "counter_plans_open"
        expect(page.locator("table.facts .status")).to_have_text(expected)
        page.goto(f"{served.url}/plans/{quorum}/approval")
        expect(page.locator("p.tally")).to_contain_text(f"Approve: {number} of 2")
        expect(page.locator("main")).to_contain_text("You voted approve")
    expect(page.locator("table.data tbody")).to_contain_text(MEMBERS[0])
    shoot(page, "14-quorum-approved")


#: What the audit page must list after the test's steps.
AUDITED = (
    "login",
    "plan.create",
    "plan.solve",
    "plan.publish",
    "plan.open",
    "plan.derive",
    "counter_plan.submit",
    "counter_plan.withdraw",
    "report.submit",
    "plan.approve",
    "plan.vote",
)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_roles_work_through_the_pages(served: Served) -> None:
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            planner = log_in(browser, served, "planner-anna", "/", shot="01-login")
            expect(planner.locator("table.data tbody tr")).to_have_count(2)
            expect(planner.locator("table.data caption")).to_contain_text("Plan versions")
            shoot(planner, "02-versions")
            quorum = planner_plans(planner, served)

            director = director_counter_plan(browser, served)
            director_withdraws(director, served)
            director_report(director, served)

            approver = log_in(browser, served, "approver-vera", f"/plans/{served.open_id}/approval")
            approver.click("button.action-approve")
            expect(approver.locator("main .status").first).to_have_text("approved")
            expect(approver.locator("table.data tbody")).to_contain_text("approver-vera")
            shoot(approver, "13-approval")

            committee_votes(browser, served, quorum)

            planner.goto(served.url + "/audit?limit=200")
            trail = planner.locator("#audit tbody")
            for action in AUDITED:
                expect(trail).to_contain_text(action)
            shoot(planner, "15-audit")
        finally:
            browser.close()
    assert time.monotonic() - started < 45
