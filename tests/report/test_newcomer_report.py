"""The demo's report as a newcomer reads it: tables that agree with their rows, plain words.

Table 1's per cent of the planned increase achieved is checked against the numbers of its own
rows (``targets_of_production.csv``), the two senses of "jointly" in a plan check are named,
the end-of-horizon effects of the optimum are computed from the plan, and the plan summaries
speak to a reader (the LP's size stays in the provenance).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gosplan.datasets import load_history
from gosplan.demo import (
    COMPUTED_PERCENT,
    PERCENT_NOTE,
    PERCENT_TOLERANCE,
    SOURCE_PERCENT,
    DemoResult,
    planned_increase_achieved,
    run_demo,
    targets_of_production,
)
from gosplan.plan.diagnosis import check_plan
from gosplan.report import Report, figures, tables
from gosplan.report.build import check_words

from . import as_grid, one_product_spec, parse, table_by_caption


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return load_history("ussr-1928")["targets_of_production"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def html(demo: DemoResult) -> str:
    assert demo.report is not None
    return Path(demo.report).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- 1. Table 1
def test_computed_percent_follows_each_row(rows: pd.DataFrame) -> None:
    table = targets_of_production(rows).drop(index="grain", errors="ignore")
    for product, row in rows.set_index("product").iterrows():
        base, target = float(row["base_1927_28"]), float(row["optimal_1932_33"])
        outcome = float(row["outcome_1932"])
        got = float(targets_of_production(rows).loc[str(product), COMPUTED_PERCENT])
        if np.isnan([base, target, outcome]).any():
            assert np.isnan(got), product
        else:
            assert got == pytest.approx(100 * (outcome - base) / (target - base)), product
    assert len(table)


def test_computed_percent_on_the_rows_the_source_gets_wrong(rows: pd.DataFrame) -> None:
    share = planned_increase_achieved(rows)
    # oil: (21.4 - 11.7) / (21.7 - 11.7): the outcome is below the target, so below 100 %.
    assert share["oil"] == pytest.approx(97.0)
    # leather shoes: 82 > 80 pairs, so above 100 %; steel (5.9 - 4) / (10.4 - 4).
    assert share["leather shoes"] == pytest.approx(100 * 58.8 / 56.8)
    assert share["steel"] == pytest.approx(29.6875)
    assert share["coal"] == pytest.approx(100 * 29.3 / 40)


def test_source_percent_shown_beside_and_flagged(rows: pd.DataFrame) -> None:
    table = targets_of_production(rows)
    assert table.loc["oil", SOURCE_PERCENT] == pytest.approx(107.1)
    flagged = {p for p, n in table[PERCENT_NOTE].items() if n.startswith("DIFFERS")}
    assert flagged == {"oil", "steel", "leather shoes", "paper"}
    gap = (table[SOURCE_PERCENT] - table[COMPUTED_PERCENT]).abs()
    assert set(gap[gap > PERCENT_TOLERANCE].index) == flagged
    assert "no base" in table.loc["cement", PERCENT_NOTE]
    assert np.isnan(table.loc["cement", COMPUTED_PERCENT])
    assert table.loc["iron ore", PERCENT_NOTE] == "blank: no outcome"
    assert table.loc["coal", PERCENT_NOTE].startswith("agrees")


def test_table_one_in_the_report_shows_both_percentages(html: str) -> None:
    header, body = as_grid(table_by_caption(parse(html), "Base year, the plan's variants"))
    assert COMPUTED_PERCENT in header and SOURCE_PERCENT in header
    oil = dict(zip(header[1:], body["oil"], strict=False))
    assert oil[COMPUTED_PERCENT] == "97" and oil[SOURCE_PERCENT] == "107.1"
    assert oil[PERCENT_NOTE].startswith("DIFFERS")


# ---------------------------------------------------------------------------- 2. "jointly"
def test_two_senses_of_jointly_are_named() -> None:
    check = check_plan(one_product_spec())
    words = " ".join(check_words(check))
    assert "common level" in words and "least-shortfall plan" in words
    html_text = Report("check").add_check(check, heading="Check").to_html()
    assert "common level (one share of every target at once)" in html_text
    header, _ = as_grid(table_by_caption(parse(html_text), "Targets (gross output"))
    assert tables.LEAST_SHORTFALL in header and "reachable jointly" not in header


def test_amended_check_explains_its_numbers(demo: DemoResult) -> None:
    check = demo.checks["amended"]
    words = " ".join(check_words(check))
    level = tables.format_value(check.common_level, tables.PERCENT)
    assert f"The common level, {level}, is one share of every target met at once" in words
    reach = check.reachable
    met = int((reach["reachable_jointly"] >= reach["target"] * (1 - 1e-6)).sum())
    assert f"meets {met} of the {len(reach)} targets in full" in words
    assert "oil in 1932" in words


# ---------------------------------------------------------------------------- 3. horizon
def test_end_of_horizon_words_follow_the_plan(demo: DemoResult) -> None:
    plan = demo.optimum
    values = plan.final_use_values
    last, before = plan.periods[-1], plan.periods[-2]
    words = " ".join(tables.end_of_horizon_words(plan, demo.economy.products["unit"]))
    fall = values.loc[last, "investment"] / values.loc[before, "investment"] - 1
    assert fall < 0  # the optimum builds little in its last year
    assert tables.format_value(fall, tables.PERCENT) in words
    other = tables.format_labour(values.loc[last, "other_final_use"], "thousand person-years")
    assert f"Output of means of production worth {other}" in words
    assert "worth nothing" in words


def test_end_of_horizon_in_the_report(html: str) -> None:
    assert html.count("End of the horizon.") == 2  # the optimum and the four-year plan
    assert "Final stocks" in html


# ---------------------------------------------------------------------------- 5. plain words
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (154_000.0, "154 million person-years"),
        (911.7, "912 thousand person-years"),
        (2.5e6, "2.5 billion person-years"),
    ],
)
def test_labour_in_millions(value: float, expected: str) -> None:
    assert tables.format_labour(value, "thousand person-years") == expected


def test_no_solver_words_outside_provenance(html: str) -> None:
    assert not re.search(r"\d{1,3}(,\d{3})+ thousand person-years", html)
    sections = re.split(r"<h[23][^>]*>", html)
    for part in sections:
        heading = part.split("</h", 1)[0]
        if "Provenance" in heading:
            continue
        assert "LP: " not in part, heading
        assert "objective (min_labour)" not in part, heading
        assert "variables," not in part, heading
    assert "objective (solver)" in html and "LP: " in html  # kept, in provenance


# ---------------------------------------------------------------------------- 4. figures
def test_growth_from_the_base_year(demo: DemoResult) -> None:
    plan = demo.optimum
    base = demo.balance["gross_output"]
    table = tables.growth_table(plan, base=base, base_label="1927/28")
    first = str(plan.periods[0])
    coal = table.frame.loc["coal", first]
    assert coal == pytest.approx(plan.output.loc["coal", plan.periods[0]] / base["coal"] - 1)
    assert "against 1927/28" in table.caption
    # Without a base the first period has no growth, as before.
    assert tables.growth_table(plan).frame[first].isna().all()


def test_small_shadow_prices_stay_visible() -> None:
    binding = pd.DataFrame(
        {
            "block": ["capacity", "capacity", "labour"],
            "label": ["steel", "coal", "workers"],
            "period": [1929, 1930, 1931],
            "shadow_price": [0.07, -1e-5, 2e-5],
        }
    )
    ax = figures.shadow_prices(binding, title="t").axes[0]
    assert ax.get_xscale() == "symlog"
    assert len(ax.texts) == 3  # every bar labelled with its value
    narrow = binding.assign(shadow_price=[0.07, -0.01, 0.02])
    assert figures.shadow_prices(narrow, title="t").axes[0].get_xscale() == "linear"


def test_output_figure_draws_the_top_six(html: str, demo: DemoResult) -> None:
    index = tables.output_index_table(demo.optimum, base=demo.balance["gross_output"])
    fig = figures.output_index(index.frame, first="1927/28")
    assert len(fig.axes[0].get_lines()) <= figures.OUTPUT_SERIES + 1  # + the 100 line
    captions = [f["caption"] for f in parse(html).figures]
    output = [c for c in captions if c.startswith("Figure") and "Output paths" in c]
    assert output and all("are drawn" in c and "index" in c for c in output)


def test_captions_say_index_or_units(html: str) -> None:
    captions = [f["caption"] for f in parse(html).figures]
    comparison = next(c for c in captions if "Each variant's gross output" in c)
    assert "as an index" in comparison and "Left out" in comparison and "cement" in comparison
    assert not any("Gross output in product units" in c for c in captions)
    assert all(c.strip() for c in captions)  # no figure without a caption


def test_targets_table_of_a_plan_has_units(html: str) -> None:
    found = [t for t in parse(html).tables.values() if "Targets: gross output set" in t["caption"]]
    assert len(found) == 2  # the optimum and the four-year plan
    header, rows = as_grid(found[0])
    assert "unit" in header
    assert dict(zip(header[1:], rows["coal"], strict=False))["unit"] == "Mt"


def test_turnover_figure_sits_with_its_table(html: str) -> None:
    assert "Labour turnover, hires and departures</h2>" not in html


def test_captions_wrap_at_narrow_widths() -> None:
    from gosplan.report.html import CSS

    assert "overflow-wrap: anywhere" in CSS and "@media (max-width" in CSS


# ---------------------------------------------------------------------------- 5, 6. words
def test_glossary(html: str) -> None:
    for term in (
        "common level (of a plan check)",
        "assortment",
        "shadow price",
        "least-labour value",
        "other final use",
        "terminal condition",
    ):
        assert f"<dt>{term}</dt>" in html, term
    assert "Words used in this report" in html


def test_economy_description_cites_the_sources() -> None:
    from gosplan.datasets import scenario_path
    from gosplan.io import read_economy

    text = read_economy(scenario_path("ussr-1928")).meta.description
    assert "shared/reference" not in text and ".md" not in text
    assert "Istoriya sotsialisticheskoi ekonomiki" in text and "Cliff" in text
