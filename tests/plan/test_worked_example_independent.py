"""The worked example's headline figures, re-derived by the independent formulation.

The README and the scenario README state these figures (pinned by tests/test_demo.py); here
each is solved again by the hand-built LP of :mod:`tests.plan.independent`, which reads only
the documentation, so that a figure the planner gets wrong cannot pass because the pinned
test was written from the planner's own output.
"""

from __future__ import annotations

import pytest

from gosplan.datasets import spec_path
from gosplan.plan.compress import compress
from gosplan.plan.reader import read_spec

from .independent import solve_independently


def scenario_plan(name: str):
    return read_spec(spec_path("ussr-1928", name))


def test_the_optimum_and_the_plan_in_four_years():
    optimum = scenario_plan("optimum")
    assert round(solve_independently(optimum, least_labour=False).level, 3) == 1.055
    four = compress(optimum, 4)
    assert round(solve_independently(four, least_labour=False).level, 3) == 1.026
    myopic = optimum.with_changes(terminal="none")
    assert round(solve_independently(myopic, least_labour=False).level, 3) == 1.207


def test_the_amended_targets_reach_81_5_percent_jointly():
    amended = scenario_plan("amended").with_changes(objective="max_level")
    assert round(solve_independently(amended, least_labour=False).level, 3) == 0.815


@pytest.mark.parametrize(("sevenths", "consumption"), [(2, 161_000), (6, 155_000)])
def test_the_frontier_peaks_at_two_sevenths(sevenths, consumption):
    base = scenario_plan("frontier").with_changes(objective="max_consumption")
    values = {
        k: solve_independently(base.with_changes(investment_share=k / 7)).objective
        for k in (1, 2, 3, 6)
    }
    assert max(values, key=values.__getitem__) == 2
    assert round(values[sevenths], -3) == consumption
