"""gosplan benchmark suite: time and peak memory against baselines measured in the same run.

Every case runs in a fresh Python subprocess. The child builds its inputs (not timed), resets
its peak-RSS counter (``/proc/self/clear_refs``), runs the timed work and reports its wall time
and its peak resident memory during that work (``VmHWM``; inputs held in memory count). The
parent also records the child's whole-life peak (``ru_maxrss`` from ``os.wait4``).

Usage::

    python benchmarks/bench.py                 # default suite (< 15 min on 2 cores)
    python benchmarks/bench.py --quick         # small sizes, one repeat (about a minute)
    python benchmarks/bench.py --only balance  # dense, sparse (or: plan)
    python benchmarks/bench.py --huge          # add the 10^7-product sparse economy
    python benchmarks/bench.py --dense-n 5000 --sizes 100000 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve()
SEED = 20240601
LINOPY_LIMIT = 14 * 2**30  # bytes the linopy baseline may use on this 24 GiB machine
PLAN_TIME_LIMIT = 540.0  # seconds HiGHS may take on one benchmark plan


# ============================================================================ child side
def _rss_peak_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    import gc

    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:  # not Linux: the whole-life peak is all we get
        pass


def _dense_table(n: int) -> tuple[Any, Any, Any, Any]:
    """A dense Hawkins-Simon table (Z, x, y, labour totals) as labelled pandas objects."""
    import pandas as pd

    rng = np.random.default_rng(SEED)
    A = rng.random((n, n))
    A *= rng.uniform(0.2, 0.6, n) / A.sum(axis=0)  # column sums 0.2..0.6 < 1
    x = rng.uniform(500.0, 1000.0, n)
    A *= x  # now Z = A diag(x), in place
    y = x - A.sum(axis=1)
    if np.any(y <= 0):
        raise RuntimeError("the generated table has non-positive final demand")
    labels = pd.Index([f"s{i:05d}" for i in range(n)])
    Z = pd.DataFrame(A, index=labels, columns=labels, copy=False)
    labour = pd.Series(rng.uniform(0.05, 0.5, n) * x, index=labels)
    return Z, pd.Series(x, index=labels), pd.Series(y, index=labels), labour


def case_dense_gosplan(n: int, out: Path, *, copy: bool = True) -> dict[str, Any]:
    """Economy API: coefficients from flows, gross output, labour values, output multipliers.

    ``copy=False`` (the ``dense-gosplan-inplace`` row): the coefficients overwrite the flows
    in the table's own array, which the economy and its solver then use as they are.
    """
    from gosplan.core.economy import Economy

    Z, x_in, y, labour = _dense_table(n)
    _reset_peak()
    t0 = time.perf_counter()
    eco = Economy.from_flows(Z, x_in, labour=labour, copy=copy)
    x = eco.gross_output(y)
    v = eco.labour_values()
    m = eco.multipliers("output")
    seconds = time.perf_counter() - t0
    np.save(out / "x.npy", x.to_numpy())
    np.save(out / "v.npy", v.iloc[:, 0].to_numpy())
    np.save(out / "m.npy", m.to_numpy())
    return {"seconds": seconds, "nnz": eco.n_coefficients, "method": x.attrs["method"]}


def case_dense_gosplan_inplace(n: int, out: Path) -> dict[str, Any]:
    """:func:`case_dense_gosplan` with ``from_flows(copy=False)``: no copy of the table."""
    return case_dense_gosplan(n, out, copy=False)


def case_dense_solver(n: int, out: Path) -> dict[str, Any]:
    """Array API: A = Z / x, one LeontiefSolver, three solves (x, labour values, multipliers)."""
    from gosplan.balance.solvers import LeontiefSolver

    Z, x_in, y, labour = _dense_table(n)
    _reset_peak()
    t0 = time.perf_counter()
    xv = x_in.to_numpy()
    A = Z.to_numpy() / xv
    solver = LeontiefSolver(A)
    x = solver.solve(y.to_numpy())
    v = solver.solve(labour.to_numpy() / xv, transpose=True)
    m = solver.solve(np.ones(n), transpose=True)
    seconds = time.perf_counter() - t0
    np.save(out / "x.npy", x.x)
    np.save(out / "v.npy", v.x)
    np.save(out / "m.npy", m.x)
    return {"seconds": seconds, "nnz": n * n, "method": solver.method}


def case_dense_pymrio(n: int, out: Path) -> dict[str, Any]:
    """pymrio: IOSystem(Z, Y, labour extension) and calc_all (A, L, x, multipliers)."""
    import pandas as pd
    import pymrio

    Z, _x, y, labour = _dense_table(n)
    idx = pd.MultiIndex.from_arrays([["r"] * n, Z.index], names=["region", "sector"])
    Z.index = idx
    Z.columns = idx
    Y = pd.DataFrame(
        {("r", "final demand"): y.to_numpy()},
        index=idx,
    )
    Y.columns = pd.MultiIndex.from_tuples(Y.columns, names=["region", "category"])
    F = pd.DataFrame([labour.to_numpy()], index=pd.Index(["labour"], name="stressor"), columns=idx)
    del y, labour
    _reset_peak()
    t0 = time.perf_counter()
    io = pymrio.IOSystem(Z=Z, Y=Y, labour={"name": "labour", "F": F})
    io.calc_all()
    seconds = time.perf_counter() - t0
    np.save(out / "x.npy", io.x.to_numpy().ravel())
    np.save(out / "v.npy", io.labour.M.to_numpy().ravel())
    np.save(out / "m.npy", io.L.to_numpy().sum(axis=0))
    return {"seconds": seconds, "nnz": n * n, "method": "calc_all"}


#: Mean direct inputs per product of the generated economies (``--child``'s fifth argument).
INPUTS = {"k": 4.0}


#: Generator settings of the second family of economies (``plan-growth-b``): another seed,
#: a core four times the default, more inputs, a larger spectral radius (longer chains of
#: indirect use) and some cycles through the periphery.
FAMILY_B = {
    "seed": SEED + 7,
    "inputs_per_product": 6.0,
    "target_radius": 0.8,
    "periphery_cycles": 0.05,
}


def _sparse_inputs(n: int, family: str = "a") -> tuple[Any, Any]:
    from gosplan.generate import generate_economy, generate_final_demand

    t0 = time.perf_counter()
    if family == "b":
        core = 4 * max(2, round(n**0.5))
        eco = generate_economy(n, core_size=core, **FAMILY_B)  # type: ignore[arg-type]
    else:
        eco = generate_economy(n, seed=SEED, inputs_per_product=INPUTS["k"])
    y = generate_final_demand(eco, seed=SEED)
    return eco, y, time.perf_counter() - t0  # type: ignore[return-value]


def case_sparse_gosplan(n: int, out: Path) -> dict[str, Any]:
    """Economy API on a generated economy: gross output and labour values."""
    import gosplan.balance.solvers  # noqa: F401  (module imports, numba's among them: not the work)

    eco, y, gen = _sparse_inputs(n)  # type: ignore[misc]
    _reset_peak()
    t0 = time.perf_counter()
    x = eco.gross_output(y)
    v = eco.labour_values()
    seconds = time.perf_counter() - t0
    np.save(out / "x.npy", x.to_numpy())
    np.save(out / "v.npy", v.iloc[:, 0].to_numpy())
    detail = f"{x.attrs['method']}, residual {max(x.attrs['residual'], v.attrs['residual']):.0e}"
    return {"seconds": seconds, "nnz": int(eco.technology.nnz), "method": detail, "gen": gen}


def case_sparse_spsolve(n: int, out: Path) -> dict[str, Any]:
    """Naive baseline: scipy.sparse.linalg.spsolve on I - A and on its transpose."""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    eco, y, gen = _sparse_inputs(n)  # type: ignore[misc]
    A = eco.technology
    lab = eco.labour.toarray().ravel()
    yv = y.to_numpy()
    del eco, y
    _reset_peak()
    t0 = time.perf_counter()
    M = sp.csc_matrix(sp.identity(n, format="csc") - A)
    x = spla.spsolve(M, yv)
    v = spla.spsolve(sp.csc_matrix(M.T), lab)
    seconds = time.perf_counter() - t0
    np.save(out / "x.npy", x)
    np.save(out / "v.npy", v)
    return {"seconds": seconds, "nnz": int(A.nnz), "method": "spsolve", "gen": gen}


def _plan_spec(
    n: int,
    periods: int,
    *,
    growth: bool = False,
    family: str = "a",
    objective: str = "max_level",
) -> Any:
    """A bench plan: consumer-goods assortment, labour and capacity limits, investment.

    The assortment applies every year (the level is then held down by the first year's
    capacities: the static Leontief plan is optimal), or with ``growth`` in the last year
    only (investment lifts the level: the static plan is only a start). ``family`` ``"b"``:
    the second generator family (:data:`FAMILY_B`). ``objective="max_consumption"``: the
    same economy and limits, consumption valued at labour values each year, and capacity at
    the end at least the initial (a terminal requirement: nothing run down).
    """
    import pandas as pd

    from gosplan.balance.solvers import LeontiefSolver
    from gosplan.core.economy import CONSUMER_GOODS
    from gosplan.core.spec import PlanSpec

    eco, y, _gen = _sparse_inputs(n, family)  # type: ignore[misc]
    rng = np.random.default_rng(SEED + 1)
    x0 = LeontiefSolver(eco.technology).solve(y.to_numpy()).x
    labour0 = float(eco.labour.toarray().ravel() @ x0)
    years = list(range(2000, 2000 + periods))
    labels = eco.product_labels
    consumer = (eco.products["group"] == CONSUMER_GOODS).to_numpy()
    assortment = pd.DataFrame(
        {"product": labels[consumer].astype(str), "weight": y.to_numpy()[consumer]}
    )
    labour_available = pd.DataFrame(
        {
            "labour_type": ["labour"] * periods,
            "period": np.array(years, dtype=np.int64),
            "available": labour0 * 1.05 ** np.arange(1, periods + 1),
        }
    )
    vintages = pd.DataFrame(
        {
            "activity": labels.astype(str),
            "year_built": np.full(n, years[0] - 1, dtype=np.int64),
            "capacity": x0 * rng.uniform(1.0, 1.3, n),
        }
    )
    stored = np.sort(rng.choice(n, size=n // 4, replace=False))  # a quarter can be stored
    storage = pd.DataFrame(
        {
            "product": labels[stored].astype(str),
            "loss": np.full(len(stored), 0.02),
            "max_stock": 0.25 * x0[stored],
        }
    )
    if growth:
        assortment["period"] = years[-1]
    if objective == "max_consumption":  # no assortment: consumption valued, a terminal floor
        goal: dict[str, Any] = {"objective": objective, "terminal_growth": 1.0}
    else:
        goal = {"objective": "max_level", "assortment": assortment}
    return PlanSpec(
        economy=eco,
        periods=tuple(years),
        labour_available=labour_available,
        vintages=vintages,
        storage=storage,
        name=f"bench-{family}-{objective}-{n}-{periods}",
        **goal,
    ).validated()


def case_plan_gosplan(
    n: int,
    periods: int,
    out: Path,
    *,
    growth: bool = False,
    crash: bool = True,
    family: str = "a",
    objective: str = "max_level",
) -> dict[str, Any]:
    """optimise(): build the LP (blocks, scipy.sparse), solve with HiGHS, label, verify."""
    from gosplan.plan.optimise import optimise

    spec = _plan_spec(n, periods, growth=growth, family=family, objective=objective)
    _reset_peak()
    t0 = time.perf_counter()
    result = optimise(spec, crash_basis=crash, time_limit=PLAN_TIME_LIMIT)
    seconds = time.perf_counter() - t0
    prov = result.provenance
    passed = getattr(result.verification, "passed", None)
    return {
        "seconds": seconds,
        "build": prov["build_seconds"],
        "solve": prov["solve_seconds"],
        "nnz": prov["nnz"],
        "method": f"{result.status}, {prov['method']}, {prov['iterations']} it., "
        f"{'crash' if prov['start'].startswith('Leontief') else 'slack'} start, "
        f"verified={passed}",
        "level": float(result.level) if result.level is not None else None,
    }


def case_plan_linopy(n: int, periods: int, out: Path) -> dict[str, Any]:
    """The balance, capacity, labour and assortment blocks built through linopy (no solve)."""
    import linopy
    import pandas as pd
    import scipy.sparse as sp
    import xarray as xr

    spec = _plan_spec(n, periods)
    eco = spec.economy
    T = periods
    ones = np.ones(n)
    _reset_peak()
    t0 = time.perf_counter()
    # inputs of each product in padded (product, k) form: the idiomatic xarray layout
    A = sp.csc_array(eco.technology)
    M = sp.csr_array(sp.identity(n, format="csr") - A)  # balance row i: sum_j M_ij x_j
    B = sp.csr_array(eco.capital)
    lab = eco.labour.toarray().ravel()
    cap0 = spec.vintages["capacity"].to_numpy(float)
    avail = spec.labour_available["available"].to_numpy(float)
    w = np.zeros(n)
    w[eco.product_labels.get_indexer(spec.assortment["product"])] = spec.assortment["weight"]

    def padded(S: sp.csr_array) -> tuple[xr.DataArray, xr.DataArray]:
        counts = np.diff(S.indptr)
        k = int(counts.max())
        cols = np.zeros((n, k), dtype=np.int64)
        vals = np.zeros((n, k))
        pos = np.arange(S.nnz) - np.repeat(S.indptr[:-1], counts)
        row = np.repeat(np.arange(n), counts)
        cols[row, pos] = S.indices
        vals[row, pos] = S.data
        return xr.DataArray(cols, dims=("i", "_k")), xr.DataArray(vals, dims=("i", "_k"))

    def times(var: Any, S: sp.csr_array) -> Any:
        """``S @ var`` over the product dimension, per period."""
        cols, vals = padded(S)
        expr = (var.isel(product=cols) * vals).sum("_k")
        return expr.rename(i="product").assign_coords(product=p_idx)

    kmax = int(max(np.diff(M.indptr).max(), np.diff(B.indptr).max()))
    need = 4 * T * n * kmax * 16  # linopy pads every row's terms to the longest row
    if need > LINOPY_LIMIT:
        raise MemoryError(
            f"does not fit: linopy pads each balance row to the longest ({kmax} terms), "
            f"about {need / 2**30:.0f} GiB"
        )
    m = linopy.Model()
    t_idx = pd.RangeIndex(T, name="period")
    p_idx = pd.RangeIndex(n, name="product")
    x = m.add_variables(lower=0, coords=[t_idx, p_idx], name="x")
    c = m.add_variables(lower=0, coords=[t_idx, p_idx], name="c")
    level = m.add_variables(lower=0, name="level")
    inv = m.add_variables(lower=0, coords=[t_idx, p_idx], name="inv") if T > 1 else None
    lhs = times(x, M) - c
    if inv is not None:
        lhs = lhs - times(inv, B)
    m.add_constraints(lhs == 0, name="balance")
    m.add_constraints(c - level * xr.DataArray(w, coords=[p_idx]) >= 0, name="assortment")
    lab_da = xr.DataArray(lab, coords=[p_idx])
    m.add_constraints(
        (x * lab_da).sum("product") <= xr.DataArray(avail, coords=[t_idx]), name="labour"
    )
    cap_lhs = x - (inv.cumsum("period") - inv if inv is not None else 0 * x)
    m.add_constraints(cap_lhs <= xr.DataArray(cap0 * ones, coords=[p_idx]), name="capacity")
    m.add_objective(1.0 * level, sense="max")
    build = time.perf_counter() - t0
    h = linopy.io.to_highspy(m)
    seconds = time.perf_counter() - t0
    nnz = int(h.getLp().a_matrix_.value_.__len__())
    return {
        "seconds": seconds,
        "build": build,
        "solve": float("nan"),
        "nnz": nnz,
        "method": f"linopy build {build:.1f} s + to_highspy {seconds - build:.1f} s",
    }


CASES = {
    "dense-gosplan": case_dense_gosplan,
    "dense-gosplan-inplace": case_dense_gosplan_inplace,
    "dense-solver": case_dense_solver,
    "dense-pymrio": case_dense_pymrio,
    "sparse-gosplan": case_sparse_gosplan,
    "sparse-spsolve": case_sparse_spsolve,
    "plan-gosplan": case_plan_gosplan,
    "plan-slack": lambda n, t, out: case_plan_gosplan(n, t, out, crash=False),
    "plan-growth": lambda n, t, out: case_plan_gosplan(n, t, out, growth=True),
    "plan-growth-slack": lambda n, t, out: case_plan_gosplan(n, t, out, growth=True, crash=False),
    "plan-growth-b": lambda n, t, out: case_plan_gosplan(n, t, out, growth=True, family="b"),
    "plan-consumption": lambda n, t, out: case_plan_gosplan(n, t, out, objective="max_consumption"),
    "plan-linopy": case_plan_linopy,
}


def child_main(name: str, size: int, periods: int, out: Path, inputs: float) -> None:
    INPUTS["k"] = inputs
    fn = CASES[name]
    res = fn(size, periods, out) if name.startswith("plan") else fn(size, out)
    res["peak_kib"] = _rss_peak_kib()
    print("RESULT " + json.dumps(res), flush=True)


# ============================================================================ parent side
@dataclass
class Row:
    group: str
    case: str
    size: int
    periods: int = 1
    inputs: float = 4.0  # mean direct inputs per product of a generated economy
    repeats: int = 1
    baseline: str | None = None  # case name of the baseline row
    timeout: float = 600.0
    seconds: list[float] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    peak_kib: int = 0
    life_kib: int = 0
    error: str = ""
    outdir: Path | None = None

    @property
    def key(self) -> tuple[str, int, int, float]:
        return (self.case, self.size, self.periods, self.inputs)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def run_child(row: Row, workdir: Path) -> None:
    """Run one repetition of a case in a fresh interpreter; keep time and peak memory."""
    out = workdir / f"{row.case}-{row.size}-{row.periods}-{row.inputs:g}"
    out.mkdir(parents=True, exist_ok=True)
    row.outdir = out
    cmd = [
        sys.executable,
        str(HERE),
        "--child",
        row.case,
        str(row.size),
        str(row.periods),
        str(out),
        str(row.inputs),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    stdout = stderr = ""
    try:
        stdout, stderr = proc.communicate(timeout=row.timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        row.error = f"timeout after {row.timeout:.0f} s"
    row.life_kib = max(row.life_kib, _children_maxrss())
    if row.error:
        return
    if proc.returncode != 0:
        tail = (stderr or stdout).strip().splitlines()[-1:] or ["?"]
        msg = tail[0][:160]
        row.error = msg.split(": ", 1)[1] if msg.startswith("MemoryError") else f"failed: {msg}"
        return
    line = [ln for ln in stdout.splitlines() if ln.startswith("RESULT ")][-1]
    res = json.loads(line[len("RESULT ") :])
    res["wall"] = time.monotonic() - t0
    row.results.append(res)
    row.seconds.append(res["seconds"])
    row.peak_kib = max(row.peak_kib, res["peak_kib"])


def _children_maxrss() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def _gib(kib: int) -> str:
    return f"{kib / 2**20:.2f} GiB" if kib >= 2**19 else f"{kib / 1024:.0f} MiB"


def _secs(s: float) -> str:
    if s != s:
        return "-"
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def check_agreement(row: Row, base: Row) -> str:
    """Largest relative difference of gross output (and labour values) between two rows."""
    if row.outdir is None or base.outdir is None or row.error or base.error:
        return "-"
    diffs = []
    for name in ("x", "v"):
        a, b = row.outdir / f"{name}.npy", base.outdir / f"{name}.npy"
        if a.exists() and b.exists():
            va, vb = np.load(a), np.load(b)
            diffs.append(float(np.max(np.abs(va - vb) / np.maximum(np.abs(vb), 1e-300))))
    return f"{max(diffs):.1e}" if diffs else "-"


def build_rows(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    only = args.only
    quick = args.quick
    reps = 1 if quick else 3
    if only in (None, "balance", "dense"):
        n = args.dense_n or (2000 if quick else 10_000)
        r = reps  # gosplan's dense rows take seconds: a median of 3 even at 10^4
        rows.append(Row("dense", "dense-pymrio", n, repeats=1, timeout=args.timeout))
        rows.append(Row("dense", "dense-gosplan", n, repeats=r, baseline="dense-pymrio"))
        rows.append(Row("dense", "dense-gosplan-inplace", n, repeats=r, baseline="dense-pymrio"))
        rows.append(Row("dense", "dense-solver", n, repeats=r, baseline="dense-pymrio"))
    if only in (None, "balance", "sparse"):
        sizes = args.sizes or ([100_000] if quick else [100_000, 1_000_000])
        cases = [(n, 4.0) for n in sizes]
        if not quick and args.sizes is None:
            cases.append((1_000_000, 10.0))  # the goal's size: 10^6 products, ~10^7 nonzeros
        if args.huge:
            cases.append((10_000_000, 10.0))  # the goal's size: 10^7 products, ~10^8 nonzeros
        for n, k in cases:
            r = 1 if n >= 10_000_000 else reps
            if n < 10_000_000:  # SuperLU does not finish 10^6 in 150 s: no baseline above it
                rows.append(
                    Row("sparse", "sparse-spsolve", n, inputs=k, repeats=1, timeout=args.timeout)
                )
            rows.append(
                Row("sparse", "sparse-gosplan", n, inputs=k, repeats=r, baseline="sparse-spsolve")
            )
    if only in (None, "plan"):
        plans = [(10_000, 1), (10_000, 5)] if quick else [(100_000, 1), (10_000, 5), (100_000, 5)]
        if args.plan_big and not quick:
            plans.insert(1, (1_000_000, 1))
        for n, t in plans:
            rows.append(Row("plan", "plan-linopy", n, t, repeats=1, timeout=args.timeout))
            rows.append(
                Row("plan", "plan-gosplan", n, t, repeats=1, baseline="plan-linopy", timeout=600)
            )
        # the same plans from a slack basis, and plans whose level needs investment (at 10^5
        # only from the crash basis: from a slack basis the 10^5 x 5 plans take far longer)
        extra = [("plan-slack", 10_000), ("plan-growth", 10_000), ("plan-growth-slack", 10_000)]
        # the second generator family, and max_consumption with a terminal requirement
        extra += [("plan-growth-b", 10_000), ("plan-consumption", 2_000)]
        if not quick:
            extra += [("plan-growth", 100_000), ("plan-consumption", 10_000)]
        for case, n in extra:
            rows.append(Row("plan", case, n, 5, repeats=1, baseline="plan-linopy", timeout=600))
    return rows


def render(rows: list[Row], by_key: dict[tuple[str, int, int], Row]) -> list[list[str]]:
    table = []
    for row in rows:
        if row.baseline is None:
            continue
        base = by_key.get((row.baseline, row.size, row.periods, row.inputs))
        size = f"{row.size:,}" + (f" x {row.periods}" if row.group == "plan" else "")
        if row.group == "sparse":
            size += f" (k={row.inputs:g})"
        res = row.results[-1] if row.results else {}
        bres = base.results[-1] if base and base.results else {}
        if row.group == "plan":
            t = (
                f"{_secs(row.median)} (build {_secs(res.get('build', float('nan')))}, "
                f"solve {_secs(res.get('solve', float('nan')))})"
                if res
                else row.error
            )
            bt = f"{_secs(bres['build'])} build" if bres else (base.error if base else "-")
            ratio = bres["build"] / res["build"] if res and bres else float("nan")
        else:
            t = _secs(row.median) if res else row.error
            bt = _secs(base.median) if bres else (base.error if base else "-")
            ratio = base.median / row.median if res and bres else float("nan")
        mem = _gib(row.peak_kib) if res else "-"
        bmem = _gib(base.peak_kib) if bres else "-"
        mratio = f"{row.peak_kib / base.peak_kib:.2f}" if res and bres else "-"
        table.append(
            [
                row.case,
                size,
                f"{res.get('nnz', 0):,}" if res else "-",
                t,
                mem,
                base.case if base else "-",
                bt,
                bmem,
                f"{ratio:.1f}x" if ratio == ratio else "-",
                mratio,
                check_agreement(row, base) if base and row.group != "plan" else "-",
                str(res.get("method", "")),
                _secs(res["gen"]) if "gen" in res else "-",
            ]
        )
    return table


HEADERS = [
    "case",
    "size",
    "nnz",
    "time (median)",
    "peak mem",
    "baseline",
    "baseline time",
    "baseline mem",
    "speed-up",
    "mem ratio",
    "max rel diff",
    "method",
    "generation",
]


def print_table(table: list[list[str]], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title)
    for h in HEADERS:
        t.add_column(h, overflow="fold")
    for r in table:
        t.add_row(*r)
    Console(width=250).print(t)


def markdown(table: list[list[str]]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(r) + " |" for r in table]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--child", nargs=5, metavar=("CASE", "SIZE", "PERIODS", "OUT", "INPUTS"), help="internal"
    )
    p.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    p.add_argument("--only", choices=["balance", "dense", "sparse", "plan"])
    p.add_argument("--sizes", type=int, nargs="+", help="sparse economy sizes")
    p.add_argument("--dense-n", type=int, help="size of the dense table (default 10000)")
    p.add_argument("--huge", action="store_true", help="add the 10^7-product economy")
    p.add_argument("--plan-big", action="store_true", help="add the 10^6-product one-period plan")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per baseline run")
    p.add_argument("--json", type=Path, help="write raw results here")
    p.add_argument("--markdown", type=Path, help="write the table as Markdown here")
    args = p.parse_args(argv)
    if args.child:
        name, size, periods, out, inputs = args.child
        child_main(name, int(size), int(periods), Path(out), float(inputs))
        return 0

    rows = build_rows(args)
    by_key = {r.key: r for r in rows}
    started = time.strftime("%Y-%m-%d %H:%M")
    with tempfile.TemporaryDirectory(prefix="gosplan-bench-") as tmp:
        for row in rows:
            for _ in range(row.repeats):
                run_child(row, Path(tmp))
                if row.error:
                    break
            status = row.error or f"{_secs(row.median)}, {_gib(row.peak_kib)}"
            print(
                f"  {row.case:15s} {row.size:>10,} x {row.periods} (k={row.inputs:g}): {status}",
                file=sys.stderr,
            )
        table = render(rows, by_key)
    print_table(table, f"gosplan benchmark ({started}, {os.cpu_count()} CPUs)")
    if args.markdown:
        args.markdown.write_text(markdown(table) + "\n")
    if args.json:
        raw = [
            {
                "case": r.case,
                "size": r.size,
                "periods": r.periods,
                "seconds": r.seconds,
                "peak_kib": r.peak_kib,
                "error": r.error,
                "results": r.results,
            }
            for r in rows
        ]
        args.json.write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
