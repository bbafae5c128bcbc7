"""Benchmark of counter-plan checks (:func:`gosplan.run.counter_plans.check_counter_plan`).

The "plan" is built directly from a Leontief solve (no LP): on a generated square economy the
levels are ``x0 = (I - A)^-1 y`` for a random positive final demand ``y`` and the capacity is
``1.2 x0``; labour available is 1.1 times the labour the levels use. Not timed: generating the
economy, the solve and the solver's preparation. Timed: one check of one counter-plan, and a
batch of counter-plans in ``commit`` mode. Peak memory is the resident peak (``VmHWM``) of the
process, reset before each timed part where Linux allows.

Usage::

    python benchmarks/run_counter_bench.py --size 100000
    python benchmarks/run_counter_bench.py --size 1000000 --batch 1000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from gosplan.core.plan_result import PlanResult
from gosplan.core.spec import PlanSpec
from gosplan.core.status import Status
from gosplan.generate import generate_economy
from gosplan.run.counter_plans import check_counter_plan


def _peak_mib() -> float:
    """Peak resident memory of this process so far (MiB), or NaN where unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def leontief_plan(n: int, seed: int = 0) -> tuple[PlanResult, PlanSpec]:
    """A one-period "plan" on ``generate_economy(n)``: levels ``x0``, capacity ``1.2 x0``.

    Parameters
    ----------
    n
        Number of products.
    seed
        Seed of the economy and of the final demand.

    Returns
    -------
    tuple of PlanResult and PlanSpec
    """
    eco = generate_economy(n, seed=seed)
    rng = np.random.default_rng(seed)
    y = rng.uniform(1.0, 2.0, n)
    x0 = eco.leontief_solver().solve(y).x
    labels = eco.activity_labels
    period = 1
    levels = pd.DataFrame({period: x0}, index=labels)
    levels.columns.name = "period"
    capacity = levels * 1.2
    labour_use = np.asarray(eco.labour @ x0) if eco.labour is not None else np.zeros(0)
    employment = pd.DataFrame({period: labour_use}, index=eco.labour_types)
    empty = pd.DataFrame(columns=pd.Index([period], name="period"))
    result = PlanResult(
        status=Status.OPTIMAL,
        objective=0.0,
        objective_kind="leontief",
        level=None,
        periods=(period,),
        output=levels,
        activity_levels=levels,
        capacity=capacity,
        investment=empty,
        capital_spending=empty,
        employment=employment,
        consumption=empty,
        stocks=empty,
        imports=empty,
        exports=empty,
        fulfilment=pd.DataFrame(),
        shadow_prices={},
        binding=pd.DataFrame(),
        growth=empty,
        investment_shares=pd.DataFrame(),
        verification=None,
    )
    spec = PlanSpec(
        eco,
        periods=(period,),
        objective="min_labour",
        labour_available=pd.DataFrame(
            {
                "labour_type": list(eco.labour_types),
                "period": period,
                "available": labour_use * 1.1,
            }
        ),
    )
    return result, spec


def counter_plans(n: int, k: int, seed: int = 1) -> pd.DataFrame:
    """``k`` counter-plans on random products, each 1–30 % of the product's level extra."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(n, size=k, replace=False)
    return pd.DataFrame(
        {
            "counter_plan": [f"cp{i}" for i in range(k)],
            "activity": [f"p{j:07d}" for j in picks],
            "period": 1,
            "extra_output": rng.uniform(0.5, 5.0, k),
        }
    )


def run(size: int, batch: int = 1000, seed: int = 0) -> dict[str, float]:
    """Time one check and a batch in commit mode; print and return the figures.

    Parameters
    ----------
    size
        Number of products.
    batch
        Counter-plans in the commit batch.
    seed
        Seed of the economy.

    Returns
    -------
    dict
        ``setup_s``, ``one_s``, ``one_peak_mib``, ``batch_s``, ``batch_peak_mib``,
        ``mean_share``.
    """
    t0 = time.perf_counter()
    result, spec = leontief_plan(size, seed)
    table = counter_plans(size, batch)
    check_counter_plan(result, spec, table.head(1))  # warm the label index and caches
    setup = time.perf_counter() - t0
    print(f"size {size:,}: setup (economy, levels, solver, warm-up) {setup:.2f} s", flush=True)
    _reset_peak()
    t0 = time.perf_counter()
    one = check_counter_plan(result, spec, table.iloc[[1]])
    one_s = time.perf_counter() - t0
    one_peak = _peak_mib()
    print(
        f"  one check: {one_s:.3f} s, peak {one_peak:.0f} MiB, share "
        f"{one.summary['accepted_share'].iloc[0]:.3f}, {len(one.requirements)} requirement rows",
        flush=True,
    )
    _reset_peak()
    t0 = time.perf_counter()
    many = check_counter_plan(result, spec, table, mode="commit")
    batch_s = time.perf_counter() - t0
    batch_peak = _peak_mib()
    shares = many.summary["accepted_share"].to_numpy(float)
    print(
        f"  {batch} in commit mode: {batch_s:.2f} s, peak {batch_peak:.0f} MiB, mean share "
        f"{shares.mean():.3f} ({np.count_nonzero(shares < 1)} cut), "
        f"{len(many.requirements):,} requirement rows",
        flush=True,
    )
    return {
        "setup_s": setup,
        "one_s": one_s,
        "one_peak_mib": one_peak,
        "batch_s": batch_s,
        "batch_peak_mib": batch_peak,
        "mean_share": float(shares.mean()),
    }


def main() -> None:
    """Command line: ``--size n [--batch k] [--seed s]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    run(args.size, args.batch, args.seed)


if __name__ == "__main__":
    main()
