"""The report renders in headless Chromium: every figure's image loads, every table is there.

Needs a Chromium binary (``chromium``, ``chromium-browser`` or ``google-chrome``); without one
the test fails and says how to install it (``bash scripts/install-chromium.sh``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from gosplan.plan.diagnosis import check_plan
from gosplan.plan.frontier import frontier
from gosplan.plan.optimise import optimise
from gosplan.report import Report

from . import feldman_spec, level_spec, mb_economy, one_product_spec, parse

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Appended to a copy of the report (the report itself has no script): marks each image that
#: the browser decoded, so that the dumped DOM tells which images loaded.
MARK_LOADED = """<script>
for (const img of document.querySelectorAll("figure[data-kind=figure] img")) {
  if (img.complete && img.naturalWidth > 0 && img.naturalHeight > 0) {
    img.setAttribute("data-loaded", img.naturalWidth + "x" + img.naturalHeight);
  }
}
</script>"""


def browser() -> str:
    """The path of a Chromium binary; fails the test when there is none."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(
        "no Chromium binary on PATH (looked for " + ", ".join(BROWSERS) + "): run "
        "`bash scripts/install-chromium.sh` to install one, then run the tests again",
        pytrace=False,
    )


def run_browser(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [
        binary,
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def full_report(tmp_path_factory) -> tuple[Report, Path]:
    rep = Report("Every part", "plan, check, balance, frontier, comparison")
    rep.add_text("Introduction", "A report with every kind of section.")
    sheet = mb_economy((1100.0, 1900.0)).balance_sheet(pd.Series({"a": 350.0, "b": 1700.0}))
    rep.add_balance(sheet)
    plan = optimise(feldman_spec().with_changes(objective="max_consumption", investment_share=0.5))
    rep.add_plan(plan, heading="A five-year plan")
    rep.add_plan(optimise(level_spec()), heading="A level plan")
    rep.add_check(check_plan(one_product_spec()), heading="Can the targets be met?")
    rep.add_frontier(frontier(feldman_spec(), shares=[0.2, 0.8]), heading="Frontier")
    rep.add_comparison(
        pd.DataFrame({"base": [1.0, 2.0], "plan": [2.0, 3.0]}, index=["a", "b"]),
        heading="Comparison",
    )
    rep.add_provenance(plan.provenance)
    path = rep.write(tmp_path_factory.mktemp("html") / "report.html")
    return rep, path


def test_report_renders_every_figure_and_table(full_report, tmp_path):
    rep, path = full_report
    binary = browser()
    page = tmp_path / "marked.html"
    page.write_text(
        path.read_text(encoding="utf-8").replace("</body>", MARK_LOADED + "</body>"),
        encoding="utf-8",
    )
    done = run_browser(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert dom.count('<figure data-kind="figure"') == rep.n_figures > 5
    assert dom.count('<table data-kind="table"') == rep.n_tables > 10
    parsed = parse(dom)
    assert len(parsed.figures) == rep.n_figures and len(parsed.tables) == rep.n_tables
    assert all(f["caption"].startswith("Figure ") for f in parsed.figures)
    assert all(t["caption"].startswith("Table ") for t in parsed.tables.values())
    # Every image decoded by the browser (the script marked it).
    assert dom.count("data-loaded=") == rep.n_figures


def test_report_screenshot_is_not_blank(full_report, tmp_path):
    _, path = full_report
    binary = browser()
    shot = tmp_path / "shot.png"
    done = run_browser(
        binary,
        tmp_path / "profile",
        "--window-size=1200,2000",
        f"--screenshot={shot}",
        path.as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1200)
    assert float(np.std(pixels[..., :3])) > 0.01  # text and figures, not a blank page
