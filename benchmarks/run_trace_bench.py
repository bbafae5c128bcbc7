"""Knock-on queries on a simulated economy: ms per trace and per reverse query.

Simulates ``generate_economy(n, seed=1)`` for 30 steps with a shock on its hub (the product
with most customers), builds the :class:`~gosplan.run.trace.KnockOn` index once (timed on its
own) and prints the median milliseconds of a trace (from products short at the last step) and
of a reverse query (``hurt_by`` the hub).

Usage::

    python benchmarks/run_trace_bench.py
    python benchmarks/run_trace_bench.py --products 10000 --queries 50
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from gosplan.generate import generate_economy
from gosplan.run.simulate import simulate
from gosplan.run.trace import KnockOn


def bench(n: int, steps: int, queries: int, seed: int) -> None:
    eco = generate_economy(n, seed=seed)
    labels = eco.product_labels
    y = pd.Series(np.random.default_rng(0).uniform(1, 10, n), index=labels)
    x = eco.gross_output(y).to_numpy()
    hub = int(np.argmax(np.diff(eco.technology.tocsr().indptr)))
    shock = pd.DataFrame(
        {"product": [str(labels[hub])], "from_step": [1], "share": [0.5], "recovery": [0]}
    )
    start = time.perf_counter()
    result = simulate(
        eco,
        y,
        steps=steps,
        capacity=pd.Series(1.1 * x, index=labels),
        stock_days=1.5,
        restoration=5,
        shocks=shock,
    )
    sim_s = time.perf_counter() - start

    start = time.perf_counter()
    knock = KnockOn(result)
    index_s = time.perf_counter() - start

    last = steps - 1
    short = np.flatnonzero(knock.pointer[last] >= 0)
    rng = np.random.default_rng(seed)
    picks = rng.choice(short, size=min(queries, len(short)), replace=False)
    trace_ms, lengths = [], []
    for j in picks:
        start = time.perf_counter()
        tr = knock.trace(knock.labels[j], last)
        trace_ms.append(1e3 * (time.perf_counter() - start))
        lengths.append(len(tr) - 1)
    hurt_ms = []
    for _ in range(max(3, queries // 10)):
        start = time.perf_counter()
        hurt = knock.hurt_by(str(labels[hub]))
        hurt_ms.append(1e3 * (time.perf_counter() - start))
    print(
        f"products={n} steps={steps}: simulate {sim_s:.2f} s, index {1e3 * index_s:.0f} ms; "
        f"{len(short)} products input-limited at step {last}"
    )
    if trace_ms:
        print(
            f"trace: median {np.median(trace_ms):.3f} ms, max {max(trace_ms):.3f} ms per query "
            f"over {len(trace_ms)} (links: median {np.median(lengths):.0f}, max {max(lengths)})"
        )
    print(
        f"hurt_by(hub): median {np.median(hurt_ms):.1f} ms, max {max(hurt_ms):.1f} ms per query "
        f"over {len(hurt_ms)}; {len(hurt)} products hurt, "
        f"output lost {hurt['output_lost'].sum():.4g}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    bench(args.products, args.steps, args.queries, args.seed)


if __name__ == "__main__":
    main()
