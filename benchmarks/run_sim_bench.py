"""The input–output simulation at scale: a month and a year of daily steps, time and memory.

Generates ``generate_economy(n, inputs_per_product=k, seed=1)`` (default 10^5 products with
about 3·10^6 input links), a 50 % capacity shock on its hub (the product with most
customers, recovering over 20 days) and 5 % spare capacity, stocks of 2 days and a
restoration time of 5, and times :func:`gosplan.run.simulate.simulate` over 30 daily steps
(a month: goal 5 s, 2 GiB) and over 365 (a year: goal 60 s). Each case runs in a subprocess
of its own: peak memory is its ``VmHWM`` after the inputs are built (so the inputs count).

The baseline, measured in the same child on the same matrix, is the unit of the work: one
sparse matrix–vector product ``A @ x`` (scipy, CSC). A step touches every input link some
twenty times (orders, stocks, use, deliveries, targets), so about 10–20 products per step is
what a vectorised step can be; the table prints that ratio.

Usage::

    python benchmarks/run_sim_bench.py
    python benchmarks/run_sim_bench.py --products 10000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time


def _child(n: int, k: float, steps: int, repeats: int) -> dict:
    import numpy as np
    import pandas as pd

    from gosplan.generate import generate_economy
    from gosplan.run.simulate import simulate

    eco = generate_economy(n, inputs_per_product=k, seed=1)
    labels = eco.product_labels
    y = pd.Series(np.random.default_rng(0).uniform(1, 10, n), index=labels)
    x = eco.gross_output(y)
    hub = int(np.argmax(np.diff(eco.technology.tocsr().indptr)))
    shock = pd.DataFrame(
        {"product": [str(labels[hub])], "from_step": [1], "share": [0.5], "recovery": [20]}
    )
    A, xv = eco.technology.tocsc(), x.to_numpy()
    matvec = []
    for _ in range(20):
        start = time.perf_counter()
        A @ xv
        matvec.append(time.perf_counter() - start)
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = simulate(
            eco, y, steps=steps, capacity=1.05 * x, stock_days=2, restoration=5, shocks=shock
        )
        times.append(time.perf_counter() - start)
    peak = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    out = result.series("output")
    return {
        "links": int(A.nnz),
        "seconds": statistics.median(times),
        "matvec": statistics.median(matvec),
        "peak": peak,
        "lowest": float((out.min() / xv).min()),
    }


def _run(n: int, k: float, steps: int, repeats: int) -> dict:
    code = (
        "import json, sys; sys.path.insert(0, 'benchmarks'); import run_sim_bench as b; "
        f"print(json.dumps(b._child({n}, {k}, {steps}, {repeats})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--inputs", type=float, default=33.0, help="inputs per product")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--year-repeats", type=int, default=1)
    args = parser.parse_args()
    rows = [
        ("a month (30 steps)", 30, args.repeats, 5.0),
        ("a year (365 steps)", 365, args.year_repeats, 60.0),
    ]
    print(f"simulate: {args.products:,} products, about {args.inputs:g} inputs each")
    print(f"{'case':<22}{'s (median)':>12}{'goal s':>8}{'ms/step':>9}{'matvecs/step':>14}"
          f"{'peak GiB':>10}")  # fmt: skip
    for name, steps, repeats, goal in rows:
        got = _run(args.products, args.inputs, steps, repeats)
        per_step = got["seconds"] / steps
        print(
            f"{name:<22}{got['seconds']:>12.2f}{goal:>8.0f}{1e3 * per_step:>9.1f}"
            f"{per_step / got['matvec']:>14.1f}{got['peak'] / 2**30:>10.2f}"
        )
    print(
        f"input links: {got['links']:,}; one A @ x: {1e3 * got['matvec']:.1f} ms; "
        f"lowest output: {100 * got['lowest']:.1f} % of the equilibrium"
    )


if __name__ == "__main__":
    main()
