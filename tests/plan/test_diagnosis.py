"""Feasibility checks and diagnoses on cases known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.plan.diagnosis import check_plan

from .conftest import frame, rich_spec, three_sector


def two_products() -> Economy:
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    return Economy.from_coefficients(A, labour=pd.Series({"a": 2.0, "b": 0.5}))


def test_labour_short_by_twenty_percent():
    # targets need 2 * 30 + 0.5 * 40 = 80 person-years; 64 are available (80%)
    spec = PlanSpec(
        two_products(),
        periods=(1,),
        objective="min_labour",
        targets=frame(product=["a", "b"], period=[1, 1], target=[30.0, 40.0]),
        labour_available=frame(labour_type=["labour"], period=[1], available=[64.0]),
    )
    check = check_plan(spec)
    assert not check.feasible and check.plan is None
    assert check.common_level == pytest.approx(0.8)
    add = check.additions
    assert add["kind"].tolist() == ["labour"]
    assert add["amount"].iloc[0] == pytest.approx(16.0)
    assert check.total_labour_cost == pytest.approx(16.0)
    assert check.binding["block"].tolist() == ["labour"]
    # alone, each target is limited only by the 64 person-years
    np.testing.assert_allclose(check.reachable["reachable_alone"], [32.0, 128.0])
    # jointly the shortfall is 16 person-years' worth of output
    short = check.reachable["shortfall"].to_numpy()
    assert 2.0 * short[0] + 0.5 * short[1] == pytest.approx(16.0)
    msg = check.message()
    assert msg.startswith("The targets cannot all be met. At most 80.0% of every target")
    assert (
        "The cheapest way to meet them as set is to add: 16 person-years of labour 'labour' in 1."
        in msg
    )
    assert "They cost 16 person-years of labour in all" in msg
    # the marginal person-year makes half a unit of a (target 30): 0.5 / 30 of a target
    assert "labour 'labour' in 1, 0.0167 per person-year" in msg
    assert check.additions_verified is True


def test_capacity_bottleneck_adds_exactly_the_shortfall_at_capital_cost():
    # a is made with capacity 50 but must reach 70; a's capacity is built from b (kappa = 3
    # units per unit of capacity, lag 0 so that it can serve the only period, but no b can be
    # made: the addition is priced at b's labour value 0.5, no intermediate inputs)
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    kappa = 3.0
    capital = pd.DataFrame([[0.0, 0.0], [kappa, 0.0]], index=["a", "b"], columns=["a", "b"])
    eco = Economy.from_coefficients(
        A,
        labour=pd.Series({"a": 1.0, "b": 0.5}),
        capacity=pd.Series({"a": 50.0, "b": 0.0}),  # no b to build with within the plan
        capital=capital,
    )
    spec = PlanSpec(
        eco,
        periods=(2000,),
        objective="min_labour",
        targets=frame(product=["a"], period=[2000], target=[70.0]),
        lags=frame(activity=["a"], lag=[0]),
    )
    check = check_plan(spec)
    assert not check.feasible
    assert check.common_level == pytest.approx(50.0 / 70.0)
    add = check.additions
    assert add["kind"].tolist() == ["capacity"] and add["label"].tolist() == ["a"]
    assert add["amount"].iloc[0] == pytest.approx(20.0)
    assert add["labour_cost"].iloc[0] == pytest.approx(20.0 * kappa * 0.5)
    # a's capacity binds at 1/70 of the shortfall per unit; so does b's (zero) capacity: a unit
    # of b would build a third of a unit of a's capacity
    binding = check.binding.set_index("label")
    assert sorted(binding.index) == ["a", "b"] and set(binding["block"]) == {"capacity"}
    assert binding.loc["a", "shadow_price"] == pytest.approx(1.0 / 70.0)
    assert binding.loc["b", "shadow_price"] == pytest.approx(1.0 / 70.0 / kappa)
    assert check.reachable["reachable_jointly"].iloc[0] == pytest.approx(50.0)


def test_feasible_spec_returns_the_least_labour_plan():
    spec = rich_spec(
        three_sector(),
        "max_level",
        targets=frame(product=["steel", "grain"], period=[1931, 1933], target=[40.0, 120.0]),
    )
    check = check_plan(spec)
    assert check.feasible and check.plan is not None
    assert check.plan.objective_kind == "min_labour" and check.plan.verification.passed
    assert check.common_level >= 1.0 and len(check.additions) == 0
    assert check.message().startswith("The targets can be met.")


def test_rich_infeasible_plan_is_explained():
    spec = rich_spec(three_sector(), "min_labour")  # steel 80 in 1931 after its vintage retires
    check = check_plan(spec)
    assert not check.feasible and 0 < check.common_level < 1
    assert set(check.additions["kind"]) <= {"capacity", "labour", "resource", "imports"}
    assert check.total_labour_cost > 0
    assert (check.reachable["reachable_jointly"] <= check.reachable["target"] + 1e-9).all()
    # the additions do make it feasible: the least-labour LP with them added is solved again
    assert check.additions_verified is True
    assert "The binding limits, largest shadow price first" in check.message()
