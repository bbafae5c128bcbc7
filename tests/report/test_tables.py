"""Golden tests of the report's tables: the HTML cells against answers worked out by hand.

The expected numbers come from the inputs (see the module docstring of ``tests/report``),
not from the report; cells are read back with :func:`gosplan.report.tables.parse_value` and
compared within the four significant digits the report shows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from gosplan.core.words import labour_amount
from gosplan.plan.diagnosis import check_plan
from gosplan.plan.frontier import frontier
from gosplan.plan.optimise import optimise
from gosplan.report import Report, tables
from gosplan.report.html import FigureBlock
from gosplan.report.tables import format_value, parse_value

from . import (
    OUTPUT,
    THETA,
    as_grid,
    feldman_spec,
    level_spec,
    mb_economy,
    one_product_spec,
    parse,
    table_by_caption,
)

REL = 5e-4  # four significant digits


def close(text: str, expected: float) -> bool:
    """A cell equals ``expected`` to the digits shown."""
    value = parse_value(text)
    if math.isnan(expected):
        return math.isnan(value)
    return value == pytest.approx(expected, rel=REL, abs=1e-9)


@pytest.fixture(scope="module")
def level_plan():
    return optimise(level_spec())


@pytest.fixture(scope="module")
def level_html(level_plan) -> str:
    return Report("Level plan").add_plan(level_plan, heading="Plan").to_html()


# ---------------------------------------------------------------------------- formatting
@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234.5678, "number", "1,235"),  # four significant digits, never fewer than whole
        (49340.9, "number", "49,341"),
        (757.5, "number", "757.5"),  # no trailing zeros
        (35.0, "number", "35"),  # a whole number has no decimals
        (1340.0, "number", "1,340"),
        (0.06, "number", "0.06"),
        (29.404, "number", "29.4"),
        (2.86952, "number", "2.87"),
        (98.3893, "number", "98.39"),
        (0.0, "number", "0"),
        (-0.5, "number", "-0.5"),
        (0.000580157, "number", "0.0005802"),
        (2.5e-6, "number", "0.0000025"),
        (2.5e-8, "number", "2.5e-08"),
        (3e12, "number", "3,000,000,000,000"),
        (7, "number", "7"),
        (float("nan"), "number", "—"),
        (float("inf"), "number", "∞"),
        (-float("inf"), "number", "−∞"),
        (0.25, "percent", "25 %"),
        (1.2, "percent", "120 %"),
        (2 / 3, "percent", "66.7 %"),
        ("steel", "text", "steel"),
        (True, "number", "yes"),
    ],
)
def test_format_value(value, kind, text):
    assert format_value(value, kind) == text


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_format_keeps_four_significant_digits(x):
    assert parse_value(format_value(x)) == pytest.approx(x, rel=5.1e-4, abs=1e-300)


@pytest.mark.parametrize(
    ("value", "scale", "text"),
    [(-1.137e-13, 35.0, "0"), (2.27e-13, 1500.0, "0"), (1e-6, 35.0, "0.000001")],
)
def test_residuals_below_1e9_of_the_column_are_zero(value, scale, text):
    assert format_value(value, scale=scale) == text
    assert format_value(value) != "0"  # without a scale nothing is rounded away


def test_years_print_as_integers_and_shares_as_sevenths():
    from gosplan.report.tables import format_year, generic_table, share_labels

    assert format_year(1928.0) == "1928" and format_year(1929) == "1929"
    labour = pd.DataFrame(
        {"year": [1928.0, 1932.0], "category": ["workers", "workers"], "value": [11.4, 24.2]}
    )
    table = generic_table(labour)
    assert table.frame["year"].tolist() == ["1928", "1932"]
    assert [row[-1] for row in table.cells()] == ["11.4", "24.2"]
    assert share_labels([k / 7 for k in range(1, 7)]) == [f"{k}/7" for k in range(1, 7)]
    assert share_labels([0.2, 0.5]) is None  # terminating decimals read as percentages
    assert parse_value("3/7 (42.9 %)") == pytest.approx(3 / 7)


# ---------------------------------------------------------------------------- plan
def test_plan_output_table_is_the_hand_solution(level_html):
    parsed = parse(level_html)
    header, rows = as_grid(table_by_caption(parsed, "Gross output by product and period"))
    assert header == ["product", "1928", "1929"]
    assert set(rows) == {"a", "b"}
    for product, expected in OUTPUT.items():
        assert all(close(cell, expected) for cell in rows[product]), rows[product]


def test_plan_index_consumption_employment_and_growth(level_html):
    parsed = parse(level_html)
    _, index = as_grid(table_by_caption(parsed, "Gross output as an index"))
    assert all(close(c, 100.0) for row in index.values() for c in row)
    _, cons = as_grid(table_by_caption(parsed, "Consumption (final use of consumer goods)"))
    assert all(close(c, THETA) for row in cons.values() for c in row)
    _, emp = as_grid(table_by_caption(parsed, "Employment by labour type"))
    assert emp == {"labour": [format_value(570.0)] * 2}
    _, growth = as_grid(table_by_caption(parsed, "Growth of gross output"))
    # No growth in the first period, none after it: labour is the same in both.
    assert growth == {"a": ["—", "0 %"], "b": ["—", "0 %"]}


def test_plan_targets_and_binding_labour(level_html):
    parsed = parse(level_html)
    header, rows = as_grid(table_by_caption(parsed, "Targets"))
    assert header == ["product", "period", "target", "planned output", "fulfilment"]
    period, target, planned, ratio = rows["a"]
    assert period == "1929" and close(target, 1000.0) and close(planned, 1200.0)
    assert close(ratio, 1.2)
    binding = table_by_caption(parsed, "Binding constraints")
    head = [t for _, t in binding["head"][0]]
    assert head == [
        "block",
        "label",
        "period",
        "slack",
        "shadow price",
        "price holds for the bound",
    ]
    labour = [r for r in binding["rows"] if r[0][1] == "labour"]
    assert sorted(r[2][1] for r in labour) == ["1928", "1929"]
    # One more person-year (in the period whose limit binds) raises theta by 757.5 / 570.
    total = sum(parse_value(r[4][1]) for r in labour)
    assert total == pytest.approx(THETA / 570.0, rel=5e-3)  # shadow prices: 3 digits
    # Largest magnitude first.
    prices = [abs(parse_value(r[4][1])) for r in binding["rows"]]
    assert prices == sorted(prices, reverse=True)


def test_plan_has_its_figures_and_verification(level_html, level_plan):
    parsed = parse(level_html)
    captions = [f["caption"] for f in parsed.figures]
    assert any("Output paths" in c for c in captions)
    assert any("consumption" in c for c in captions)
    assert any("Employment" in c for c in captions)
    assert any("Shadow prices" in c for c in captions)
    assert all(f["src"].startswith("data:image/png;base64,") for f in parsed.figures)
    assert level_plan.verification.passed
    assert "<dt>verdict</dt><dd>passed</dd>" in level_html


def test_infeasible_plan_reports_the_status():
    result = optimise(one_product_spec())
    assert result.status == "infeasible"
    html_text = Report("x").add_plan(result, heading="Plan").to_html()
    assert "No plan: the solver ended with status &#x27;infeasible&#x27;" in html_text
    assert parse(html_text).tables == {}


# ---------------------------------------------------------------------------- check
def _named(header: list[str], cells: list[str]) -> dict[str, str]:
    """A row's cells by column header (the row label's header left out)."""
    return dict(zip(header[1:], cells, strict=True))


def test_check_tables_are_the_hand_diagnosis():
    check = check_plan(one_product_spec())
    html_text = Report("check").add_check(check, heading="Check").to_html()
    assert "66.7%" in html_text  # the message's common level (its wording may change)
    parsed = parse(html_text)
    header, rows = as_grid(table_by_caption(parsed, "Targets (gross output"))
    assert [h for h in header if h != "unit"] == [
        "product",
        "period",
        "target",
        "reachable in the least-shortfall plan",
        "reachable alone",
        "shortfall",
    ]
    grain = _named(header, rows["grain"])
    assert grain["period"] == "1"
    # 10 person-years at 0.5 a unit make 20 units of the 30 set: 10 short.
    assert close(grain["target"], 30.0) and close(
        grain["reachable in the least-shortfall plan"], 20.0
    )
    assert close(grain["reachable alone"], 20.0) and close(grain["shortfall"], 10.0)
    head, limits = as_grid(table_by_caption(parsed, "Limits holding the targets back"))
    labour = _named(head, limits["labour"])
    assert (labour["label"], labour["period"]) == ("labour", "1")
    # 2 units per person-year, weighted 1/30 per unit: 0.0667 to the three digits shown.
    assert labour["shadow price"] == "0.0667"
    head, adds = as_grid(table_by_caption(parsed, "Smallest additions"))
    added = _named(head, adds["labour"])
    assert (added["label"], added["period"]) == ("labour", "1")
    assert close(added["amount"], 5.0) and close(added["labour cost (person-years)"], 5.0)
    assert len(parsed.figures) == 2  # reachable bars and the shadow prices


def test_feasible_check_says_nothing_binds_instead_of_empty_tables():
    check = check_plan(one_product_spec(labour=100.0))
    assert check.feasible
    html_text = Report("check").add_check(check, heading="Check").to_html()
    assert "Nothing binds" in html_text and "None needed" in html_text
    assert ">none<" not in html_text  # no empty table
    captions = [t["caption"] for t in parse(html_text).tables.values()]
    assert not any("Limits holding" in c or "Smallest additions" in c for c in captions)
    assert "<h2>Provenance</h2>" in html_text and "LP tolerance" in html_text


# ---------------------------------------------------------------------------- balance
def test_balance_table_is_the_textbook_balance():
    sheet = mb_economy((1100.0, 1900.0)).balance_sheet(pd.Series({"a": 350.0, "b": 1700.0}))
    html_text = Report("balance").add_balance(sheet).to_html()
    parsed = parse(html_text)
    header, rows = as_grid(table_by_caption(parsed, "Material balance by product"))
    assert header[:6] == [
        "product",
        "unit",
        "gross output",
        "intermediate use",
        "final use",
        "capacity",
    ]
    # Miller & Blair: x = [1000, 2000], A x = [650, 300].
    expected = {
        "a": ("t", 1000, 650, 350, 1100, 100, "ok"),
        "b": ("m", 2000, 300, 1700, 1900, -100, "deficit"),
    }
    for product, (unit, x, inter, final, cap, surplus, status) in expected.items():
        row = rows[product]
        assert row[0] == unit and row[-1] == status
        for cell, value in zip(row[1:-1], (x, inter, final, cap, surplus), strict=True):
            assert close(cell, value), (product, row)
    assert "1 in deficit (output above capacity): b." in html_text
    assert len(parsed.figures) == 1


# ---------------------------------------------------------------------------- frontier
def test_frontier_table_matches_the_plans_it_summarises():
    spec = feldman_spec()
    fr = frontier(spec, shares=[0.2, 0.8])
    parsed = parse(Report("f").add_frontier(fr, heading="Frontier").to_html())
    table = table_by_caption(parsed, "The accumulation–consumption frontier")
    head = [t for _, t in table["head"][0]]
    assert head[0] == "investment share in means of production"
    assert not any("per head" in h for h in head)  # no population given
    assert "status" not in head and "Every share has an optimal plan" in table["caption"]
    # Human headers with the labour unit of the economy (no snake_case).
    assert head[1] == "consumption over the horizon (person-years)"
    assert not any("_" in h for h in head)
    weights = pd.Series({"cloth": 1.0, "steel": 0.0})
    for row, share, plan in zip(table["rows"], [0.2, 0.8], fr.results, strict=True):
        cells = [t for _, t in row]
        assert cells[0] == f"{share:.0%}".replace("%", " %")  # fifths read as percentages
        # Cumulative consumption recomputed from the plan's consumption and the weights.
        cumulative = float((plan.consumption.mul(weights, axis=0)).to_numpy().sum())
        assert close(cells[1], cumulative)
    assert len(parsed.figures) == 1


def test_frontier_in_sevenths_with_population_and_labour_unit():
    spec = feldman_spec()
    shares = [1 / 7, 3 / 7, 6 / 7]
    population = pd.Series([10.0, 11.0, 12.0, 13.0], index=list(spec.periods))
    fr = frontier(spec, shares=shares, population=population)
    html_text = Report("f").add_frontier(fr, heading="F", population_unit="million").to_html()
    parsed = parse(html_text)
    table = table_by_caption(parsed, "The accumulation–consumption frontier")
    head = [t for _, t in table["head"][0]]
    assert "consumption per head (person-years per million people)" in head
    assert [r[0][1] for r in table["rows"]] == ["1/7 (14.3 %)", "3/7 (42.9 %)", "6/7 (85.7 %)"]
    k = head.index("consumption per head (person-years per million people)")
    for row, plan in zip(table["rows"], fr.results, strict=True):
        weights = pd.Series({"cloth": 1.0, "steel": 0.0})
        per_period = plan.consumption.mul(weights, axis=0).sum()
        expected = float((per_period / population.reindex(per_period.index)).sum())
        assert close(row[k][1], expected)
    assert len(parsed.figures) == 1


def _text_frontier(status: list[str]) -> pd.DataFrame:
    """A frontier table as read back from CSV: status and units as text."""
    n = len(status)
    return pd.DataFrame(
        {
            "share": [0.2, 0.5, 0.8][:n],
            "status": status,
            "cumulative_consumption": [10.0, 12.0, math.nan][:n],
            "consumption_per_head": [1.0, 1.2, math.nan][:n],
            "terminal_capacity_value": [5.0, 4.0, math.nan][:n],
            "terminal_means_of_production_capacity": [3.0, 2.0, math.nan][:n],
            "labour_unit": ["thousand person-years"] * n,
            "population_unit": ["million"] * n,
        }
    )


def test_frontier_table_with_a_text_status_and_unit_columns():
    table = _text_frontier(["optimal", " Optimal", "infeasible"])
    assert tables.optimal_rows(table).tolist() == [True, True, False]
    assert tables.labour_unit(table) == "thousand person-years"
    assert tables.population_unit(table) == "million"
    html_text = Report("f").add_frontier(table, heading="F").to_html()
    assert "3 investment shares; 2 with an optimal plan." in html_text
    parsed = parse(html_text)
    shown = table_by_caption(parsed, "The accumulation–consumption frontier")
    head = [t for _, t in shown["head"][0]]
    assert "status" in head  # not every share is optimal
    assert "consumption per head (thousand person-years per million people)" in head
    assert len(parsed.figures) == 1
    every = tables.frontier_table(_text_frontier(["optimal", "OPTIMAL"]))
    assert "status" not in every.frame.columns
    assert "Every share has an optimal plan" in every.caption


def test_labour_in_the_report_reads_as_in_the_check_message():
    for value in (154_000.0, 911.7, 12_345.0):
        assert tables.format_labour(value, "thousand person-years") == labour_amount(
            value, "thousand person-years"
        )
    assert tables.format_labour(math.nan, "person-years") == "— person-years"


# ---------------------------------------------------------------------------- generic pieces
def test_comparison_indices_relative_to_the_first_column():
    frame = pd.DataFrame(
        {"base 1927/28": [4.0, 10.0], "plan": [10.0, 15.0], "outcome": [6.0, 0.0]},
        index=pd.Index(["pig iron", "cloth"], name="product"),
    )
    parsed = parse(Report("c").add_comparison(frame, heading="Plan and outcome").to_html())
    header, values = as_grid(table_by_caption(parsed, "Comparison by product"))
    assert header == ["product", "base 1927/28", "plan", "outcome"]
    assert [parse_value(c) for c in values["pig iron"]] == [4.0, 10.0, 6.0]
    _, index = as_grid(table_by_caption(parsed, "The comparison as indices"))
    assert [parse_value(c) for c in index["pig iron"]] == [100.0, 250.0, 150.0]
    assert [parse_value(c) for c in index["cloth"]] == [100.0, 150.0, 0.0]
    assert len(parsed.figures) == 1


def test_comparison_with_a_unit_column_indexes_on_the_base_column():
    # The demo's comparison: a text column ``unit`` first, then the base year and variants.
    # Indexing on the first column (the unit) gave an empty figure and a table of dashes.
    frame = pd.DataFrame(
        {
            "unit": ["Mt", "bn m"],
            "base 1927/28": [3.2, 2.74],
            "optimal variant 1932/33": [10.0, 4.7],
            "outcome 1932": [6.2, np.nan],
        },
        index=pd.Index(["pig iron", "cotton fabric"], name="product"),
    )
    rep = Report("c").add_comparison(frame, heading="Plan and outcome")
    parsed = parse(rep.to_html())
    header, values = as_grid(table_by_caption(parsed, "Comparison by product"))
    assert header[:2] == ["product", "unit"] and values["pig iron"][0] == "Mt"
    index_table = table_by_caption(parsed, "The comparison as indices")
    assert "base 1927/28 = 100" in index_table["caption"]
    header, index = as_grid(index_table)
    assert header == ["product", "base 1927/28", "optimal variant 1932/33", "outcome 1932"]
    assert close(index["pig iron"][1], 100 * 10.0 / 3.2) and close(index["pig iron"][2], 193.75)
    assert close(index["cotton fabric"][1], 100 * 4.7 / 2.74)
    assert index["cotton fabric"][2] == "—"
    (figure,) = parsed.figures
    assert "base 1927/28 = 100" in figure["caption"]
    # The figure draws the variants (not the unit, not the base), with finite heights.
    section = rep.sections[-1]
    assert sum(isinstance(b, FigureBlock) for b in section.blocks) == 1


def test_generic_table_sources_become_numbered_notes_and_text_is_escaped():
    frame = pd.DataFrame(
        {
            "product": ["<b>steel</b>", "coal", "oil"],
            "1928": [4.0, 35.4, 11.7],
            "source": ["Gosplan 1929, vol. 1", "", "Gosplan 1929, vol. 1"],
        }
    )
    html_text = Report("t & t").add_table("Output & plans", frame, caption="Output (Mt)").to_html()
    assert "<b>steel</b>" not in html_text and "&lt;b&gt;steel&lt;/b&gt;" in html_text
    assert "<title>t &amp; t</title>" in html_text
    parsed = parse(html_text)
    (table,) = parsed.tables.values()
    assert [r[0][1] for r in table["rows"]] == ["<b>steel</b>", "coal", "oil"]
    assert [t for _, t in table["head"][0]] == ["product", "1928"]  # no source column
    assert html_text.count('<li id="table-1-source-1">Gosplan 1929, vol. 1</li>') == 1
    assert html_text.count('href="#table-1-source-1"') == 2
    dropped = Report("t").add_table("T", frame, sources=False).to_html()
    assert "Gosplan" not in dropped


def test_figures_text_and_provenance(tmp_path):
    fig = Figure()
    ax = fig.subplots()
    ax.plot([1, 2], [3, 4])
    ax.set_title("a line")
    rep = Report("R", "sub")
    rep.add_text("Intro", "first\nparagraph\n\nsecond")
    rep.add_figure("A figure", fig, caption="A line (units)")
    rep.add_provenance({"solver": "highs", "tolerances": {"tol": 1e-8}, "inputs": ["a", "b"]})
    path = rep.write(tmp_path / "deep" / "r.html")
    text = path.read_text(encoding="utf-8")
    assert "<p>first paragraph</p>" in text and "<p>second</p>" in text
    assert "<dt>tolerances: tol</dt><dd>1e-08</dd>" in text
    assert "<dt>inputs</dt><dd>a, b</dd>" in text
    assert 'href="#intro"' in text and 'id="intro"' in text
    assert "http://" not in text and "https://" not in text
    assert (rep.n_tables, rep.n_figures) == (0, 1)
    assert np.array_equal(fig.axes[0].lines[0].get_ydata(), [3, 4])  # untouched


def test_binding_rows_of_one_label_and_period_stay_apart_by_their_segment() -> None:
    from gosplan.report.tables import binding_table, fold_dimensions

    binding = pd.DataFrame(
        {
            "block": ["harmony", "harmony", "labour"],
            "label": ["steel", "steel", "workers"],
            "period": [1929, 1929, 1929],
            "segment": [0.0, 2.0, float("nan")],
            "slack": [0.0, 0.0, 0.0],
            "shadow_price": [3.0, 1.0, 0.5],
        }
    )
    folded = fold_dimensions(binding)
    assert folded["label"].tolist() == ["steel, segment 0", "steel, segment 2", "workers"]
    assert "segment" not in folded.columns
    shown = binding_table(binding).frame
    assert shown["label"].tolist() == ["steel, segment 0", "steel, segment 2", "workers"]
