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
    from gosplan.plan.reader import read_plan

    spec = level_plan(tmp_path / "plan")
    result = invoke("plan", spec, "-q")
    assert result.exit_code == 0, result.output
    lib = optimise(read_plan(spec))
    assert lib.summary().splitlines()[0] in result.stdout
    assert "Output by product and period" in result.stdout
    assert "Shares of investment" in result.stdout or "Shares of investment: (none)" in (
        result.stdout
    )


def test_plan_json_output_to_stdout_matches_library(tmp_path: Path) -> None:
    from gosplan.plan.optimise import optimise
    from gosplan.plan.reader import read_plan

    spec = level_plan(tmp_path / "plan")
    result = invoke("plan", spec, "--format", "json", "-q")
    assert result.exit_code == 0, result.output
    tables = json.loads(result.stdout)  # the summary goes to stderr
    lib = optimise(read_plan(spec)).output
    got = pd.DataFrame(tables["output"]).set_index(lib.index.name or "label")
    np.testing.assert_allclose(got.to_numpy(dtype=float), lib.to_numpy(), rtol=1e-12)


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
    assert "Targets: reachable jointly and alone" in result.stdout


def test_check_plan_infeasible_exits_one_with_the_diagnosis(tmp_path: Path) -> None:
    from gosplan.plan.diagnosis import check_plan
    from gosplan.plan.reader import read_plan

    spec = target_plan(tmp_path / "plan", labour=500.0)
    out = tmp_path / "diagnosis"
    result = invoke("check-plan", spec, "--format", "csv", "--output", out)
    assert result.exit_code == 1, result.output
    assert no_traceback(result)
    lib = check_plan(read_plan(spec))
    assert not lib.feasible
    assert lib.message().splitlines()[0] in result.stdout
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
    assert {p.name for p in out.iterdir()} == {"reachable.csv", "binding.csv", "additions.csv"}


def test_check_plan_bad_input_exits_two(tmp_path: Path) -> None:
    spec = target_plan(tmp_path / "plan", labour=500.0)
    (spec / "targets.csv").write_text("product,period,target\na,1,lots\n")
    result = invoke("check-plan", spec)
    assert result.exit_code == 2
    assert "targets.csv" in result.stderr and "lots" in result.stderr


# ---------------------------------------------------------------------- frontier
def test_frontier_has_one_row_per_share(tmp_path: Path) -> None:
    from gosplan.plan.frontier import frontier
    from gosplan.plan.reader import read_plan

    spec = level_plan(tmp_path / "plan")
    out = tmp_path / "frontier.csv"
    result = invoke("frontier", spec, "--shares", "0.2, 0.5,0.8", "-o", out, "-q")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    np.testing.assert_allclose(table["share"], [0.2, 0.5, 0.8])
    lib = frontier(read_plan(spec), shares=[0.2, 0.5, 0.8]).table
    assert table["status"].tolist() == lib["status"].tolist()
