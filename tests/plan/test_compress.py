"""compress: the five-year plan in four years, on a hand example and by its mapping rule."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError
from gosplan.plan.compress import compress, period_map

from ._plan_fixtures import two_sector

YEARS = (1929, 1930, 1931, 1932, 1933)


def five_year_plan() -> PlanSpec:
    targets = pd.DataFrame(
        {
            "product": ["cloth", "steel", "steel", "cloth", "steel", "cloth"],
            "period": [1929, 1930, 1932, 1932, 1933, 1933],
            "target": [5.0, 20.0, 40.0, 45.0, 50.0, 30.0],
            "priority": [1.0, 1.0, 1.0, 3.0, 2.0, 1.0],
        }
    )
    return PlanSpec(
        economy=two_sector(),
        periods=YEARS,
        objective="min_labour",
        targets=targets,
        fixed_final_demand=pd.DataFrame(
            {"product": ["steel"] * 3, "period": [1931, 1932, 1933], "quantity": [3.0, 1.0, 2.0]}
        ),
        labour_available=pd.DataFrame(
            {"labour_type": ["workers"] * 5, "period": list(YEARS), "available": [1.0, 2, 3, 4, 5]}
        ),
        floors=pd.DataFrame({"product": ["cloth"] * 2, "period": [1929, 1933], "floor": [7.0, 9]}),
        lags=pd.DataFrame({"activity": ["steel"], "lag": [2]}),
        name="first five-year plan",
    ).validated()


def test_five_into_four_by_hand():
    got = compress(five_year_plan(), 4)
    assert got.periods == (1929, 1930, 1931, 1932)
    assert got.name == "first five-year plan in 4 periods"
    # Positions 1..5 go to 1, 2, 3, 4, 4: 1932 and 1933 meet in 1932; the higher level stays.
    targets = got.targets.set_index(["product", "period"])
    assert targets["target"].to_dict() == {
        ("cloth", 1929): 5.0,
        ("steel", 1930): 20.0,
        ("cloth", 1932): 45.0,  # 45 (1932) beats 30 (1933)
        ("steel", 1932): 50.0,  # 50 (1933) beats 40 (1932)
    }
    # The kept row carries its own priority.
    assert targets.loc[("cloth", 1932), "priority"] == 3.0
    assert targets.loc[("steel", 1932), "priority"] == 2.0
    ffd = got.fixed_final_demand.set_index(["product", "period"])["quantity"].to_dict()
    assert ffd == {("steel", 1931): 3.0, ("steel", 1932): 3.0}  # 1 + 2 summed
    assert got.labour_available["available"].tolist() == [1.0, 2, 3, 4]
    assert got.floors["period"].tolist() == [1929]
    pd.testing.assert_frame_equal(got.lags, five_year_plan().lags)


def test_five_into_three_and_the_identity():
    got = compress(five_year_plan(), 3)
    # Positions 1..5 go to 1, 2, 2, 3, 3.
    targets = got.targets.set_index(["product", "period"])["target"].to_dict()
    assert targets == {
        ("cloth", 1929): 5.0,
        ("steel", 1930): 20.0,
        ("steel", 1931): 50.0,
        ("cloth", 1931): 45.0,
    }
    ffd = got.fixed_final_demand.set_index(["product", "period"])["quantity"].to_dict()
    assert ffd == {("steel", 1930): 3.0, ("steel", 1931): 3.0}
    same = compress(five_year_plan(), 5)
    pd.testing.assert_frame_equal(same.targets, five_year_plan().targets)
    pd.testing.assert_frame_equal(same.fixed_final_demand, five_year_plan().fixed_final_demand)


def test_bad_lengths_and_a_lag_too_long():
    plan = five_year_plan()
    for n in (0, 6, -1):
        with pytest.raises(InputError, match="between 1 and the plan's 5 periods"):
            compress(plan, n)
    with pytest.raises(InputError, match="investment lag 2 is not shorter than the horizon"):
        compress(plan, 2)


def test_period_map_examples():
    assert period_map(5, 4).tolist() == [1, 2, 3, 4, 4]
    assert period_map(5, 3).tolist() == [1, 2, 2, 3, 3]
    assert period_map(4, 2).tolist() == [1, 1, 2, 2]


@given(st.integers(1, 60).flatmap(lambda N: st.tuples(st.just(N), st.integers(1, N))))
def test_period_map_is_ceiling_and_onto(sizes):
    N, n = sizes
    got = period_map(N, n)
    want = [math.ceil(Fraction(k * n, N)) for k in range(1, N + 1)]
    assert got.tolist() == want
    assert set(got.tolist()) == set(range(1, n + 1))  # every compressed period is used
    assert np.all(np.diff(got) >= 0) and got[-1] == n
