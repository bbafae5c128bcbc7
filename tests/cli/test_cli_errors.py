"""CLI error handling: bad input exits 2 with a message naming the file/label, no traceback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app, balance_cmds
from gosplan.errors import InputError

from . import no_traceback, write_csv, write_economy_dir

runner = CliRunner()


@pytest.fixture
def eco_dir(tmp_path: Path) -> Path:
    return write_economy_dir(tmp_path / "mb")


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def assert_bad_input(result, *names: str) -> None:
    assert result.exit_code == 2, result.output
    assert no_traceback(result), result.output
    assert result.stdout == ""  # the message goes to stderr only
    for name in names:
        assert name in result.stderr, result.stderr


def _demand(tmp_path: Path, frame: pd.DataFrame, name: str = "demand.csv") -> Path:
    return write_csv(tmp_path / name, frame)


# ---------------------------------------------------------------------- user files
def test_missing_economy_directory(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-economy"
    assert_bad_input(invoke("values", missing), str(missing.name))


def test_missing_demand_file(eco_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "demand.csv"
    assert_bad_input(invoke("balance", eco_dir, "--demand", missing), str(missing), "not found")


def test_demand_with_unknown_product_names_file_and_label(eco_dir: Path, tmp_path: Path) -> None:
    demand = _demand(tmp_path, pd.DataFrame({"product": ["a", "zinc"], "quantity": [1.0, 2.0]}))
    assert_bad_input(invoke("balance", eco_dir, "--demand", demand), str(demand), "'zinc'")


def test_demand_with_text_names_row_and_label(eco_dir: Path, tmp_path: Path) -> None:
    demand = _demand(tmp_path, pd.DataFrame({"product": ["a", "b"], "quantity": ["1", "lots"]}))
    result = invoke("balance", eco_dir, "--demand", demand)
    assert_bad_input(result, str(demand), "row 3", "'b'", "'lots'")


def test_demand_without_product_column(eco_dir: Path, tmp_path: Path) -> None:
    demand = _demand(tmp_path, pd.DataFrame({"sector": ["a", "b"], "quantity": [1.0, 2.0]}))
    result = invoke("balance", eco_dir, "--demand", demand)
    assert_bad_input(result, str(demand), "missing column 'product'")


def test_demand_listing_a_product_twice(eco_dir: Path, tmp_path: Path) -> None:
    demand = _demand(tmp_path, pd.DataFrame({"product": ["a", "a"], "quantity": [1.0, 2.0]}))
    result = invoke("balance", eco_dir, "--demand", demand)
    assert_bad_input(result, str(demand), "row 3", "listed twice")


def test_empty_and_garbled_demand_files(eco_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert_bad_input(invoke("balance", eco_dir, "--demand", empty), str(empty))
    garbled = tmp_path / "garbled.parquet"
    garbled.write_text("this is not parquet")
    assert_bad_input(invoke("balance", eco_dir, "--demand", garbled), str(garbled))


def test_economy_failing_validation_names_the_check(tmp_path: Path) -> None:
    # Spectral radius 1.1 >= 1: cannot produce a surplus (Hawkins-Simon fails).
    bad = write_economy_dir(tmp_path / "bad", A=np.array([[0.6, 0.5], [0.6, 0.5]]))
    result = invoke("values", bad)
    assert result.exit_code == 2, result.output
    assert no_traceback(result)
    assert "surplus" in result.stderr or "hawkins" in result.stderr.lower()


# ---------------------------------------------------------------------- options
def test_bad_choice_is_a_usage_error(eco_dir: Path) -> None:
    result = invoke("values", eco_dir, "--method", "cholesky")
    assert result.exit_code == 2
    assert no_traceback(result)
    assert "cholesky" in result.output


def test_parquet_needs_an_output_file(eco_dir: Path) -> None:
    assert_bad_input(invoke("values", eco_dir, "--format", "parquet"), "--output")


def test_library_error_is_one_red_paragraph(eco_dir: Path) -> None:
    # Type II multipliers need household consumption: an InputError from the library.
    result = invoke("multipliers", eco_dir, "--type", "II", "--kind", "all")
    assert_bad_input(result, "household")
    assert result.stderr.startswith("error: ")


def test_frontier_shares_that_are_not_numbers(tmp_path: Path) -> None:
    result = invoke("frontier", tmp_path, "--shares", "0.2,lots")
    assert result.exit_code == 2
    assert no_traceback(result)
    assert "lots" in result.output


# ---------------------------------------------------------------------- ras
def test_ras_with_inconsistent_totals(tmp_path: Path) -> None:
    table = write_csv(
        tmp_path / "prior.csv", pd.DataFrame({"r": ["r1", "r2"], "c1": [1.0, 3.0], "c2": [2.0, 4]})
    )
    rows = write_csv(tmp_path / "rows.csv", pd.DataFrame({"r": ["r1", "r2"], "t": [4.0, 6.0]}))
    cols = write_csv(tmp_path / "cols.csv", pd.DataFrame({"c": ["c1", "c2"], "t": [5.0, 9.0]}))
    result = invoke("ras", table, "--rows", rows, "--cols", cols)
    assert result.exit_code == 2, result.output
    assert no_traceback(result)
    assert result.stderr.startswith("error: ")


def test_ras_with_unknown_row_label(tmp_path: Path) -> None:
    table = write_csv(
        tmp_path / "prior.csv", pd.DataFrame({"r": ["r1", "r2"], "c1": [1.0, 3.0], "c2": [2.0, 4]})
    )
    rows = write_csv(tmp_path / "rows.csv", pd.DataFrame({"r": ["r1", "rX"], "t": [4.0, 6.0]}))
    cols = write_csv(tmp_path / "cols.csv", pd.DataFrame({"c": ["c1", "c2"], "t": [5.0, 5.0]}))
    assert_bad_input(invoke("ras", table, "--rows", rows, "--cols", cols), "rX")


# ---------------------------------------------------------------------- the handler itself
def test_os_errors_name_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(spec: str, techniques=None):
        raise PermissionError(13, "Permission denied", "/srv/economy/technology.csv")

    monkeypatch.setattr(balance_cmds, "load_economy", refuse)
    result = invoke("linkages", "whatever")
    assert_bad_input(result, "/srv/economy/technology.csv: Permission denied")


def test_gosplan_errors_keep_source_row_and_label(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(spec: str, techniques=None):
        raise InputError("negative coefficient", source="t.csv", row=7, label="coal")

    monkeypatch.setattr(balance_cmds, "load_economy", fail)
    result = invoke("linkages", "whatever")
    assert_bad_input(result, "t.csv, row 7, label 'coal': negative coefficient")


def test_long_messages_are_not_broken_across_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    path = "/a/very/long/path/" + "x" * 150 + "/economy.toml"

    def fail(spec: str, techniques=None):
        raise InputError("cannot be parsed", source=path)

    monkeypatch.setattr(balance_cmds, "load_economy", fail)
    result = invoke("linkages", "whatever")
    assert_bad_input(result, path)
    assert result.stderr.count("\n") == 1


def test_unexpected_exceptions_are_bugs_and_keep_their_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(spec: str, techniques=None):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(balance_cmds, "load_economy", crash)
    result = invoke("linkages", "whatever")
    assert result.exit_code == 1
    assert isinstance(result.exception, ZeroDivisionError)


def test_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for name in (
        "check",
        "balance",
        "values",
        "multipliers",
        "linkages",
        "ras",
        "generate",
        "plan",
        "check-plan",
        "frontier",
    ):
        assert name in result.stdout


# ---------------------------------------------------------------------- audit fixes
def _ras_files(tmp_path: Path, c2: list[float]) -> tuple[Path, Path, Path]:
    table = write_csv(
        tmp_path / "prior.csv", pd.DataFrame({"r": ["r1", "r2"], "c1": [1.0, 3.0], "c2": c2})
    )
    rows = write_csv(tmp_path / "rows.csv", pd.DataFrame({"r": ["r1", "r2"], "t": [4.0, 6.0]}))
    cols = write_csv(tmp_path / "cols.csv", pd.DataFrame({"c": ["c1", "c2"], "t": [5.0, 5.0]}))
    return table, rows, cols


@pytest.mark.parametrize(
    ("option", "value"),
    [("--tol", "-1"), ("--tol", "0"), ("--tol", "nan"), ("--max-iterations", "0")],
)
def test_ras_rejects_bad_tolerance_and_iterations(tmp_path: Path, option: str, value: str) -> None:
    table, rows, cols = _ras_files(tmp_path, [2.0, 4.0])
    result = invoke("ras", table, "--rows", rows, "--cols", cols, option, value)
    assert result.exit_code == 2, result.output
    assert no_traceback(result)
    assert option in result.output


def test_ras_with_negative_entries_names_the_gras_flag(tmp_path: Path) -> None:
    table, rows, cols = _ras_files(tmp_path, [2.0, -4.0])
    result = invoke("ras", table, "--rows", rows, "--cols", cols)
    assert_bad_input(result, str(table), "row 3", "label 'r2'", "--gras")
    assert "gras()" not in result.stderr


def test_generate_inputs_below_one_names_the_option(tmp_path: Path) -> None:
    result = invoke("generate", "10", "--output", tmp_path / "g", "--inputs", "0.5")
    assert result.exit_code == 2
    assert no_traceback(result)
    assert "--inputs" in result.output and "inputs_per_product" not in result.output
    assert not (tmp_path / "g").exists()


def test_check_of_a_missing_scenario_is_bad_input() -> None:
    result = invoke("check", "scenario:no-such-scenario")
    assert_bad_input(result, "no-such-scenario")


def test_wages_with_an_unknown_labour_type(eco_dir: Path, tmp_path: Path) -> None:
    wages = write_csv(
        tmp_path / "wages.csv", pd.DataFrame({"labour_type": ["labour", "miners"], "wage": [1, 2]})
    )
    result = invoke("multipliers", eco_dir, "-k", "income", "--wages", wages)
    assert_bad_input(result, str(wages), "row 3", "label 'miners'")


def test_wages_missing_a_labour_type_or_negative(eco_dir: Path, tmp_path: Path) -> None:
    wages = write_csv(tmp_path / "w.csv", pd.DataFrame({"labour_type": ["labour"], "wage": [-1]}))
    result = invoke("multipliers", eco_dir, "-k", "income", "--wages", wages)
    assert_bad_input(result, str(wages), "row 2", "label 'labour'", "non-negative")
    assert_bad_input(
        invoke("multipliers", eco_dir, "-k", "income", "--wages", "-3"), "--wages", "non-negative"
    )
    other = write_csv(tmp_path / "o.csv", pd.DataFrame({"sector": ["a"], "wage": [1.0]}))
    result = invoke("multipliers", eco_dir, "-k", "income", "--wages", other)
    assert_bad_input(result, str(other), "labour_type", "'sector'")
    missing = tmp_path / "nowhere.csv"
    assert_bad_input(
        invoke("multipliers", eco_dir, "-k", "income", "--wages", missing), str(missing)
    )


def test_a_directory_given_as_a_demand_file(eco_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "demand.csv"
    folder.mkdir()
    result = invoke("balance", eco_dir, "--demand", folder)
    assert_bad_input(result, str(folder), "directory")
