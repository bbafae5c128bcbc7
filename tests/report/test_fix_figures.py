"""The report's figures and tables after the audit of the worked example.

Each test names the defect it guards against: figures that hid data (legends over the lines,
colours repeating, coinciding lines, bars silently capped), tables of false precision or
without their top rows, and reports without provenance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.plan.frontier import frontier
from gosplan.plan.optimise import optimise
from gosplan.report import Report, figures, tables
from gosplan.report.load import report_from_path

from . import feldman_spec, level_spec, mb_economy, parse, table_by_caption


def _drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def test_capped_bars_are_labelled_with_their_value():
    frame = pd.DataFrame(
        {
            "target": [10.0, 10.0],
            "reachable jointly": [9.0, 10.0],
            "reachable alone": [12.0, 185.1],
        },
        index=pd.Index(["coal", "iron ore"], name="product"),
    ).assign(period=["1932", "1932"])
    fig = figures.reachable(frame)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert max(heights) == figures.REACHABLE_CAP  # 1,851 % drawn up to the cap ...
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["1,851 %"]  # ... and labelled with its value
    assert ax.get_ylim()[1] > figures.REACHABLE_CAP  # room for the label


def test_no_cap_when_every_bar_fits():
    frame = pd.DataFrame(
        {"target": [10.0], "reachable jointly": [9.0], "reachable alone": [30.0]},
        index=pd.Index(["coal"], name="product"),
    ).assign(period=["1932"])
    ax = figures.reachable(frame).axes[0]
    assert len(ax.texts) == 0 and max(p.get_height() for p in ax.patches) == pytest.approx(300.0)


def test_many_bar_labels_are_rotated_and_readable():
    frame = pd.DataFrame(
        np.arange(28.0).reshape(14, 2) + 1,
        index=pd.Index([f"product number {i}" for i in range(14)], name="product"),
        columns=["a", "b"],
    )
    fig = figures.grouped_bars(frame, title="t", ylabel="y")
    assert fig.get_figwidth() <= figures.MAX_WIDTH  # not shrunk below a readable size
    ticks = fig.axes[0].get_xticklabels()
    assert all(t.get_rotation() > 0 for t in ticks)
    assert min(t.get_fontsize() for t in ticks) >= 8


def test_lines_never_repeat_a_style_and_the_legend_is_outside():
    frame = pd.DataFrame(
        np.arange(60.0).reshape(12, 5) ** 1.1,
        index=[f"p{i}" for i in range(12)],
        columns=[str(1929 + k) for k in range(5)],
    )
    fig = figures.lines_over_periods(frame, title="t", ylabel="y")
    ax = fig.axes[0]
    styles = {(ln.get_color(), ln.get_linestyle(), ln.get_marker()) for ln in ax.get_lines()}
    assert len(styles) == len(ax.get_lines()) == 12
    renderer = _drawn(fig)
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= ax.get_window_extent(renderer).x1  # right of the data, not on it


def test_coinciding_lines_are_drawn_once_and_named():
    frame = pd.DataFrame(
        [[100.0, 130.0]] * 5 + [[100.0, 90.0]],
        index=["grain", "meat", "milk", "sugar", "linen", "coal"],
        columns=["1929", "1930"],
    )
    ax = figures.lines_over_periods(frame, title="t", ylabel="y", merge_equal=True).axes[0]
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == ["grain, meat and 3 more", "coal"]
    merged = figures.merge_equal_rows(frame.iloc[:5])
    assert merged.index.tolist() == ["all 5 products"]


def test_output_index_on_the_base_year_and_consumption_index():
    plan = optimise(level_spec())
    base = pd.Series({"a": 600.0, "b": 1050.0})
    index = tables.output_index_table(plan, base=base, base_label="1927/28")
    assert index.frame.columns.tolist() == ["1927/28", "1928", "1929"]
    # Output a = 1200 against the base 600 (the hand solution, tests/report/__init__.py).
    assert index.frame.loc["a", "1929"] == pytest.approx(200.0)
    assert index.frame.loc["b", "1928"] == pytest.approx(100.0)
    cons, left_out = tables.consumption_index(plan)
    assert left_out == [] and np.allclose(cons.to_numpy(), 100.0)
    html_text = (
        Report("p").add_plan(plan, heading="Plan", base=base, base_label="1927/28").to_html()
    )
    captions = [f["caption"] for f in parse(html_text).figures]
    assert any("1927/28 = 100" in c for c in captions)
    assert any("consumption as an index" in c for c in captions)


def test_frontier_has_no_twin_axis_and_labels_fit():
    spec = feldman_spec()
    population = pd.Series([10.0, 11.0, 12.0, 13.0], index=list(spec.periods))
    fr = frontier(spec, shares=[1 / 7, 4 / 7], population=population)
    fig = figures.frontier(fr.table, unit="thousand person-years", population_unit="million")
    assert len(fig.axes) == 3  # consumption, per head, capacity: no second y axis
    titles = [ax.get_title() for ax in fig.axes]
    assert "Consumption per head" in titles
    renderer = _drawn(fig)
    png = figures.to_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # Tight bounding box: every axis label lies inside the saved image.
    box = fig.get_tightbbox(renderer)
    for ax in fig.axes:
        label = ax.yaxis.label.get_window_extent(renderer)
        assert label.x0 >= box.x0 * fig.dpi - 1 and label.x1 <= box.x1 * fig.dpi + 1


def test_stacked_bar_colours_stand_out_from_each_other_and_the_legend_is_outside():
    frame = pd.DataFrame(
        [[4000.0, 3700.0], [29000.0, 29000.0]], index=["workers", "peasants"], columns=["1", "2"]
    )
    fig = figures.stacked_over_periods(frame, title="t", ylabel="y")
    ax = fig.axes[0]
    colours = {tuple(p.get_facecolor()) for p in ax.patches}
    assert len(colours) == 2
    renderer = _drawn(fig)
    assert ax.get_legend().get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1


def test_shadow_price_table_shows_the_top_rows_in_plain_notation():
    binding = pd.DataFrame(
        {
            "block": ["capacity"] * 40,
            "label": [f"a{i}" for i in range(40)],
            "period": [1929] * 40,
            "shadow_price": [1.0 / (i + 1) ** 3 for i in range(40)],
        }
    )
    table = tables.binding_table(binding)
    assert len(table.frame) == tables.TOP_SHADOW_PRICES == 15
    assert "other 25" in table.note
    cells = [row[-1] for row in table.cells()]
    assert cells[:3] == ["1", "0.125", "0.037"]  # three significant digits
    assert not any("e-" in c for c in cells)  # 1/15**3 = 0.000296: plain notation
    html_text = Report("b").add_plan(optimise(level_spec()), heading="P").to_html()
    assert '<p class="table-note">' not in html_text  # two binding rows: nothing left out


def test_balance_and_frontier_reports_from_disk_have_provenance(tmp_path):
    sheet = mb_economy((1100.0, 1900.0)).balance_sheet(pd.Series({"a": 350.0, "b": 1700.0}))
    path = tmp_path / "balance.csv"
    sheet.reset_index().to_csv(path, index=False)
    html_path = report_from_path(path)
    text = html_path.read_text(encoding="utf-8")
    provenance = text.split("<h2>Provenance</h2>")[1]
    assert "gosplan version" in provenance and "written" in provenance
    assert path.resolve().as_posix() in provenance  # the input, resolved
    assert "no LP solver" in provenance
    fr = frontier(feldman_spec(), shares=[0.5])
    written = fr.write(tmp_path / "f" / ".." / "frontier.csv")
    text = report_from_path(written).read_text(encoding="utf-8")
    provenance = text.split("<h2>Provenance</h2>")[1]
    assert (tmp_path / "frontier.csv").resolve().as_posix() in provenance
    assert "/../" not in provenance


def test_in_memory_frontier_report_names_the_solver_and_the_unit():
    fr = frontier(feldman_spec(), shares=[0.5])
    html_text = Report("f").add_frontier(fr, heading="F").to_html()
    provenance = html_text.split("<h2>Provenance</h2>")[1]
    assert "LP tolerance" in provenance and "method" in provenance
    table = table_by_caption(parse(html_text), "The accumulation–consumption frontier")
    head = [t for _, t in table["head"][0]]
    unit = tables.labour_unit(fr)
    assert f"consumption over the horizon ({unit})" in head


def test_display_path_is_resolved_and_relative_to_the_package(tmp_path):
    from gosplan.datasets import scenario_path

    economy = scenario_path("ussr-1928")
    messy = economy.parent / "plans" / "optimum" / ".." / ".." / "economy"
    assert tables.display_path(messy) == "gosplan/datasets/ussr-1928/economy (bundled)"
    assert tables.display_path(tmp_path / "a" / ".." / "b") == (tmp_path / "b").resolve().as_posix()
