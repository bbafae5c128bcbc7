"""Optimal plans on cases solvable by hand, every objective, and bad specs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gosplan.core.economy import Economy
from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError, UnknownLabelError
from gosplan.plan.objectives import harmony_of
from gosplan.plan.optimise import optimise

from .conftest import PERIODS, frame, one_product, rich_spec, three_sector

OBJECTIVES = ("max_level", "min_labour", "harmony", "max_consumption")
EASY_TARGETS = frame(product=["steel", "grain"], period=[1931, 1933], target=[40.0, 120.0])


@pytest.mark.parametrize(("labour", "available"), [(0.5, 10.0), (0.25, 3.0), (2.0, 7.0)])
def test_one_product_max_level_is_labour_over_coefficient(labour, available):
    spec = PlanSpec(
        one_product(labour),
        periods=(2000,),
        assortment=frame(product=["a"], weight=[1.0]),
        labour_available=frame(labour_type=["labour"], period=[2000], available=[available]),
    )
    r = optimise(spec)
    assert r.status == "optimal"
    assert r.level == pytest.approx(available / labour, rel=1e-9)
    # one more person-year buys 1 / labour more of the level
    assert r.shadow_prices["labour"].loc["labour", 2000] == pytest.approx(1.0 / labour)
    assert r.verification.passed and r.verification.worst < 1e-6


def test_capacity_shadow_price_equals_the_hand_value():
    # a uses 0.5 of b per unit; b's capacity K binds: level = 2 K, d level / d K = 2
    A = pd.DataFrame([[0.0, 0.0], [0.5, 0.0]], index=["a", "b"], columns=["a", "b"])
    eco = Economy.from_coefficients(
        A, labour=pd.Series({"a": 0.1, "b": 0.1}), capacity=pd.Series({"b": 30.0})
    )
    spec = PlanSpec(eco, periods=(1,), assortment=frame(product=["a"], weight=[1.0]))
    r = optimise(spec)
    assert r.level == pytest.approx(60.0)
    assert r.shadow_prices["capacity"].loc["b", 1] == pytest.approx(2.0)
    assert list(r.binding["block"]) == ["capacity", "assortment"]


def test_retirement_drops_capacity_in_that_period():
    A = pd.DataFrame([[0.0]], index=["a"], columns=["a"])
    eco = Economy.from_coefficients(
        A, labour=pd.Series({"a": 1.0}), service_life=pd.Series({"a": 10.0})
    )
    spec = PlanSpec(
        eco,
        periods=(1928, 1929, 1930, 1931),
        objective="max_consumption",
        vintages=frame(activity=["a"], year_built=[1920], capacity=[50.0]),
    )
    r = optimise(spec)
    assert r.capacity.loc["a"].tolist() == [50.0, 50.0, 0.0, 0.0]
    assert r.output.loc["a"].tolist() == pytest.approx([50.0, 50.0, 0.0, 0.0])


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_every_objective_on_the_rich_plan_is_optimal_and_verified(objective):
    extra = {"terminal_growth": 1.0} if objective == "max_consumption" else {}
    spec = rich_spec(three_sector(), objective, targets=EASY_TARGETS, **extra)
    r = optimise(spec)
    assert r.status == "optimal", r.summary()
    assert r.verification.passed and r.verification.worst < 1e-6
    if objective != "harmony":
        assert (r.fulfilment["ratio"] >= 1 - 1e-9).all()
    assert set(r.shadow_prices) >= {"balance", "labour", "capacity", "resources", "floors"}
    # balance of good by good, recomputed from the tables
    assert r.output.shape == (3, 5) and list(r.output.columns) == PERIODS


def test_min_labour_meets_a_binding_target_exactly():
    spec = PlanSpec(
        one_product(0.5),
        periods=(1,),
        objective="min_labour",
        targets=frame(product=["a"], period=[1], target=[12.0]),
    )
    r = optimise(spec)
    assert r.objective == pytest.approx(6.0)
    assert r.fulfilment["ratio"].iloc[0] == pytest.approx(1.0)


def _two_targets(labour_a=1.0, labour_b=1.0, available=10.0, priority=(1.0, 1.0)):
    """Products a and b, no inputs, sharing ``available`` person-years; targets 10 and 10."""
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    eco = Economy.from_coefficients(A, labour=pd.Series({"a": labour_a, "b": labour_b}))
    return PlanSpec(
        eco,
        periods=(1,),
        objective="harmony",
        targets=frame(
            product=["a", "b"], period=[1, 1], target=[10.0, 10.0], priority=list(priority)
        ),
        labour_available=frame(labour_type=["labour"], period=[1], available=[available]),
    )


def _ratios(r) -> list[float]:
    return r.fulfilment.set_index("product")["ratio"].loc[["a", "b"]].tolist()


def test_harmony_prefers_balanced_fulfilment():
    # labour for one full target, two symmetric targets: 50% each, not 100% / 0%
    r = optimise(_two_targets(available=10.0))
    assert r.status == "optimal" and r.verification.passed
    assert _ratios(r) == pytest.approx([0.5, 0.5], abs=1e-7)
    assert r.objective == pytest.approx(2 * harmony_of(0.5))
    # three quarters of the labour: 75% each
    assert _ratios(optimise(_two_targets(available=15.0))) == pytest.approx([0.75, 0.75])
    # both met, 5 person-years left: over-fulfilment earns a little (0.01 per unit of ratio)
    r2 = optimise(_two_targets(available=25.0))
    assert min(_ratios(r2)) >= 1 - 1e-9
    assert sum(_ratios(r2)) == pytest.approx(2.5)
    assert r2.objective == pytest.approx(2.0 + 0.01 * 0.5)


def test_harmony_is_strictly_concave_below_the_target():
    r = np.linspace(0.0, 1.0, 41)
    slopes = np.diff(harmony_of(r)) / np.diff(r)
    assert (np.diff(slopes) <= 1e-9).all() and slopes[0] > slopes[-1] > 0
    assert harmony_of(1.0) == pytest.approx(1.0)
    over = (harmony_of(2.0) - harmony_of(1.0)) / 1.0
    assert 0 <= over < slopes.min() / 50  # over-fulfilment is worth far less than a shortfall
    assert harmony_of(3.0) == harmony_of(2.0)  # nothing beyond double the target


def test_over_fulfilment_never_compensates_a_shortfall_of_equal_priority():
    # a is 50 times cheaper than b per unit; 10 person-years: a full costs 0.2, b full 10.
    # Over-fulfilling a to 200% (0.2 more) would leave b at 96%; closing b's shortfall with
    # that labour is worth more, so a stays at 100% and b gets the rest: 9.8 / 10 = 98%.
    r = optimise(_two_targets(labour_a=0.02, labour_b=1.0, available=10.0))
    assert r.status == "optimal" and r.verification.passed
    assert _ratios(r) == pytest.approx([1.0, 0.98], abs=1e-7)


def test_harmony_priorities_fulfil_the_higher_priority_first():
    # labour for one target; priority 2 against 1: 2 x slope(a) = slope(b) at a 75%, b 25%
    r = optimise(_two_targets(available=10.0, priority=(2.0, 1.0)))
    assert _ratios(r) == pytest.approx([0.75, 0.25], abs=1e-7)
    # priority 5 against 1 (more than the slopes' range of 4): a in full, b nothing
    r = optimise(_two_targets(available=10.0, priority=(1.0, 5.0)))
    assert _ratios(r) == pytest.approx([0.0, 1.0], abs=1e-7)
    # and with equal priorities the answer is symmetric again
    assert _ratios(optimise(_two_targets(priority=(3.0, 3.0)))) == pytest.approx([0.5, 0.5])


def test_harmony_on_the_amended_plan_does_not_hide_the_oil_shortfall():
    # The old harmony (linear below the target, 0.1 a unit above) made linen and leather shoes
    # 200% and cut oil below what was reachable with everything else met.
    from gosplan.datasets import spec_path
    from gosplan.plan.diagnosis import check_plan
    from gosplan.plan.reader import read_spec

    spec = read_spec(spec_path("ussr-1928", "amended")).with_changes(objective="harmony")
    r = optimise(spec)
    assert r.status == "optimal" and r.verification.passed
    ratio = r.fulfilment.set_index(["product", "period"])["ratio"]
    # oil gets at least what the least-shortfall plan (everything else met) leaves it
    reach = check_plan(spec).reachable.set_index(["product", "period"])
    oil = reach.loc[("oil", 1932)]
    assert ratio.loc[("oil", 1932)] >= oil["reachable_jointly"] / oil["target"] - 1e-6
    assert ratio.loc[("linen", 1933)] <= 1 + 1e-6
    assert ratio.loc[("leather shoes", 1933)] <= 1 + 1e-6
    assert (ratio <= 1 + 1e-6).all()  # no surplus anywhere while any target falls short


def _invest_or_eat(discount: float) -> PlanSpec:
    """Two periods, 10 person-years each; bread capacity 10, bread and machines 1 person-year
    a unit. A machine (0.8 of one) builds a unit of bread capacity for period 2: a loaf given
    up in period 1 buys 1.25 loaves in period 2 (up to the 20 that labour allows)."""
    labels = ["machines", "bread"]
    eco = Economy.from_coefficients(
        pd.DataFrame(0.0, index=labels, columns=labels),
        labour=pd.Series({"machines": 1.0, "bread": 1.0}),
        capacity=pd.Series({"bread": 10.0}),
        capital=pd.DataFrame([[0.0, 0.8], [0.0, 0.0]], index=labels, columns=labels),
    )
    return PlanSpec(
        eco,
        periods=(1, 2),
        objective="max_consumption",
        labour_available=frame(labour_type=["labour"] * 2, period=[1, 2], available=[10.0, 20.0]),
        consumption_weights=pd.Series({"machines": 0.0, "bread": 1.0}),
        terminal_capacity=frame(activity=["bread"], capacity=[10.0]),
        discount=discount,
    )


@pytest.mark.parametrize(
    ("discount", "bread"),
    [(0.0, [2.0, 20.0]), (0.2, [2.0, 20.0]), (0.3, [10.0, 10.0]), (0.5, [10.0, 10.0])],
)
def test_discounting_shifts_consumption_earlier(discount, bread):
    # invest iff 1.25 / (1 + discount) > 1: everything (8 machines) below 25%, nothing above
    r = optimise(_invest_or_eat(discount))
    assert r.status == "optimal" and r.verification.passed
    assert r.consumption.loc["bread"].tolist() == pytest.approx(bread, abs=1e-7)
    assert r.objective == pytest.approx(bread[0] + bread[1] / (1 + discount))


def test_max_consumption_without_terminal_requirement_warns(caplog):
    spec = _invest_or_eat(0.0).with_changes(terminal_capacity=frame(activity=[], capacity=[]))
    with caplog.at_level("WARNING", logger="gosplan.plan.objectives"):
        r = optimise(spec)
    assert r.status == "optimal"
    assert "has no terminal requirement" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="gosplan.plan.objectives"):
        optimise(_invest_or_eat(0.0))
    assert "terminal" not in caplog.text


@pytest.mark.parametrize("objective", ["max_level", "min_labour", "harmony", "linear"])
def test_every_objective_warns_without_terminal_requirement(caplog, objective):
    spec = _invest_or_eat(0.0).with_changes(
        terminal_capacity=frame(activity=[], capacity=[]),
        objective=objective,
        targets=frame(product=["bread"], period=[1], target=[1.0]),
        assortment=frame(product=["bread"], weight=[1.0]),
        objective_weights=frame(quantity=["consumption"], weight=[1.0]),
    )
    with caplog.at_level("WARNING", logger="gosplan.plan.objectives"):
        assert optimise(spec).status == "optimal"
    assert "has no terminal requirement" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="gosplan.plan.objectives"):
        optimise(spec.with_changes(terminal="static"))
    assert "terminal" not in caplog.text


def test_infeasible_spec_gives_status_not_exception():
    spec = PlanSpec(
        one_product(1.0),
        periods=(1,),
        objective="min_labour",
        targets=frame(product=["a"], period=[1], target=[20.0]),
        labour_available=frame(labour_type=["labour"], period=[1], available=[10.0]),
    )
    r = optimise(spec)
    assert r.status == "infeasible" and r.verification is None


def test_progress_write_and_frames(tmp_path):
    calls = []
    spec = rich_spec(three_sector(), "max_level", targets=EASY_TARGETS)
    r = optimise(spec, progress=lambda f, m: calls.append((f, m)))
    assert calls[0][0] == 0.0 and calls[-1] == (1.0, "done")
    frames = r.to_frames()
    assert "shadow_prices_capacity" in frames and "fulfilment" in frames
    out = r.write(tmp_path / "plan")
    assert (out / "output.csv").exists()
    back = pd.read_csv(out / "output.csv")
    assert back["product"].tolist() == ["steel", "machines", "grain"]
    doc = json.loads(r.write(tmp_path / "plan.json", format="json").read_text())
    assert doc["status"] == "optimal" and doc["verification"]["passed"]
    assert "common level" in r.summary()
    assert r.provenance["method"] == "simplex" and r.provenance["n_variables"] > 0
    assert np.isnan(r.growth.iloc[:, 0]).all()


def test_bad_specs_raise_with_the_message():
    eco = three_sector()
    with pytest.raises(UnknownLabelError, match="unknown product") as e:
        PlanSpec(
            eco, periods=(1,), targets=frame(product=["tractors"], period=[1], target=[1.0])
        ).validated()
    assert e.value.label == "tractors"
    with pytest.raises(InputError, match="available is negative"):
        optimise(
            PlanSpec(
                eco,
                periods=(1,),
                assortment=frame(product=["grain"], weight=[1.0]),
                labour_available=frame(labour_type=["workers"], period=[1], available=[-5.0]),
            )
        )
    with pytest.raises(InputError, match="not shorter than the horizon"):
        PlanSpec(
            eco,
            periods=(1, 2),
            assortment=frame(product=["grain"], weight=[1.0]),
            lags=frame(activity=["steel"], lag=[2]),
        ).validated()


def test_max_level_returns_the_least_labour_plan_at_its_level():
    spec = rich_spec(three_sector(), "max_level", targets=EASY_TARGETS)
    first = optimise(spec, least_labour=False)
    best = optimise(spec)
    assert best.level == pytest.approx(first.level, rel=1e-9)
    assert best.provenance["stages"].startswith("max level, then least labour")
    used = float(best.employment.to_numpy().sum())
    assert used <= float(first.employment.to_numpy().sum()) + 1e-6
    # Independently: least labour with the assortment held at the level as fixed floors.
    floors = [
        (row.product, period, row.weight * best.level)
        for row in spec.assortment.itertuples()
        for period in spec.periods
    ]
    held = spec.with_changes(
        objective="min_labour",
        assortment=spec.assortment.iloc[:0],
        floors=pd.concat(
            [spec.floors, pd.DataFrame(floors, columns=["product", "period", "floor"])]
        )
        .groupby(["product", "period"], as_index=False)["floor"]
        .max(),
    )
    cheapest = optimise(held)
    assert used == pytest.approx(float(cheapest.employment.to_numpy().sum()), rel=1e-6)
    assert best.verification.passed


def test_a_long_assortment_uses_chained_copies_of_the_level():
    # 150 independent products (no inputs): the level is labour / (sum of weight x labour).
    n = 150
    labels = [f"p{i}" for i in range(n)]
    rng = np.random.default_rng(7)
    lab = rng.uniform(0.1, 2.0, n)
    weight = rng.uniform(0.5, 3.0, n)
    eco = Economy.from_coefficients(
        pd.DataFrame(np.zeros((n, n)), index=labels, columns=labels),
        labour=pd.Series(lab, index=labels),
    )
    spec = PlanSpec(
        eco,
        periods=(1, 2),
        assortment=frame(product=labels, weight=list(weight)),
        labour_available=frame(
            labour_type=["labour", "labour"], period=[1, 2], available=[100.0, 100.0]
        ),
    )
    from gosplan.plan.blocks import LEVEL_CHUNK, level_copies
    from gosplan.plan.data import PlanData
    from gosplan.plan.objectives import formulate

    lp = formulate(PlanData(spec.validated()))
    assert lp.layout.groups["level_copy"][1] == level_copies(2 * n) > 0
    assert np.diff(lp.A.tocsc().indptr).max() <= LEVEL_CHUNK + 2  # no dense column left
    r = optimise(spec)
    assert r.level == pytest.approx(100.0 / float(weight @ lab), rel=1e-9)
    assert "level_links" not in r.shadow_prices
    assert set(r.binding["block"]) <= {"labour", "assortment"}
