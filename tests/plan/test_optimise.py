"""Optimal plans on cases solvable by hand, every objective, and bad specs."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from gosplan.economy import Economy
from gosplan.errors import InputError, UnknownLabelError
from gosplan.plan.optimise import optimise
from gosplan.plan.spec import PlanSpec

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


def test_harmony_prefers_balanced_fulfilment():
    # two products share 10 person-years; targets 10 and 10 with labour 1 each: 50% each
    A = pd.DataFrame(0.0, index=["a", "b"], columns=["a", "b"])
    eco = Economy.from_coefficients(A, labour=pd.Series({"a": 1.0, "b": 1.0}))
    spec = PlanSpec(
        eco,
        periods=(1,),
        objective="harmony",
        targets=frame(product=["a", "b"], period=[1, 1], target=[10.0, 10.0]),
        labour_available=frame(labour_type=["labour"], period=[1], available=[10.0]),
    )
    r = optimise(spec)
    # h(r) = min(2r - 1, 1 + 0.1 (r - 1), 1.1): any split of 10 gives 2*(ra+rb) - 2 = 0
    assert r.objective == pytest.approx(0.0, abs=1e-9)
    over = PlanSpec(
        eco,
        periods=(1,),
        objective="harmony",
        targets=frame(product=["a", "b"], period=[1, 1], target=[10.0, 10.0]),
        labour_available=frame(labour_type=["labour"], period=[1], available=[25.0]),
    )
    r2 = optimise(over)
    # both met (2.0), then 5 left over earns 0.1 per unit ratio: 0.05
    assert r2.objective == pytest.approx(2.05)
    assert r2.fulfilment["ratio"].min() >= 1 - 1e-9


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
    from gosplan.plan.layout import PlanData
    from gosplan.plan.objectives import formulate

    lp = formulate(PlanData(spec.validated()))
    assert lp.layout.groups["level_copy"][1] == level_copies(2 * n) > 0
    assert np.diff(lp.A.tocsc().indptr).max() <= LEVEL_CHUNK + 2  # no dense column left
    r = optimise(spec)
    assert r.level == pytest.approx(100.0 / float(weight @ lab), rel=1e-9)
    assert "level_links" not in r.shadow_prices
    assert set(r.binding["block"]) <= {"labour", "assortment"}
