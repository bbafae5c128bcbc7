"""Re-planning as the plan runs: a rolling horizon over a simulated run.

``simulate(spec, result, replan="keep")`` (:func:`simulate_replanning`) runs the plan one
period at a time. At the end of every period but the last, the planning office takes stock
(:func:`state_from_run`) and makes a new plan for the rest of the horizon (the spec of
:func:`gosplan.run.replan.replan_spec`, optimised from the plan it revises as a warm start);
the run goes on under the new plan, with its stocks, orders and held-up goods as they are.

The state at the start of period ``p`` after a run is the state the plan in force foresaw
(:meth:`PlanState.from_plan`: vintages, construction in progress, stocks the plan carries),
with two things taken from the run instead:

* ``capacity``: each activity's vintages times its product's capacity shock factor at the
  first step of ``p`` over the factor the plan in force already took into account (a mine
  flooded in the period is known to the planners; one that recovered is back);
* ``achieved``: the simulated output of every product summed over the steps run so far.

Under the new plan the capacity shocks count from the factor it took into account (the
simulation's ``rebase``), so a loss is not counted twice; the technique mix of the products
stays that of the first plan. Where the targets cannot be met from the state (a re-plan is
infeasible), every remaining target is cut to the common level the state can reach
(:func:`gosplan.plan.diagnosis.common_level`), as a planning office would scale its figures
down; where even that fails, the plan in force stays. The provenance lists the cuts
(``cut``: period, level, and the status reached).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from gosplan.balance.solvers import solve_leontief
from gosplan.core.plan_result import PlanResult
from gosplan.core.plan_state import PlanState
from gosplan.core.simulation_result import SimulationResult
from gosplan.core.spec import PlanSpec
from gosplan.run.replan import POLICIES, Policy
from gosplan.run.simulate import Schedule, Simulation, check_memory
from gosplan.run.simulation_tables import Record, result_of

if TYPE_CHECKING:
    from gosplan.core.progress import Progress


def state_from_run(
    spec: PlanSpec,
    plan: PlanResult,
    sim: Simulation,
    states: Record,
    period: int,
) -> PlanState:
    """The state at the start of ``period`` after the steps run so far (see the module)."""
    foreseen = PlanState.from_plan(plan, spec, period)
    eco = spec.economy
    known = sim.shocks.capacity.factor(sim.t, sim.n)
    ratio = pd.Series(known / sim.rebase, index=sim.labels)
    made = pd.Series(
        [str(eco.product_labels[i]) for i in eco.activity_product],
        index=[str(a) for a in eco.activity_labels],
    )
    capacity = foreseen.capacity.copy()
    factor = ratio.reindex(made.reindex(capacity["activity"].astype(str)).to_numpy()).to_numpy()
    capacity["capacity"] = capacity["capacity"].to_numpy(float) * np.nan_to_num(factor, nan=1.0)
    output = states.total("output")
    achieved = pd.Series(output, index=sim.labels, name="achieved")
    provenance = {**foreseen.provenance, "source": "simulation", "steps": len(states)}
    return replace(foreseen, capacity=capacity, achieved=achieved, provenance=provenance)


def adopt(
    sim: Simulation, spec: PlanSpec, plan: PlanResult, periods: list[Any], first: int, k: int
) -> None:
    """Put the run's ``periods`` (from position ``first`` on) under ``plan``, at product level."""
    from gosplan.run.plan_simulation import plan_frame

    frame = plan_frame(spec, plan, periods=periods, labour=sim.schedule.labour is not None)
    final = frame.final / k
    equilibria = np.asarray(solve_leontief(sim.technology, final.sum(axis=1).T).x, float).T
    old = sim.schedule
    final_demand, capacity = old.final_demand.copy(), old.capacity.copy()
    final_demand[first:] = final
    capacity[first:] = np.maximum(frame.capacity / k, equilibria)
    labour = old.labour
    if labour is not None and frame.labour_available is not None and frame.labour is not None:
        labour = labour.copy()
        need = (sim.labour @ equilibria.T).T if sim.labour is not None else 0.0
        labour[first:] = np.maximum(frame.labour_available / k, need)
    past = sim.equilibria.copy()
    past[first:] = equilibria
    sim.schedule = Schedule(old.period, final_demand, capacity, labour, old.users, past)
    if sim.rationing == "fixed":
        sim.allotments = sim._allotments()
    sim.rebase = sim.shocks.capacity.factor(sim.t, sim.n)


def _replanned(
    spec: PlanSpec, state: PlanState, period: int, policy: Policy, previous: PlanResult
) -> tuple[PlanSpec, PlanResult, float | None]:
    """The spec and plan of the rest of the horizon; targets cut to reach when need be.

    The third item is the common level the targets were cut to (``None``: not cut).
    """
    from gosplan.plan.data import PlanData
    from gosplan.plan.diagnosis import common_level
    from gosplan.plan.optimise import optimise
    from gosplan.run.replan import replan_spec

    rest = replan_spec(spec, state, period, policy=policy)
    plan = optimise(rest, objective=rest.objective, warm_start=previous)
    if plan.optimal or not len(rest.targets):
        return rest, plan, None
    level = common_level(PlanData(rest))
    if not np.isfinite(level) or level <= 0:
        return rest, plan, float(level)
    targets = rest.targets.assign(target=rest.targets["target"] * min(level, 1.0) * (1 - 1e-7))
    rest = rest.with_changes(targets=targets)
    return rest, optimise(rest, objective=rest.objective, warm_start=previous), float(level)


def simulate_replanning(
    spec: PlanSpec,
    result: PlanResult,
    *,
    replan_policy: str,
    progress: Progress | None = None,
    **options: Any,
) -> tuple[SimulationResult, list[PlanResult]]:
    """Run the plan period by period, re-planning at the end of each (see the module).

    Returns the run (its provenance lists the re-plans) and the plans in force, the first
    being ``result``.
    """
    from gosplan.run.plan_simulation import finish, prepare_plan

    if replan_policy not in POLICIES:
        from gosplan.errors import InputError

        raise InputError(
            f"unknown re-planning policy {replan_policy!r}; choose {', '.join(POLICIES)}",
            source="replan",
            check="bad_option",
        )
    policy = cast(Policy, replan_policy)
    sim, ctx, own = prepare_plan(spec, result, **options)
    check_memory(sim)
    plans: list[PlanResult] = [result]
    specs: list[PlanSpec] = [spec]
    cuts: list[dict[str, Any]] = []
    states = Record(sim.steps, sim.n, len(sim.schedule.users))
    for position, period in enumerate(ctx.periods):
        for _ in range(ctx.k):
            states.add(sim.step())
        if progress is not None:
            progress(len(states) / sim.steps, f"period {period} run")
        if position + 1 == len(ctx.periods):
            break
        upcoming = ctx.periods[position + 1]
        state = state_from_run(specs[-1], plans[-1], sim, states, upcoming)
        rest, new, level = _replanned(spec, state, upcoming, policy, plans[-1])
        if level is not None:
            cuts.append({"period": int(upcoming), "level": level, "status": str(new.status)})
        if not new.optimal:
            continue
        plans.append(new)
        specs.append(rest)
        adopt(sim, spec, new, ctx.periods[position + 1 :], position + 1, ctx.k)
    sim.info = {**sim.info, "replan": replan_policy, "replans": len(plans) - 1, "cut": cuts}
    return finish(result_of(states, sim), spec, sim, ctx, own), plans
