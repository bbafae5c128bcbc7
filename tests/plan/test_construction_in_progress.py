"""Construction in progress: the plan table, its checks, and its effect on the LP by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.errors import ValidationError
from gosplan.plan import optimise, read_spec, write_spec

PERIODS = [2000, 2001, 2002]


def steel_and_cloth() -> Economy:
    """Steel (no inputs, uncapped) and cloth (capacity 10, 2 t of steel per unit of capacity).

    No product groups: both are consumption goods, and every unit takes one person-year.
    """
    products = ["steel", "cloth"]
    return Economy.from_coefficients(
        pd.DataFrame(np.zeros((2, 2)), index=products, columns=products),
        labour=pd.Series({"steel": 1.0, "cloth": 1.0}),
        capacity=pd.Series({"steel": np.inf, "cloth": 10.0}),
        capital=pd.DataFrame([[0.0, 2.0], [0.0, 0.0]], index=products, columns=products),
        service_life=pd.Series({"steel": 50.0, "cloth": 50.0}),
    )


def in_progress(remaining: float = 0.5) -> pd.DataFrame:
    return pd.DataFrame(
        {"activity": ["cloth"], "completion": [2002], "capacity": [5.0], "remaining": [remaining]}
    )


def spec_with(cip: pd.DataFrame, labour: float = 12.0) -> PlanSpec:
    """Cloth at a common level; labour 12 a year; cloth's own investment barred (lag 2)."""
    return PlanSpec(
        steel_and_cloth(),
        periods=PERIODS,
        objective="max_level",
        assortment=pd.DataFrame({"product": ["cloth"], "weight": [1.0]}),
        labour_available=pd.DataFrame(
            {"labour_type": "labour", "period": PERIODS, "available": labour}
        ),
        lags=pd.DataFrame({"activity": ["cloth"], "lag": [2]}),
        investment_limits=pd.DataFrame({"activity": ["cloth"], "max": [0.0]}),
        construction_in_progress=cip,
        terminal_growth=0.0,
    )


def test_the_table_round_trips_through_the_reader_and_writer(tmp_path) -> None:
    spec = spec_with(in_progress())
    write_spec(spec, tmp_path / "plan")
    back = read_spec(tmp_path / "plan")
    pd.testing.assert_frame_equal(
        back.construction_in_progress.reset_index(drop=True),
        spec.construction_in_progress,
        check_dtype=False,
    )
    assert (tmp_path / "plan" / "construction_in_progress.csv").read_text().splitlines()[0] == (
        "activity,completion,capacity,remaining"
    )


def test_bad_rows_are_reported_at_once_with_table_row_and_label() -> None:
    cip = pd.DataFrame(
        {
            "activity": ["loom", "cloth", "cloth", "cloth", "steel", "cloth"],
            "completion": [2001, 1999, 2004, 2000, 2001, 2001],
            "capacity": [1.0, 1.0, 1.0, 1.0, 1.0, -1.0],
            "remaining": [0.0, 0.0, 0.0, 0.5, 0.0, 0.0],
        }
    )
    with pytest.raises(ValidationError) as info:
        spec_with(cip)
    found = {(p.row, p.label, p.check) for p in info.value.problems}
    assert found == {
        (2, "loom", "unknown_label"),
        (3, "cloth", "construction_in_progress"),  # before the first period
        (4, "cloth", "construction_in_progress"),  # after the end (2003 at the latest)
        (5, "cloth", "construction_in_progress"),  # spending left, no period to spend it
        (6, "steel", "construction_in_progress"),  # capacity not limited
        (7, "cloth", "negative_value"),
    }
    assert all(p.source == "plan spec: construction_in_progress" for p in info.value.problems)
    assert "before the first period 2000" in str(info.value)


def test_capacity_arrives_at_completion_and_spending_uses_up_output() -> None:
    """By hand: 5 t of cloth capacity from 2002; 0.5 * 5 * 2 = 5 t of steel over 2000-01.

    The construction profile of a lag of 2 spends half in each of the two periods before
    completion: 2.5 t of steel a year, which takes 2.5 of the 12 person-years, so cloth
    (capacity 10) reaches only 9.5 in 2000 and 2001: the common level is 9.5.
    """
    result = optimise(spec_with(in_progress()))
    assert result.optimal and result.verification.passed
    np.testing.assert_allclose(result.capacity.loc["cloth"].to_numpy(), [10.0, 10.0, 15.0])
    np.testing.assert_allclose(result.capital_spending.loc["steel"].to_numpy(), [2.5, 2.5, 0.0])
    np.testing.assert_allclose(result.level, 9.5)
    np.testing.assert_allclose(result.output.loc["steel", [2000, 2001]].to_numpy(), [2.5, 2.5])
    shares = result.final_use.set_index(["product", "period"])["investment"]
    np.testing.assert_allclose(shares.loc[("steel", 2000)], 2.5)


def test_nothing_left_to_spend_leaves_the_labour_to_cloth() -> None:
    result = optimise(spec_with(in_progress(remaining=0.0)))
    np.testing.assert_allclose(result.level, 10.0)
    np.testing.assert_allclose(result.capacity.loc["cloth", 2002], 15.0)


def test_construction_labour_of_the_remaining_spending_counts_against_labour() -> None:
    spec = spec_with(in_progress()).with_changes(
        construction_labour=pd.DataFrame(
            {"labour_type": ["labour"], "activity": ["cloth"], "coefficient": [0.4]}
        )
    )
    result = optimise(spec)
    # 5 units of capacity, half of it still to pay for, half of that each year: 1.25 units a
    # year at 0.4 person-years each = 0.5 person-years a year, off cloth's 9.5
    np.testing.assert_allclose(result.level, 9.0)
    np.testing.assert_allclose(result.employment.loc["labour", 2000], 12.0)
