"""Ensembles on Dask: seconds for 100 runs on one local worker process against two.

Simulates ``generate_economy(n, inputs_per_product=k, seed=1)`` for ``steps`` steps with a
random shock on its hub (share drawn from 0.2-0.7 by each run's seed; one run takes about
0.2-0.5 s), under two rationing variants, ``runs`` runs in all. A
:class:`distributed.LocalCluster` of 1 and then 2 worker processes (one thread each) is
started once (its start is timed on its own), warmed by a small ensemble, and the ensemble is
timed ``repeats`` times on it; the table gives the medians, the serial run in this process
(once) and the speed-up of two workers over one (goal: at least 1.7x).

Usage::

    python benchmarks/run_ensemble_bench.py
    python benchmarks/run_ensemble_bench.py --runs 100 --products 1000 --steps 150 --repeats 3
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.economy import Economy
from gosplan.generate import generate_economy
from gosplan.run.ensemble import ensemble

#: The quantities kept: the ensemble's traffic and memory grow with them.
KEEP = ("output", "unmet_final")


def setup(n: int, k: float, steps: int) -> tuple[Economy, dict[str, Any], dict[str, dict]]:
    """The economy, the common arguments and the two variants of the benchmark."""
    eco = generate_economy(n, inputs_per_product=k, seed=1)
    labels = eco.product_labels
    y = pd.Series(np.random.default_rng(0).uniform(1, 10, n), index=labels)
    x = eco.gross_output(y).to_numpy()
    hub = str(labels[int(np.argmax(np.diff(eco.technology.tocsr().indptr)))])
    shock = pd.DataFrame(
        {"product": [hub], "from_step": [5], "share_min": [0.2], "share_max": [0.7],
         "recovery": [30]}
    )  # fmt: skip
    common = {
        "final_demand": y,
        "steps": steps,
        "capacity": pd.Series(1.05 * x, index=labels),
        "stock_days": 1.5,
        "restoration": 5,
        "shocks": shock,
    }
    classes = pd.DataFrame({"product": ["final"], "class": [1]})
    variants = {
        "proportional": {"rationing": "proportional"},
        "final first": {"rationing": "priority", "classes": classes},
    }
    return eco, common, variants


def timed(repeats: int, run: Any) -> list[float]:
    """Seconds of ``repeats`` calls of ``run()``."""
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def on_cluster(workers: int, repeats: int, job: dict[str, Any]) -> tuple[float, list[float]]:
    """Start a local cluster of ``workers`` processes; its start and the timed ensembles."""
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        started = time.perf_counter() - start
        ensemble(**{**job, "runs": workers}, client=client)  # warm: imports, first scatter
        return started, timed(repeats, lambda: ensemble(**job, client=client))


def bench(n: int, k: float, steps: int, runs: int, repeats: int) -> None:
    eco, common, variants = setup(n, k, steps)
    per_variant = max(runs // len(variants), 1)
    job = dict(model=eco, variations=variants, runs=per_variant, quantities=KEEP, **common)
    total = per_variant * len(variants)
    serial = timed(1, lambda: ensemble(**job, serial=True))[0]
    print(
        f"products={n} inputs/product={k:g} links={eco.technology.nnz} steps={steps}: "
        f"{total} runs ({len(variants)} variants x {per_variant}), "
        f"{serial / total:.3f} s a run (serial)"
    )
    rows = [("serial (this process)", "-", serial, [serial])]
    for workers in (1, 2):
        started, times = on_cluster(workers, repeats, job)
        rows.append(
            (f"LocalCluster {workers} worker(s)", f"{started:.1f}", float(np.median(times)), times)
        )
    print(f"{'engine':<28} {'start s':>8} {'median s':>9} {'runs/s':>7}  times")
    for name, started, median, times in rows:
        print(
            f"{name:<28} {started:>8} {median:>9.2f} {total / median:>7.1f}  "
            + ", ".join(f"{t:.2f}" for t in times)
        )
    ratio = rows[1][2] / rows[2][2]
    print(f"speed-up, 2 workers over 1: {ratio:.2f}x (goal >= 1.7x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--inputs", type=float, default=60)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    bench(args.products, args.inputs, args.steps, args.runs, args.repeats)


if __name__ == "__main__":
    main()
