"""The pages in a real browser: Playwright driving Debian's Chromium against uvicorn.

A planner logs in through the form and sees the versions; a director opens their control
figures, submits a counter-plan through the form (a wrong row first: the API's problem is
shown next to the form) and sees its check; enters a fulfilment report; an approver signs;
the audit page lists these actions. Every page is screenshotted (full page) into
``test-artifacts/screenshots/`` and each screenshot must not be blank.

Runs on SQLite only (one uvicorn thread and a job-runner thread share the database file).
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

from gosplan_service import jobs
from gosplan_service.db import session_scope
from gosplan_service.models import User
from gosplan_service.security import hash_password, password_hasher

from .conftest import PASSWORD
from .seed import solved
from .server import free_port, seed_version_into
from .test_pages import DIRECTOR_ENTERPRISE, pages_app

#: Where the screenshots go (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
#: Milliseconds a page may take to show what is awaited.
WAIT_MS = 15_000


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
    """The running service: its base URL, its app, and the ids of the seeded versions."""

    url: str
    app: FastAPI
    open_id: int
    approved_id: int


def _add_users(app: FastAPI) -> None:
    hasher = password_hasher(app.state.settings)
    users = [
        ("planner-anna", "planner", None),
        ("director-boris", "director", DIRECTOR_ENTERPRISE),
        ("approver-vera", "approver", None),
    ]
    with session_scope(app.state.sessionmaker) as session:
        for name, role, enterprise in users:
            password = hash_password(hasher, PASSWORD)
            session.add(User(name=name, role=role, enterprise=enterprise, password_hash=password))


def _run_jobs(app: FastAPI, stop: threading.Event) -> None:
    """Run queued jobs (the counter-plan check) while the test runs."""
    while not stop.is_set():
        jobs.run_pending(app.state.sessionmaker)
        stop.wait(0.2)


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    """uvicorn on 127.0.0.1 and a free port in a thread, seeded, with a job-runner thread."""
    app = pages_app(database_url)
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
    stop = threading.Event()
    runner = threading.Thread(target=_run_jobs, args=(app, stop), daemon=True)
    try:
        _add_users(app)
        plan = solved()
        approved_id = seed_version_into(database_url, plan, status="approved")
        open_id = seed_version_into(database_url, plan, status="counter_plans_open")
        runner.start()
        yield Served(f"http://127.0.0.1:{port}", app, open_id, approved_id)
    finally:
        stop.set()
        server.should_exit = True
        thread.join(timeout=10)
        if runner.is_alive():
            runner.join(timeout=10)


def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot of ``page``; asserts it is not blank (more than one colour)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    pixels = imread(path)
    colours = np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)
    assert len(colours) > 1, f"{path} is blank"
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


def director_counter_plan(browser: Browser, served: Served) -> Page:
    """The director's figures, then a counter-plan (a wrong one first) and its check."""
    page = log_in(browser, served, "director-boris", f"/plans/{served.open_id}/figures")
    expect(page.locator("#figures caption")).to_contain_text(DIRECTOR_ENTERPRISE)
    expect(page.locator("#figures td", has_text="Mt").first).to_be_visible()
    shoot(page, "03-director-figures")
    page.goto(f"{served.url}/plans/{served.open_id}/counter-plans/new")
    page.fill("input[name=period-0]", "1800")
    page.fill("input[name=extra_output-0]", "50")
    page.click("#counter-plan-form button[type=submit]")
    problem = page.locator("#counter-plan-form [data-problem]")
    expect(problem).to_contain_text("body.rows[0].period")
    shoot(page, "04-counter-plan-problem")
    page.fill("input[name=period-0]", "1929")
    page.click("#counter-plan-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/counter-plans/\d+$"))
    expect(page.locator("#check-summary")).to_be_visible()
    expect(page.locator("#check-missing caption")).to_contain_text("missing upstream")
    expect(page.locator("#check-missing tbody")).to_contain_text("capacity")
    expect(page.locator("#check-summary")).to_contain_text("25.0 %")
    shoot(page, "05-counter-plan-check")
    return page


def director_report(page: Page, served: Served) -> None:
    """The director enters a fulfilment report on the approved version."""
    page.goto(f"{served.url}/plans/{served.approved_id}/reports/new")
    page.fill("#report-period", "1929")
    page.fill("input[name=product-0]", "coal")
    page.fill("input[name=quantity-0]", "15.5")
    page.click("#report-form button[type=submit]")
    expect(page.locator("#reports tbody")).to_contain_text("coal")
    expect(page.locator("#reports tbody")).to_contain_text("15.50")
    shoot(page, "06-report")


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

            director = director_counter_plan(browser, served)
            director_report(director, served)

            approver = log_in(browser, served, "approver-vera", f"/plans/{served.open_id}/approval")
            approver.click("button.action-approve")
            expect(approver.locator("main .status").first).to_have_text("approved")
            expect(approver.locator("table.data tbody")).to_contain_text("approver-vera")
            shoot(approver, "07-approval")

            planner.goto(served.url + "/audit")
            trail = planner.locator("#audit tbody")
            for action in ("login", "counter_plan.submit", "report.submit", "plan.approve"):
                expect(trail).to_contain_text(action)
            shoot(planner, "08-audit")
        finally:
            browser.close()
    assert time.monotonic() - started < 60
