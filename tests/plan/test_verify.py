"""The independent check: plans pass it, and tampered plans fail it in the right block."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gosplan.core.spec import PlanSpec
from gosplan.plan.optimise import optimise
from gosplan.plan.verify import verify

from .conftest import feldman, frame, rich_spec, three_sector

EASY = frame(product=["steel", "grain"], period=[1931, 1933], target=[40.0, 120.0])


@pytest.fixture(scope="module")
def plan():
    spec = rich_spec(three_sector(), "max_level", targets=EASY)
    return spec, optimise(spec)


def test_rich_multi_period_plan_passes(plan):
    spec, r = plan
    report = verify(r, spec)
    assert report.passed and report.worst < 1e-6
    assert {
        "balance",
        "labour",
        "capacity",
        "resources",
        "floors",
        "targets",
        "trade",
        "capital_spending",
    } <= set(report.max_violation)
    # the plan really uses investment, stocks and trade
    assert r.investment.to_numpy().sum() > 1 and r.stocks.to_numpy().sum() > 1
    assert r.imports.to_numpy().sum() + r.exports.to_numpy().sum() > 0


def test_consumption_changed_breaks_the_balance(plan):
    spec, r = plan
    bad = r.consumption.copy()
    bad.iloc[2, 1] += 1.0
    report = verify(replace(r, consumption=bad), spec)
    assert not report.passed and report.max_violation["balance"] > 1e-3


def test_investment_changed_breaks_capacity_or_balance(plan):
    spec, r = plan
    bad = r.investment.copy()
    bad.loc["steel", 1929] *= 0.5
    report = verify(replace(r, investment=bad), spec)
    assert not report.passed
    assert report.max_violation["capital_spending"] > 1e-3


def test_activity_over_capacity_is_caught(plan):
    spec, r = plan
    bad = r.activity_levels.copy()
    bad.loc["machines", 1929] = 61.0  # vintage capacity 60
    report = verify(replace(r, activity_levels=bad), spec)
    assert report.max_violation["capacity"] == pytest.approx(1.0 / 61.0)


def test_lag_two_and_depreciation_with_terminal_growth_pass():
    spec = rich_spec(
        three_sector(),
        "max_consumption",
        targets=EASY,
        terminal_growth=0.8,
        lags=frame(activity=["steel", "grain"], lag=[2, 2]),
        depreciation=frame(activity=["grain", "machines"], rate=[0.05, 0.02]),
    )
    r = optimise(spec)
    assert r.status == "optimal" and r.verification.passed
    assert r.verification.max_violation["terminal"] <= 1e-6


def test_feldman_plan_passes():
    spec = PlanSpec(
        feldman(2.0), periods=tuple(range(6)), objective="max_consumption", investment_share=0.4
    ).validated()
    r = optimise(spec)
    assert r.verification.passed and r.verification.worst < 1e-6
