"""The worked example end to end: `gosplan demo` on the bundled scenario ussr-1928."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli.app import app
from gosplan.demo import COMPRESSED_PERIODS, FRONTIER_SHARES, DemoResult, run_demo


class _Headings(HTMLParser):
    """Collects the text of h1-h3 headings and counts figures and tables."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.figures = 0
        self.tables = 0
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3"):
            self._in_heading = True
            self.headings.append("")
        self.figures += tag == "figure"
        self.tables += tag == "table"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3"):
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings[-1] += data


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    steps: list[str] = []
    result = run_demo(tmp_path_factory.mktemp("report"), step=steps.append)
    assert len(steps) >= 8  # progress was reported for every step
    return result


def test_base_year_balance_closes_within_capacity(demo: DemoResult) -> None:
    sheet = demo.balance
    np.testing.assert_allclose(sheet["closure"], 0.0, atol=1e-9)
    assert (sheet["final_use"] >= -1e-9).all()
    assert (sheet["status"] == "ok").all()
    # Gross output equals the base-year outputs (all activities of a product together).
    made = demo.economy.output_matrix @ demo.base_levels.to_numpy()
    np.testing.assert_allclose(sheet["gross_output"].to_numpy(), made, rtol=1e-9)


def test_every_variant_is_checked_and_infeasible_ones_are_diagnosed(demo: DemoResult) -> None:
    assert set(demo.checks) == {"basic", "optimal", "amended"}
    for check in demo.checks.values():
        text = check.message()
        if check.feasible:
            assert check.common_level >= 1 - 1e-9
            assert check.plan is not None and check.plan.verification.passed
        else:
            assert check.common_level < 1
            assert "cannot all be met" in text
            assert len(check.binding) > 0


def test_optimum_and_four_year_plan(demo: DemoResult) -> None:
    assert demo.optimum.optimal and demo.optimum.verification.passed
    assert demo.compressed.optimal and demo.compressed.verification.passed
    assert len(demo.optimum.periods) == 5
    assert len(demo.compressed.periods) == COMPRESSED_PERIODS
    # Compressing cannot improve on the five-year optimum of the same goals.
    assert demo.compressed.level <= demo.optimum.level + 1e-7


def test_frontier_covers_one_to_six_sevenths(demo: DemoResult) -> None:
    table = demo.frontier.table
    np.testing.assert_allclose(table["share"], FRONTIER_SHARES)
    solved = table[table["status"] == "optimal"]
    assert len(solved) >= 1
    assert (solved["consumption_per_head"] > 0).all()


def test_comparison_table_has_plan_optimum_and_outcome(demo: DemoResult) -> None:
    table = demo.comparison
    optimum_col = [c for c in table.columns if c.startswith("gosplan optimum")]
    assert optimum_col, table.columns
    assert "outcome 1932" in table.columns and "base 1927/28" in table.columns
    last = demo.optimum.output.columns[-1]
    expected = demo.optimum.output[last].reindex(table.index)
    pd.testing.assert_series_equal(
        table[optimum_col[0]], expected, check_names=False, check_dtype=False
    )


def test_report_has_every_section(demo: DemoResult) -> None:
    assert demo.report is not None and demo.report.is_file()
    parser = _Headings()
    parser.feed(demo.report.read_text(encoding="utf-8"))
    text = " | ".join(parser.headings)
    for heading in (
        "Base-year material balance",
        "basic variant",
        "amended targets",
        "optimal five-year plan",
        "four years",
        "Accumulation against consumption",
        "Plan, optimum and outcome",
        "Targets of production",
        "Labour turnover",
    ):
        assert heading in text, heading
    assert parser.figures >= 6
    assert parser.tables >= 10


def test_cli_demo_writes_the_report_and_says_where(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = list(tmp_path.glob("*.html"))
    assert len(written) == 1
    assert "Report written to" in result.stdout
    assert "Summary" in result.stdout


def test_cli_demo_unknown_scenario_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--output", str(tmp_path), "--scenario", "atlantis"])
    assert result.exit_code == 2
    assert "atlantis" in result.stderr
    assert "Traceback" not in result.output
