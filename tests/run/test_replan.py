"""Re-planning from the actual state: the state a plan foresees, targets by policy, bad input."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import gosplan
from gosplan.core.economy import Economy
from gosplan.core.plan_state import PlanState
from gosplan.core.spec import PlanSpec
from gosplan.datasets import spec_path
from gosplan.errors import InputError, ValidationError
from gosplan.run.replan import replan, replan_targets

PERIODS = [2000, 2001, 2002, 2003]
TARGETS = [80.0, 90.0, 100.0, 110.0]


def grain_economy() -> Economy:
    """Grain: 0.2 t of grain per t, one person-year per t, capacity 100, 1 t per t of capacity."""
    return Economy.from_coefficients(
        pd.DataFrame([[0.2]], index=["grain"], columns=["grain"]),
        labour=pd.Series({"grain": 1.0}),
        capacity=pd.Series({"grain": 100.0}),
        capital=pd.DataFrame([[1.0]], index=["grain"], columns=["grain"]),
        service_life=pd.Series({"grain": 40.0}),
    )


def grain_spec(objective: str = "min_labour") -> PlanSpec:
    """Rising targets of grain; grain can be stored (10 % lost a year) and investment takes a
    year (lag 1) and 0.1 person-years per unit of capacity, so that the least-labour plan is
    unique."""
    return PlanSpec(
        grain_economy(),
        periods=PERIODS,
        objective=objective,  # type: ignore[arg-type]
        targets=pd.DataFrame({"product": "grain", "period": PERIODS, "target": TARGETS}),
        storage=pd.DataFrame({"product": ["grain"], "loss": [0.1]}),
        depreciation=pd.DataFrame({"activity": ["grain"], "rate": [0.05]}),
        lags=pd.DataFrame({"activity": ["grain"], "lag": [1]}),
        construction_labour=pd.DataFrame(
            {"labour_type": ["labour"], "activity": ["grain"], "coefficient": [0.1]}
        ),
        terminal_growth=1.0,
    )


@pytest.fixture(scope="module")
def planned() -> tuple[PlanSpec, gosplan.PlanResult]:
    spec = grain_spec()
    return spec, gosplan.optimise(spec)


def test_an_on_plan_state_finds_the_remaining_plan_again(planned) -> None:
    spec, plan = planned
    for start in (2001, 2002, 2003):
        state = PlanState.from_plan(plan, spec, start)
        again = replan(spec, state, start)
        rest = [p for p in PERIODS if p >= start]
        assert again.optimal and again.verification.passed
        assert again.periods == tuple(rest)
        np.testing.assert_allclose(
            again.objective, plan.employment[rest].to_numpy().sum(), rtol=1e-6
        )
        np.testing.assert_allclose(
            again.output.loc["grain", rest], plan.output.loc["grain", rest], rtol=1e-6, atol=1e-6
        )
        np.testing.assert_allclose(
            again.capacity.loc["grain", rest], plan.capacity.loc["grain", rest], rtol=1e-6
        )


def test_the_state_a_plan_foresees_by_hand(planned) -> None:
    spec, plan = planned
    state = PlanState.from_plan(plan, spec, 2002)
    # capacity 100 depreciated 5 % a year for two years, plus the plan's investments
    # completed in 2001 (started 2000, lag 1), depreciated once
    invest = plan.investment.loc["grain"]
    in_service = 100.0 * 0.95**2 + invest[2000] * 0.95
    np.testing.assert_allclose(state.capacity_by_activity()["grain"], in_service)
    # the investment started in 2001 completes in 2002: in progress, nothing left to spend
    cip = state.construction_in_progress
    if invest[2001] > 1e-9:
        row = cip.set_index("completion").loc[2002]
        np.testing.assert_allclose(row["capacity"], invest[2001])
        np.testing.assert_allclose(row["remaining"], 0.0)
    np.testing.assert_allclose(
        state.achieved["grain"], plan.output.loc["grain", [2000, 2001]].sum()
    )
    np.testing.assert_allclose(state.stocks["grain"], plan.stocks.loc["grain", 2001] * 0.9)


def test_deficits_and_targets_by_hand() -> None:
    spec = grain_spec()
    state = PlanState(2002, achieved=pd.Series({"grain": 150.0}))
    keep = replan_targets(spec, state, 2002, policy="keep")
    rescale = replan_targets(spec, state, 2002, policy="rescale")
    # planned before 2002: 80 + 90 = 170; achieved 150: a deficit of 20, loaded onto the
    # remaining 100 + 110 = 210 in proportion
    assert keep["deficit"].tolist() == [20.0, 20.0]
    np.testing.assert_allclose(keep["target"], [100 * 230 / 210, 110 * 230 / 210])
    np.testing.assert_allclose(keep["target"].sum(), sum(TARGETS) - 150.0)  # the five-year total
    np.testing.assert_allclose(rescale["target"], [100 * 150 / 170, 110 * 150 / 170])
    assert (keep["target"] > rescale["target"]).all()
    over = replan_targets(spec, PlanState(2002, achieved=pd.Series({"grain": 200.0})), 2002)
    np.testing.assert_allclose(over["target"], [100.0, 110.0])  # no credit for more


def test_a_capacity_loss_lowers_output_and_keep_asks_more_than_rescale(planned) -> None:
    spec = grain_spec("max_level")
    plan = gosplan.optimise(spec)
    on_plan = PlanState.from_plan(plan, spec, 2002)
    lost = on_plan.capacity.assign(capacity=on_plan.capacity["capacity"] * 0.5)
    short = pd.Series({"grain": 0.8 * (TARGETS[0] + TARGETS[1])})  # 20 % short of the targets
    state = replace(on_plan, capacity=lost, achieved=short)
    kept = replan(spec, state, 2002, policy="keep")
    scaled = replan(spec, state, 2002, policy="rescale")
    again = replan(spec, on_plan, 2002)
    assert kept.optimal and scaled.optimal
    assert kept.output.loc["grain"].sum() < again.output.loc["grain"].sum()
    assert (kept.fulfilment["target"].to_numpy() > scaled.fulfilment["target"].to_numpy()).all()
    factors = kept.provenance["replan"]["target_factors"]
    assert factors["grain"] > 1.0 and kept.provenance["replan"]["policy"] == "keep"


def test_the_state_round_trips_through_strict_json(planned) -> None:
    spec, plan = planned
    state = PlanState.from_plan(plan, spec, 2002)
    back = PlanState.from_dict(json.loads(json.dumps(state.to_dict(), allow_nan=False)))
    assert back.period == 2002
    pd.testing.assert_frame_equal(back.capacity, state.capacity, check_dtype=False)
    pd.testing.assert_frame_equal(
        back.construction_in_progress, state.construction_in_progress, check_dtype=False
    )
    pd.testing.assert_series_equal(back.stocks, state.stocks, check_dtype=False)
    pd.testing.assert_series_equal(back.achieved, state.achieved, check_dtype=False)


def test_bad_states_and_arguments_name_what_is_wrong(planned, tmp_path) -> None:
    spec, plan = planned
    state = PlanState.from_plan(plan, spec, 2002)
    bad = replace(
        state,
        capacity=pd.concat(
            [
                state.capacity,
                pd.DataFrame({"activity": ["loom"], "year_built": [1990], "capacity": [1.0]}),
            ],
            ignore_index=True,
        ),
        stocks=pd.Series({"grain": -1.0}),
    )
    with pytest.raises(ValidationError) as info:
        replan(spec, bad, 2002)
    found = {(p.source, p.label, p.check) for p in info.value.problems}
    assert ("plan state: capacity", "loom", "unknown_label") in found
    assert ("plan state: stocks", "grain", "negative_value") in found
    with pytest.raises(InputError, match="not a period of the horizon") as err:
        replan(spec, state, 1999)
    assert err.value.label == "from_period"
    with pytest.raises(InputError, match="after the first"):
        replan(spec, replace(state, period=2000), 2000)
    with pytest.raises(InputError, match="state is of the start of 2002"):
        replan(spec, state, 2003)
    with pytest.raises(InputError, match="unknown policy"):
        replan(spec, state, 2002, policy="hope")  # type: ignore[arg-type]
    missing = replace(state, capacity=state.capacity.iloc[0:0])
    with pytest.raises(ValidationError, match="capacity of this capacity-limited activity"):
        replan(spec, missing, 2002)
    path = state.write(tmp_path / "state.json")
    assert PlanState.read(path).period == 2002


def test_a_warm_start_from_the_previous_plan_runs(planned) -> None:
    spec, plan = planned
    state = PlanState.from_plan(plan, spec, 2002)
    warm = replan(spec, state, 2002, previous=plan)
    cold = replan(spec, state, 2002)
    assert warm.provenance["warm_start"] is True
    assert "warm start" in warm.provenance["start"]
    assert "warm_start" not in cold.provenance
    assert warm.provenance["iterations"] <= cold.provenance["iterations"]
    np.testing.assert_allclose(warm.objective, cold.objective, rtol=1e-9)


def test_the_bundled_optimal_variant_replanned_from_1930_after_a_shortfall() -> None:
    spec = gosplan.read_spec(spec_path("ussr-1928", "optimal"))
    plan = gosplan.optimise(spec)
    on_plan = PlanState.from_plan(plan, spec, 1930)
    rest = [p for p in spec.periods if p >= 1930]
    again = replan(spec, on_plan, 1930, previous=plan)
    assert again.provenance["warm_start"] is True
    np.testing.assert_allclose(again.objective, plan.employment[rest].to_numpy().sum(), rtol=1e-6)
    np.testing.assert_allclose(
        again.output.to_numpy(), plan.output[rest].to_numpy(), rtol=1e-6, atol=1e-6
    )
    # a shortfall: a tenth of the coal capacity lost by 1930 (the variant's targets are all
    # for 1932/33, so nothing is owed yet): the plan rebuilds it at a cost in labour
    cut = on_plan.capacity["activity"].eq("coal").map({True: 0.9, False: 1.0})
    short = replace(
        on_plan, capacity=on_plan.capacity.assign(capacity=on_plan.capacity["capacity"] * cut)
    )
    result = replan(spec, short, 1930, policy="keep", previous=plan)
    assert result.optimal and result.verification.passed
    assert result.capacity.loc["coal", 1930] < again.capacity.loc["coal", 1930]
    assert result.objective > again.objective
    assert (result.fulfilment["ratio"] >= 1.0 - 1e-9).all()
    kept = replan_targets(spec, short, 1930, policy="keep")
    pd.testing.assert_series_equal(
        kept["target"], replan_targets(spec, short, 1930, policy="rescale")["target"]
    )
