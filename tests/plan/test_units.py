"""Plans solved in capacity units, and the least-labour stage going on from the first's basis."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.plan.crash import column_units, leontief_crash
from gosplan.plan.data import PlanData
from gosplan.plan.highs import rescaled, solve_lp
from gosplan.plan.objectives import formulate, labour_cost_of_plan
from gosplan.plan.optimise import optimise

from .test_crash import synthetic_plan


@pytest.fixture(scope="module")
def growth():
    """A plan whose level needs investment, its data, LP and crash."""
    spec = synthetic_plan(150, 3, 11, last_year_only=True)
    data = PlanData(spec)
    lp = formulate(data, "max_level")
    crash = leontief_crash(data, lp)
    assert crash is not None and crash.units is not None
    return spec, data, lp, crash


def test_every_variable_of_a_product_is_measured_in_its_capacity(growth):
    spec, data, lp, crash = growth
    units = crash.units
    lay = lp.layout
    n, T = data.n_p, data.T
    cap = spec.vintages.set_index("activity")["capacity"].reindex(spec.economy.activity_labels)
    cap = cap.to_numpy()
    for name in ("x", "c", "inv"):
        assert np.array_equal(units[lay.slice(name)].reshape(T, n), np.tile(cap, (T, 1)))
    stored = data.stored
    s_units = units[lay.slice("s")].reshape(T, len(stored))
    assert np.array_equal(s_units, np.tile(cap[stored], (T, 1)))
    assert units[lay.slice("level")].tolist() == [1.0]
    assert np.all(np.isfinite(units)) and np.all(units > 0)


def test_a_product_without_capacity_is_measured_by_the_guess_then_by_the_others(growth):
    _, data, lp, _ = growth
    guess = np.ones((data.T, data.n_p))
    guess[:, 0] = [0.5, 2.0, 1.0]  # its largest level: 2
    guess[:, 1] = 0.0  # not in the guess
    initial = data.initial.copy()
    initial[:2] = 0.0  # the first two products have no capacity to begin with
    data = replace_initial(data, initial)
    units = column_units(data, lp, guess)
    x = units[lp.layout.slice("x")].reshape(data.T, data.n_p)
    assert x[0, 0] == 2.0
    others = initial.max(axis=1)[2:]
    assert x[0, 1] == pytest.approx(float(np.exp(np.mean(np.log(np.r_[2.0, others])))))


def replace_initial(data: PlanData, initial: np.ndarray) -> PlanData:
    """A shallow copy of ``data`` with other initial capacities."""
    copy = object.__new__(PlanData)
    copy.__dict__.update(data.__dict__)
    copy.initial = initial
    return copy


def test_rescaled_rows_have_largest_entry_one_and_keep_their_sides(growth):
    _, _, lp, crash = growth
    A, cost, col_lower, col_upper, row_lower, row_upper = rescaled(lp, crash.units)
    largest = np.maximum.reduceat(np.abs(A.data), A.indptr[:-1])
    assert largest == pytest.approx(np.ones(lp.n_constraints))
    assert np.array_equal(np.isfinite(row_lower), np.isfinite(lp.row_lower))
    assert np.array_equal(np.isfinite(row_upper), np.isfinite(lp.row_upper))
    assert np.array_equal(np.sign(A.toarray()), np.sign(lp.A.toarray()))
    assert np.array_equal(cost != 0, lp.cost != 0)
    assert np.array_equal(col_lower, lp.col_lower / crash.units)
    assert np.array_equal(col_upper, lp.col_upper / crash.units)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_any_positive_units_give_the_same_optimum(growth, seed):
    _, _, lp, crash = growth
    units = np.exp(np.random.default_rng(seed).uniform(-6.0, 6.0, lp.n_variables))
    plain = solve_lp(lp, basis=crash.basis, primal_basis=True, tol=1e-9)
    scaled = solve_lp(lp, basis=crash.basis, primal_basis=True, units=units, tol=1e-9)
    assert plain.method == "primal-from-basis"
    assert scaled.method == "scaled-primal-from-basis"
    assert scaled.status == plain.status == "optimal"
    assert scaled.objective == pytest.approx(plain.objective, rel=1e-8)
    # the answer is the LP's own: its rows hold in the LP's units
    rows = lp.A @ scaled.x
    assert np.all(rows >= lp.row_lower - 1e-6 * np.maximum(1, np.abs(lp.row_lower)))
    assert np.all(rows <= lp.row_upper + 1e-6 * np.maximum(1, np.abs(lp.row_upper)))
    assert np.allclose(rows, scaled.row_value, rtol=1e-9, atol=1e-7)


def test_a_growth_plan_runs_in_capacity_units_and_says_so(growth):
    spec, *_ = growth
    result = optimise(spec, least_labour=False, tol=1e-10)
    cold = optimise(spec, least_labour=False, crash_basis=False, tol=1e-10)
    assert result.provenance["method"] == "scaled-primal-from-basis"
    assert result.verification.passed and cold.verification.passed
    assert result.level == pytest.approx(cold.level, rel=1e-9)


def test_the_least_labour_stage_reaches_the_least_labour_of_a_cold_solve(growth):
    spec, data, lp, _ = growth
    result = optimise(spec, least_labour=True, tol=1e-10)
    assert result.provenance["stages"] == "max level, then least labour at that level"
    assert result.provenance["least_labour_start"].startswith("the first stage's basis")
    assert result.verification.passed
    # independently: the same second-stage LP from a slack basis by dual simplex
    where = lp.layout.slice("level")
    lower = lp.col_lower.copy()
    lower[where] = result.level
    cost = labour_cost_of_plan(data, lp.layout)
    cold = solve_lp(replace(lp, cost=cost, col_lower=lower, maximise=False), tol=1e-10)
    assert cold.status == "optimal" and cold.method == "simplex"
    assert float(result.employment.to_numpy().sum()) == pytest.approx(cold.objective, rel=1e-7)
