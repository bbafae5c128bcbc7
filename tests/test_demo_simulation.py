"""The worked example of running the plan: the three runs and what is read off them."""

from __future__ import annotations

import numpy as np
import pytest

from gosplan.datasets import load_history, spec_path
from gosplan.demo_simulation import (
    PERIODS,
    amended_shocks,
    harvest_shocks,
    run_simulation_example,
    simulation_lines,
)
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec
from gosplan.run.counter_plans import read_counter_plans


@pytest.fixture(scope="module")
def example():
    spec = read_spec(spec_path("ussr-1928", "basic"))
    result = optimise(spec, objective="min_labour")
    amended = read_spec(spec_path("ussr-1928", "amended"))
    counter = read_counter_plans(
        spec_path("ussr-1928", "basic").parent.parent / "run" / "counter_plans.csv"
    )
    history = load_history("ussr-1928")
    ex = run_simulation_example(
        spec, result, amended=amended, counter_plans=counter, history=history, runs=4, serial=True
    )
    return ex, spec, result, amended, history


def test_the_amended_raise_is_laid_on_in_thirds(example) -> None:
    _, spec, result, amended, _ = example
    table = amended_shocks(spec, result, amended)
    coal = table[table["product"] == "coal"].set_index("date")["share"]
    assert list(coal.index) == ["1930", "1931", "1932"]
    assert coal["1930"] < coal["1931"] < coal["1932"]
    assert set(table["kind"]) == {"counter_plan"}


def test_promises_without_inputs_cost_the_consumer(example) -> None:
    ex, *_ = example
    out = ex.outcome.set_index("product")
    assert out.loc["coal", "amended, unchecked"] > 1.5 * out.loc["coal", "plan"]  # promised
    households = ex.unmet.xs("households", level="user")
    assert (
        households.loc["amended, unchecked"].max() > 5 * households.loc["checked, re-planned"].max()
    )
    assert ex.checked.provenance["replans"] == len(PERIODS) - 1
    assert (
        ex.spread["root"].str.endswith("(capacity)") | ex.spread["root"].str.endswith("(demand)")
    ).any()


def test_the_outcome_column_is_the_history(example) -> None:
    ex, *_, history = example
    table = history["targets_of_production"].set_index("product")["outcome_1932"]
    out = ex.outcome.set_index("product")["outcome 1932"]
    np.testing.assert_allclose(out.to_numpy(), table.reindex(out.index).to_numpy(float))


def test_harvests_span_the_grain_table(example) -> None:
    ex, *_, history = example
    grain = history["grain"]
    made = grain[grain["series"] == "production"]["value"]
    _, worst = harvest_shocks(grain)
    assert worst == pytest.approx(1 - made.min() / made.mean())
    assert ex.harvest_range == (0.0, worst)
    policies = ex.policies.set_index("variant")
    assert list(policies.index) == ["proportional", "heavy industry first"]
    assert (policies["p5"] <= policies["median"]).all() and (
        policies["median"] <= policies["p95"]
    ).all()
    # households last: more of final demand (most of it theirs) goes unmet under priority
    assert policies.loc["heavy industry first", "median"] > policies.loc["proportional", "median"]
    lines = simulation_lines(ex)
    assert any(line.startswith("harvests, proportional") for line in lines)
    assert all(len(line) <= 80 for line in lines)
