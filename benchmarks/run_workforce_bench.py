"""The workforce stock-flow model: one monthly step at scale, and a five-year monthly run.

Two measurements, each beside a baseline measured in the same run:

* one step of :class:`~gosplan.run.workforce.Workforce` for 10^6 enterprises x 3 grades
  (goal: 1 s or less), against the same step written as a Python loop over the enterprises,
  timed on 10^4 enterprises and scaled linearly;
* :func:`~gosplan.run.workforce.run_workforce` over 60 monthly steps for 70 enterprises,
  tables and statistics included (goal: 5 s or less), against the same run written as a
  pandas merge/groupby per step (whose flows are checked against the model's).

Usage::

    python benchmarks/run_workforce_bench.py
    python benchmarks/run_workforce_bench.py --enterprises 1000000 --repeats 5
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from gosplan.run.workforce import DEFAULT_GRADES, Workforce, WorkforceParameters, run_workforce

OUTSIDE = np.array([1.5, 1.2, 1.0])


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median seconds of ``repeats`` calls, and the last call's value."""
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), value


def loop_step(
    W: np.ndarray, pay: np.ndarray, target: np.ndarray, p: WorkforceParameters
) -> np.ndarray:
    """The model's step (no shocks, no campaign, unlimited inflow) as a per-enterprise loop."""
    dt = p.dt
    rates = Workforce(W[:1], params=p)  # the per-grade rates, resolved
    base, promo, up = rates.base, rates.promotion, rates.upgrade
    out = np.empty_like(W)
    fill = -math.expm1(-p.fill_rate * dt)
    for e in range(len(W)):
        stay, up_out = [0.0] * 3, [0.0] * 3
        for g in range(3):
            gap = max(0.0, math.log(OUTSIDE[g] / pay[e, g]))
            h = base[g] * math.exp(p.b_pay * gap)
            total = h + promo[g] + up[g]
            stay[g] = W[e, g] * math.exp(-total * dt)
            up_out[g] = (W[e, g] - stay[g]) / total * up[g] if total > 0 else 0.0
        row = [stay[0] + up_out[1], stay[1] + up_out[2], stay[2]]
        row[2] += max(0.0, target[e] - sum(row)) * fill
        out[e] = row
    return out


def bench_step(n: int, loop_n: int, repeats: int) -> list[tuple[str, float, str]]:
    rng = np.random.default_rng(1)
    W = rng.uniform(10, 500, (n, 3))
    pay = OUTSIDE * rng.uniform(0.8, 1.2, (n, 3))
    model = Workforce(W)
    vec_s, _ = timed(lambda: model.step(pay, OUTSIDE), repeats)
    p = WorkforceParameters()
    small = Workforce(W[:loop_n])
    small_target = small.target.copy()
    loop_s, loop_out = timed(lambda: loop_step(W[:loop_n], pay[:loop_n], small_target, p), 1)
    check = small.step(pay[:loop_n], OUTSIDE).end
    diff = float(np.abs(np.asarray(loop_out) - check).max())
    scaled = loop_s * n / loop_n
    return [
        (f"step, {n:,} enterprises x 3 grades (vectorised)", vec_s, "goal <= 1 s"),
        (
            f"  baseline: Python loop on {loop_n:,}, scaled x{n // loop_n}",
            scaled,
            f"{scaled / vec_s:.0f}x slower; max |diff| {diff:.1e}",
        ),
    ]


def pandas_run(frame: pd.DataFrame, pay: np.ndarray, steps: int) -> pd.DataFrame:
    """The same run as a long table, merged and grouped at every step; the stocks by step."""
    p = WorkforceParameters()
    rates = Workforce(np.ones((1, 3)), params=p)
    grades = pd.DataFrame(
        {
            "grade": list(DEFAULT_GRADES),
            "g": [0, 1, 2],
            "base": rates.base,
            "promo": rates.promotion,
            "up": rates.upgrade,
            "outside": OUTSIDE,
        }
    )
    shares = frame[["skilled", "semi_skilled", "unskilled"]].to_numpy()
    W = pd.DataFrame(
        {
            "enterprise": np.repeat(frame["enterprise"].to_numpy(), 3),
            "g": np.tile([0, 1, 2], len(frame)),
            "W": (frame["workers"].to_numpy()[:, None] * shares).reshape(-1),
            "pay": pay.reshape(-1),
        }
    )
    target = frame.set_index("enterprise")["workers"].rename("target")
    fill = -math.expm1(-p.fill_rate * p.dt)
    out = []
    for t in range(steps):
        df = W.merge(grades, on="g")
        df["h"] = df["base"] * np.exp(p.b_pay * np.log(df["outside"] / df["pay"]).clip(lower=0))
        total = df["h"] + df["promo"] + df["up"]
        df["stay"] = df["W"] * np.exp(-total * p.dt)
        df["up_out"] = ((df["W"] - df["stay"]) / total * df["up"]).fillna(0.0)
        moved = df[["enterprise", "g", "up_out"]].assign(g=df["g"] - 1)
        df = df.merge(moved.rename(columns={"up_out": "up_in"}), on=["enterprise", "g"], how="left")
        df["W"] = df["stay"] + df["up_in"].fillna(0.0)
        emp = df.groupby("enterprise")["W"].sum()
        hires = ((target - emp).clip(lower=0) * fill).rename("hires")
        df = df.merge(hires, left_on="enterprise", right_index=True)
        df.loc[df["g"] == 2, "W"] += df.loc[df["g"] == 2, "hires"]
        W = df[["enterprise", "g", "W", "pay"]].sort_values(["enterprise", "g"], kind="stable")
        out.append(W.assign(step=t))
    return pd.concat(out)


def bench_run(n: int, steps: int, repeats: int) -> list[tuple[str, float, str]]:
    rng = np.random.default_rng(2)
    shares = rng.dirichlet([3, 4, 3], n)
    frame = pd.DataFrame(
        {
            "enterprise": [f"E{i:03d}" for i in range(n)],
            "industry": rng.choice(["coal", "steel", "machinery", "textiles"], n),
            "workers": rng.uniform(500, 20_000, n),
            "skilled": shares[:, 0],
            "semi_skilled": shares[:, 1],
            "unskilled": 1.0 - shares[:, 0] - shares[:, 1],
        }
    )
    pay = OUTSIDE * rng.uniform(0.8, 1.2, (n, 3))
    run_s, result = timed(
        lambda: run_workforce(frame, steps=steps, pay=pay, outside=OUTSIDE, start_year=1928),
        repeats,
    )
    base_s, base = timed(lambda: pandas_run(frame, pay, steps), 1)
    last = result.workers[result.workers["step"] == steps - 1]  # type: ignore[attr-defined]
    end = last["workers"].to_numpy()  # the start of the last step = the end of the one before
    before = base[base["step"] == steps - 2]["W"].to_numpy()  # type: ignore[index]
    diff = float(np.abs(end - before).max())
    return [
        (f"run, {n} enterprises x {steps} monthly steps (with tables)", run_s, "goal <= 5 s"),
        (
            "  baseline: pandas merge/groupby per step",
            base_s,
            f"{base_s / run_s:.1f}x slower; max |diff| {diff:.1e}",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--loop", type=int, default=10_000)
    parser.add_argument("--run-enterprises", type=int, default=70)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = bench_step(args.enterprises, args.loop, args.repeats)
    rows += bench_run(args.run_enterprises, args.steps, args.repeats)
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'median s':>9}  note")
    for what, seconds, note in rows:
        print(f"{what:<{width}}  {seconds:>9.3f}  {note}")


if __name__ == "__main__":
    main()
