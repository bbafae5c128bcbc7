"""Results written to disk are read back and reported as from memory; bad paths are named."""

from __future__ import annotations

import pandas as pd
import pytest

from gosplan.core.frontier_result import FrontierResult
from gosplan.core.plan_check import PlanCheck
from gosplan.core.plan_result import PlanResult
from gosplan.core.results import read_result as load_result
from gosplan.errors import InputError
from gosplan.plan.diagnosis import check_plan
from gosplan.plan.frontier import frontier
from gosplan.plan.optimise import optimise
from gosplan.report import Report
from gosplan.report.load import default_output, report_from_path
from gosplan.report.tables import parse_value

from . import (
    OUTPUT,
    THETA,
    as_grid,
    feldman_spec,
    level_spec,
    mb_economy,
    one_product_spec,
    table_by_caption,
)
from . import parse as parse_html


@pytest.fixture(scope="module")
def level_plan():
    return optimise(level_spec())


def _cells(html_text: str) -> dict[str, list]:
    """Every table's rows by caption (numbers in the HTML as text)."""
    parsed = parse_html(html_text)
    return {t["caption"]: t["head"] + t["rows"] for t in parsed.tables.values()}


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_plan_read_back_gives_the_same_tables(tmp_path, level_plan, fmt):
    target = tmp_path / ("plan.json" if fmt == "json" else "plan")
    written = level_plan.write(target, format=fmt)
    loaded = load_result(written)
    assert isinstance(loaded, PlanResult)
    assert loaded.status == "optimal" and loaded.periods == (1928, 1929)
    assert loaded.objective == pytest.approx(THETA)
    assert loaded.verification.passed is True
    assert loaded.output.loc["a", 1929] == pytest.approx(OUTPUT["a"])
    from_disk = Report("p").add_plan(loaded, heading="Plan").to_html()
    in_memory = Report("p").add_plan(level_plan, heading="Plan").to_html()
    assert _cells(from_disk) == _cells(in_memory)
    assert parse_html(from_disk).figures.__len__() == parse_html(in_memory).figures.__len__()


def test_report_from_a_plan_folder(tmp_path, level_plan):
    folder = level_plan.write(tmp_path / "level", format="csv")
    out = report_from_path(folder)
    assert out == tmp_path / "level-report.html" == default_output(folder)
    parsed = parse_html(out.read_text(encoding="utf-8"))
    _, rows = as_grid(table_by_caption(parsed, "Gross output by product and period"))
    assert [parse_value(c) for c in rows["b"]] == [OUTPUT["b"]] * 2
    assert "<title>Plan level</title>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_check_written_and_read_back(tmp_path, fmt):
    check = check_plan(one_product_spec())
    folder = check.write(tmp_path / "check", format=fmt)
    loaded = load_result(folder)
    assert isinstance(loaded, PlanCheck)
    assert loaded.feasible is False and loaded.plan is None
    assert loaded.common_level == pytest.approx(2 / 3)
    assert loaded.total_labour_cost == pytest.approx(5.0)
    assert loaded.message() == check.message()
    assert _cells(Report("c").add_check(loaded, heading="C").to_html()) == _cells(
        Report("c").add_check(check, heading="C").to_html()
    )


def test_feasible_check_keeps_its_plan(tmp_path):
    check = check_plan(one_product_spec(labour=20.0))
    assert check.feasible
    loaded = load_result(check.write(tmp_path / "ok"))
    assert isinstance(loaded.plan, PlanResult)
    assert loaded.plan.output.loc["grain", 1] == pytest.approx(30.0)
    out = report_from_path(tmp_path / "ok", tmp_path / "r" / "ok.html", "Feasible")
    text = out.read_text(encoding="utf-8")
    assert "The targets can be met." in text and "<title>Feasible</title>" in text


def test_frontier_table_read_back(tmp_path):
    fr = frontier(feldman_spec(), shares=[0.25, 0.75])
    for fmt in ("csv", "json"):
        path = fr.write(tmp_path / f"frontier.{fmt}", format=fmt)
        loaded = load_result(path)
        assert isinstance(loaded, FrontierResult)
        pd.testing.assert_frame_equal(loaded.table, fr.table, check_dtype=False)
        out = report_from_path(path)
        assert len(parse_html(out.read_text(encoding="utf-8")).figures) == 1


def test_balance_table_read_back(tmp_path):
    sheet = mb_economy((1100.0, 1900.0)).balance_sheet(pd.Series({"a": 350.0, "b": 1700.0}))
    path = tmp_path / "balance.csv"
    sheet.to_csv(path)
    loaded = load_result(path)
    assert list(loaded.index) == ["a", "b"]
    assert loaded.loc["b", "status"] == "deficit"
    out = report_from_path(path)
    parsed = parse_html(out.read_text(encoding="utf-8"))
    _, rows = as_grid(table_by_caption(parsed, "Material balance by product"))
    assert parse_value(rows["a"][1]) == 1000.0 and parse_value(rows["b"][5]) == -100.0


# ---------------------------------------------------------------------------- bad input
def test_missing_path_is_named(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(InputError, match="nowhere: no such file or directory"):
        load_result(missing)


def test_folder_that_is_no_result(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match=r"not a gosplan result: a plan folder has 'plan.json'"):
        load_result(tmp_path)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("t.csv", "a,b\n1,2\n", "a frontier table needs the columns"),
        ("t.txt", "hello", r"expected a folder, or a \.json, \.csv or \.parquet file"),
        ("t.json", "{not json", "not valid JSON"),
        ("t.json", '{"tables": {}}', "not a plan written by gosplan"),
    ],
)
def test_file_that_is_no_result(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        load_result(path)
    assert str(path) in str(err.value)


def test_check_folder_missing_a_table(tmp_path):
    folder = check_plan(one_product_spec()).write(tmp_path / "c")
    (folder / "additions.csv").unlink()
    with pytest.raises(InputError, match="a plan check needs the table 'additions'"):
        load_result(folder)
