"""The planner's soundness: unit-free valuation, consumption is consumption, validation.

Each test here failed on the planner before issue 9: valuation summed physical units for an
economy with several techniques per product, final use of means of production counted as
consumption, and periods with gaps or negative weights given through the API were accepted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import CONSUMER_GOODS, MEANS_OF_PRODUCTION, Economy
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError, ValuationError
from gosplan.plan.frontier import frontier
from gosplan.plan.optimise import optimise
from gosplan.plan.valuation import least_labour_values

from .conftest import frame

PRODUCTS = ["steel", "machines", "grain", "cloth"]
ACTIVITIES = ["steel", "machines", "grain", "grain (tractors)", "cloth"]
MAKES = ["steel", "machines", "grain", "grain", "cloth"]
PERIODS = (1, 2, 3)


def economy(steel_unit: float = 1.0, labour: bool = True) -> Economy:
    """Four products, five activities (grain has two techniques): not a square economy.

    ``steel_unit`` is the number of the new steel units in one old unit (1000: kilograms
    instead of tonnes); every coefficient is rescaled so that the economy is the same.
    """
    f = steel_unit
    # inputs (rows: products) per unit of activity (columns)
    tech = np.array(
        [
            [0.1, 0.3, 0.0, 0.02, 0.01],
            [0.05, 0.1, 0.05, 0.0, 0.02],
            [0.0, 0.0, 0.1, 0.05, 0.1],
            [0.0, 0.0, 0.0, 0.0, 0.05],
        ]
    )
    capital = np.array(
        [
            [0.5, 0.4, 0.1, 0.3, 0.2],
            [1.0, 0.8, 0.6, 0.5, 0.4],
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
        ]
    )
    work = np.array([[0.3, 0.4, 0.5, 0.35, 0.6]])
    capacity = np.array([100.0, 60.0, 200.0, 50.0, 80.0])
    # steel as an input: f new units per old; the steel activity's level is in new units
    row = np.ones(4)
    row[0] = f
    col = np.ones(5)
    col[0] = 1.0 / f
    groups = [MEANS_OF_PRODUCTION, MEANS_OF_PRODUCTION, CONSUMER_GOODS, CONSUMER_GOODS]
    return Economy(
        products=pd.DataFrame(
            {"unit": ["kg" if f != 1 else "t", "m roubles", "t", "m"], "group": groups},
            index=pd.Index(PRODUCTS, name="product"),
        ),
        activities=pd.DataFrame({"product": MAKES}, index=pd.Index(ACTIVITIES, name="activity")),
        technology=tech * row[:, None] * col[None, :],
        labour_types=pd.Index(["workers"], name="labour_type"),
        labour=work * col[None, :] if labour else None,
        capacity=capacity * np.where(np.arange(5) == 0, f, 1.0),
        capital=capital * row[:, None] * col[None, :],
        service_life=np.full(5, 30.0),
    )


def spec(objective: str, steel_unit: float = 1.0, **changes: object) -> PlanSpec:
    """A three-year plan of :func:`economy` with targets, an assortment and labour."""
    f = steel_unit
    fields: dict[str, object] = dict(
        economy=economy(f),
        periods=PERIODS,
        objective=objective,
        targets=frame(product=["steel", "cloth"], period=[3, 3], target=[90.0 * f, 60.0]),
        assortment=frame(product=["grain", "cloth"], weight=[10.0, 5.0]),
        floors=frame(product=["grain"] * 3, period=list(PERIODS), floor=[20.0] * 3),
        labour_available=frame(
            labour_type=["workers"] * 3, period=list(PERIODS), available=[150.0, 160.0, 170.0]
        ),
        terminal_growth=1.0,
        default_lag=1,
    )
    if objective == "linear":
        fields["objective_weights"] = frame(
            quantity=["consumption", "employment"], label=["cloth", "workers"], weight=[1.0, -0.1]
        )
    if objective == "max_consumption":
        fields["targets"] = frame(product=["steel"], period=[3], target=[60.0 * f])
    fields.update(changes)
    return PlanSpec(**fields).validated()  # type: ignore[arg-type]


OBJECTIVES = ["max_level", "min_labour", "harmony", "max_consumption", "linear"]


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_the_optimum_does_not_depend_on_the_unit_of_a_product(objective):
    tonnes = optimise(spec(objective))
    kilograms = optimise(spec(objective, 1000.0))
    assert tonnes.status == kilograms.status == "optimal"
    assert tonnes.verification.passed and kilograms.verification.passed
    assert kilograms.objective == pytest.approx(tonnes.objective, rel=1e-7)
    # the plan itself is the same plan: the steel activity's level in kilograms
    np.testing.assert_allclose(
        kilograms.output.loc["cloth"].to_numpy(), tonnes.output.loc["cloth"].to_numpy(), rtol=1e-6
    )


@pytest.mark.parametrize("share", [0.4, 0.7])
def test_the_investment_share_values_capital_goods_in_labour_not_in_units(share):
    tonnes = optimise(spec("max_consumption", investment_share=share))
    kilograms = optimise(spec("max_consumption", 1000.0, investment_share=share))
    assert tonnes.status == kilograms.status == "optimal"
    assert kilograms.objective == pytest.approx(tonnes.objective, rel=1e-7)
    pd.testing.assert_frame_equal(
        kilograms.investment_shares, tonnes.investment_shares, atol=1e-7, check_exact=False
    )


def test_the_frontier_figures_do_not_depend_on_units():
    shares = [0.3, 0.6]
    tonnes = frontier(spec("max_consumption"), shares=shares).table
    kilograms = frontier(spec("max_consumption", 1000.0), shares=shares).table
    # the optimum (not the plan reaching it, which need not be unique) is the same
    np.testing.assert_allclose(
        kilograms["cumulative_consumption"], tonnes["cumulative_consumption"], rtol=1e-7
    )


def test_least_labour_values_pick_the_cheaper_technique():
    v = least_labour_values(economy())
    # every value solves v (O - A) <= l with equality at the cheapest technique of each product
    eco = economy()
    net = (eco.output_matrix - eco.technology).toarray()
    slack = eco.labour.toarray()[0] - v @ net
    assert np.all(slack >= -1e-12)
    for product in PRODUCTS:
        makers = [j for j, p in enumerate(MAKES) if p == product]
        assert min(slack[j] for j in makers) == pytest.approx(0.0, abs=1e-12)
    # kilograms: a kilogram of steel is worth a thousandth of a tonne
    kg = least_labour_values(economy(1000.0))
    np.testing.assert_allclose(kg, v / np.array([1000.0, 1, 1, 1]), rtol=1e-10)


def test_no_valuation_without_labour_is_an_error_that_says_so():
    eco = economy(labour=False)
    with pytest.raises(ValuationError, match="no labour coefficients"):
        least_labour_values(eco)
    plan = spec(
        "max_consumption",
        economy=eco,
        labour_available=frame(labour_type=[], period=[], available=[]),
    )
    with pytest.raises(ValuationError, match="no unit-free valuation"):
        optimise(plan)


def test_max_consumption_values_consumption_goods_only():
    result = optimise(spec("max_consumption"))
    use = result.final_use.set_index(["product", "period"])
    # steel left over is other final use, not consumption; the objective values only grain
    # and cloth, at their least-labour values
    v = pd.Series(least_labour_values(economy()), index=PRODUCTS)
    consumed = use["consumption"].unstack("period")
    assert (consumed.loc[["steel", "machines"]] == 0.0).all().all()
    assert result.objective == pytest.approx(float((consumed.mul(v, axis=0)).sum().sum()))
    assert use.loc[("steel", 1), "consumption"] == 0.0


def test_the_final_use_split_closes_the_balance():
    result = optimise(spec("max_level", initial_stocks=frame(product=["grain"], stock=[5.0])))
    use = result.final_use.set_index(["product", "period"])
    parts = use[
        ["consumption", "other_final_use", "investment", "stock_building", "fixed", "net_exports"]
    ].sum(axis=1)
    eco = economy()
    X = result.activity_levels.loc[ACTIVITIES, list(PERIODS)].to_numpy()
    net = (eco.output_matrix - eco.technology) @ X
    for t, period in enumerate(PERIODS):
        for p, product in enumerate(PRODUCTS):
            assert parts[(product, period)] == pytest.approx(net[p, t], abs=1e-7)


def test_consumption_weights_on_a_means_of_production_are_refused():
    with pytest.raises(InputError, match="not a consumption good") as err:
        spec("max_consumption", consumption_weights=pd.Series({"steel": 1.0, "grain": 1.0}))
    assert err.value.label == "steel"


def test_negative_consumption_weights_are_refused_through_the_api():
    with pytest.raises(InputError, match="negative") as err:
        spec("max_consumption", consumption_weights=pd.Series({"grain": -1.0, "cloth": 1.0}))
    assert err.value.label == "grain"


def test_periods_must_be_consecutive_years():
    with pytest.raises(InputError, match="consecutive years") as err:
        spec("max_level", periods=(1, 2, 4), floors=frame(product=[], period=[], floor=[]))
    assert err.value.check == "periods_not_consecutive"


def test_a_value_the_solver_cannot_represent_is_refused():
    with pytest.raises(InputError, match="too large") as err:
        spec("max_level", floors=frame(product=["grain"], period=[1], floor=[1e300]))
    assert "floors" in str(err.value.source) and err.value.row == 2


def test_a_minimum_investment_that_cannot_be_made_is_refused_when_validated():
    # steel capacity started in period 3 with a lag of 2 would come after the horizon
    lags = frame(activity=["steel"], lag=[2])
    with pytest.raises(InputError, match="after the horizon") as err:
        spec(
            "max_level",
            lags=lags,
            investment_limits=frame(activity=["steel"], period=[3], min=[1.0]),
        )
    assert err.value.label == "steel" and err.value.row == 2
    # a blank period asks for it every period, the last one too (with lag 1 it would serve
    # the capacity at the end of the horizon; with lag 2 it cannot)
    with pytest.raises(InputError, match="after the horizon"):
        spec("max_level", lags=lags, investment_limits=frame(activity=["steel"], min=[1.0]))
    # a minimum the plan can make is kept and met
    result = optimise(
        spec("max_level", investment_limits=frame(activity=["steel"], period=[1], min=[2.0]))
    )
    assert result.investment.loc["steel", 1] >= 2.0 - 1e-9


def test_final_use_values_are_the_split_at_least_labour_values():
    result = optimise(spec("max_consumption"))
    values = result.final_use_values
    v = pd.Series(least_labour_values(economy()), index=PRODUCTS)
    use = result.final_use.set_index(["product", "period"])
    for period in PERIODS:
        for part in ("consumption", "other_final_use", "investment", "stock_building"):
            by_hand = float((use[part].xs(period, level="period") * v).sum())
            assert values.loc[period, part] == pytest.approx(by_hand, abs=1e-9)
    # undiscounted max_consumption at default weights: the objective is consumption's value
    assert result.objective == pytest.approx(values["consumption"].sum(), rel=1e-12)
    kilograms = optimise(spec("max_consumption", 1000.0)).final_use_values
    np.testing.assert_allclose(
        kilograms["consumption"].to_numpy(), values["consumption"].to_numpy(), rtol=1e-6
    )
