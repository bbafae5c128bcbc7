"""The diagnosis's additions: lasting capacity, flows of labour, and that they restore feasibility.

Each case is known by hand; the additions are then applied to the spec itself (more labour
available, more capacity) wherever the spec can say it, and the least-labour plan is solved
again: it must be feasible with the additions and infeasible with a little less.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.datasets import spec_path
from gosplan.plan import blocks as bk
from gosplan.plan.data import PlanData
from gosplan.plan.diagnosis import check_plan, valuation, with_additions
from gosplan.plan.highs import solve_lp
from gosplan.plan.layout import base_layout
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec

from .conftest import frame, rich_spec, three_sector

KAPPA = 3.0  # units of b per unit of capacity of a
LV_B = 0.5  # labour value of b (no intermediate inputs): a unit of capacity of a costs 1.5


def capacity_economy(
    capacity: float = 50.0, *, second_b: bool = False, b_capacity: float = np.inf
) -> Economy:
    """a is made under a capacity; its capacity is built from b (KAPPA units per unit).

    ``b_capacity``: capacity of every technique of b (0: the plan cannot make b, so it
    cannot invest in a by itself).
    """
    products = pd.DataFrame({"unit": ["t", "m3"]}, index=["a", "b"])
    activities = ["a", "b", "b2"] if second_b else ["a", "b"]
    if not second_b:
        A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
        capital = pd.DataFrame([[0.0, 0.0], [KAPPA, 0.0]], index=["a", "b"], columns=["a", "b"])
        return Economy.from_coefficients(
            A,
            labour=pd.Series({"a": 1.0, "b": LV_B}),
            products=products,
            capacity=pd.Series({"a": capacity, "b": b_capacity}),
            capital=capital,
        )
    # b also made by a dearer technique b2: the economy is not square
    return Economy(
        products=products,
        activities=pd.DataFrame({"product": ["a", "b", "b"]}, index=activities),
        technology=np.zeros((2, 3)),
        labour_types=pd.Index(["labour"]),
        labour=np.array([[1.0, LV_B, 0.8]]),
        capacity=np.array([capacity, b_capacity, b_capacity]),
        capital=np.array([[0.0, 0.0, 0.0], [KAPPA, 0.0, 0.0]]),
    )


def capacity_spec(
    economy: Economy, targets: list[float], lag: int = 2, **changes: object
) -> PlanSpec:
    periods = tuple(range(1, len(targets) + 1))
    return PlanSpec(
        economy,
        periods=periods,
        objective="min_labour",
        targets=frame(product=["a"] * len(targets), period=list(periods), target=targets),
        lags=frame(activity=["a"], lag=[lag]),
        **changes,  # type: ignore[arg-type]
    )


def feasible(spec: PlanSpec) -> bool:
    status = optimise(spec, objective="min_labour", verify=False).status
    assert status in ("optimal", "infeasible")
    return status == "optimal"


def feasible_with(spec: PlanSpec, additions: pd.DataFrame) -> bool:
    """The least-labour LP with the additions added to its limits (capacity from t on)."""
    sol = solve_lp(with_additions(PlanData(spec.validated()), additions))
    assert sol.status in ("optimal", "infeasible")
    return sol.status == "optimal"


def scaled(additions: pd.DataFrame, factor: float) -> pd.DataFrame:
    return additions.assign(amount=additions["amount"] * factor)


# ---------------------------------------------------------------------- capacity lasts
def test_one_lasting_addition_covers_every_later_period():
    # capacity 50, target 70 in periods 1-3, lag 0, but b cannot be made: the plan cannot
    # invest by itself, so 20 more capacity (buildable: lag 0) is needed from period 1 on; it
    # lasts, and is charged once: 20 * KAPPA * LV_B = 30 (not 20 in each period, 90)
    spec = capacity_spec(capacity_economy(b_capacity=0.0), [70.0, 70.0, 70.0], lag=0)
    check = check_plan(spec)
    assert not check.feasible
    add = check.additions
    assert add[["kind", "label", "period"]].values.tolist() == [["capacity", "a", 1]]
    assert add["amount"].iloc[0] == pytest.approx(20.0)
    assert add["labour_cost"].iloc[0] == pytest.approx(30.0)
    assert check.total_labour_cost == pytest.approx(30.0)
    assert add["unit"].iloc[0] == "t a year"
    assert add["available"].iloc[0] == pytest.approx(50.0)
    assert add["outside"].tolist() == [False]
    assert check.additions_verified is True
    msg = check.message()
    assert (
        "The cheapest way to meet them as set is to add: 20 t a year of capacity of 'a' from 1 on."
        in msg
    )
    assert "They cost 30 person-years of labour in all" in msg
    assert "at the labour embodied in its capital goods" in msg
    # applied to the spec itself: capacity 70 from the start meets the targets, 69.9 does not
    for cap, ok in ((70.0, True), (69.9, False)):
        eco = capacity_economy(cap, b_capacity=0.0)
        assert feasible(capacity_spec(eco, [70.0, 70.0, 70.0], lag=0)) is ok
    assert feasible_with(spec, add) and not feasible_with(spec, scaled(add, 0.99))


def test_an_addition_from_a_later_period_and_one_on_top_of_it():
    # lag 3 in 4 periods: investment started in period 1 serves only period 4. 70 is needed
    # from period 2 and 90 from period 3: 20 from 2 on, and 20 more from 3 on (an addition
    # from period 1 would cost as much: the latest start is chosen, when it is first needed).
    # Both come before the lag lets new capacity serve: from outside the plan, not priced
    spec = capacity_spec(capacity_economy(), [50.0, 70.0, 90.0, 90.0], lag=3)
    check = check_plan(spec)
    add = check.additions.sort_values("period")
    assert add[["kind", "label", "period"]].values.tolist() == [
        ["capacity", "a", 2],
        ["capacity", "a", 3],
    ]
    np.testing.assert_allclose(add["amount"], [20.0, 20.0])
    assert add["outside"].all() and add["labour_cost"].isna().all()
    assert check.total_labour_cost == 0.0
    assert check.additions_verified is True
    msg = check.message()
    assert "They can only be met as set with additions from outside the plan" in msg
    assert "20 t a year of capacity of 'a' from 2 on" in msg
    assert "20 t a year of capacity of 'a' from 3 on" in msg
    assert feasible_with(spec, add)
    for k in range(len(add)):  # each addition is needed in full
        less = add.copy()
        less.iloc[k, less.columns.get_loc("amount")] *= 0.99
        assert not feasible_with(spec, less)


def test_short_only_until_investment_can_serve():
    # lag 1: an investment started in period 1 would serve from period 2, so only period 1
    # needs an addition; it lasts, so no investment is needed after it: 20 once. Capacity in
    # period 1 cannot be built (lag 1): it comes from outside the plan and is not priced
    spec = capacity_spec(capacity_economy(), [70.0, 70.0, 70.0], lag=1)
    check = check_plan(spec)
    assert check.additions[["label", "period"]].values.tolist() == [["a", 1]]
    assert check.additions["amount"].iloc[0] == pytest.approx(20.0)
    assert check.additions["outside"].tolist() == [True]
    assert check.total_labour_cost == 0.0


def test_lasting_additions_count_in_every_later_period_and_at_the_end():
    # the rows of the LP: capacity of period tau gets the additions of periods <= tau, the
    # terminal requirement all of them
    spec = capacity_spec(
        capacity_economy(),
        [50.0, 50.0, 50.0],
        terminal_capacity=frame(activity=["a"], capacity=[70.0]),
    )
    data = PlanData(spec.validated())
    lay = base_layout(data)
    lay.add("add_capacity", data.n_c * data.T)
    cols = lay.slice("add_capacity")
    cap = bk.capacity(data, lay).matrix[:, cols].toarray()
    np.testing.assert_array_equal(-cap, np.tril(np.ones((3, 3))))
    end = bk.terminal(data, lay).matrix[:, cols].toarray()
    np.testing.assert_array_equal(end, np.ones((1, 3)))


def test_capacity_is_priced_at_least_labour_values_when_the_economy_is_not_square():
    # b has two techniques (0.5 and 0.8 person-years a unit): its labour value is 0.5, so the
    # capital goods of a unit of capacity of a are worth 3 * 0.5 = 1.5 person-years (b cannot
    # be made, lag 0: the addition is buildable from period 1 on)
    eco = capacity_economy(second_b=True, b_capacity=0.0)
    spec = capacity_spec(eco, [70.0, 70.0, 70.0], lag=0)
    data = PlanData(spec.validated())
    v, in_labour = valuation(data)
    assert in_labour
    np.testing.assert_allclose(v, [1.0, LV_B])
    check = check_plan(spec)
    assert check.cost_in_labour
    assert check.additions["amount"].sum() == pytest.approx(20.0)
    assert check.total_labour_cost == pytest.approx(30.0)


# ---------------------------------------------------------------------- labour is a flow
def labour_spec(available: list[float]) -> PlanSpec:
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    eco = Economy.from_coefficients(A, labour=pd.Series({"a": 2.0, "b": 0.5}))
    periods = list(range(1, len(available) + 1))
    n = len(periods)
    return PlanSpec(
        eco,
        periods=tuple(periods),
        objective="min_labour",
        targets=frame(
            product=["a", "b"] * n, period=np.repeat(periods, 2), target=[30.0, 40.0] * n
        ),
        labour_available=frame(labour_type=["labour"] * n, period=periods, available=available),
    )


def test_labour_short_in_two_periods_is_added_in_each():
    # the targets need 2 * 30 + 0.5 * 40 = 80 person-years a period; 64 and 70 are available
    spec = labour_spec([64.0, 70.0])
    check = check_plan(spec)
    add = check.additions.sort_values("period")
    assert add[["kind", "label", "period"]].values.tolist() == [
        ["labour", "labour", 1],
        ["labour", "labour", 2],
    ]
    np.testing.assert_allclose(add["amount"], [16.0, 10.0])
    np.testing.assert_allclose(add["labour_cost"], [16.0, 10.0])
    assert (add["unit"] == "person-years").all()
    np.testing.assert_allclose(add["available"], [64.0, 70.0])
    assert check.total_labour_cost == pytest.approx(26.0)
    assert check.additions_verified is True
    msg = check.message()
    assert "16 person-years of labour 'labour' in 1" in msg
    assert "10 person-years of labour 'labour' in 2" in msg
    # applied to the spec: 80 a period is enough, 79.9 in either period is not
    assert feasible(labour_spec([80.0, 80.0]))
    assert not feasible(labour_spec([79.9, 80.0]))
    assert not feasible(labour_spec([80.0, 79.9]))
    assert feasible_with(spec, add)


# ---------------------------------------------------------------------- larger plans
def test_rich_plan_additions_restore_feasibility():
    spec = rich_spec(three_sector(), "min_labour")
    check = check_plan(spec)
    assert not check.feasible and len(check.additions)
    assert check.additions_verified is True
    assert feasible_with(spec, check.additions)
    assert not feasible_with(spec, check.additions.iloc[0:0])


def test_amended_variant_additions_restore_feasibility():
    spec = read_spec(spec_path("ussr-1928", "amended"))
    check = check_plan(spec)
    assert not check.feasible and check.additions_verified is True
    add = check.additions
    assert len(add) and set(add["kind"]) == {"capacity"}
    # lasting additions: each activity's first addition carries (nearly) all of it, rather
    # than the same amount being repeated period after period
    by_activity = add.sort_values("period").groupby("label")["amount"]
    assert (by_activity.first() >= 0.99 * by_activity.sum()).all()
    assert feasible_with(spec, add)
    assert not feasible_with(spec, scaled(add, 0.9))
    assert check.cost_in_labour  # least-labour values: electricity has two techniques
    assert check.total_labour_cost == pytest.approx(add["labour_cost"].sum())


def test_check_without_the_self_check():
    spec = capacity_spec(capacity_economy(), [70.0, 70.0, 70.0])
    check = check_plan(spec, check_additions=False)
    assert check.additions_verified is None
    assert "Warning" not in check.message()


def test_the_self_check_catches_additions_that_do_not_suffice():
    spec = capacity_spec(capacity_economy(), [70.0, 70.0, 70.0])
    check = check_plan(spec)
    short = replace(check, additions=scaled(check.additions, 0.5), additions_verified=False)
    assert "Warning: the least-labour plan with these additions" in short.message()
    assert not feasible_with(spec, short.additions)


def test_resource_short_is_added_as_a_flow_without_labour_cost():
    # a needs 1 unit of land a unit; 50 and 60 units of land for targets of 70 in two periods
    A = pd.DataFrame([[0.0]], index=["a"], columns=["a"])
    eco = Economy.from_coefficients(
        A,
        labour=pd.Series({"a": 1.0}),
        resources=pd.DataFrame([[1.0]], index=["land"], columns=["a"]),
    )

    def spec(land: list[float]) -> PlanSpec:
        return PlanSpec(
            eco,
            periods=(1, 2),
            objective="min_labour",
            targets=frame(product=["a", "a"], period=[1, 2], target=[70.0, 70.0]),
            resources_available=frame(resource=["land"] * 2, period=[1, 2], available=land),
        )

    check = check_plan(spec([50.0, 60.0]))
    add = check.additions.sort_values("period")
    assert add[["kind", "label", "period"]].values.tolist() == [
        ["resource", "land", 1],
        ["resource", "land", 2],
    ]
    np.testing.assert_allclose(add["amount"], [20.0, 10.0])
    assert add["labour_cost"].isna().all() and check.total_labour_cost == 0.0
    assert check.additions_verified is True
    msg = check.message()
    assert "20 units of resource 'land' in 1; 10 units of resource 'land' in 2." in msg
    assert "They cost" not in msg and "not counted in the cost" in msg
    assert feasible(spec([70.0, 70.0])) and not feasible(spec([70.0, 69.9]))
