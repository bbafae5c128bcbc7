"""The outcome of a run: by period, fulfilment, unmet demand at weights, the worst shortfalls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.datasets import load
from gosplan.run.outcome import shortfalls
from gosplan.run.simulate import simulate


@pytest.fixture(scope="module")
def run():
    eco = load("miller-blair-2x2")
    y = pd.Series([100.0, 200.0], index=eco.product_labels)
    x = eco.gross_output(y)
    shock = pd.DataFrame({"product": ["a"], "from_step": [3], "share": [0.5], "recovery": [0]})
    return simulate(eco, y, steps=10, capacity=x, stock_days=2, restoration=2, shocks=shock), x, y


def test_fulfilment_is_output_over_planned(run) -> None:
    result, x, _ = run
    done = result.series("output").sum()
    assert result.by_period()[0].to_dict() == pytest.approx(done.to_dict())
    share = result.plan_fulfilment()[0]
    assert share["a"] == pytest.approx(100 * done["a"] / (10 * x["a"]))
    assert share["a"] < 100


def test_unmet_demand_is_a_share_at_the_weights(run) -> None:
    result = run[0]
    p = result.products
    w = pd.Series({"a": 2.0, "b": 3.0})
    wp = p["product"].astype(str).map(w)
    expect = (
        100 * (wp * p["unmet_final"]).sum() / (wp * (p["unmet_final"] + p["delivered_final"])).sum()
    )
    got = result.unmet_by_user(w)
    assert list(got.index) == ["final"]
    assert got.loc["final", 0] == pytest.approx(expect)
    assert 0 < expect < 100


def test_shortfalls_lead_back_to_the_shocked_product(run) -> None:
    result, x, _ = run
    worst = shortfalls(result)
    assert set(worst["product"]) == {"a", "b"}
    b = worst.set_index("product").loc["b"]
    assert b["root"] == "a (capacity)"
    assert b["chain"].startswith("b <- a")
    a = worst.set_index("product").loc["a"]
    assert a["lost"] == pytest.approx(np.maximum(x["a"] - result.series("output")["a"], 0).sum())
