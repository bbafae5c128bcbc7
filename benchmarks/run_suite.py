"""Running the plan: one table of gosplan.run against baselines measured in the same run.

Every case (gosplan or baseline) runs in a fresh Python subprocess. The child builds its
inputs (not timed; the inputs of the four scripts ``run_bench.py``, ``run_counter_bench.py``,
``run_fulfilment_bench.py`` and ``run_alerts_bench.py``, imported from them), then times its
work ``--repeats`` times (baselines ``--baseline-repeats`` times), resetting the peak-RSS
counter before each (``/proc/self/clear_refs``) and reading it after (``VmHWM``: the inputs
held count). The parent kills a timed run that takes longer than ``--timeout`` seconds and
reports ``> T s``; inputs may take up to ``--setup-timeout``. Each child's address space is
capped at ``--mem-limit`` GiB, so that a baseline that does not fit fails alone.

Cases (goal at the issue's size) and baselines:

* ``control figures``: :func:`gosplan.run.control.control_figures` of a 5-period Leontief
  plan, one enterprise per activity (goal 10 s at 10^6 enterprises), by capacity and by
  least labour. Baseline (capacity rule): plain pandas, the plan's levels merged onto the
  enterprises, the capacity share by ``groupby().transform("sum")``, labour and supply
  orders by exploding the labour and technology columns with a merge.
* ``counter-plan, one`` / ``counter-plan, batch``: :func:`check_counter_plan` of one
  counter-plan and of a batch in ``commit`` mode (goals 1 s and 30 s at 10^6 products; the
  economy's solver warmed by one untimed check, as ``run_counter_bench.py`` does).
  Baseline: ``scipy.sparse.linalg.spsolve`` of ``(I - A) x = d`` on the whole economy for
  each counter-plan, then the accepted share against the capacity and labour slack
  (reserved in commit order).
* ``fulfilment``: :func:`gosplan.run.fulfilment.fulfilment` of ``n`` enterprise-month
  reports (goal 10 s at 10^7). Baseline: pandas merges of reports, figures, labour and
  supply figures, ``groupby().cumsum()`` for the cumulative sums, the causes by ratios, and
  the trust and commissariat aggregates by ``groupby().sum()``.
* ``alerts``: one reporting period of :meth:`AlertState.update` over ``n`` series (goal 2 s
  at 10^6). Baseline: the plain per-series recursion of ``tests/run/test_alerts.py`` (the
  detector alone, no alert bookkeeping) on 1,000 series, scaled linearly to ``n``.

``check`` compares the answers of the two in the same run: the largest relative difference
of the control figures' levels and of the labour and supply totals; of the accepted shares;
of the fulfilment shares, cumulative shares and trust aggregates (and the share of rows whose
cause differs); of the detector's probability on the 1,000 series.

Usage::

    python benchmarks/run_suite.py              # the issue's sizes (about 7 minutes)
    python benchmarks/run_suite.py --quick      # a tenth of each size (about 2 minutes)
    python benchmarks/run_suite.py --control 200000 --counter 100000 --batch 100 \\
        --fulfilment 1000000 --alerts 100000 --only control counter-one
    python benchmarks/run_suite.py --quick --markdown out.md --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import queue
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))  # the four scripts and bench.py, imported by the children

from bench import _reset_peak, _rss_peak_kib  # noqa: E402

#: The issue's sizes, and --quick's (a tenth of each).
FULL = {"control": 1_000_000, "counter": 1_000_000, "fulfilment": 10_000_000, "alerts": 1_000_000}
QUICK = {k: v // 10 for k, v in FULL.items()}
BATCH = 1000
ALERT_BASE_SERIES = 1000  # series the per-series baseline runs, scaled to the case's count
ALERT_WARM = 3  # untimed updates before the timed ones (the detector needs min_history)


# ============================================================================ child: cases
# Each builder takes (size, batch, out) and returns (work, finish): ``work()`` is timed,
# ``finish(last result)`` saves what the check compares and returns extra figures.
Builder = Callable[[int, int, Path], tuple[Callable[[], Any], Callable[[Any], dict[str, Any]]]]


def _emit(kind: str, payload: Any = None) -> None:
    print(kind + ("" if payload is None else " " + json.dumps(payload)), flush=True)


def _control_inputs(n: int) -> tuple[Any, Any, Any]:
    from run_bench import leontief_plan

    result, spec, enterprises, _times = leontief_plan(n)
    return result, spec, enterprises


def _control_gosplan(rule: str) -> Builder:
    def build(n: int, _batch: int, out: Path) -> Any:
        from gosplan.run.control import control_figures

        result, spec, enterprises = _control_inputs(n)
        periods = list(result.periods)

        def work() -> Any:
            return control_figures(result, spec, enterprises, rule=rule)

        def finish(cf: Any) -> dict[str, Any]:
            np.save(out / "level.npy", cf.figures["level"].to_numpy())
            for name in ("labour", "supply"):
                part = getattr(cf, name)
                tot = part.groupby("period")["quantity"].sum().reindex(periods).to_numpy()
                np.save(out / f"{name}.npy", tot)
            return {"rows": len(cf.figures) + len(cf.labour) + len(cf.supply)}

        return work, finish

    return build


def _long(matrix: Any, rows: Any, cols: Any, row_name: str) -> Any:
    """A sparse matrix as a long table (activity, ``row_name``, coef): columns are activities."""
    import pandas as pd
    import scipy.sparse as sp

    m = sp.coo_array(matrix)
    return pd.DataFrame(
        {"activity": cols[m.col], row_name: rows[m.row], "coef": np.asarray(m.data, float)}
    )


def control_pandas(result: Any, spec: Any, enterprises: Any) -> tuple[Any, Any, Any]:
    """Control figures by capacity in plain pandas: merges and a groupby-transform."""
    import pandas as pd

    eco = spec.economy
    acts = np.asarray(eco.activity_labels, dtype=object)
    levels = result.activity_levels.copy()
    levels.index = pd.Index(acts, name="activity")
    levels.columns = list(levels.columns)
    plan = levels.reset_index().melt(id_vars="activity", var_name="period", value_name="plan")
    ent = enterprises.copy()
    ent["share"] = ent["capacity"] / ent.groupby("activity")["capacity"].transform("sum")
    figures = ent.merge(plan, on="activity", how="left")
    figures["level"] = figures["share"] * figures["plan"]
    made = _long(eco.output_matrix, np.asarray(eco.product_labels, dtype=object), acts, "product")
    figures = figures.merge(made, on="activity", how="left")
    figures["output"] = figures["level"] * figures["coef"]
    figures = figures.drop(columns=["coef", "plan"])
    base = figures[["enterprise", "activity", "period", "level", "labour_factor"]]
    lab = _long(eco.labour, np.asarray(eco.labour_types, dtype=object), acts, "labour_type")
    labour = base.merge(lab, on="activity")
    labour["quantity"] = labour["coef"] * labour["labour_factor"] * labour["level"]
    labour = labour[["enterprise", "period", "labour_type", "quantity"]]
    tech = _long(eco.technology, np.asarray(eco.product_labels, dtype=object), acts, "product")
    supply = base.merge(tech, on="activity")
    supply["quantity"] = supply["coef"] * supply["level"]
    supply = supply[["enterprise", "period", "product", "quantity"]]
    return figures, labour, supply


def _control_baseline(n: int, _batch: int, out: Path) -> Any:
    result, spec, enterprises = _control_inputs(n)
    periods = list(result.periods)

    def work() -> Any:
        return control_pandas(result, spec, enterprises)

    def finish(res: Any) -> dict[str, Any]:
        figures, labour, supply = res
        np.save(out / "level.npy", figures["level"].to_numpy())  # enterprise-major, as gosplan
        for name, part in (("labour", labour), ("supply", supply)):
            tot = part.groupby("period")["quantity"].sum().reindex(periods).to_numpy()
            np.save(out / f"{name}.npy", tot)
        return {"rows": len(figures) + len(labour) + len(supply)}

    return work, finish


def _counter_inputs(n: int, batch: int) -> tuple[Any, Any, Any]:
    from run_counter_bench import counter_plans, leontief_plan

    result, spec = leontief_plan(n, 0)
    return result, spec, counter_plans(n, max(batch, 2))


def _counter_gosplan(batched: bool) -> Builder:
    def build(n: int, batch: int, out: Path) -> Any:
        from gosplan.run.counter_plans import check_counter_plan

        result, spec, table = _counter_inputs(n, batch)
        check_counter_plan(result, spec, table.head(1))  # warm the label index and caches
        chosen = table.head(batch) if batched else table.iloc[[1]]
        mode = "commit" if batched else "inquiry"

        def work() -> Any:
            return check_counter_plan(result, spec, chosen, mode=mode)

        def finish(res: Any) -> dict[str, Any]:
            shares = res.summary["accepted_share"].to_numpy(float)
            np.save(out / "share.npy", shares)
            return {"mean_share": float(shares.mean())}

        return work, finish

    return build


def counter_spsolve(result: Any, spec: Any, table: Any, *, progress: bool = False) -> np.ndarray:
    """Accepted shares in commit order: one spsolve of (I - A) x = d per counter-plan."""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    eco = spec.economy
    n = eco.n_products
    M = sp.csc_matrix(sp.identity(n, format="csc") - sp.csc_matrix(eco.technology))
    lab = sp.csr_matrix(eco.labour)
    levels = result.activity_levels.to_numpy(float)[:, 0]
    cap_slack = np.maximum(result.capacity.to_numpy(float)[:, 0] - levels, 0.0)
    avail = spec.labour_available["available"].to_numpy(float)
    lab_slack = np.maximum(avail - result.employment.to_numpy(float)[:, 0], 0.0)
    act_of = np.argsort(np.asarray(eco.activity_product), kind="stable")  # product -> activity
    prod_of = np.asarray(eco.activity_product)
    act_pos = eco.activity_labels.get_indexer(table["activity"].astype(str))
    shares = np.empty(len(table))
    t0 = time.perf_counter()
    for k, (a, q) in enumerate(zip(act_pos, table["extra_output"].to_numpy(float), strict=True)):
        d = np.zeros(n)
        d[prod_of[a]] = q
        x = spla.spsolve(M, d)  # extra gross output of every product
        g_cap = np.zeros(n)
        g_cap[act_of] = x
        g_lab = lab @ x
        need = np.concatenate([g_cap, g_lab])
        free = np.concatenate([cap_slack, lab_slack])
        pos = need > 0
        s = float(np.clip(np.min(free[pos] / need[pos], initial=1.0), 0.0, 1.0))
        shares[k] = s
        cap_slack -= s * g_cap  # commit: the accepted share reserves its slack
        lab_slack -= s * g_lab
        if progress:
            _emit("PROGRESS", {"done": k + 1, "of": len(table), "s": time.perf_counter() - t0})
    return shares


def _counter_baseline(batched: bool) -> Builder:
    def build(n: int, batch: int, out: Path) -> Any:
        result, spec, table = _counter_inputs(n, batch)
        chosen = table.head(batch) if batched else table.iloc[[1]]

        def work() -> Any:
            return counter_spsolve(result, spec, chosen, progress=True)

        def finish(shares: np.ndarray) -> dict[str, Any]:
            np.save(out / "share.npy", shares)
            return {"mean_share": float(shares.mean())}

        return work, finish

    return build


def _fulfilment_gosplan(n: int, _batch: int, out: Path) -> Any:
    from gosplan.core.fulfilment_report import ALL_PRODUCTS
    from gosplan.run.fulfilment import fulfilment
    from run_fulfilment_bench import inputs

    figures, labour, supply, actuals = inputs(n)

    def work() -> Any:
        return fulfilment(figures, actuals, labour=labour, supply=supply)

    def finish(rep: Any) -> dict[str, Any]:
        t = rep.table
        np.save(out / "share.npy", t["share"].to_numpy(float))
        np.save(out / "cum.npy", t["cumulative_share"].to_numpy(float))
        np.save(out / "cause.npy", t["cause"].astype(str).to_numpy().astype("U16"))
        rows = rep.by_trust[rep.by_trust["product"].astype(str) != ALL_PRODUCTS]
        np.save(out / "trust.npy", _by_label(rows))
        return {"rows": len(t)}

    return work, finish


def _by_label(agg: Any) -> np.ndarray:
    """Cumulative shares of a trust aggregate in (trust, period, month, product) text order."""
    order = np.lexsort(
        (
            agg["product"].astype(str).to_numpy(),
            agg["month"].to_numpy(),
            agg["period"].to_numpy(),
            agg["trust"].astype(str).to_numpy(),
        )
    )
    return agg["cumulative_share"].to_numpy(float)[order]


def fulfilment_pandas(figures: Any, actuals: Any, labour: Any, supply: Any) -> dict[str, Any]:
    """Fulfilment in plain pandas: merges, groupby().cumsum(), groupby aggregates."""
    import pandas as pd

    keys = ["enterprise", "product", "period", "month"]
    plan = figures[[*keys, "trust", "commissariat", "output"]].rename(columns={"output": "plan"})
    t = actuals.merge(plan, on=keys, how="left")
    t = t.sort_values(keys, kind="stable", ignore_index=True)
    t = t.rename(columns={"output": "actual"})
    t["share"] = t["actual"] / t["plan"].where(t["plan"] > 0)
    by_series = t.groupby(["enterprise", "product"], observed=True, sort=False)
    t["cumulative_plan"] = by_series["plan"].cumsum()
    t["cumulative_actual"] = by_series["actual"].cumsum()
    cp = t["cumulative_plan"]
    t["cumulative_share"] = t["cumulative_actual"] / cp.where(cp > 0)
    t["shortfall"] = (t["plan"] - t["actual"]).clip(lower=0.0)
    # causes: labour used and inputs received by the enterprise in the month against its figures
    epm = ["enterprise", "period", "month"]
    used = t.groupby(epm, observed=True)[["labour:workers", "received:coal"]].sum(min_count=1)
    lab = labour[labour["labour_type"] == "workers"].groupby(epm, observed=True)["quantity"].sum()
    sup = supply[supply["product"] == "coal"].groupby(epm, observed=True)["quantity"].sum()
    ratios = pd.DataFrame(
        {
            "r_labour": used["labour:workers"] / lab.reindex(used.index),
            "r_input": used["received:coal"] / sup.reindex(used.index),
        }
    )
    t = t.merge(ratios, left_on=epm, right_index=True, how="left")
    short = (t["shortfall"] > 0).to_numpy()
    limit = t["share"].to_numpy() * (1 + 1e-9)
    r_in = t["r_input"].to_numpy()
    r_lab = t["r_labour"].to_numpy()
    r_in = np.where(r_in <= limit, r_in, np.inf)
    r_lab = np.where(r_lab <= limit, r_lab, np.inf)
    t["cause"] = np.select(
        [~short, np.isfinite(r_in) & (r_in <= r_lab), np.isfinite(r_lab)],
        ["", "input:coal", "labour:workers"],
        "capacity",
    )
    t = t.drop(columns=["r_labour", "r_input"])
    out: dict[str, Any] = {"table": t}
    sums = ["plan", "actual", "cumulative_plan", "cumulative_actual"]
    for unit in ("trust", "commissariat"):
        agg = t.groupby([unit, "period", "month", "product"], observed=True)[sums].sum()
        agg["share"] = agg["actual"] / agg["plan"].where(agg["plan"] > 0)
        agg["cumulative_share"] = agg["cumulative_actual"] / agg["cumulative_plan"].where(
            agg["cumulative_plan"] > 0
        )
        mean = agg.groupby(level=[unit, "period", "month"], observed=True)[
            ["share", "cumulative_share"]
        ].mean()
        out[unit] = (agg, mean)
    return out


def _fulfilment_baseline(n: int, _batch: int, out: Path) -> Any:
    from run_fulfilment_bench import inputs

    figures, labour, supply, actuals = inputs(n)

    def work() -> Any:
        return fulfilment_pandas(figures, actuals, labour, supply)

    def finish(res: dict[str, Any]) -> dict[str, Any]:
        t = res["table"]
        np.save(out / "share.npy", t["share"].to_numpy(float))
        np.save(out / "cum.npy", t["cumulative_share"].to_numpy(float))
        np.save(out / "cause.npy", t["cause"].to_numpy().astype("U16"))
        np.save(out / "trust.npy", _by_label(res["trust"][0].reset_index()))
        return {"rows": len(t)}

    return work, finish


def _alert_noise(n: int, reports: int, seed: int = 20240611) -> list[np.ndarray]:
    """The reports of ``run_alerts_bench.py``: level 1, 4 % Normal noise."""
    rng = np.random.default_rng(seed)
    return [1.0 + 0.04 * rng.standard_normal(n) for _ in range(reports)]


def _alerts_gosplan(n: int, _batch: int, out: Path, repeats: int = 3) -> Any:
    from gosplan.run.alerts import AlertState

    ref = np.ones(n)
    state = AlertState.start(ref, 0.04 * ref)
    noise = _alert_noise(n, ALERT_WARM + repeats)
    for t in range(ALERT_WARM):
        state.update(noise[t])
    upcoming = iter(noise[ALERT_WARM:])

    def work() -> Any:
        return state.update(next(upcoming))

    def finish(step: Any) -> dict[str, Any]:
        return {"alerts_open": int(step.alert.sum())}

    return work, finish


def reference_recursion(zs, hazard, width, max_run, window, min_history):  # type: ignore[no-untyped-def]
    """Adams & MacKay's run-length recursion, one series, plain Python (see changepoint.py).

    Copied from ``tests/run/test_alerts.py``: the baseline of the alerts case.
    """
    p = [0.0] * max_run
    p[-1] = 1.0
    sums = [0.0] * max_run
    n_obs = 0
    level = math.nan
    out = []
    for z in zs:
        if math.isnan(z):
            out.append((math.nan, 0, level))
            continue
        growth = []
        for j in range(max_run):
            n = j + 1
            var = 1.0 + 1.0 / n
            dens = math.exp(-0.5 * (z - sums[j] / n) ** 2 / var) / math.sqrt(2 * math.pi * var)
            growth.append(p[j] * (1.0 - hazard) * dens)
        joint = [hazard / width * sum(p), *growth[:-1]]
        total = sum(joint)
        p = [q / total for q in joint]
        sums = [z] + [s + z for s in sums[:-1]]
        n_obs += 1
        level = sum(p[j] * sums[j] / (j + 1) for j in range(max_run))
        valid = [j for j in range(window) if j + 1 <= n_obs - min_history]
        prob = sum(p[j] for j in valid)
        run = max(valid, key=lambda j: p[j]) + 1 if valid else 0
        out.append((prob, run, level))
    return out


def _alerts_baseline(n: int, _batch: int, out: Path) -> Any:
    from gosplan.run.alerts import DEFAULT_MODEL, AlertState

    reports = ALERT_WARM + 5
    k = min(n, ALERT_BASE_SERIES)
    z = (np.column_stack(_alert_noise(n, reports))[:k] - 1.0) / 0.04  # series x reports
    m = DEFAULT_MODEL
    params = (m.hazard, m.prior_width, m.max_run, m.window, m.min_history)
    # the vectorised detector's probabilities on the same series, untimed, for the check
    ref = np.ones(k)
    state = AlertState.start(ref, 0.04 * ref)
    want = np.column_stack([state.update(1.0 + 0.04 * z[:, t]).probability for t in range(reports)])

    def work() -> Any:
        return [reference_recursion(list(z[s]), *params) for s in range(k)]

    def finish(res: Any) -> dict[str, Any]:
        got = np.array([[r[0] for r in series] for series in res])
        diff = float(np.nanmax(np.abs(got - want)))
        return {"check": f"{diff:.1e} (probability)", "per_report": reports, "series": k}

    return work, finish


CASES: dict[str, Builder] = {
    "control-capacity": _control_gosplan("capacity"),
    "control-least_labour": _control_gosplan("least_labour"),
    "control-pandas": _control_baseline,
    "counter-one": _counter_gosplan(batched=False),
    "counter-one-spsolve": _counter_baseline(batched=False),
    "counter-batch": _counter_gosplan(batched=True),
    "counter-batch-spsolve": _counter_baseline(batched=True),
    "fulfilment": _fulfilment_gosplan,
    "fulfilment-pandas": _fulfilment_baseline,
    "alerts": _alerts_gosplan,
    "alerts-recursion": _alerts_baseline,
}


def child_main(name: str, size: int, batch: int, out: Path, repeats: int) -> None:
    """Build the inputs, then time the work ``repeats`` times; RESULT on stdout."""
    builder = CASES[name]
    if builder is _alerts_gosplan:
        work, finish = _alerts_gosplan(size, batch, out, repeats)
    else:
        work, finish = builder(size, batch, out)
    _emit("READY")
    seconds, peaks = [], []
    res = None
    for _ in range(repeats):
        res = None  # let the last result go before the next run
        _reset_peak()
        _emit("START")
        t0 = time.perf_counter()
        res = work()
        seconds.append(time.perf_counter() - t0)
        peaks.append(_rss_peak_kib())
        _emit("DONE", {"s": seconds[-1]})
    info = finish(res)
    _emit("RESULT", {"seconds": seconds, "peak_kib": max(peaks), **info})


# ============================================================================ parent
@dataclass
class Run:
    """One case at one size: its runs' seconds, peak memory, or why it has none."""

    case: str
    size: int
    batch: int
    repeats: int
    seconds: list[float] = field(default_factory=list)
    peak_kib: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    timed_out: float = 0.0  # the timeout, when a timed run reached it
    progress: dict[str, Any] = field(default_factory=dict)
    outdir: Path | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else math.nan


