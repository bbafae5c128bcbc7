"""Re-planning as the plan runs: the state taken from a run, and the rolling horizon."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gosplan.core.plan_state import PlanState
from gosplan.datasets import spec_path
from gosplan.errors import InputError
from gosplan.plan.optimise import optimise
from gosplan.plan.reader import read_spec
from gosplan.run.plan_simulation import prepare_plan
from gosplan.run.rolling import state_from_run
from gosplan.run.simulate import simulate
from gosplan.run.simulation_tables import Record

PERIODS = [1929, 1930, 1931, 1932]
SHOCK = pd.DataFrame({"product": ["coal"], "date": ["1930-03"], "share": [0.4], "recovery": [18]})


@pytest.fixture(scope="module")
def plan() -> tuple:
    spec = read_spec(spec_path("ussr-1928", "optimal"))
    return spec, optimise(spec)


def test_the_state_after_a_run_knows_the_loss_and_the_output(plan: tuple) -> None:
    spec, result = plan
    sim, _, _ = prepare_plan(spec, result, shocks=SHOCK)
    states = Record(24, sim.n, len(sim.schedule.users))
    outputs = []
    for _ in range(24):
        step = sim.step()
        outputs.append(step.output)
        states.add(step)
    state = state_from_run(spec, result, sim, states, 1931)
    foreseen = PlanState.from_plan(result, spec, 1931)
    factor = 1 - 0.4 * (1 - (24 - 14) / 18)  # the shock of step 14, linear over 18 steps
    coal = state.capacity_by_activity()["coal"] / foreseen.capacity_by_activity()["coal"]
    assert coal == pytest.approx(factor, rel=1e-9)
    assert state.capacity_by_activity()["oil"] == pytest.approx(
        foreseen.capacity_by_activity()["oil"]
    )
    made = np.sum(outputs, axis=0)
    np.testing.assert_allclose(state.achieved.to_numpy(), made)
    calm, _, _ = prepare_plan(spec, result)
    unshocked = np.sum([calm.step().output for _ in range(24)], axis=0)
    assert state.achieved["coal"] < unshocked[list(sim.labels).index("coal")]


def test_replanning_on_plan_changes_little(plan: tuple) -> None:
    """Without a shock the re-plans only make up the run's small transition deficits."""
    spec, result = plan
    calm = simulate(spec, result, periods=PERIODS)
    rolled = simulate(spec, result, periods=PERIODS, replan="keep")
    assert rolled.provenance["replans"] == 3 and rolled.provenance["cut"] == []
    np.testing.assert_allclose(
        rolled.products["output"].to_numpy(),
        calm.products["output"].to_numpy(),
        rtol=1e-2,
        atol=1e-6,
    )


def test_replanning_after_a_shock_revises_the_rest(plan: tuple) -> None:
    spec, result = plan
    steady = simulate(spec, result, periods=PERIODS, shocks=SHOCK)
    rolled = simulate(spec, result, periods=PERIODS, shocks=SHOCK, replan="keep")
    assert rolled.provenance["replan"] == "keep" and rolled.provenance["replans"] >= 1
    planned = rolled.series("planned")["coal"].to_numpy()
    original = steady.series("planned")["coal"].to_numpy()
    np.testing.assert_allclose(planned[:12], original[:12], rtol=1e-9)  # the first plan's year
    assert np.abs(planned[24:] / original[24:] - 1).max() > 1e-2  # re-planned after the shock
    assert (rolled.products["output"] >= -1e-12).all()


def test_an_unknown_policy_is_refused(plan: tuple) -> None:
    spec, result = plan
    with pytest.raises(InputError, match="re-planning policy"):
        simulate(spec, result, replan="hope")
