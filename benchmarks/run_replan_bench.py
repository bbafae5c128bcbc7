"""Re-planning a generated five-year plan from its second period: cold against warm-started.

Builds the max-level plan of ``benchmarks/bench.py`` (``_plan_spec(n, 5, growth=True)``: the
level of the last year's assortment, lifted by investment), optimises it, and re-plans the
periods from the second on (``gosplan.run.replan.replan``) from two states: the one the plan
foresees (``on plan``) and the same with a shock (every capacity 3 % lower). Each re-plan is
solved cold (the usual start: the crash basis or the slack basis) and warm-started from the
plan (``previous=plan``: its solution mapped by labels and crossed over to a basis). The table
gives the median seconds of the whole ``replan`` call and of the solve alone (crossover
included for the warm start), the simplex iterations, and the gain ``cold / warm``. The
least-labour second stage of ``max_level`` is left out unless ``--least-labour`` (it starts
from the first stage's basis either way, and dominates the time at this size).

Usage::

    python benchmarks/run_replan_bench.py
    python benchmarks/run_replan_bench.py --products 10000 --repeats 3
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from dataclasses import replace

from bench import _plan_spec
from gosplan.core.plan_state import PlanState
from gosplan.plan.optimise import optimise
from gosplan.run.replan import replan


def _run(spec, state, start, previous, repeats: int, least: bool) -> dict[str, float]:
    """Median wall and solve seconds of ``repeats`` re-plans, and their iterations."""
    walls, solves, iterations = [], [], 0
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = replan(spec, state, start, previous=previous, verify=False, least_labour=least)
        walls.append(time.perf_counter() - t0)
        prov = result.provenance
        solves.append(prov["solve_seconds"] + prov.get("warm_start_seconds", 0.0))
        iterations = int(prov["iterations"])
    assert result is not None and result.optimal, result.status if result else None
    warm = bool(result.provenance.get("warm_start", False))
    return {
        "wall": statistics.median(walls),
        "solve": statistics.median(solves),
        "iterations": iterations,
        "objective": result.objective,
        "warm": warm,
    }


def bench(n: int, repeats: int, least: bool) -> None:
    spec = _plan_spec(n, 5, growth=True)
    t0 = time.perf_counter()
    plan = optimise(spec, verify=False, least_labour=least)
    plan_s = time.perf_counter() - t0
    start = spec.periods[1]
    on_plan = PlanState.from_plan(plan, spec, start)
    shocked = replace(
        on_plan, capacity=on_plan.capacity.assign(capacity=on_plan.capacity["capacity"] * 0.97)
    )
    print(
        f"products={n}, periods {spec.periods[0]}-{spec.periods[-1]}: plan {plan_s:.2f} s "
        f"({plan.provenance['n_variables']} variables, {plan.provenance['iterations']} "
        f"iterations); re-plan from {start}, medians of {repeats}"
    )
    header = (
        f"{'state':<9} {'start':<5} {'replan s':>9} {'solve s':>8} {'iterations':>10} "
        f"{'objective':>12} {'gain (solve)':>12}"
    )
    print(header)
    print("-" * len(header))
    for name, state in (("on plan", on_plan), ("shock", shocked)):
        cold = _run(spec, state, start, None, repeats, least)
        warm = _run(spec, state, start, plan, repeats, least)
        assert warm["warm"], "the warm start did not run"
        for label, row in (("cold", cold), ("warm", warm)):
            gain = f"{cold['solve'] / row['solve']:.1f}x" if label == "warm" else ""
            print(
                f"{name:<9} {label:<5} {row['wall']:>9.3f} {row['solve']:>8.3f} "
                f"{row['iterations']:>10d} {row['objective']:>12.6g} {gain:>12}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--least-labour",
        action="store_true",
        help="also run the least-labour second stage (not warm-started beyond the first)",
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the plans have no terminal requirement: say it once
    bench(args.products, args.repeats, args.least_labour)


if __name__ == "__main__":
    main()
