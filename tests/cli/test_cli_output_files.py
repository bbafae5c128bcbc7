"""What ``--output`` writes: no silent overwrite by ``generate``, real Excel or a refusal."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app

from . import no_traceback, write_economy_dir
from .test_cli_plan import level_plan

runner = CliRunner()


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert no_traceback(result), result.output
    return result


# ---------------------------------------------------------------------- generate
def test_generate_refuses_an_existing_economy(tmp_path: Path) -> None:
    out = tmp_path / "eco"
    assert invoke("generate", "5", "--output", out, "-q").exit_code == 0
    before = (out / "economy.toml").read_text()
    result = invoke("generate", "7", "--output", out, "-q", "--seed", "3")
    assert result.exit_code == 2
    assert "--force" in result.stderr and str(out) in result.stderr
    assert (out / "economy.toml").read_text() == before


def test_generate_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    out = tmp_path / "eco"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = invoke("generate", "5", "--output", out, "-q")
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert not (out / "economy.toml").exists()


def test_generate_into_an_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "eco"
    out.mkdir()
    assert invoke("generate", "5", "--output", out, "-q").exit_code == 0


def test_generate_force_clears_the_old_tables(tmp_path: Path) -> None:
    from gosplan.io import read_economy

    out = tmp_path / "eco"
    assert invoke("generate", "5", "--output", out, "-q").exit_code == 0
    old_csv = sorted(p.name for p in out.glob("*.csv"))
    assert old_csv
    (out / "notes.txt").write_text("mine")
    result = invoke("generate", "6", "-o", out, "-q", "--force", "--format", "parquet")
    assert result.exit_code == 0, result.output
    assert not list(out.glob("*.csv")), "stale csv tables left beside the parquet ones"
    assert (out / "notes.txt").read_text() == "mine"  # not one of the economy's files
    assert read_economy(out).n_products == 6


def test_generate_to_a_file_is_bad_input(tmp_path: Path) -> None:
    target = tmp_path / "eco"
    target.write_text("x")
    result = invoke("generate", "5", "--output", target, "-q", "--force")
    assert result.exit_code == 2 and "folder" in result.stderr


# ---------------------------------------------------------------------- .xlsx
def test_values_to_xlsx_is_a_real_workbook(tmp_path: Path) -> None:
    eco = write_economy_dir(tmp_path / "mb")
    out = tmp_path / "v.xlsx"
    result = invoke("values", eco, "--output", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"  # a zip file, not CSV text
    table = pd.read_excel(out)
    assert list(table.iloc[:, 0]) == ["a", "b"]


def test_csv_format_into_xlsx_is_refused(tmp_path: Path) -> None:
    eco = write_economy_dir(tmp_path / "mb")
    out = tmp_path / "v.xlsx"
    result = invoke("values", eco, "--format", "csv", "--output", out)
    assert result.exit_code == 2
    assert ".xlsx" in result.stderr or "Excel" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_other_spreadsheet_suffixes_are_refused(tmp_path: Path, suffix: str) -> None:
    eco = write_economy_dir(tmp_path / "mb")
    out = tmp_path / f"v{suffix}"
    result = invoke("linkages", eco, "--output", out)
    assert result.exit_code == 2 and ".xlsx" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("command", ["plan", "check-plan"])
def test_plan_results_refuse_xlsx(tmp_path: Path, command: str) -> None:
    spec = level_plan(tmp_path / "plan")
    out = tmp_path / "p.xlsx"
    result = invoke(command, spec, "--output", out)
    assert result.exit_code == 2 and "Excel" in result.stderr
    assert not out.exists()


def test_frontier_to_xlsx(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    out = tmp_path / "f.xlsx"
    result = invoke("frontier", spec, "--shares", "0.2,0.5", "-q", "--output", out)
    assert result.exit_code == 0, result.output
    assert len(pd.read_excel(out)) == 2


def test_report_output_must_be_html(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    folder = tmp_path / "result"
    assert invoke("plan", spec, "--output", folder, "-q").exit_code == 0
    result = invoke("report", folder, "--output", tmp_path / "r.xlsx")
    assert result.exit_code == 2 and ".html" in result.stderr
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_frontier_written_reads_back_as_a_frontier_with_its_provenance(
    tmp_path: Path, fmt: str
) -> None:
    from gosplan.core.frontier_result import FrontierResult
    from gosplan.core.results import read_result

    spec = level_plan(tmp_path / "plan")
    out = tmp_path / f"f.{fmt}"
    args = ("frontier", spec, "--shares", "0.2,0.5", "-q", "--format", fmt, "--output", out)
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    back = read_result(out)
    assert isinstance(back, FrontierResult)
    assert back.table["share"].tolist() == [0.2, 0.5]
    assert back.labour_unit and back.provenance["spec_path"].endswith("plan")
    assert len(back.results) == (2 if fmt == "json" else 0)  # JSON carries the plans
