"""The Leontief crash basis: the same optimum as a cold start, fewer pivots when it fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.balance.solvers import LeontiefSolver
from gosplan.core.economy import CONSUMER_GOODS
from gosplan.core.spec import PlanSpec
from gosplan.generate import generate_economy, generate_final_demand
from gosplan.plan.crash import leontief_crash
from gosplan.plan.data import PlanData
from gosplan.plan.objectives import formulate
from gosplan.plan.optimise import optimise

from .conftest import frame


def synthetic_plan(n: int, periods: int, seed: int, *, last_year_only: bool = False) -> PlanSpec:
    """A generated economy with capacity of 1-1.3 times its base output, labour growing 5 %
    a year and an assortment of consumer goods (every year, or the last year only)."""
    eco = generate_economy(n, seed=seed)
    y = generate_final_demand(eco, seed=seed)
    x0 = LeontiefSolver(eco.technology).solve(y.to_numpy()).x
    rng = np.random.default_rng(seed)
    years = list(range(2000, 2000 + periods))
    consumer = (eco.products["group"] == CONSUMER_GOODS).to_numpy()
    assortment = pd.DataFrame(
        {"product": eco.product_labels[consumer].astype(str), "weight": y.to_numpy()[consumer]}
    )
    if last_year_only:
        assortment["period"] = years[-1]
    labour0 = float(eco.labour.toarray().ravel() @ x0)
    return PlanSpec(
        economy=eco,
        periods=tuple(years),
        objective="max_level",
        assortment=assortment,
        labour_available=frame(
            labour_type=["labour"] * periods,
            period=years,
            available=labour0 * 1.05 ** np.arange(1, periods + 1),
        ),
        vintages=frame(
            activity=eco.activity_labels.astype(str),
            year_built=[years[0] - 1] * n,
            capacity=x0 * rng.uniform(1.0, 1.3, n),
        ),
        storage=frame(product=eco.product_labels[: n // 4].astype(str), loss=0.02),
    ).validated()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_static_optimum_needs_no_pivot_and_agrees_with_a_cold_start(seed):
    spec = synthetic_plan(300, 3, seed)
    warm = optimise(spec, least_labour=False)
    cold = optimise(spec, least_labour=False, crash_basis=False)
    assert warm.status == cold.status == "optimal"
    assert warm.verification.passed and cold.verification.passed
    assert warm.level == pytest.approx(cold.level, rel=1e-9)
    assert warm.provenance["start"].startswith("Leontief crash basis")
    assert cold.provenance["start"] == "slack basis"
    assert warm.provenance["iterations"] == 0 < cold.provenance["iterations"]


def test_when_investment_lifts_the_level_the_crash_is_a_start_not_the_answer():
    spec = synthetic_plan(300, 3, 4, last_year_only=True)
    data = PlanData(spec)
    crash = leontief_crash(data, formulate(data, "max_level"))
    assert crash is not None
    # at a tight tolerance: at 1e-8 a cold dual simplex stops 1e-6 short of the optimum here
    warm = optimise(spec, least_labour=False, tol=1e-10)
    cold = optimise(spec, least_labour=False, crash_basis=False, tol=1e-10)
    assert warm.verification.passed and cold.verification.passed
    assert warm.level == pytest.approx(cold.level, rel=1e-9)
    assert warm.level > crash.level * (1 + 1e-6)  # the guess is a lower bound, beaten here


def test_the_guess_is_the_static_leontief_plan():
    spec = synthetic_plan(200, 2, 5)
    data = PlanData(spec)
    lp = formulate(data, "max_level")
    crash = leontief_crash(data, lp)
    assert crash is not None
    # by hand: the largest level whose Leontief output fits capacity and labour in every year
    eco = spec.economy
    w = np.zeros(eco.n_products)
    w[eco.product_labels.get_indexer(spec.assortment["product"])] = spec.assortment["weight"]
    x = LeontiefSolver(eco.technology).solve(w).x
    cap = spec.vintages.set_index("activity")["capacity"].reindex(eco.activity_labels)
    labour = eco.labour.toarray().ravel() @ x
    by_capacity = float(np.min(cap.to_numpy() / x))
    by_labour = float(spec.labour_available["available"].min() / labour)
    assert crash.level == pytest.approx(min(by_capacity, by_labour), rel=1e-9)


def test_no_crash_when_the_guess_cannot_meet_a_hard_target():
    spec = synthetic_plan(200, 3, 6)
    product = spec.assortment["product"].iloc[0]
    cap = float(spec.vintages.set_index("activity").loc[product, "capacity"])
    spec = spec.with_changes(
        targets=frame(product=[product], period=[spec.periods[-1]], target=[2.0 * cap])
    )
    data = PlanData(spec)
    assert leontief_crash(data, formulate(data, "max_level")) is None
    result = optimise(spec, least_labour=False)
    assert result.provenance["start"] == "slack basis"
    assert result.status == "optimal" and result.verification.passed
