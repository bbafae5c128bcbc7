"""Reports of a simulated run and of an ensemble, from the files they were written to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gosplan.datasets import load
from gosplan.report.load import report_from_path
from gosplan.report.simulation import limits_table, relative_weights
from gosplan.run.ensemble import ensemble
from gosplan.run.simulate import simulate


@pytest.fixture(scope="module")
def setup():
    eco = load("miller-blair-2x2")
    y = pd.Series([100.0, 200.0], index=eco.product_labels)
    shocks = pd.DataFrame(
        {"product": ["a"], "from_step": [3], "share_min": [0.2], "share_max": [0.6]}
    )
    return eco, y, eco.gross_output(y), shocks


def test_a_simulation_report(setup, tmp_path: Path) -> None:
    eco, y, x, shocks = setup
    run = simulate(eco, y, steps=20, capacity=x, stock_days=2, restoration=3, shocks=shocks, seed=1)
    html = report_from_path(run.write(tmp_path / "run"), tmp_path / "run.html").read_text()
    for heading in ("Output as % of the plan", "Final demand not met", "What limited output"):
        assert heading in html
    table = limits_table(run).set_index("product")
    shares = table.filter(like="% of steps").sum(axis=1)
    assert shares.round(6).eq(100).all()
    assert table.loc["b", "most limiting input"] == "a"


def test_an_ensemble_report(setup, tmp_path: Path) -> None:
    eco, y, x, shocks = setup
    many = ensemble(
        eco,
        {"p": {"rationing": "proportional"}, "q": {"rationing": "fixed"}},
        runs=3,
        serial=True,
        final_demand=y,
        steps=20,
        capacity=x,
        stock_days=2,
        restoration=3,
        shocks=shocks,
    )
    w = relative_weights(many)
    assert w is not None and (w > 0).all()
    html = report_from_path(many.write(tmp_path / "many"), tmp_path / "many.html").read_text()
    assert "The policies compared" in html and "Fan chart" in html
    assert html.count("<img") >= 2
