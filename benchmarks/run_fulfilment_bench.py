"""Benchmark of gosplan.run.fulfilment.fulfilment: N enterprise-month reports.

``python benchmarks/run_fulfilment_bench.py --size 10000000`` builds (untimed) N / 12
enterprises, each making one of 100 products, with monthly control figures for one year, a
labour figure and a supply order per enterprise and month, and N monthly reports (about a
fifth short: some for want of labour, some of the input, some of neither) with labour-used and
input-received columns; labels are categorical. It then times ``fulfilment`` (validation,
the report table and both aggregates) and prints the seconds and the peak resident memory
during the timed work (``VmHWM`` after resetting it through ``/proc/self/clear_refs``; the
inputs held count).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from gosplan.run.fulfilment import fulfilment


def _peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def inputs(
    size: int, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_ent = max(size // 12, 1)
    months = 12 if size >= 12 else size
    names = pd.Index([f"e{i:07d}" for i in range(n_ent)])
    products = pd.Index([f"p{i:03d}" for i in range(100)])
    ent_of_product = rng.integers(0, 100, n_ent)
    trusts = pd.Index([f"t{i:04d}" for i in range(max(n_ent // 50, 1))])
    comms = pd.Index([f"c{i:02d}" for i in range(20)])
    e = np.repeat(np.arange(n_ent), months)
    m = np.tile(np.arange(1, months + 1), n_ent)
    n = len(e)
    trust_of = rng.integers(0, len(trusts), n_ent)
    plan = rng.uniform(100, 1000, n)

    def cat(codes: np.ndarray, labels: pd.Index) -> pd.Categorical:
        return pd.Categorical.from_codes(codes, categories=labels)

    figures = pd.DataFrame(
        {
            "enterprise": cat(e, names),
            "trust": cat(trust_of[e], trusts),
            "commissariat": cat(trust_of[e] % len(comms), comms),
            "activity": cat(ent_of_product[e], products),
            "product": cat(ent_of_product[e], products),
            "period": np.full(n, 1929),
            "month": m,
            "level": plan,
            "output": plan,
        }
    )
    labour = pd.DataFrame(
        {
            "enterprise": cat(e, names),
            "period": 1929,
            "month": m,
            "labour_type": cat(np.zeros(n, dtype=np.int64), pd.Index(["workers"])),
            "quantity": plan / 10,
        }
    )
    supply = pd.DataFrame(
        {
            "enterprise": cat(e, names),
            "period": 1929,
            "month": m,
            "product": cat(np.zeros(n, dtype=np.int64), pd.Index(["coal"])),
            "quantity": plan / 2,
        }
    )
    share = np.where(rng.random(n) < 0.2, rng.uniform(0.6, 1.0, n), rng.uniform(1.0, 1.2, n))
    labour_share = np.where(rng.random(n) < 0.3, share, 1.0)
    input_share = np.where(rng.random(n) < 0.3, share, 1.0)
    actuals = pd.DataFrame(
        {
            "enterprise": cat(e, names),
            "period": np.full(n, 1929),
            "month": m,
            "product": cat(ent_of_product[e], products),
            "output": plan * share,
            "labour:workers": plan / 10 * labour_share,
            "received:coal": plan / 2 * input_share,
        }
    )
    return figures, labour, supply, actuals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="reports (rows)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    figures, labour, supply, actuals = inputs(args.size)
    for _ in range(args.repeat):
        _reset_peak()
        start = time.perf_counter()
        report = fulfilment(figures, actuals, labour=labour, supply=supply)
        seconds = time.perf_counter() - start
        causes = report.table["cause"].value_counts().to_dict()
        print(
            f"fulfilment size={len(actuals):,} rows: {seconds:.2f} s, "
            f"peak {_peak_mib() / 1024:.2f} GiB; by_trust {len(report.by_trust):,} rows; "
            f"causes {causes}"
        )


if __name__ == "__main__":
    main()
