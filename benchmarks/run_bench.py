"""Benchmarks of gosplan.run (running the plan): wall time and peak memory, as a table.

Each case builds its inputs (not timed), then times its work and reports the seconds and the
process's peak resident memory (``resource.getrusage``: the whole-life peak, so the inputs
count) before and after.

Usage::

    python benchmarks/run_bench.py                  # 10^6 enterprises
    python benchmarks/run_bench.py --size 100000
    python benchmarks/run_bench.py --only control

Cases:

* ``control``: :func:`gosplan.run.control.control_figures` for a generated economy of ``n``
  products (``generate_economy(n)``) with ``n`` enterprises (one per activity, random
  capacities above the plan and labour factors) over 5 periods, by both rules. The plan is
  a Leontief solve ``x_t = (I - A)^-1 y_t`` for a final demand growing 5% a year (no LP).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

SEED = 20240601
PERIODS = (1929, 1930, 1931, 1932, 1933)


@dataclass
class Row:
    """One line of the table."""

    case: str
    size: int
    seconds: float
    peak_before_mib: float
    peak_after_mib: float
    note: str = ""


def peak_mib() -> float:
    """The process's peak resident memory so far, in MiB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def timed(case: str, size: int, work: Callable[[], Any], note: Callable[[Any], str]) -> Row:
    """Time ``work()`` once and measure the peak memory around it."""
    before = peak_mib()
    start = time.perf_counter()
    out = work()
    seconds = time.perf_counter() - start
    return Row(case, size, seconds, before, peak_mib(), note(out))


# ============================================================================ cases
def leontief_plan(n: int, seed: int = SEED) -> tuple[Any, Any, pd.DataFrame, dict[str, float]]:
    """A generated economy, a plan-like result from a Leontief solve, and enterprises."""
    from gosplan.core.plan_result import PlanResult
    from gosplan.core.spec import PlanSpec
    from gosplan.core.status import Status
    from gosplan.generate import generate_economy

    times: dict[str, float] = {}
    start = time.perf_counter()
    economy = generate_economy(n, seed=seed)
    times["generate"] = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    y0 = rng.uniform(1.0, 10.0, n)
    growth = 1.05 ** np.arange(len(PERIODS))
    demand = pd.DataFrame(np.outer(y0, growth), index=economy.product_labels, columns=list(PERIODS))
    start = time.perf_counter()
    gross = economy.gross_output(demand)
    times["leontief"] = time.perf_counter() - start
    square = economy.activity_product  # one activity per product, activities like products
    levels = pd.DataFrame(
        gross.to_numpy()[square],
        index=economy.activity_labels,
        columns=pd.Index(PERIODS, name="period"),
    )
    empty = pd.DataFrame()
    result = PlanResult(
        status=Status.OPTIMAL,
        objective=0.0,
        objective_kind="leontief",
        level=None,
        periods=PERIODS,
        output=levels.set_axis(economy.product_labels[square], axis=0),
        activity_levels=levels,
        capacity=empty,
        investment=empty,
        capital_spending=empty,
        employment=empty,
        consumption=empty,
        stocks=empty,
        imports=empty,
        exports=empty,
        fulfilment=empty,
        shadow_prices={},
        binding=empty,
        growth=empty,
        investment_shares=empty,
        verification=None,
    )
    spec = PlanSpec(economy=economy, periods=PERIODS)
    acts = economy.activity_labels.to_numpy(object)
    enterprises = pd.DataFrame(
        {
            "enterprise": np.char.add("works ", np.arange(n).astype(str)).astype(object),
            "activity": acts,
            "capacity": levels.to_numpy().max(axis=1) * rng.uniform(1.0, 1.5, n),
            "labour_factor": rng.uniform(0.5, 1.5, n),
            "trust": np.char.add("trust ", (np.arange(n) // 1000).astype(str)).astype(object),
            "commissariat": np.char.add("NK ", (np.arange(n) % 20).astype(str)).astype(object),
        }
    )
    return result, spec, enterprises, times


def control_cases(n: int) -> list[Row]:
    """Control figures by both rules for ``n`` enterprises over 5 periods."""
    from gosplan.run.control import control_figures

    result, spec, enterprises, times = leontief_plan(n)
    setup = f"generate {times['generate']:.1f} s, Leontief {times['leontief']:.1f} s (not timed)"
    rows = []
    for rule in ("capacity", "least_labour"):

        def work(rule: str = rule) -> Any:
            return control_figures(result, spec, enterprises, rule=rule)

        def note(cf: Any) -> str:
            rows_ = len(cf.figures) + len(cf.labour) + len(cf.supply)
            return f"{rows_:,} rows (figures {len(cf.figures):,}, supply {len(cf.supply):,})"

        row = timed(f"control-{rule}", n, work, note)
        rows.append(row)
    rows[0].note += f"; {setup}"
    return rows


CASES: dict[str, Callable[[int], list[Row]]] = {"control": control_cases}


# ============================================================================ table
def print_table(rows: list[Row]) -> None:
    """Print the rows as a plain table."""
    head = ("case", "size", "seconds", "peak MiB before", "peak MiB after", "note")
    cells = [
        (
            r.case,
            f"{r.size:,}",
            f"{r.seconds:.2f}",
            f"{r.peak_before_mib:,.0f}",
            f"{r.peak_after_mib:,.0f}",
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases at the chosen size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="products = enterprises")
    parser.add_argument("--only", choices=sorted(CASES), action="append", help="cases to run")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for name in args.only or sorted(CASES):
        rows += CASES[name](args.size)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
