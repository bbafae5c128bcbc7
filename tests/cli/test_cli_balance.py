"""CLI balance commands: check, balance, values, multipliers, linkages, ras; and generate."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app
from gosplan.cli.output import as_frame, records, rich_table

from . import A_MB, L_MB, LABOUR_MB, no_traceback, write_csv, write_economy_dir

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


@pytest.fixture
def eco_dir(tmp_path: Path) -> Path:
    return write_economy_dir(tmp_path / "mb")


@pytest.fixture
def demand(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "demand.csv", pd.DataFrame({"product": ["a", "b"], "quantity": [350.0, 1700.0]})
    )


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env=WIDE)
    assert no_traceback(result), result.output
    return result


def read_economy(path: Path):
    from gosplan.io import read_economy as read

    return read(path)


# ---------------------------------------------------------------------- balance
def test_balance_table_textbook(eco_dir: Path, demand: Path) -> None:
    result = invoke("balance", eco_dir, "--demand", demand)
    assert result.exit_code == 0, result.output
    out = result.stdout
    for word in ("gross_output", "intermediate_use", "final_use", "status", "a", "b"):
        assert word in out
    # x = [1000, 2000] (Miller & Blair), shown with thousands separators.
    assert "1,000" in out and "2,000" in out
    assert "method: dense-lu" in out
    assert "relative residual" in out


def test_balance_csv_file_matches_textbook_and_library(
    eco_dir: Path, demand: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "sheet.csv"
    result = invoke("balance", eco_dir, "--demand", demand, "--format", "csv", "--output", target)
    assert result.exit_code == 0, result.output
    back = pd.read_csv(target, index_col="product")
    np.testing.assert_allclose(back["gross_output"], [1000.0, 2000.0], rtol=1e-12)
    np.testing.assert_allclose(back["intermediate_use"], A_MB @ [1000.0, 2000.0], rtol=1e-12)
    np.testing.assert_allclose(back["final_use"], [350.0, 1700.0])
    assert np.isinf(back["capacity"]).all()  # no capacities: unlimited, written as inf
    y = pd.Series({"a": 350.0, "b": 1700.0})
    sheet = read_economy(eco_dir).balance_sheet(y)
    for col in ("gross_output", "intermediate_use", "final_use", "closure"):
        np.testing.assert_array_equal(back[col].to_numpy(), sheet[col].to_numpy())
    assert back["status"].tolist() == sheet["status"].tolist()


def test_balance_several_demands_json(eco_dir: Path, tmp_path: Path) -> None:
    Y = pd.DataFrame({"product": ["a", "b"], "base": [350.0, 1700.0], "new": [600.0, 1500.0]})
    demand = write_csv(tmp_path / "Y.csv", Y)
    target = tmp_path / "x.json"
    result = invoke("balance", eco_dir, "-d", demand, "-f", "json", "-o", target)
    assert result.exit_code == 0, result.output
    rows = json.loads(target.read_text())
    assert [r["product"] for r in rows] == ["a", "b"]
    got = np.array([[r["base"], r["new"]] for r in rows])
    np.testing.assert_allclose(got, L_MB @ Y[["base", "new"]].to_numpy(), rtol=1e-12)


def test_balance_csv_to_stdout_is_clean(eco_dir: Path, demand: Path) -> None:
    from io import StringIO

    result = invoke("balance", eco_dir, "--demand", demand, "--format", "csv")
    assert result.exit_code == 0
    back = pd.read_csv(StringIO(result.stdout), index_col="product")
    np.testing.assert_allclose(back["gross_output"], [1000.0, 2000.0], rtol=1e-12)
    assert "residual" in result.stderr  # the note goes to stderr, the data to stdout


def test_balance_parquet_file(eco_dir: Path, demand: Path, tmp_path: Path) -> None:
    target = tmp_path / "sheet.parquet"
    result = invoke("balance", eco_dir, "--demand", demand, "--format", "parquet", "-o", target)
    assert result.exit_code == 0, result.output
    back = pd.read_parquet(target).set_index("product")
    np.testing.assert_allclose(back["gross_output"], [1000.0, 2000.0], rtol=1e-12)


# ---------------------------------------------------------------------- values etc.
def test_values_match_independent_solution(eco_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "v.json"
    result = invoke("values", eco_dir, "--format", "json", "--output", target)
    assert result.exit_code == 0, result.output
    rows = json.loads(target.read_text())
    # v = l (I - A)^-1
    np.testing.assert_allclose([r["labour"] for r in rows], LABOUR_MB @ L_MB, rtol=1e-12)
    table = invoke("values", eco_dir)
    assert table.exit_code == 0 and "Labour values" in table.stdout


def test_output_multipliers_are_column_sums_of_the_inverse(eco_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "m.csv"
    result = invoke("multipliers", eco_dir, "--kind", "output", "-o", target)
    assert result.exit_code == 0, result.output
    back = pd.read_csv(target, index_col=0)
    np.testing.assert_allclose(back.iloc[:, 0], L_MB.sum(axis=0), rtol=1e-12)


def test_multipliers_all_and_type_two_match_library(eco_dir: Path, tmp_path: Path) -> None:
    from gosplan.balance.multipliers import multiplier_table, multipliers

    eco = read_economy(eco_dir)
    target = tmp_path / "all.csv"
    result = invoke("multipliers", eco_dir, "--kind", "all", "-f", "csv", "-o", target)
    assert result.exit_code == 0, result.output
    back = pd.read_csv(target, index_col=0)
    expected = multiplier_table(eco)
    assert list(back.columns) == list(expected.columns)
    np.testing.assert_allclose(back.to_numpy(), expected.to_numpy(), rtol=1e-14)
    # employment multipliers of type I are the labour values: l (I - A)^-1.
    np.testing.assert_allclose(back["employment_I"], LABOUR_MB @ L_MB, rtol=1e-12)

    h = write_csv(tmp_path / "h.csv", pd.DataFrame({"product": ["a", "b"], "share": [0.4, 0.5]}))
    target2 = tmp_path / "m2.json"
    result = invoke(
        "multipliers", eco_dir, "--type", "II", "--household-consumption", h, "-o", target2
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(target2.read_text())
    lib = multipliers(eco, "output", "II", household_consumption=pd.Series({"a": 0.4, "b": 0.5}))
    np.testing.assert_allclose([r[lib.name] for r in rows], lib.to_numpy(), rtol=1e-14)


def test_linkages_match_library(eco_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "links.json"
    result = invoke("linkages", eco_dir, "--format", "json", "--output", target)
    assert result.exit_code == 0, result.output
    rows = json.loads(target.read_text())
    lib = read_economy(eco_dir).linkages()
    assert [r["classification"] for r in rows] == lib["classification"].tolist()
    assert [r["key_sector"] for r in rows] == lib["key_sector"].tolist()
    np.testing.assert_allclose(
        [r["backward_total"] for r in rows], lib["backward_total"].to_numpy(), rtol=1e-14
    )
    # Rasmussen backward linkage: column sums of L over their mean.
    sums = L_MB.sum(axis=0)
    np.testing.assert_allclose([r["backward_total"] for r in rows], sums / sums.mean())
    shown = invoke("linkages", eco_dir)
    assert "classification" in shown.stdout


# ---------------------------------------------------------------------- ras
def _ras_inputs(tmp_path: Path, Z0: list[list[float]], u: list[float], v: list[float]):
    table = write_csv(
        tmp_path / "prior.csv",
        pd.DataFrame({"sector": ["r1", "r2"], "c1": [z[0] for z in Z0], "c2": [z[1] for z in Z0]}),
    )
    rows = write_csv(tmp_path / "rows.csv", pd.DataFrame({"label": ["r1", "r2"], "total": u}))
    cols = write_csv(tmp_path / "cols.csv", pd.DataFrame({"label": ["c1", "c2"], "total": v}))
    return table, rows, cols


def test_ras_meets_margins_and_matches_library(tmp_path: Path) -> None:
    from gosplan.balance.ras import ras

    table, rows, cols = _ras_inputs(tmp_path, [[1.0, 2.0], [3.0, 4.0]], [4.0, 6.0], [5.0, 5.0])
    target = tmp_path / "new.csv"
    result = invoke("ras", table, "--rows", rows, "--cols", cols, "-o", target)
    assert result.exit_code == 0, result.output
    back = pd.read_csv(target, index_col=0)
    np.testing.assert_allclose(back.sum(axis=1), [4.0, 6.0], rtol=1e-9)
    np.testing.assert_allclose(back.sum(axis=0), [5.0, 5.0], rtol=1e-9)
    Z0 = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["r1", "r2"], columns=["c1", "c2"])
    lib = ras(Z0, pd.Series({"r1": 4.0, "r2": 6.0}), pd.Series({"c1": 5.0, "c2": 5.0}))
    np.testing.assert_array_equal(back.to_numpy(), lib.table.to_numpy())
    assert "RAS converged" in result.stdout


def test_gras_keeps_signs(tmp_path: Path) -> None:
    table, rows, cols = _ras_inputs(tmp_path, [[4.0, -1.0], [2.0, 3.0]], [2.0, 6.0], [7.0, 1.0])
    target = tmp_path / "new.json"
    result = invoke("ras", table, "--rows", rows, "--cols", cols, "--gras", "-o", target)
    assert result.exit_code == 0, result.output
    back = pd.DataFrame(json.loads(target.read_text())).set_index("sector")
    assert back.loc["r1", "c2"] < 0
    np.testing.assert_allclose(back.sum(axis=1), [2.0, 6.0], rtol=1e-9)
    np.testing.assert_allclose(back.sum(axis=0), [7.0, 1.0], rtol=1e-9)
    assert "GRAS converged" in result.stdout


# ---------------------------------------------------------------------- check
def test_check_passes_on_a_good_economy(eco_dir: Path) -> None:
    result = invoke("check", eco_dir)
    assert result.exit_code == 0, result.output
    assert "hawkins_simon" in result.stdout
    assert "checks passed" in result.stdout


def test_check_fails_with_exit_two_naming_the_check(tmp_path: Path) -> None:
    bad = write_economy_dir(tmp_path / "bad", A=np.array([[0.15, -0.25], [0.20, 0.05]]))
    target = tmp_path / "report.csv"
    result = invoke("check", bad, "-f", "csv", "-o", target)
    assert result.exit_code == 2, result.output
    report = pd.read_csv(target, index_col="check")
    assert report.loc["negative_coefficient", "status"] == "failed"
    assert "negative_coefficient" in result.output


# ---------------------------------------------------------------------- generate
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_generate_writes_what_the_library_generates(tmp_path: Path, fmt: str) -> None:
    from gosplan.generate import generate_economy

    target = tmp_path / "gen"
    result = invoke("generate", "40", "--output", target, "--seed", "3", "--format", fmt, "-q")
    assert result.exit_code == 0, result.output
    assert list(target.glob(f"*.{fmt}"))
    back = read_economy(target)
    lib = generate_economy(40, seed=3)
    assert back.n_products == 40
    assert list(back.product_labels) == list(lib.product_labels)
    np.testing.assert_allclose(
        back.technology.toarray(), lib.technology.toarray(), rtol=1e-12, atol=0
    )


# ---------------------------------------------------------------------- output helpers
def test_records_and_frames_follow_the_documented_conventions() -> None:
    s = pd.Series([1.5, np.inf, np.nan], index=pd.Index(["x", "y", "z"], name="product"))
    assert records(s) == [
        {"product": "x", "value": 1.5},
        {"product": "y", "value": "inf"},
        {"product": "z", "value": None},
    ]
    frame = pd.DataFrame({1929: [1.0], 1930: [2.0]}, index=["coal"])
    assert list(as_frame(frame).columns) == ["label", "1929", "1930"]
    # Row numbers are no labels; an index named like a column is renamed, not lost.
    plain = pd.DataFrame({"label": ["x"], "v": [1.0]})
    assert list(as_frame(plain).columns) == ["label", "v"]
    clash = pd.DataFrame({"label": ["x"]}, index=pd.Index(["a"], name="label"))
    assert as_frame(clash).to_dict("records") == [{"index_label": "a", "label": "x"}]


def test_long_tables_are_elided_on_the_terminal() -> None:
    table = rich_table(pd.Series(np.arange(100.0), name="x"), max_rows=10)
    assert table.row_count == 11  # 5 first, an ellipsis row, 5 last
    assert "90 of 100 rows not shown" in str(table.caption)


# ---------------------------------------------------------------------- several techniques
def test_values_choose_a_technique_or_say_which_was_taken(tmp_path: Path) -> None:
    from gosplan.datasets import scenario_path

    eco = read_economy(scenario_path("ussr-1928"))
    hydro = eco.select_techniques({"electricity": "electricity (hydro)"}).labour_values()
    chosen = tmp_path / "hydro.csv"
    result = invoke(
        "values", "scenario:ussr-1928", "-T", "electricity=electricity (hydro)", "-o", chosen
    )
    assert result.exit_code == 0, result.output
    got = pd.read_csv(chosen, index_col="product")
    np.testing.assert_allclose(got.to_numpy(), hydro.to_numpy(), rtol=1e-12)
    # Without a choice: the first technique, and a note naming it.
    default = invoke("values", "scenario:ussr-1928", "-f", "csv")
    assert default.exit_code == 0
    assert "'electricity' (using 'electricity (coal)')" in default.stderr
    first = eco.select_techniques().labour_values()
    got = pd.read_csv(StringIO(default.stdout), index_col="product")
    np.testing.assert_allclose(got.to_numpy(), first.to_numpy(), rtol=1e-12)


def test_a_technique_that_does_not_make_the_product_is_bad_input() -> None:
    result = invoke("values", "scenario:ussr-1928", "--technique", "electricity=coal")
    assert result.exit_code == 2
    assert "'coal' does not make product 'electricity'" in result.stderr
    usage = invoke("values", "scenario:ussr-1928", "-T", "electricity")
    assert usage.exit_code == 2
    assert "PRODUCT=ACTIVITY" in usage.output


# ---------------------------------------------------------------------- audit fixes
def test_check_accepts_a_bundled_scenario() -> None:
    result = invoke("check", "scenario:ussr-1928")
    assert result.exit_code == 0, result.output
    assert "Checks of scenario:ussr-1928" in result.stdout
    assert "checks passed" in result.stdout


def test_check_never_says_ok_for_checks_it_did_not_run(tmp_path: Path) -> None:
    bad = write_economy_dir(tmp_path / "bad")
    (bad / "products.csv").write_text("name,unit\na,t\nb,t\n")  # no 'product' column
    target = tmp_path / "report.csv"
    result = invoke("check", bad, "-f", "csv", "-o", target)
    assert result.exit_code == 2, result.output
    report = pd.read_csv(target, index_col="check")
    assert report.loc["missing_column", "status"] == "failed"
    assert "ok" not in set(report["status"])
    assert report.loc["hawkins_simon", "status"] == "not run"
    assert "reading stopped at" in report.loc["negative_coefficient", "message"]
    assert "not run" in result.stdout  # the closing note counts them


def _two_labour_types(root: Path) -> Path:
    eco = write_economy_dir(root)
    (eco / "labour.csv").write_text(
        "labour_type,activity,coefficient\n"
        "skilled,a,0.1\nskilled,b,0.2\nunskilled,a,0.2\nunskilled,b,0.05\n"
    )
    return eco


def test_multipliers_with_wages_by_labour_type(tmp_path: Path) -> None:
    eco = _two_labour_types(tmp_path / "mb2")
    wages = write_csv(
        tmp_path / "wages.csv",
        pd.DataFrame({"labour_type": ["skilled", "unskilled"], "wage": [5, 1]}),
    )
    target = tmp_path / "m.csv"
    result = invoke("multipliers", eco, "--kind", "all", "--wages", wages, "-o", target)
    assert result.exit_code == 0, result.output
    back = pd.read_csv(target, index_col=0)
    # Income per unit of output w = 5 [.1, .2] + 1 [.2, .05] = [.7, 1.05]; with
    # L = [[.95, .25], [.20, .85]] / .7575 (by hand): w L = [.875, 1.0675] / .7575.
    np.testing.assert_allclose(back["income_I"], np.array([0.875, 1.0675]) / 0.7575, rtol=1e-12)
    # Employment (both types): [.3, .25] L = [.335, .2875] / .7575: not the income multipliers.
    np.testing.assert_allclose(back["employment_I"], np.array([0.335, 0.2875]) / 0.7575)
    assert not np.allclose(back["income_I"], back["employment_I"])
    assert "relative residual" in result.stdout


def test_multipliers_with_one_wage_and_a_labour_type(eco_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "m.json"
    result = invoke("multipliers", eco_dir, "-k", "income", "--wages", "2", "-o", target)
    assert result.exit_code == 0, result.output
    rows = json.loads(target.read_text())
    # w = 2 [.3, .2] = [.6, .4]; w L = [.65, .49] / .7575 (by hand).
    got = [r["income multiplier (type I)"] for r in rows]
    np.testing.assert_allclose(got, np.array([0.65, 0.49]) / 0.7575, rtol=1e-12)
    eco = _two_labour_types(tmp_path / "mb2")
    result = invoke(
        "multipliers",
        eco,
        "-k",
        "income",
        "--wages",
        "4",
        "--labour-type",
        "unskilled",
        "-f",
        "csv",
    )
    assert result.exit_code == 0, result.output
    back = pd.read_csv(StringIO(result.stdout), index_col=0)
    # Only unskilled labour counts: w = 4 [.2, .05] = [.8, .2]; w L = [.8, .37] / .7575.
    np.testing.assert_allclose(back.iloc[:, 0], np.array([0.8, 0.37]) / 0.7575, rtol=1e-12)
    assert "relative residual" in result.stderr  # data on stdout, the note on stderr


def test_multipliers_wages_by_product_are_used_as_given(eco_dir: Path, tmp_path: Path) -> None:
    wages = write_csv(
        tmp_path / "w.csv", pd.DataFrame({"product": ["a", "b"], "income": [0.4, 0.1]})
    )
    result = invoke("multipliers", eco_dir, "-k", "income", "--wages", wages, "-f", "csv")
    assert result.exit_code == 0, result.output
    back = pd.read_csv(StringIO(result.stdout), index_col=0)
    np.testing.assert_allclose(back.iloc[:, 0], np.array([0.4, 0.1]) @ L_MB, rtol=1e-12)


def test_multipliers_help_documents_wages() -> None:
    result = invoke("multipliers", "--help")
    assert result.exit_code == 0
    assert "--wages" in result.stdout and "labour_type" in result.stdout


def test_ras_that_does_not_converge_exits_one_and_still_writes(tmp_path: Path) -> None:
    # Diagonal table, crossed targets: no biproportional solution exists.
    table, rows, cols = _ras_inputs(tmp_path, [[1.0, 0.0], [0.0, 1.0]], [1.0, 2.0], [2.0, 1.0])
    target = tmp_path / "new.csv"
    result = invoke(
        "ras", table, "--rows", rows, "--cols", cols, "--max-iterations", "20", "-o", target
    )
    assert result.exit_code == 1, result.output
    assert target.exists()  # written all the same, and the message says so
    text = " ".join(result.output.split())
    assert "did NOT converge in 20 sweeps" in text
    assert "largest margin error is 1" in text
    assert f"the table written to {target} does NOT meet the margins" in text
    assert "Traceback" not in result.output
    # No duplicate warning from the library's logger.
    assert "did not converge" not in result.stderr


def test_ras_on_stdout_that_does_not_converge(tmp_path: Path) -> None:
    table, rows, cols = _ras_inputs(tmp_path, [[1.0, 0.0], [0.0, 1.0]], [1.0, 2.0], [2.0, 1.0])
    result = invoke(
        "ras", table, "--rows", rows, "--cols", cols, "--max-iterations", "5", "-f", "csv"
    )
    assert result.exit_code == 1
    assert pd.read_csv(StringIO(result.stdout)).shape == (2, 3)
    assert result.stderr.count("did NOT converge") == 1  # one message, not two


def test_generate_progress_leaves_no_blank_line(tmp_path: Path) -> None:
    result = invoke("generate", "30", "--output", tmp_path / "gen")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith("wrote ")
