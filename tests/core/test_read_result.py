"""read_result gives back every kind of result as its own type, from a folder or a JSON file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gosplan.core.control_figures import ControlFigures
from gosplan.core.counter_plan_check import CounterPlanCheck
from gosplan.core.fulfilment_report import FulfilmentReport
from gosplan.core.results import read_result
from gosplan.datasets import load
from gosplan.plan import optimise
from gosplan.run import check_counter_plan, control_figures, fulfilment


@pytest.fixture(scope="module")
def running() -> tuple[ControlFigures, CounterPlanCheck, FulfilmentReport]:
    spec = load("ussr-1928/optimum")
    result = optimise(spec)
    assert result.optimal
    figures = control_figures(result, spec)
    rows = figures.figures[figures.figures["output"] > 0].head(2)
    counter = pd.DataFrame(
        {
            "counter_plan": ["double"] * len(rows),
            "enterprise": rows["enterprise"].astype(str).to_numpy(),
            "period": rows["period"].to_numpy(),
            "extra_output": rows["output"].to_numpy(float),
        }
    )
    check = check_counter_plan(result, spec, counter)
    actuals = rows[["enterprise", "period", "product"]].assign(
        output=0.9 * rows["output"].to_numpy(float)
    )
    report = fulfilment(figures, actuals)
    return figures, check, report


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_every_run_result_reads_back_as_its_type(running, tmp_path: Path, fmt: str) -> None:
    for value in running:
        name = f"{type(value).__name__}.json" if fmt == "json" else type(value).__name__
        written = value.write(tmp_path / name, format=fmt)
        back = read_result(written)
        assert type(back) is type(value)
        assert back.to_dict() == type(value).from_dict(value.to_dict()).to_dict()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_simulations_and_ensembles_come_back_as_themselves(tmp_path: Path, fmt: str) -> None:
    from gosplan.core.ensemble_result import EnsembleResult
    from gosplan.core.simulation_result import SimulationResult
    from gosplan.run.ensemble import ensemble
    from gosplan.run.simulate import simulate

    eco = load("miller-blair-2x2")
    y = pd.Series([100.0, 200.0], index=eco.product_labels)
    run = simulate(eco, y, steps=5)
    path = run.write(tmp_path / ("sim.json" if fmt == "json" else "sim"), fmt)
    back = read_result(path)
    assert isinstance(back, SimulationResult) and back.steps == 5
    many = ensemble(
        eco, {"p": {"rationing": "proportional"}}, runs=2, serial=True, final_demand=y, steps=5
    )
    path = many.write(tmp_path / ("ens.json" if fmt == "json" else "ens"), fmt)
    assert isinstance(read_result(path), EnsembleResult)