def _limit_memory(gib: float) -> Callable[[], None]:
    def apply() -> None:
        limit = int(gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def run_case(run: Run, workdir: Path, timeout: float, setup_timeout: float, mem: float) -> None:
    """Run one case in a fresh interpreter, killing a timed run past ``timeout`` seconds."""
    out = workdir / f"{run.case}-{run.size}"
    out.mkdir(parents=True, exist_ok=True)
    run.outdir = out
    cmd = [sys.executable, str(HERE), "--child", run.case, str(run.size), str(run.batch)]
    cmd += [str(out), str(run.repeats)]
    err = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=err, text=True, preexec_fn=_limit_memory(mem)
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + setup_timeout
    phase = "setup"
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            proc.kill()
            if phase == "timed":
                run.timed_out = timeout
                run.error = f"> {timeout:.0f} s"
            else:
                run.error = f"inputs not built in {setup_timeout:.0f} s"
            break
        if line is None:
            break
        kind, _, payload = line.partition(" ")
        if kind == "START":
            phase, deadline = "timed", time.monotonic() + timeout
        elif kind == "DONE":
            phase, deadline = "between", time.monotonic() + setup_timeout
        elif kind == "PROGRESS":
            run.progress = json.loads(payload)
        elif kind == "RESULT":
            res = json.loads(payload)
            run.seconds = res.pop("seconds")
            run.peak_kib = res.pop("peak_kib")
            run.info = res
    proc.wait()
    if not run.error and not run.seconds:
        err.seek(0)
        tail = [ln for ln in err.read().strip().splitlines() if ln.strip()][-1:] or ["?"]
        code = proc.returncode
        run.error = "out of memory" if "MemoryError" in tail[0] else f"failed ({code}): {tail[0]}"
        run.error = run.error[:200]
    err.close()


# ---------------------------------------------------------------------------- the table
@dataclass
class Case:
    """A row of the table: a gosplan case, its goal and its baseline."""

    label: str
    case: str
    kind: str  # key into the sizes
    goal: float
    baseline: str | None
    batch: int = 1


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    if a.shape != b.shape:
        return math.inf
    both = np.isnan(a) & np.isnan(b)
    scale = np.maximum(np.abs(b), 1e-12)
    with np.errstate(invalid="ignore"):
        d = np.where(both, 0.0, np.abs(a - b) / scale)
    return float(np.nanmax(d, initial=0.0)) if d.size else 0.0


def check(kind: str, run: Run, base: Run) -> str:
    """How far the two answers are apart (see the module docstring)."""
    if kind == "alerts":
        return str(base.info.get("check", "-"))
    if run.outdir is None or base.outdir is None or not run.seconds or not base.seconds:
        return "-"
    names = {
        "control": ("level", "labour", "supply"),
        "counter": ("share",),
        "fulfilment": ("share", "cum", "trust"),
    }[kind]
    diffs = [
        _rel(np.load(run.outdir / f"{n}.npy"), np.load(base.outdir / f"{n}.npy")) for n in names
    ]
    text = f"{max(diffs):.1e}"
    if kind == "fulfilment":
        a, b = np.load(run.outdir / "cause.npy"), np.load(base.outdir / "cause.npy")
        text += f", causes differ {np.mean(a != b):.1%}" if a.shape == b.shape else ", causes ?"
    return text


def _secs(s: float) -> str:
    if s != s:
        return "-"
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def _size(kind: str, n: int, batch: int) -> str:
    unit = {
        "control": "enterprises x 5 periods",
        "counter": "products",
        "fulfilment": "reports",
        "alerts": "series",
    }[kind]
    text = f"{n:,} {unit}"
    return text + (f", {batch:,} in commit mode" if batch > 1 else "")


HEADERS = [
    "case",
    "size",
    "gosplan median",
    "peak GiB",
    "goal",
    "met?",
    "baseline median",
    "baseline/gosplan",
    "check",
]


def render(cases: list[Case], runs: dict[str, Run], sizes: dict[str, int]) -> list[list[str]]:
    """The table's rows."""
    table = []
    for c in cases:
        run = runs[c.case]
        base = runs.get(c.baseline) if c.baseline else None
        n = sizes[c.kind]
        at_goal = n >= FULL[c.kind] and (c.batch <= 1 or c.batch >= BATCH)
        if run.seconds:
            t = _secs(run.median)
            reps = len(run.seconds)
            t += f" ({reps} runs)" if reps > 1 else ""
            peak = f"{run.peak_kib / 2**20:.2f}"
            met = ("yes" if run.median <= c.goal else "no") if at_goal else "n/a (smaller)"
        else:
            t, peak, met = run.error, "-", "no" if at_goal else "n/a (smaller)"
        bt, ratio = "-", "-"
        if base is not None:
            if base.seconds:
                bt = _secs(base.median)
                if c.kind == "alerts":
                    bt += f" (scaled from {base.info.get('series', ALERT_BASE_SERIES):,})"
                if run.seconds:
                    ratio = f"{base.median / run.median:,.1f}x"
            elif base.timed_out:
                bt = f"> {base.timed_out:.0f} s (timeout)"
                done = base.progress
                if not done and run.batch > 1:
                    bt += f"; not one of the {run.batch:,} solves finished"
                if done and done.get("of", 0) > 1:
                    per = done["s"] / done["done"]
                    total = per * done["of"]
                    bt += f"; {done['done']} of {done['of']} done, ~{total:,.0f} s at that pace"
                if run.seconds:
                    ratio = f"> {base.timed_out / run.median:,.0f}x"
            else:
                bt = base.error
        table.append(
            [
                c.label,
                _size(c.kind, n, c.batch),
                t,
                peak,
                f"<= {c.goal:g} s",
                met,
                bt,
                ratio,
                check(c.kind, run, base) if base is not None else "-",
            ]
        )
    return table


def markdown(table: list[list[str]]) -> str:
    """The table in Markdown."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(r) + " |" for r in table]
    return "\n".join(lines)


def _alerts_scale(run: Run, n: int) -> None:
    """Per reporting period of ``n`` series, from the baseline's runs over its series."""
    reports = run.info.get("per_report", 1)
    k = run.info.get("series", ALERT_BASE_SERIES)
    run.info["raw_seconds"] = list(run.seconds)
    run.seconds = [s / reports * n / k for s in run.seconds]


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    p.add_argument("--quick", action="store_true", help="a tenth of every size")
    p.add_argument("--control", type=int, help="enterprises (default 10^6)")
    p.add_argument("--counter", type=int, help="products of the counter-plan economy (10^6)")
    p.add_argument("--batch", type=int, default=BATCH, help="counter-plans in the commit batch")
    p.add_argument("--fulfilment", type=int, help="enterprise-month reports (10^7)")
    p.add_argument("--alerts", type=int, help="series (10^6)")
    p.add_argument(
        "--only",
        nargs="+",
        choices=["control", "counter-one", "counter-batch", "fulfilment", "alerts"],
    )
    p.add_argument("--repeats", type=int, default=3, help="timed runs of each gosplan case")
    p.add_argument("--baseline-repeats", type=int, help="timed runs of each baseline (1; 3 quick)")
    p.add_argument("--timeout", type=float, help="seconds per timed run (120; 60 quick)")
    p.add_argument("--setup-timeout", type=float, default=600.0, help="seconds to build inputs")
    p.add_argument("--mem-limit", type=float, default=16.0, help="GiB of address space per case")
    p.add_argument("--markdown", type=Path, help="write the table here")
    p.add_argument("--json", type=Path, help="write the raw figures here")
    args = p.parse_args(argv)
    if args.child:
        name, size, batch, out, repeats = args.child
        child_main(name, int(size), int(batch), Path(out), int(repeats))
        return 0

    sizes = dict(QUICK if args.quick else FULL)
    for kind in sizes:
        if getattr(args, kind) is not None:
            sizes[kind] = getattr(args, kind)
    b_reps = args.baseline_repeats or (3 if args.quick else 1)
    args.timeout = args.timeout or (60.0 if args.quick else 120.0)
    cases = [
        Case("control figures (capacity)", "control-capacity", "control", 10, "control-pandas"),
        Case("control figures (least labour)", "control-least_labour", "control", 10, None),
        Case("counter-plan, one check", "counter-one", "counter", 1, "counter-one-spsolve"),
        Case(
            "counter-plans, commit batch",
            "counter-batch",
            "counter",
            30,
            "counter-batch-spsolve",
            args.batch,
        ),
        Case("fulfilment", "fulfilment", "fulfilment", 10, "fulfilment-pandas"),
        Case("alerts, one period", "alerts", "alerts", 2, "alerts-recursion"),
    ]
    if args.only:
        wanted = set(args.only)
        cases = [c for c in cases if c.case in wanted or c.kind in wanted]
    runs: dict[str, Run] = {}
    started = time.strftime("%Y-%m-%d %H:%M")
    t_all = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gosplan-run-suite-") as tmp:
        for c in cases:
            n = sizes[c.kind]
            for name, reps in ((c.baseline, b_reps), (c.case, args.repeats)):
                if name is None or name in runs:
                    continue
                run = Run(name, n, c.batch, reps)
                run_case(run, Path(tmp), args.timeout, args.setup_timeout, args.mem_limit)
                if name == "alerts-recursion" and run.seconds:
                    _alerts_scale(run, n)
                runs[name] = run
                status = run.error or (
                    f"median {_secs(run.median)} of {len(run.seconds)}, "
                    f"peak {run.peak_kib / 2**20:.2f} GiB"
                )
                print(f"  {name:22s} {n:>12,}: {status}", file=sys.stderr, flush=True)
        table = render(cases, runs, sizes)
    wall = time.monotonic() - t_all
    title = (
        f"gosplan.run benchmark ({started}, {os.cpu_count()} CPUs, {wall:.0f} s wall; "
        f"gosplan median of {args.repeats}, baselines of {b_reps}; timeout {args.timeout:g} s)"
    )
    text = markdown(table)
    print(title)
    print(text)
    if args.markdown:
        args.markdown.write_text(f"{title}\n\n{text}\n")
    if args.json:
        raw = {
            name: {
                "size": r.size,
                "seconds": r.seconds,
                "peak_kib": r.peak_kib,
                "error": r.error,
                "info": r.info,
                "progress": r.progress,
            }
            for name, r in runs.items()
        }
        args.json.write_text(json.dumps({"title": title, "runs": raw}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
