"""ARIO (BoARIO's ARIOPsiModel) on a synthetic global MRIO: gosplan.run.ario against BoARIO.

Generates a seeded synthetic table at the size and density of a global MRIO (default 49
regions x 200 sectors = 9,800 region-sectors, about 3 % of the flows nonzero: a dense domestic
block per region, sparse trade), built sparse.  Each program runs in a subprocess of its own
(so that peak memory, ``ru_maxrss``, is its own, table generation included) on the same table
with the same capital shock:

* ours: ``ario_simulate`` for a simulated year (365 daily steps), ``--repeat`` times;
* BoARIO: ``ARIOPsiModel`` + ``Simulation`` sized for the same year, timed on
  ``--boario-steps`` steps (its dense ``n x n`` arrays make a year too slow to wait for); the
  year is extrapolated as setup + 365 x the median step, and the output says so.

Usage::

    python benchmarks/run_ario_bench.py
    python benchmarks/run_ario_bench.py --sectors 980 --steps 365 --boario-steps 365
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

from gosplan.run.ario import CapitalShock, SparseMRIO, ario_simulate

YEAR = 365


def synthetic_mrio(
    n_regions: int, n_sectors: int, density: float, seed: int
) -> tuple[SparseMRIO, list[tuple[str, str]]]:
    """A seeded synthetic MRIO (sparse), and the industries the benchmark shock hits."""
    rng = np.random.default_rng(seed)
    n = n_regions * n_sectors
    domestic = 0.3
    n_dom = int(domestic * n_sectors * n_sectors)
    n_for = max(int(density * n * n) - n_regions * n_dom, 0)
    reg = np.repeat(np.arange(n_regions), n_dom)
    rows = [reg * n_sectors + rng.integers(0, n_sectors, reg.size)]
    cols = [reg * n_sectors + rng.integers(0, n_sectors, reg.size)]
    rows.append(rng.integers(0, n, n_for))
    cols.append(rng.integers(0, n, n_for))
    r, c = np.concatenate(rows), np.concatenate(cols)
    vals = rng.lognormal(0.0, 1.5, r.size)
    vals[r // n_sectors == c // n_sectors] *= 20.0  # domestic flows dominate
    a_mat = sp.csr_array((vals, (r, c)), shape=(n, n))
    a_mat.sum_duplicates()
    colsum = np.asarray(a_mat.sum(axis=0)).reshape(-1)
    target = rng.uniform(0.3, 0.6, n)
    a_mat = a_mat @ sp.diags_array(np.where(colsum > 0, target / np.maximum(colsum, 1e-300), 0))
    home = np.arange(n) // n_sectors
    y_rows = np.concatenate([np.arange(n), np.arange(n)])
    y_cols = np.concatenate([home, rng.integers(0, n_regions, n)])
    y_vals = np.concatenate([rng.lognormal(3.0, 1.0, n), rng.lognormal(1.0, 1.0, n)])
    y_mat = sp.csr_array((y_vals, (y_rows, y_cols)), shape=(n, n_regions))
    y_tot = np.asarray(y_mat.sum(axis=1)).reshape(-1)
    x = y_tot.copy()
    for _ in range(200):  # x = y + A x (spectral radius <= 0.6)
        x = y_tot + a_mat @ x
    z_mat = sp.csr_array(a_mat @ sp.diags_array(x))
    x = np.asarray(z_mat.sum(axis=1)).reshape(-1) + y_tot
    regions = tuple(f"R{k:02d}" for k in range(n_regions))
    sectors = tuple(f"S{k:03d}" for k in range(n_sectors))
    table = SparseMRIO(regions, sectors, ("final demand",), z_mat, y_mat, x)
    hit = [
        (regions[k], sectors[j])
        for k in range(min(3, n_regions))
        for j in range(0, min(20, n_sectors), 2)
    ]
    return table, hit


def shock_for(hit: list[tuple[str, str]]) -> CapitalShock:
    return CapitalShock(occurrence=10, duration=10, recovery_tau=120, share=dict.fromkeys(hit, 0.6))


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def work_ours(args: argparse.Namespace) -> dict[str, float]:
    table, hit = synthetic_mrio(args.regions, args.sectors // args.regions, args.density, 1)
    start = time.perf_counter()
    res = ario_simulate(table, steps=args.steps, shocks=[shock_for(hit)])
    wall = time.perf_counter() - start
    prod = res.records["production_realised"]
    return {
        "seconds": wall,
        "year_seconds": wall * YEAR / args.steps,
        "peak_mib": peak_mib(),
        "nnz": float(sp.csr_array(table.Z).nnz),
        "hit": float(len(hit)),
        "min_output_ratio": float((prod.sum(axis=1) / prod[0].sum()).min()),
    }


def work_boario(args: argparse.Namespace) -> dict[str, float]:
    import logging
    import types

    import pandas as pd
    import pymrio

    sys.modules.setdefault("progressbar", types.ModuleType("progressbar"))  # see the tests
    from boario.event import EventKapitalRecover
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    logging.getLogger("boario").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    table, hit = synthetic_mrio(args.regions, args.sectors // args.regions, args.density, 1)
    start = time.perf_counter()
    ind = pd.MultiIndex.from_product([table.regions, table.sectors], names=["region", "sector"])
    fd = pd.MultiIndex.from_product([table.regions, table.categories], names=["region", "category"])
    io = pymrio.IOSystem()
    io.Z = pd.DataFrame(sp.csr_array(table.Z).toarray(), index=ind, columns=ind)
    io.Y = pd.DataFrame(sp.csr_array(table.Y).toarray(), index=ind, columns=fd)
    io.x = pd.DataFrame({"indout": table.x}, index=ind)
    io.A = pymrio.calc_A(io.Z, io.x)
    model = ARIOPsiModel(io)
    sim = Simulation(model, n_temporal_units_to_sim=YEAR)
    capital = pd.Series(model.productive_capital, index=model.industries)
    sim.add_events(
        [
            EventKapitalRecover._from_series(
                impact=capital.loc[hit] * 0.6,
                occurrence=10,
                duration=10,
                recovery_tau=120,
                event_monetary_factor=model.monetary_factor,
            )
        ]
    )
    setup = time.perf_counter() - start
    step_s = []
    for _ in range(args.boario_steps):
        t0 = time.perf_counter()
        sim.next_step()
        step_s.append(time.perf_counter() - t0)
    return {
        "seconds": setup + sum(step_s),
        "year_seconds": setup + YEAR * float(np.median(step_s)),
        "setup_seconds": setup,
        "step_seconds": float(np.median(step_s)),
        "peak_mib": peak_mib(),
        "steps_run": float(args.boario_steps),
    }


def run_worker(which: str, args: argparse.Namespace) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--worker", which]
    for name in ("sectors", "regions", "density", "steps", "boario_steps"):
        cmd += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{which} worker failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench(args: argparse.Namespace) -> None:
    ours = [run_worker("ours", args) for _ in range(args.repeat)]
    theirs = [run_worker("boario", args) for _ in range(args.boario_repeat)]
    o_year = float(np.median([r["year_seconds"] for r in ours]))
    b_year = float(np.median([r["year_seconds"] for r in theirs]))
    o_mem = float(np.median([r["peak_mib"] for r in ours]))
    b_mem = float(np.median([r["peak_mib"] for r in theirs]))
    n = args.regions * (args.sectors // args.regions)
    nnz = ours[0]["nnz"]
    print(
        f"{args.regions} regions x {args.sectors // args.regions} sectors = {n} region-sectors, "
        f"{nnz:.0f} nonzero flows ({100 * nnz / n**2:.2f} % dense); shock: 60 % of capital "
        f"of {ours[0]['hit']:.0f} industries; lowest total output "
        f"{100 * ours[0]['min_output_ratio']:.1f} % of initial"
    )
    b0 = theirs[0]
    extrap = b0["steps_run"] < YEAR
    how = (
        f"extrapolated: setup {b0['setup_seconds']:.1f} s + 365 x median step "
        f"{b0['step_seconds']:.2f} s (ran {b0['steps_run']:.0f} steps)"
        if extrap
        else "measured"
    )
    print(f"ours: {args.steps} steps timed, median of {args.repeat}; BoARIO: {how}")
    print(f"{'':24}{'ours':>12}{'BoARIO':>14}{'ratio':>10}")
    print(f"{'year (365 steps), s':24}{o_year:>12.2f}{b_year:>14.2f}{b_year / o_year:>9.1f}x")
    print(f"{'peak memory, MiB':24}{o_mem:>12.0f}{b_mem:>14.0f}{b_mem / o_mem:>9.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sectors", type=int, default=9800, help="region-sectors in all")
    parser.add_argument("--regions", type=int, default=49)
    parser.add_argument("--density", type=float, default=0.03)
    parser.add_argument("--steps", type=int, default=YEAR, help="steps timed for ours")
    parser.add_argument("--boario-steps", type=int, default=5, help="steps timed for BoARIO")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--boario-repeat", type=int, default=1)
    parser.add_argument("--worker", choices=["ours", "boario"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "ours":
        print(json.dumps(work_ours(args)))
    elif args.worker == "boario":
        print(json.dumps(work_boario(args)))
    else:
        bench(args)


if __name__ == "__main__":
    main()
