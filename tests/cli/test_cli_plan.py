"""CLI plan commands: plan, check-plan (exit codes 0 / 1 / 2) and frontier."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app

from . import L_MB, LABOUR_MB, no_traceback, write_csv, write_economy_dir

runner = CliRunner()

# Labour values of the Miller & Blair economy: v = l (I - A)^-1 = [.325, .245] / .7575.
V_MB = LABOUR_MB @ L_MB


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert no_traceback(result), result.output
    return result


def write_plan_dir(
    root: Path, objective: str, labour: float, tables: dict[str, pd.DataFrame]
) -> Path:
    """A one-period plan on the Miller & Blair economy, in the on-disk plan format."""
    write_economy_dir(root / "economy")
    tables = {
        "labour_available": pd.DataFrame(
            {"labour_type": ["labour"], "period": [1], "available": [labour]}
        ),
        **tables,
    }
    lines = [
        'name = "test plan"',
        'economy = "economy"',
        "periods = [1]",
        f'objective = "{objective}"',
        "",
        "[tables]",
    ]
    for name, frame in tables.items():
        write_csv(root / f"{name}.csv", frame)
        lines.append(f'{name} = "{name}.csv"')
    (root / "plan.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def level_plan(root: Path, labour: float = 570.0) -> Path:
    assortment = pd.DataFrame({"product": ["a", "b"], "weight": [1.0, 1.0]})
    return write_plan_dir(root, "max_level", labour, {"assortment": assortment})


def target_plan(root: Path, labour: float) -> Path:
    targets = pd.DataFrame({"product": ["a", "b"], "period": [1, 1], "target": [1000.0, 2000.0]})
    return write_plan_dir(root, "min_labour", labour, {"targets": targets})


# ---------------------------------------------------------------------- plan
def test_plan_writes_tables_that_match_the_textbook(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    out = tmp_path / "result"
    result = invoke("plan", spec, "--output", out, "-q")
    assert result.exit_code == 0, result.output
    # Common level theta of the bundle (1, 1) with 570 of labour: theta (v_a + v_b) = 570,
    # v_a + v_b = .57 / .7575, so theta = 757.5 and x = L (757.5, 757.5) = (1200, 1050).
    meta = json.loads((out / "plan.json").read_text())
    assert meta["status"] == "optimal"
    assert meta["level"] == pytest.approx(570.0 / V_MB.sum(), rel=1e-7)
    output = pd.read_csv(out / "output.csv")
    values = output.set_index(output.columns[0]).iloc[:, 0]
    np.testing.assert_allclose(values.loc[["a", "b"]], [1200.0, 1050.0], rtol=1e-7)
    assert "optimal" in result.stdout


def test_plan_on_the_terminal_shows_summary_and_tables(tmp_path: Path) -> None:
    from gosplan.plan.optimise import optimise
    from gosplan.plan.reader import read_spec

    spec = level_plan(tmp_path / "plan")
    result = invoke("plan", spec, "-q")
    assert result.exit_code == 0, result.output
    lib = optimise(read_spec(spec))
    assert lib.summary().splitlines()[0] in result.stdout
    assert "Output by product and period" in result.stdout
    assert "Shares of investment" in result.stdout or "Shares of investment: (none)" in (
        result.stdout
    )


def test_plan_json_output_to_stdout_matches_library(tmp_path: Path) -> None:
    from gosplan.plan.optimise import optimise
    from gosplan.plan.reader import read_spec

    spec = level_plan(tmp_path / "plan")
    result = invoke("plan", spec, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    tables = json.loads(result.stdout)  # the summary goes to stderr
    lib = optimise(read_spec(spec)).output
    got = pd.DataFrame(tables["output"]).set_index(lib.index.name or "label")
    np.testing.assert_allclose(got.to_numpy(dtype=float), lib.to_numpy(), rtol=1e-12)


def test_plan_json_on_stdout_has_status_objective_and_level(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    result = invoke("plan", spec, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["status"] == "optimal" and doc["objective_kind"] == "max_level"
    # theta = 570 / (v_a + v_b) = 757.5 (see test_plan_writes_tables_that_match_the_textbook).
    assert doc["level"] == pytest.approx(570.0 / V_MB.sum(), rel=1e-7)
    assert doc["objective"] == pytest.approx(doc["level"], rel=1e-9)
    assert doc["periods"] == [1]


def test_plan_output_json_creates_missing_folders(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    target = tmp_path / "r" / "sub" / "plan.json"
    result = invoke("plan", spec, "--output", target, "-q")
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["status"] == "optimal"


def test_plan_output_under_a_file_fails_before_solving(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    result = invoke("plan", spec, "--output", blocker / "plan.json", "-q")
    assert result.exit_code == 2
    assert "afile" in result.stderr
    assert "Plan 'test plan'" not in result.output  # nothing was solved


def test_plan_bad_spec_exits_two(tmp_path: Path) -> None:
    missing = tmp_path / "no-plan"
    result = invoke("plan", missing)
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    targets = pd.DataFrame({"product": ["zinc"], "period": [1], "target": [1.0]})
    spec = write_plan_dir(tmp_path / "bad", "min_labour", 100.0, {"targets": targets})
    result = invoke("plan", spec)
    assert result.exit_code == 2
    assert "zinc" in result.stderr and "targets" in result.stderr


# ---------------------------------------------------------------------- check-plan
def test_check_plan_feasible_exits_zero(tmp_path: Path) -> None:
    # x = (1000, 2000) needs .3 * 1000 + .2 * 2000 = 700 of labour; 1000 is available.
    spec = target_plan(tmp_path / "plan", labour=1000.0)
    result = invoke("check-plan", spec)
    assert result.exit_code == 0, result.output
    assert "Targets: reachable in the least-shortfall plan, and alone" in result.stdout


def test_check_plan_infeasible_exits_one_with_the_diagnosis(tmp_path: Path) -> None:
    from gosplan.plan.diagnosis import check_plan
    from gosplan.plan.reader import read_spec

    spec = target_plan(tmp_path / "plan", labour=500.0)
    out = tmp_path / "diagnosis"
    result = invoke("check-plan", spec, "--format", "csv", "--output", out)
    assert result.exit_code == 1, result.output
    assert no_traceback(result)
    lib = check_plan(read_spec(spec))
    assert not lib.feasible
    # the message, wrapped at the width with its words whole
    assert " ".join(lib.message().split()) in " ".join(result.stdout.split())
    reachable = pd.read_csv(out / "reachable.csv")
    np.testing.assert_allclose(
        reachable["reachable_jointly"], lib.reachable["reachable_jointly"], rtol=1e-12
    )
    # x = (1000, 2000) needs 700 of labour and 500 is available: the missing 200 is the
    # addition, and 500 / 700 of every target can be met jointly.
    additions = pd.read_csv(out / "additions.csv")
    assert additions["kind"].tolist() == ["labour"]
    np.testing.assert_allclose(additions["amount"], [200.0], rtol=1e-7)
    assert lib.common_level == pytest.approx(5 / 7, rel=1e-7)
    # The full check (PlanCheck.write) and its provenance, so `gosplan report` can read it.
    assert {p.name for p in out.iterdir()} == {
        "reachable.csv",
        "binding.csv",
        "additions.csv",
        "check.json",
    }
    meta = json.loads((out / "check.json").read_text())
    assert meta["feasible"] is False
    assert meta["provenance"]["spec_path"].endswith("plan")  # what made it, in the check
    assert meta["common_level"] == pytest.approx(5 / 7, rel=1e-7)
    assert meta["total_labour_cost"] == pytest.approx(lib.total_labour_cost, rel=1e-9)


def test_check_plan_output_then_report_round_trip(tmp_path: Path) -> None:
    from gosplan.core.plan_check import PlanCheck
    from gosplan.core.results import read_result

    spec = target_plan(tmp_path / "plan", labour=500.0)
    out = tmp_path / "diagnosis"
    assert invoke("check-plan", spec, "--output", out).exit_code == 1
    loaded = read_result(out)
    assert isinstance(loaded, PlanCheck) and not loaded.feasible
    # 500 of the 700 person-years needed: 5/7 of each target jointly.
    assert loaded.common_level == pytest.approx(5 / 7, rel=1e-7)
    assert loaded.total_labour_cost == pytest.approx(200.0, rel=1e-7)
    html_path = tmp_path / "check.html"
    result = invoke("report", out, "--output", html_path)
    assert result.exit_code == 0, result.output
    text = html_path.read_text(encoding="utf-8")
    assert "Targets (gross output" in text and "71.4 %" in text  # common level 5/7
    provenance = text.split("<h2>Provenance</h2>")[1]
    assert "LP tolerance" in provenance and "plan (input)" in provenance
    assert "/../" not in provenance and "person-years" in text


def test_check_plan_feasible_output_round_trip_and_json_file(tmp_path: Path) -> None:
    spec = target_plan(tmp_path / "plan", labour=1000.0)
    out = tmp_path / "check"
    assert invoke("check-plan", spec, "--output", out).exit_code == 0
    assert (out / "plan" / "plan.json").is_file()  # the least-labour plan
    assert invoke("report", out, "--output", tmp_path / "a.html").exit_code == 0
    one = tmp_path / "deep" / "check.json"  # parents are created
    assert invoke("check-plan", spec, "--format", "json", "--output", one).exit_code == 0
    doc = json.loads(one.read_text())
    assert doc["kind"] == "plan-check" and doc["feasible"] is True
    assert invoke("report", one, "--output", tmp_path / "b.html").exit_code == 0
    assert "None needed" in (tmp_path / "b.html").read_text(encoding="utf-8")


def test_check_plan_json_on_stdout_has_the_verdict(tmp_path: Path) -> None:
    spec = target_plan(tmp_path / "plan", labour=500.0)
    result = invoke("check-plan", spec, "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["feasible"] is False
    assert doc["common_level"] == pytest.approx(5 / 7, rel=1e-7)
    # The missing 200 person-years at one person-year each.
    assert doc["total_labour_cost"] == pytest.approx(200.0, rel=1e-7)
    assert doc["message"] and doc["labour_unit"] == "person-years"
    assert {"reachable", "binding", "additions"} <= set(doc)


def test_check_plan_bad_input_exits_two(tmp_path: Path) -> None:
    spec = target_plan(tmp_path / "plan", labour=500.0)
    (spec / "targets.csv").write_text("product,period,target\na,1,lots\n")
    result = invoke("check-plan", spec)
    assert result.exit_code == 2
    assert "targets.csv" in result.stderr and "lots" in result.stderr


# ---------------------------------------------------------------------- frontier
def test_frontier_has_one_row_per_share(tmp_path: Path) -> None:
    from gosplan.plan.frontier import frontier
    from gosplan.plan.reader import read_spec

    spec = level_plan(tmp_path / "plan")
    out = tmp_path / "frontier.csv"
    result = invoke("frontier", spec, "--shares", "0.2, 0.5,0.8", "-o", out, "-q")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    np.testing.assert_allclose(table["share"], [0.2, 0.5, 0.8])
    lib = frontier(read_spec(spec), shares=[0.2, 0.5, 0.8]).table
    assert table["status"].tolist() == lib["status"].tolist()


def test_frontier_population_gives_consumption_per_head(tmp_path: Path) -> None:
    from gosplan.plan.frontier import frontier
    from gosplan.plan.reader import read_spec

    spec = level_plan(tmp_path / "plan")
    out = tmp_path / "f" / "frontier.csv"
    result = invoke("frontier", spec, "--shares", "0.5", "--population", "2", "-o", out, "-q")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    lib = frontier(read_spec(spec), shares=[0.5]).table
    # One period: consumption per head is the consumption over the horizon / 2.
    np.testing.assert_allclose(
        table["consumption_per_head"], lib["cumulative_consumption"] / 2, rtol=1e-9
    )
    assert table["labour_unit"].tolist() == ["person-years"]
    # A CSV by period (with a unit) works too, and the report shows the units.
    csv = tmp_path / "population.csv"
    csv.write_text("period,population,unit\n1,4,million\n")
    result = invoke("frontier", spec, "--shares", "0.5", "--population", csv, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    np.testing.assert_allclose(
        table["consumption_per_head"], lib["cumulative_consumption"] / 4, rtol=1e-9
    )
    html_path = tmp_path / "f.html"
    assert invoke("report", out, "--output", html_path).exit_code == 0
    text = html_path.read_text(encoding="utf-8")
    assert "consumption per head (person-years per million people)" in text


def test_frontier_report_takes_the_economy_labour_unit(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    economy = spec / "economy" / "economy.toml"  # its labour.csv gets a unit column
    labour = pd.read_csv(economy.parent / "labour.csv").assign(unit="thousand person-years")
    write_csv(economy.parent / "labour.csv", labour)
    from gosplan.plan.reader import read_spec

    unit = read_spec(spec).economy.meta.labour_unit
    assert unit == "thousand person-years"
    out = tmp_path / "frontier.csv"
    assert invoke("frontier", spec, "--shares", "0.5", "-o", out, "-q").exit_code == 0
    assert pd.read_csv(out)["labour_unit"].tolist() == [unit]
    html_path = tmp_path / "f.html"
    assert invoke("report", out, "--output", html_path).exit_code == 0
    assert f"consumption over the horizon ({unit})" in html_path.read_text(encoding="utf-8")


def test_frontier_bad_population_exits_two(tmp_path: Path) -> None:
    spec = level_plan(tmp_path / "plan")
    result = invoke("frontier", spec, "--shares", "0.5", "--population", "-3", "-q")
    assert result.exit_code == 2
    assert "population" in result.stderr
