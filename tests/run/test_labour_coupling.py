"""The workforce as the planner sees it: labour available per period, in a spec."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.datasets import spec_path
from gosplan.errors import InputError
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec
from gosplan.run.labour_coupling import labour_available, with_workforce
from gosplan.run.workforce import run_workforce


@pytest.fixture(scope="module")
def run():
    firms = pd.DataFrame(
        {"enterprise": ["a", "b"], "industry": ["coal", "steel"], "workers": [30.0, 20.0]}
    )
    return run_workforce(
        firms, steps=24, start_year=1929, pay=(1.0, 1.0, 1.0), outside=(1.5, 1.2, 1.0)
    )


def test_a_years_mean_of_skill_weighted_labour(run) -> None:
    rows = labour_available(run, "workers")
    assert list(rows["period"]) == [1929, 1930]
    labour = run.labour().sum(axis=1).to_numpy()
    np.testing.assert_allclose(rows["available"], [labour[:12].mean(), labour[12:].mean()])
    doubled = labour_available(run, "workers", scale=2.0)
    np.testing.assert_allclose(doubled["available"], 2 * rows["available"])


def test_the_plan_and_its_re_plan_see_the_workforce(run) -> None:
    spec = read_spec(spec_path("ussr-1928", "basic"))
    changed = with_workforce(spec, run, "workers")
    table = changed.labour_available.set_index(["labour_type", "period"])["available"]
    rows = labour_available(run, "workers").set_index("period")["available"]
    assert table[("workers", 1929)] == pytest.approx(rows[1929])
    old = spec.labour_available.set_index(["labour_type", "period"])["available"]
    assert table[("workers", 1931)] == old[("workers", 1931)]  # a year the run did not reach
    assert table[("peasants", 1929)] == old[("peasants", 1929)]
    # fifty workers cannot run the plan: the labour limit binds it now
    assert optimise(spec).optimal and not optimise(changed).optimal


def test_bad_coupling(run) -> None:
    spec = read_spec(spec_path("ussr-1928", "basic"))
    with pytest.raises(InputError, match="no labour type"):
        with_workforce(spec, run, "robots")
    with pytest.raises(InputError, match="positive"):
        labour_available(run, scale=0)
    late = run_workforce(
        pd.DataFrame({"enterprise": ["a"], "industry": ["x"], "workers": [1.0]}),
        steps=12,
        start_year=1950,
    )
    with pytest.raises(InputError, match="none of the plan's periods"):
        with_workforce(spec, late)


def test_a_labour_type_per_grade() -> None:
    from gosplan.core.economy import Economy
    from gosplan.core.spec import PlanSpec
    from gosplan.run.labour_coupling import labour_by_grade

    A = pd.DataFrame([[0.15, 0.25], [0.20, 0.05]], index=["a", "b"], columns=["a", "b"])
    labour = pd.DataFrame(
        [[0.1, 0.05], [0.1, 0.1], [0.1, 0.2]],
        index=["skilled", "semi-skilled", "unskilled"],
        columns=["a", "b"],
    )
    eco = Economy.from_coefficients(A, labour=labour)
    targets = pd.DataFrame(
        {"product": ["a", "b"], "period": [1929, 1929], "target": [100.0, 200.0]}
    )
    spec = PlanSpec(eco, periods=(1929,), objective="min_labour", targets=targets)
    firms = pd.DataFrame({"enterprise": ["x"], "industry": ["a"], "workers": [300.0]})
    run = run_workforce(firms, steps=12, start_year=1929)
    rows = labour_by_grade(run).set_index("labour_type")["available"]
    w = run.workers
    skilled = w[w["grade"].astype(str) == "skilled"].groupby("step")["workers"].sum().mean()
    assert rows["skilled"] == pytest.approx(skilled)
    assert rows.sum() == pytest.approx(run.series("workers").sum(axis=1).mean())
    changed = with_workforce(spec, run, None)
    table = changed.labour_available.set_index("labour_type")["available"]
    assert set(table.index) == {"skilled", "semi-skilled", "unskilled"}
    assert optimise(changed).optimal  # 300 workers can make the targets
    few = run_workforce(firms.assign(workers=[3.0]), steps=12, start_year=1929)
    assert not optimise(with_workforce(spec, few, None)).optimal  # three cannot
    with pytest.raises(InputError, match="no labour type 'skilled'"):
        with_workforce(read_spec(spec_path("ussr-1928", "basic")), run, None)
