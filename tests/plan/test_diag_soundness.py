"""Soundness of the diagnosis's additions and of the message that names them.

* Only what can be built is priced, and lags are respected: capacity of an activity without
  capital goods, or needed before its investment lag lets new capacity serve, can only come
  from outside the plan (flagged ``outside``, penalised, not priced, not in the cost).
* The message never drops a needed addition and never rounds one down: applying the amounts
  as the message shows them makes the plan feasible.
* Without labour coefficients nothing is summed in physical units: each addition is priced by
  its size relative to the limit it lifts.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.datasets import spec_path
from gosplan.plan.data import PlanData
from gosplan.plan.diagnosis import PlanCheck, check_plan, verify_additions, with_additions
from gosplan.plan.highs import solve_lp
from gosplan.plan.reader import read_spec

from .conftest import frame
from .test_diag_message import synthetic as synthetic_check

KAPPA = 3.0  # units of b per unit of capacity of a
LV_B = 0.5  # labour value of b: a unit of capacity of a embodies 1.5 person-years


def spec_of(economy: Economy, targets: list[float], lags: dict[str, int]) -> PlanSpec:
    periods = tuple(range(1, len(targets) + 1))
    return PlanSpec(
        economy,
        periods=periods,
        objective="min_labour",
        targets=frame(product=["a"] * len(targets), period=list(periods), target=targets),
        lags=frame(activity=list(lags), lag=list(lags.values())),
    )


def a_without_capital() -> Economy:
    """a is made under a capacity of 50 that no capital goods make."""
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    return Economy.from_coefficients(
        A,
        labour=pd.Series({"a": 1.0, "b": LV_B}),
        products=pd.DataFrame({"unit": ["t", "m3"]}, index=["a", "b"]),
        capacity=pd.Series({"a": 50.0}),
    )


def a_built_from_scarce_b() -> Economy:
    """a (capacity 50) is built from b (KAPPA a unit); b cannot be made (capacity 0)."""
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    capital = pd.DataFrame([[0.0, 0.0], [KAPPA, 0.0]], index=["a", "b"], columns=["a", "b"])
    return Economy.from_coefficients(
        A,
        labour=pd.Series({"a": 1.0, "b": LV_B}),
        products=pd.DataFrame({"unit": ["t", "m3"]}, index=["a", "b"]),
        capacity=pd.Series({"a": 50.0, "b": 0.0}),
        capital=capital,
    )


def two_techniques_for_a(labour: float = 1.0, kappa2: float = KAPPA) -> Economy:
    """a made by a1 (capacity 50, no capital goods) or a2 (capacity 0, built from b).

    b cannot be made (capacity 0, no capital goods): the plan cannot invest by itself.
    """
    return Economy(
        products=pd.DataFrame({"unit": ["t", "m3"]}, index=["a", "b"]),
        activities=pd.DataFrame({"product": ["a", "a", "b"]}, index=["a1", "a2", "b"]),
        technology=np.zeros((2, 3)),
        labour_types=pd.Index(["labour"]),
        labour=np.array([[labour, labour, LV_B * labour]]),
        capacity=np.array([50.0, 0.0, 0.0]),
        capital=np.array([[0.0, 0.0, 0.0], [0.0, kappa2, 0.0]]),
    )


def feasible_with(spec: PlanSpec, table: pd.DataFrame) -> bool:
    sol = solve_lp(with_additions(PlanData(spec.validated()), table))
    assert sol.status in ("optimal", "infeasible")
    return sol.status == "optimal"


# ---------------------------------------------------------------------- 1. what can be built
def test_capacity_without_capital_goods_is_an_addition_from_outside():
    spec = spec_of(a_without_capital(), [70.0, 70.0], {"a": 0})
    check = check_plan(spec)
    add = check.additions
    assert add[["kind", "label", "period"]].values.tolist() == [["capacity", "a", 1]]
    assert add["amount"].iloc[0] == pytest.approx(20.0)
    assert add["outside"].tolist() == [True]
    assert np.isnan(add["labour_cost"].iloc[0])
    assert check.total_labour_cost == 0.0
    assert check.additions_verified is True
    msg = check.message()
    assert "They cost 0" not in msg
    assert "20 t a year of capacity of 'a' from 1 on" in msg
    assert "can only be lifted from outside the plan" in msg
    assert "no investment can add that capacity" in msg


def test_buildable_capacity_is_preferred_to_capacity_from_outside():
    # a1 needs no capital goods (its capacity cannot be built); a2 can be built at 1.5
    # person-years a unit: the 20 missing are added to a2, not (at no cost) to a1
    spec = spec_of(two_techniques_for_a(), [70.0], {"a2": 0})
    check = check_plan(spec)
    add = check.additions
    assert add[["kind", "label", "period"]].values.tolist() == [["capacity", "a2", 1]]
    assert add["amount"].iloc[0] == pytest.approx(20.0)
    assert add["outside"].tolist() == [False]
    assert add["labour_cost"].iloc[0] == pytest.approx(20.0 * KAPPA * LV_B)
    assert check.total_labour_cost == pytest.approx(30.0)
    msg = check.message()
    assert "The cheapest way to meet them as set is to add: 20 t a year of capacity of 'a2'" in msg
    assert "They cost 30 person-years of labour in all" in msg
    assert "outside the plan" not in msg


def test_capacity_before_the_lag_comes_from_outside_and_later_capacity_is_priced():
    # lag 2: new capacity can serve from period 3 (index 2) on. 70 is needed in periods 1-2
    # and 90 in period 3: 20 from outside from period 1 on, and 20 built from period 3 on
    spec = spec_of(a_built_from_scarce_b(), [70.0, 70.0, 90.0], {"a": 2})
    check = check_plan(spec)
    add = check.additions.sort_values("period").reset_index(drop=True)
    assert add[["kind", "label", "period"]].values.tolist() == [
        ["capacity", "a", 1],
        ["capacity", "a", 3],
    ]
    np.testing.assert_allclose(add["amount"], [20.0, 20.0])
    assert add["outside"].tolist() == [True, False]
    assert np.isnan(add["labour_cost"].iloc[0])
    assert add["labour_cost"].iloc[1] == pytest.approx(20.0 * KAPPA * LV_B)
    assert check.total_labour_cost == pytest.approx(30.0)  # only the buildable one
    assert check.additions_verified is True
    # with_additions / verify_additions take the table with its new column
    data = PlanData(spec.validated())
    assert verify_additions(data, check.additions) is True
    assert feasible_with(spec, check.additions)
    assert not feasible_with(spec, check.additions.assign(amount=check.additions["amount"] * 0.99))
    msg = check.message()
    assert "20 t a year of capacity of 'a' from 3 on" in msg
    assert "They cost 30 person-years of labour in all" in msg
    priced, outside = msg.split("additions from outside the plan:")
    assert "from 3 on" in priced and "from 1 on" not in priced
    assert "20 t a year of capacity of 'a' from 1 on" in outside
    assert "can only be lifted from outside the plan" in outside


# ---------------------------------------------------------------------- 2. the message
def synthetic(additions: pd.DataFrame, **changes: object) -> PlanCheck:
    """The hand-made check of test_diag_message with these additions and no binding limit."""
    total = float(np.nansum(additions["labour_cost"].to_numpy(float)))
    return synthetic_check(
        additions=additions,
        binding=pd.DataFrame(columns=["block", "label", "period", "shadow_price", "unit"]),
        total_labour_cost=total,
        **changes,
    )


def capacity_rows(amounts: list[float], costs: list[float], unit: str = "t a year") -> dict:
    n = len(amounts)
    return {
        "kind": ["capacity"] * n,
        "label": [f"k{i}" for i in range(n)],
        "period": [1] * n,
        "amount": amounts,
        "labour_cost": costs,
        "unit": [unit] * n,
        "available": [1e4] * n,
        "outside": [False] * n,
    }


def test_message_rounds_every_amount_up_and_names_small_ones():
    add = pd.DataFrame(
        capacity_rows([0.991111, 312.72406, 0.0002421, 20.0], [41.0, 143.0, 0.01, 5.0])
    )
    msg = synthetic(add).message()
    assert "0.992 t a year of capacity of 'k0' from 1 on" in msg  # not 0.991: too little
    assert "313 t a year of capacity of 'k1' from 1 on" in msg
    assert "0.000243 t a year of capacity of 'k2' from 1 on" in msg  # not dropped as trivial
    assert "20 t a year of capacity of 'k3' from 1 on" in msg  # no spurious 20.1
    assert "trivial" not in msg


def test_ceiling_at_three_significant_figures():
    from gosplan.core.words import sig_up as _sig_up

    cases = {
        0.991111: "0.992",
        0.991: "0.991",
        312.72406: "313",
        1234.01: "1,240",
        67543.49: "67,600",
        999.5: "1,000",
        0.0002421: "0.000243",
        20.0: "20",
        20.0 * (1 + 1e-13): "20",  # solver noise is not rounded up
        0.0: "0",
    }
    for value, text in cases.items():
        assert _sig_up(value) == text, value


def test_many_additions_name_the_largest_and_total_the_rest_per_unit():
    rows = capacity_rows([float(10 - i) for i in range(10)], [float(10 - i) for i in range(10)])
    add = pd.DataFrame(rows)
    labour = {
        "kind": ["labour", "labour"],
        "label": ["labour", "labour"],
        "period": [1, 2],
        "amount": [0.25, 0.5],
        "labour_cost": [0.25, 0.5],
        "unit": ["person-years", "person-years"],
        "available": [100.0, 100.0],
        "outside": [False, False],
    }
    add = pd.concat([add, pd.DataFrame(labour)], ignore_index=True)
    msg = synthetic(add).message()
    for i in range(8):
        assert f"{10 - i} t a year of capacity of 'k{i}' from 1 on" in msg
    assert "capacity of 'k8'" not in msg and "labour 'labour'" not in msg
    # the rest: 2 + 1 t a year of capacity and 0.75 person-years of labour, not summed together
    assert "and 4 smaller ones (3 t a year of capacity, 0.75 person-years of labour in all)" in msg


_ITEM = re.compile(
    r"(?P<amount>\d[\d,]*(?:\.\d+)?) (?P<unit>[^;:]+?) of "
    r"(?P<what>capacity of|labour|resource|imports of) '(?P<label>[^']+)' "
    r"(?:from (?P<since>\d+) on|in (?P<period>\d+))"
)
_KIND = {
    "capacity of": "capacity",
    "labour": "labour",
    "resource": "resource",
    "imports of": "imports",
}


def additions_in(msg: str) -> pd.DataFrame:
    """The additions named in a message, with the amounts as shown."""
    rows = [
        {
            "kind": _KIND[m["what"]],
            "label": m["label"],
            "period": int(m["since"] or m["period"]),
            "amount": float(m["amount"].replace(",", "")),
        }
        for m in _ITEM.finditer(msg)
    ]
    return pd.DataFrame(rows, columns=["kind", "label", "period", "amount"])


def test_amended_variant_is_feasible_with_the_additions_as_the_message_shows_them():
    spec = read_spec(spec_path("ussr-1928", "amended"))
    check = check_plan(spec)
    msg = check.message()
    shown = additions_in(msg)
    # every addition is named, none is rounded down
    assert len(shown) == len(check.additions)
    table = check.additions.set_index(["kind", "label", "period"])["amount"]
    named = shown.set_index(["kind", "label", "period"])["amount"]
    assert (named >= table.reindex(named.index)).all()
    data = PlanData(spec.validated())
    assert verify_additions(data, shown) is True


# ---------------------------------------------------------------------- 3. without labour
def test_without_labour_coefficients_additions_are_priced_relative_to_their_limit():
    # a made by a1 (capacity 100, 3 units of b a unit of capacity) or a2 (capacity 10, 1 unit
    # of b); no labour coefficients. 11 more are needed: 11% more of a1's capacity is a smaller
    # addition than 110% more of a2's, whatever the capital goods weigh in physical units
    eco = Economy(
        products=pd.DataFrame({"unit": ["t", "m3"]}, index=["a", "b"]),
        activities=pd.DataFrame({"product": ["a", "a", "b"]}, index=["a1", "a2", "b"]),
        technology=np.zeros((2, 3)),
        labour_types=pd.Index(["labour"]),
        labour=np.zeros((1, 3)),
        capacity=np.array([100.0, 10.0, 0.0]),
        capital=np.array([[0.0, 0.0, 0.0], [KAPPA, 1.0, 0.0]]),
    )
    spec = spec_of(eco, [121.0], {"a1": 0, "a2": 0})
    check = check_plan(spec)
    assert not check.cost_in_labour
    add = check.additions
    assert add[["kind", "label", "period"]].values.tolist() == [["capacity", "a1", 1]]
    assert add["amount"].iloc[0] == pytest.approx(11.0)
    assert add["labour_cost"].isna().all()
    assert add["relative_size"].iloc[0] == pytest.approx(0.11)
    assert check.additions_verified is True
    msg = check.message()
    assert "unlike units" not in msg
    assert "relative to the limit it lifts" in msg


def test_a_binding_limit_at_a_degenerate_vertex_is_marked():
    # a's capacity (50) and the labour available (50 person-years at 1 a unit) stop a at the
    # same point: one unit more of either alone cuts no shortfall, one unit less of either
    # adds to it. Whichever limit carries the price, the price holds only for less of it.
    A = pd.DataFrame([[0.0]], index=["a"], columns=["a"])

    def check(capacity: float, labour: float) -> PlanCheck:
        return check_plan(
            PlanSpec(
                Economy.from_coefficients(
                    A, labour=pd.Series({"a": 1.0}), capacity=pd.Series({"a": capacity})
                ),
                periods=(1,),
                objective="min_labour",
                targets=frame(product=["a"], period=[1], target=[70.0]),
                labour_available=frame(labour_type=["labour"], period=[1], available=[labour]),
            )
        )

    base = check(50.0, 50.0)
    priced = base.binding[base.binding["shadow_price"] > 0]
    assert len(priced) >= 1
    assert priced["more_is_worth_less"].all()
    assert "degenerate" in base.message()
    # the finite differences say the same: one more unit of either changes nothing
    short = base.reachable["shortfall"].iloc[0]
    assert check(51.0, 50.0).reachable["shortfall"].iloc[0] == pytest.approx(short)
    assert check(50.0, 51.0).reachable["shortfall"].iloc[0] == pytest.approx(short)
    assert check(49.0, 50.0).reachable["shortfall"].iloc[0] == pytest.approx(short + 1.0)
    # a limit that binds alone is not marked
    alone = check(50.0, 100.0).binding
    assert not alone["more_is_worth_less"].any() and len(alone) == 1
