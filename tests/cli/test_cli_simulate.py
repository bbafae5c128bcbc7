"""CLI: gosplan simulate on the bundled plan, good input and bad."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gosplan.cli import app
from gosplan.core.simulation_result import SimulationResult
from gosplan.datasets import spec_path

from . import no_traceback

runner = CliRunner()
SPEC = "scenario:ussr-1928/basic"
COUNTER_PLANS = spec_path("ussr-1928", "basic").parent.parent / "run" / "counter_plans.csv"


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})
    assert no_traceback(result), result.output
    return result


def test_a_run_shows_fulfilment_unmet_demand_and_causes() -> None:
    result = invoke("simulate", SPEC, "--periods", "1929-1932", "--counter-plans", COUNTER_PLANS)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Output as % of the plan" in out and "households" in out
    assert "<-" in out and "(capacity)" in out  # a chain back to a root cause
    assert "48 steps of a month" in out


def test_the_run_written_reads_back(tmp_path: Path) -> None:
    shocks = tmp_path / "shocks.csv"
    pd.DataFrame(
        {"product": ["grain"], "date": ["1931-08"], "share": [0.25], "kind": ["harvest"]}
    ).to_csv(shocks, index=False)
    out = tmp_path / "run"
    result = invoke(
        "simulate",
        SPEC,
        "--periods",
        "1929-1931",
        "--shocks",
        shocks,
        "-o",
        out,
        "--format",
        "parquet",
    )
    assert result.exit_code == 0, result.output
    back = SimulationResult.read(out)
    assert back.steps == 36 and back.provenance["shocks"] == 1
    grain = back.series("capacity")["grain"]
    assert grain[31] == pytest.approx(0.75 * grain[30])


@pytest.mark.parametrize(
    ("rows", "expect"),
    [
        (
            {"product": ["nickel"], "date": ["1930-01"], "share": [0.1]},
            ["row 2", "nickel", "does not make"],
        ),
        (
            {"enterprise": ["Nowhere works"], "date": ["1930-01"], "share": [0.1]},
            ["row 2", "Nowhere works", "enterprise"],
        ),
        ({"product": ["coal"], "date": ["1945-01"], "share": [0.1]}, ["row 2", "coal", "horizon"]),
        (
            {"product": ["coal", "oil"], "date": ["1930-01", "1930-02"], "share": [0.1, -0.5]},
            ["row 3", "oil", "negative"],
        ),
    ],
)
def test_bad_shocks_exit_2_naming_file_row_and_label(
    tmp_path: Path, rows: dict, expect: list[str]
) -> None:
    shocks = tmp_path / "shocks.csv"
    pd.DataFrame(rows).to_csv(shocks, index=False)
    result = invoke("simulate", SPEC, "--shocks", shocks)
    assert result.exit_code == 2, result.output
    assert str(shocks) in result.output
    for text in expect:
        assert text in result.output


def test_bad_settings_exit_2(tmp_path: Path) -> None:
    result = invoke("simulate", SPEC, "--restoration", "0")
    assert result.exit_code == 2 and "restoration" in result.output
    classes = tmp_path / "classes.csv"
    pd.DataFrame({"product": ["households", "the army"], "class": [1, 2]}).to_csv(
        classes, index=False
    )
    result = invoke("simulate", SPEC, "--rationing", "priority", "--classes", classes)
    assert result.exit_code == 2 and "the army" in result.output and str(classes) in result.output
    result = invoke("simulate", SPEC, "--periods", "1920-1921")
    assert result.exit_code == 2 and "not periods of the plan" in result.output
