"""The worked example end to end: `gosplan demo` on the bundled scenario ussr-1928."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli.app import app
from gosplan.demo import COMPRESSED_PERIODS, FRONTIER_SHARES, DemoResult, run_demo, summary_rows
from gosplan.report.tables import format_value


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


def _cells(html_text: str, caption_start: str) -> tuple[list[str], dict[str, list[str]]]:
    """Header and rows (label -> cells) of the report table whose caption starts so."""
    import html
    import re

    for table in re.findall(r"<table.*?</table>", html.unescape(html_text), flags=re.S):
        caption = re.sub(r"<.*?>", "", re.search(r"<caption>(.*?)</caption>", table).group(1))
        if caption.split(". ", 1)[-1].startswith(caption_start):
            head = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", table)
            rows = {}
            for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
                label = re.search(r"<th scope=\"row\">(.*?)(<sup|</th>)", row)
                cells = [re.sub(r"<.*?>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                if label:
                    rows[label.group(1)] = cells
            return head, rows
    raise AssertionError(f"no table {caption_start!r}")


def test_report_comparison_is_indexed_on_the_base_year(demo: DemoResult) -> None:
    from gosplan.report.tables import parse_value

    text = demo.report.read_text(encoding="utf-8")
    assert "Indices relative to unit" not in text and "unit = 100" not in text
    head, rows = _cells(text, "The comparison as indices")
    assert head[:2] == ["product", "base 1927/28"]
    # Coal: base 35 Mt, optimal variant 75 Mt, outcome 64.3 Mt (targets_of_production.csv).
    coal = dict(zip(head[1:], rows["coal"], strict=True))
    assert parse_value(coal["base 1927/28"]) == 100
    assert parse_value(coal["optimal variant 1932/33"]) == pytest.approx(7500 / 35, rel=5e-4)
    assert parse_value(coal["outcome 1932"]) == pytest.approx(6430 / 35, rel=5e-4)


def test_report_tables_print_years_and_sourced_figures_as_given(demo: DemoResult) -> None:
    text = demo.report.read_text(encoding="utf-8")
    head, rows = _cells(text, "Base year, the plan's variants")
    coal = dict(zip(head[1:], rows["coal"], strict=True))
    assert coal["1927/28"] == "35" and coal["optimal variant 1932/33"] == "75"
    assert dict(zip(head[1:], rows["sugar"], strict=True))["1927/28"] == "1,340"
    head, rows = _cells(text, "Workers and employees")
    assert head == ["category", "unit", "1928", "1929", "1932"]
    assert rows["workers and employees (whole economy)"] == ["million", "11.4", "—", "24.2"]
    assert rows["manual workers (whole economy)"] == ["million", "8.7", "—", "17.8"]
    head, _ = _cells(text, "Workers hired and leaving")
    assert head[1:] == ["1929", "1930", "1931", "1932"]
    assert "1,928" not in text and "1929.0" not in text
    assert "0.142857" not in text and "1/7 (14.3 %)" in text  # the frontier's shares


def test_report_provenance_has_tolerances_and_clean_paths(demo: DemoResult) -> None:
    text = demo.report.read_text(encoding="utf-8")
    provenance = text.rsplit("<h2>Provenance</h2>", 1)[1]
    assert "LP tolerance" in provenance and "1e-08" in provenance
    assert "verification tolerance" in provenance
    assert "gosplan/datasets/ussr-1928/economy (bundled)" in provenance
    assert "/../" not in text and "written" in provenance


def test_summary_speaks_plainly(demo: DemoResult) -> None:
    rows = dict(summary_rows(demo))
    table = demo.frontier.table
    best = int(np.argmax(table["cumulative_consumption"].to_numpy()))
    assert f"at share {best + 1}/7 " in rows["frontier"]  # shares 1/7 ... 6/7, as fractions
    basic = demo.checks["basic"]
    assert basic.feasible
    margin = format_value(basic.common_level - 1, "percent")
    assert rows["basic variant"] == f"feasible: every target could be exceeded by {margin} " + (
        "(all together)"
    )
    assert "reachable jointly" not in " ".join(rows.values())


def test_cli_demo_writes_the_report_and_says_where(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--output", str(tmp_path)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    written = list(tmp_path.glob("*.html"))
    assert len(written) == 1
    assert "Report written to" in result.stdout
    assert "Summary" in result.stdout
    out = result.stdout
    # Fits a CI log of 80 columns: no wrapped headers, no residuals, no source locations.
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "demo_cmd.py" not in result.output and "closure" not in out
    assert sum("e-1" in line for line in out.splitlines()) == 1  # only "balances close to"
    assert "balances close to" in out and "m rub.*" in out
    header = next(line for line in out.splitlines() if line.startswith("product "))
    assert header.split() == [
        "product",
        "unit",
        "output",
        "interm.",
        "final",
        "capacity",
        "surplus",
    ]
    coal = next(line for line in out.splitlines() if line.startswith("coal "))
    assert coal.split()[:4] == ["coal", "Mt", "35", "29.4"]
    assert "Key products" in out and "4 years" in out and "2/7" in out
    assert "reading the scenario" in result.stderr


def test_cli_demo_unknown_scenario_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--output", str(tmp_path), "--scenario", "atlantis"])
    assert result.exit_code == 2
    assert "atlantis" in result.stderr
    assert "Traceback" not in result.output


def test_the_findings_of_the_readme_are_what_the_code_computes(demo: DemoResult) -> None:
    # Each figure the README and the scenario README state, to the digits they state it.
    basic, optimal, amended = (demo.checks[k] for k in ("basic", "optimal", "amended"))
    assert basic.feasible and optimal.feasible and not amended.feasible
    assert round(basic.common_level - 1, 2) == 1.20  # every target could be exceeded by 120 %
    assert round(optimal.common_level - 1, 3) == 0.245  # ... by 24.5 %
    assert round(amended.common_level, 3) == 0.815  # jointly 81.5 % of every target
    oil = amended.reachable.set_index(["product", "period"]).loc[("oil", 1932)]
    assert (oil["target"], round(oil["reachable_jointly"], 1)) == (47.5, 17.6)
    add = amended.additions
    assert not add["outside"].any()  # every addition can be built within the plan
    assert sorted(add["label"]) == sorted(
        ["oil", "steel", "rolled steel", "pig iron", "transport", "cotton fabric",
         "industrial crops"]
    )  # fmt: skip
    first = dict(zip(add["label"], add["period"], strict=True))
    assert first["oil"] == 1932 and first["steel"] == first["pig iron"] == 1931
    assert round(amended.total_labour_cost) == 912  # thousand person-years
    assert amended.additions_verified is True
    assert round(demo.optimum.level, 3) == 1.055  # 1932/33, with the static terminal condition
    assert round(demo.compressed.level, 3) == 1.026  # 1931/32: the plan in four years
    table = demo.frontier.table
    best = table.loc[table["cumulative_consumption"].idxmax(), "share"]
    assert best == pytest.approx(2 / 7)
    assert round(table["cumulative_consumption"].max(), -3) == 161_000
    assert round(table["cumulative_consumption"].min(), -3) == 155_000  # at 6/7


# ---------------------------------------------------------------------------- running the plan
def test_demo_runs_the_basic_variant(demo: DemoResult) -> None:
    from gosplan.demo import ADOPTED, RUN_PERIODS

    assert ADOPTED == "basic"
    assert demo.adopted.optimal and demo.adopted.objective_kind == "min_labour"
    figures = demo.control.figures
    assert demo.control.monthly
    assert set(figures["period"]) == set(RUN_PERIODS) and set(figures["month"]) == set(range(1, 13))
    # the figures split the adopted plan: their sum is the plan's output of each product
    total = figures.groupby([figures["product"].astype(str), "period"])["output"].sum()
    plan = demo.adopted.output
    for (product, period), value in total.items():
        assert value == pytest.approx(float(plan.loc[product, period]), rel=1e-9, abs=1e-12)


def test_every_bundled_counter_plan_is_checked_in_order(demo: DemoResult) -> None:
    from gosplan.datasets import scenario_path
    from gosplan.run import read_counter_plans

    bundled = read_counter_plans(Path(scenario_path("ussr-1928")).parent / "run/counter_plans.csv")
    check = demo.counter_plans
    assert check.mode == "commit"
    summary = check.summary
    assert list(summary["counter_plan"]) == list(dict.fromkeys(bundled["counter_plan"]))
    shares = summary["accepted_share"].astype(float)
    assert shares.between(0.0, 1.0).all()
    assert (shares >= 1.0).any()  # at least one accepted in full ...
    assert (shares < 1.0).any()  # ... and one not
    assert (summary.loc[shares < 1.0, "binding_item"].astype(str) != "").all()


def test_fulfilment_shows_the_events_of_the_synthetic_reports(demo: DemoResult) -> None:
    table = demo.fulfilment.table
    assert len(table) > 1000
    coal = table[(table["product"].astype(str) == "coal") & (table["period"] == 1930)]
    assert (coal["cause"].astype(str) == "labour:workers").sum() >= 5
    petrovsky = table[
        (table["enterprise"].astype(str) == "Petrovsky works (pig iron)")
        & (table["period"] == 1930)
        & (table["month"] >= 7)
    ]
    assert len(petrovsky) == 6
    assert (petrovsky["shortfall"] > 0).all() and (petrovsky["share"] < 0.8).all()
    assert (petrovsky["cause"].astype(str) == "capacity").all()
    assert "synthetic" in " ".join(map(str, demo.fulfilment.provenance.values()))
    trusts = set(demo.competition["trust"].astype(str))
    assert {"Donugol", "Yugostal"} <= trusts


def test_alerts_include_the_fall_at_the_petrovsky_works(demo: DemoResult) -> None:
    from gosplan.demo import escalated_alerts

    alerts = demo.alerts
    fall = alerts[
        (alerts["enterprise"].astype(str) == "Petrovsky works (pig iron)")
        & (alerts["direction"] == "fall")
    ]
    assert len(fall)
    assert tuple(fall[["period", "month"]].iloc[0]) == (1930, 7)
    up = escalated_alerts(demo)
    assert "Petrovsky works (pig iron)" in set(up["enterprise"].astype(str))
    rows = dict(summary_rows(demo))
    assert "accepted in full" in rows["counter-plans"]
    assert "alerts on" in rows["fulfilment (synthetic)"]


def test_report_has_the_running_sections(demo: DemoResult) -> None:
    parser = _Headings()
    text = demo.report.read_text(encoding="utf-8")
    parser.feed(text)
    headings = " | ".join(parser.headings)
    for heading in (
        "Running the plan: control figures",
        "Counter-plans against the adopted plan",
        "Fulfilment of the control figures (synthetic reports)",
        "Shortfalls and their causes",
        "Socialist competition",
        "Alerts",
    ):
        assert heading in headings, heading
    assert "These reports are synthetic" in text
    assert "labour (workers)" in text  # the coal turnover as a cause, in words
    assert "thousand person-years" in text.rsplit("Shortfalls and their causes", 1)[1]


def test_terminal_running_section_fits_80_columns(demo: DemoResult) -> None:
    from rich.console import Console

    from gosplan.cli.demo_cmd import running_view

    console = Console(width=80, record=True, force_terminal=False, color_system=None)
    running_view(demo, console)
    out = console.export_text()
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[0].startswith("Running the basic variant")
    names = list(demo.counter_plans.summary["counter_plan"].astype(str))
    for name in names:  # one line each, with its verdict
        (line,) = [x for x in lines if name in x]
        assert line.split()[0] in {"accepted", "partial", "refused"}
    assert any(line.startswith("refused") and "[" in line for line in lines)
    assert any(line.startswith("alerts:") for line in lines)
    assert any("Petrovsky works (pig iron): fall" in line for line in lines)
    assert "e-1" not in out
