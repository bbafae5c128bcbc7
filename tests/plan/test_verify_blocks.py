"""verify() checks every relation of the plan: a plan solved for one spec fails against a spec
that changes that relation, under the relation's own key, and passes against its own spec."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.spec import PlanSpec
from gosplan.plan.optimise import optimise
from gosplan.plan.verify import CHECKS, verify

from .conftest import feldman, frame, one_product, rich_spec, three_sector

EASY = frame(product=["steel", "grain"], period=[1931, 1933], target=[40.0, 120.0])
TOL = 1e-6


def needs(*fields: str) -> pytest.MarkDecorator:
    """Skip until the spec has the given fields (features landing in spec.py)."""
    missing = [f for f in fields if f not in PlanSpec.__dataclass_fields__]
    return pytest.mark.skipif(bool(missing), reason=f"PlanSpec has no {', '.join(missing)} yet")


def fails_under(result, changed: PlanSpec, key: str, own: PlanSpec) -> None:
    """The plan passes against its own spec and fails against ``changed`` under ``key``."""
    mine = verify(result, own, tol=TOL)
    assert mine.passed, mine.summary()
    report = verify(result, changed, tol=TOL)
    assert not report.passed
    assert report.max_violation[key] > 10 * TOL, report.max_violation


def feldman_spec(share: float, **changes: object) -> PlanSpec:
    spec = PlanSpec(
        feldman(2.0),
        periods=tuple(range(6)),
        objective="max_consumption",
        consumption_weights=pd.Series({"capital": 0.0, "consumer": 1.0}),
        investment_share=share,
    )
    return spec.with_changes(**changes) if changes else spec.validated()


@pytest.fixture(scope="module")
def rich():
    spec = rich_spec(three_sector(), "max_level", targets=EASY)
    return spec, optimise(spec)


@pytest.fixture(scope="module")
def rich_consumption():
    spec = rich_spec(three_sector(), "max_consumption", targets=EASY, terminal_growth=0.8)
    return spec, optimise(spec)


def test_every_relation_has_its_own_key(rich):
    spec, r = rich
    report = verify(r, spec)
    assert report.passed, report.summary()
    assert set(report.max_violation) == set(CHECKS)
    assert {
        "investment_share",
        "import_limit",
        "export_limit",
        "max_stock",
        "investment_allowed",
        "investment_limits",
        "output",
        "employment",
        "terminal_balance",
        "terminal_capacity_use",
        "terminal_labour",
        "objective",
    } <= set(report.max_violation)


# ---------------------------------------------------------------------- investment share
def test_plan_for_share_six_sevenths_fails_at_one_seventh():
    spec = feldman_spec(6 / 7)
    r = optimise(spec)
    assert r.status == "optimal"
    assert r.investment.to_numpy().sum() > 1.0
    fails_under(r, spec.with_changes(investment_share=1 / 7), "investment_share", spec)


def test_plan_with_a_free_share_fails_a_fixed_one():
    spec = feldman_spec(0.4).with_changes(investment_share=None)
    r = optimise(spec)
    shares = r.investment_shares["means of production"].dropna().to_numpy()
    assert np.all(np.abs(shares - 0.1) > 1e-3)
    fails_under(r, spec.with_changes(investment_share=0.1), "investment_share", spec)


# ---------------------------------------------------------------------- existing relations
def test_more_fixed_final_demand_breaks_the_balance(rich):
    spec, r = rich
    more = frame(product=["machines"], period=[1930], quantity=[8.0])
    fails_under(r, spec.with_changes(fixed_final_demand=more), "balance", spec)


def test_a_longer_lag_breaks_capital_spending(rich):
    spec, r = rich
    longer = frame(activity=["steel"], lag=[3])
    fails_under(r, spec.with_changes(lags=longer), "capital_spending", spec)


def test_less_labour_breaks_labour(rich):
    spec, r = rich
    less = spec.labour_available.assign(available=10.0)
    fails_under(r, spec.with_changes(labour_available=less), "labour", spec)


def test_less_land_breaks_resources(rich):
    spec, r = rich
    less = spec.resources_available.assign(available=10.0)
    fails_under(r, spec.with_changes(resources_available=less), "resources", spec)


def test_smaller_vintages_break_capacity(rich):
    spec, r = rich
    smaller = spec.vintages.assign(capacity=spec.vintages["capacity"] / 4)
    fails_under(r, spec.with_changes(vintages=smaller), "capacity", spec)


def test_higher_floors_break_floors(rich):
    spec, r = rich
    higher = spec.floors.assign(floor=1000.0)
    fails_under(r, spec.with_changes(floors=higher), "floors", spec)


def test_higher_targets_break_targets(rich):
    spec, r = rich
    higher = EASY.assign(target=EASY["target"] * 100)
    fails_under(r, spec.with_changes(targets=higher), "targets", spec)


def test_heavier_assortment_breaks_assortment(rich):
    spec, r = rich
    heavier = spec.assortment.assign(weight=spec.assortment["weight"] * 10)
    fails_under(r, spec.with_changes(assortment=heavier), "assortment", spec)


def test_a_smaller_deficit_breaks_the_trade_balance(rich):
    spec, r = rich
    fails_under(r, spec.with_changes(trade_deficit=-5.0), "trade", spec)


def test_stocks_of_products_that_cannot_be_stored_break_storage(rich):
    spec, r = rich
    assert r.stocks.loc["steel"].max() > 1.0
    fails_under(r, spec.with_changes(storable="listed"), "storage", spec)


def test_more_terminal_growth_breaks_terminal(rich_consumption):
    spec, r = rich_consumption
    fails_under(r, spec.with_changes(terminal_growth=3.0), "terminal", spec)


# ---------------------------------------------------------------------- trade limits, storage
def test_lower_import_limits_break_import_limit(rich):
    spec, r = rich
    lower = spec.trade.assign(import_limit=[10.0, 2.0])
    report = verify(r, spec.with_changes(trade=lower))
    assert report.max_violation["import_limit"] > 0.1
    fails_under(r, spec.with_changes(trade=lower), "import_limit", spec)


def test_export_limits_break_export_limit(rich):
    spec, r = rich
    assert r.exports.loc["grain"].max() > 5.0
    limited = spec.trade.assign(export_limit=[5.0, 5.0])
    fails_under(r, spec.with_changes(trade=limited), "export_limit", spec)


def test_imports_of_a_product_no_longer_traded_break_import_limit(rich):
    spec, r = rich
    assert r.imports.loc["machines"].max() > 1.0
    grain_only = spec.trade[spec.trade["product"] == "grain"].reset_index(drop=True)
    fails_under(r, spec.with_changes(trade=grain_only), "import_limit", spec)


def test_a_smaller_store_breaks_max_stock(rich):
    spec, r = rich
    small = frame(product=["steel", "machines", "grain"], max_stock=[5.0, 5.0, 5.0])
    fails_under(r, spec.with_changes(storage=small), "max_stock", spec)


# ---------------------------------------------------------------------- investment
def test_investment_that_cannot_bear_fruit_breaks_investment_allowed():
    spec = feldman_spec(0.4)
    r = optimise(spec)
    assert r.investment.loc[:, 2:].to_numpy().sum() > 1.0
    # with a lag of 5 an investment started in 2 or later would come after the horizon
    fails_under(r, spec.with_changes(default_lag=5), "investment_allowed", spec)


@needs("investment_limits")
def test_a_lower_investment_maximum_breaks_investment_limits(rich):
    spec, r = rich
    assert r.investment.loc["steel"].max() > 20.0
    cap = frame(activity=["steel"], max=[20.0])
    fails_under(r, spec.with_changes(investment_limits=cap), "investment_limits", spec)


@needs("investment_limits")
def test_an_investment_minimum_breaks_investment_limits(rich):
    spec, r = rich
    assert r.investment.loc["grain", 1930] < 1.0
    least = frame(activity=["grain"], period=[1930], min=[5.0])
    fails_under(r, spec.with_changes(investment_limits=least), "investment_limits", spec)


@needs("investment_limits")
def test_a_plan_within_its_investment_limits_passes(rich):
    spec, _ = rich
    limits = frame(activity=["steel", "machines"], period=[1929, None], min=[40.0, None])
    limits["max"] = [50.0, 40.0]
    limited = spec.with_changes(investment_limits=limits)
    r = optimise(limited)
    assert r.status == "optimal" and r.verification.passed, r.verification.summary()
    assert 40.0 - 1e-6 <= r.investment.loc["steel", 1929] <= 50.0 + 1e-6
    tighter = limited.with_changes(investment_limits=limits.assign(max=[45.0, 5.0]))
    fails_under(r, tighter, "investment_limits", limited)


# ---------------------------------------------------------------------- new planner features
@needs("lead_times")
def test_deliveries_follow_the_lead_times(rich):
    spec, r = rich
    lead = frame(activity=["grain"], lead_time=[1])
    # a plan delivering at once, checked as if grain arrived a period later
    fails_under(r, spec.with_changes(lead_times=lead), "output", spec)
    # and a plan with the lead time, checked as if grain arrived at once
    lagged = spec.with_changes(lead_times=lead)
    r2 = optimise(lagged)
    assert r2.status == "optimal"
    fails_under(r2, spec, "output", lagged)


@needs("construction")
def test_the_construction_profile_sets_capital_spending(rich):
    spec, r = rich
    front = frame(activity=["steel", "steel"], offset=[0, 1], share=[0.9, 0.1])
    fails_under(r, spec.with_changes(construction=front), "capital_spending", spec)
    profiled = spec.with_changes(construction=front)
    r2 = optimise(profiled)
    assert r2.status == "optimal"
    fails_under(r2, spec, "capital_spending", profiled)


@needs("construction_labour")
def test_construction_labour_counts_against_labour(rich):
    spec, r = rich
    builders = frame(labour_type=["workers"], activity=["steel"], coefficient=[5.0])
    fails_under(r, spec.with_changes(construction_labour=builders), "labour", spec)
    fails_under(r, spec.with_changes(construction_labour=builders), "employment", spec)


@needs("construction_labour")
def test_employment_includes_construction_labour(rich):
    spec, _ = rich
    builders = frame(labour_type=["workers"], activity=["steel"], coefficient=[0.5])
    building = spec.with_changes(construction_labour=builders)
    r = optimise(building)
    assert r.status == "optimal" and r.investment.loc["steel"].sum() > 1.0
    fails_under(r, spec, "employment", building)


@needs("terminal")
def test_a_plan_without_terminal_levels_fails_the_static_terminal_condition(rich_consumption):
    spec, r = rich_consumption
    fails_under(r, spec.with_changes(terminal="static"), "terminal_balance", spec)


@needs("terminal")
def test_the_static_terminal_condition_checks_labour_and_capacity():
    spec = rich_spec(three_sector(), "max_consumption", targets=EASY, terminal="static")
    r = optimise(spec)
    assert r.status == "optimal"
    assert np.asarray(r.terminal_levels, float).sum() > 1.0
    last = spec.labour_available["period"] == spec.periods[-1]
    less = spec.labour_available.assign(
        available=np.where(last, 1.0, spec.labour_available["available"])
    )
    fails_under(r, spec.with_changes(labour_available=less), "terminal_labour", spec)
    faster = frame(activity=["grain"], rate=[0.5])
    fails_under(r, spec.with_changes(depreciation=faster), "terminal_capacity_use", spec)


# ---------------------------------------------------------------------- the objective
def test_max_consumption_objective_depends_on_the_discount(rich_consumption):
    spec, r = rich_consumption
    fails_under(r, spec.with_changes(discount=0.1), "objective", spec)


def test_max_consumption_objective_depends_on_the_weights():
    spec = feldman_spec(0.4)
    r = optimise(spec)
    heavier = pd.Series({"capital": 0.0, "consumer": 2.0})
    fails_under(r, spec.with_changes(consumption_weights=heavier), "objective", spec)


def test_min_labour_objective_is_the_total_labour():
    spec = PlanSpec(
        one_product(labour=0.5),
        periods=(2000, 2001),
        objective="min_labour",
        targets=frame(product=["a", "a"], period=[2000, 2001], target=[10.0, 20.0]),
    ).validated()
    r = optimise(spec)
    assert r.objective == pytest.approx(15.0)
    fails_under(r, spec.with_changes(economy=one_product(labour=1.0)), "objective", spec)


def test_max_level_objective_is_the_level_reached(rich):
    spec, r = rich
    lighter = spec.assortment.assign(weight=spec.assortment["weight"] / 2)
    changed = spec.with_changes(assortment=lighter)
    assert verify(r, changed).max_violation["assortment"] == 0.0
    fails_under(r, changed, "objective", spec)


def test_max_level_by_targets_objective_is_the_level_reached():
    spec = rich_spec(three_sector(), "max_level", targets=EASY).with_changes(
        assortment=frame(product=[], weight=[])
    )
    r = optimise(spec)
    assert r.status == "optimal" and r.level > 1.0
    lower = EASY.assign(target=EASY["target"] / 2)
    fails_under(r, spec.with_changes(targets=lower), "objective", spec)


def test_harmony_objective_follows_the_targets():
    spec = rich_spec(three_sector(), "harmony", targets=EASY)
    r = optimise(spec)
    higher = EASY.assign(target=EASY["target"] * 4)
    fails_under(r, spec.with_changes(targets=higher), "objective", spec)


@needs("objective_weights", "sense")
def test_linear_objective_is_recomputed_from_its_weights():
    weights = frame(
        quantity=["consumption", "capacity", "employment", "stocks"],
        weight=[1.0, 0.1, -0.01, 0.05],
        label=["grain", "machines", None, "grain"],
        period=[None, 1934, None, 1933],
    )
    spec = rich_spec(three_sector(), "linear", targets=EASY, objective_weights=weights)
    r = optimise(spec)
    assert r.status == "optimal"
    heavier = weights.assign(weight=[2.0, 0.1, -0.01, 0.05])
    fails_under(r, spec.with_changes(objective_weights=heavier), "objective", spec)
