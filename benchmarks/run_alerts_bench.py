"""Alerts on fulfilment: one reporting period of AlertState.update over many series.

Prints seconds per update and the peak resident memory while updating (inputs held in memory
count), then the calibration figures of the default detector on synthetic series.

Usage::

    python benchmarks/run_alerts_bench.py --series 1000000
    python benchmarks/run_alerts_bench.py --series 100000 --dtype float32 --no-calibration
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from gosplan.run.alerts import DEFAULT_THRESHOLD, AlertState, alerts


def _peak_kib() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def speed(n: int, reports: int, warm: int, dtype: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ref = np.ones(n)
    state = AlertState.start(ref, 0.04 * ref, dtype=dtype)
    noise = [1.0 + 0.04 * rng.standard_normal(n) for _ in range(warm + reports)]
    for t in range(warm):
        state.update(noise[t])
    _reset_peak()
    base = _peak_kib()
    times = []
    for t in range(warm, warm + reports):
        start = time.perf_counter()
        state.update(noise[t])
        times.append(time.perf_counter() - start)
    peak = _peak_kib()
    print(
        f"series={n} dtype={dtype} max_run={state.detector.model.max_run}: "
        f"update {min(times):.3f} s (median {np.median(times):.3f} s over {reports}), "
        f"peak RSS {peak / 2**20:.2f} GiB (before the timed updates {base / 2**20:.2f} GiB)"
    )


def calibration(cv: float, seed: int, n: int = 2000, months: int = 36, at: int = 24) -> None:
    import pandas as pd

    rng = np.random.default_rng(seed)
    level = rng.uniform(0.8, 1.2, n)
    base = level[:, None] * (1.0 + cv * rng.standard_normal((n, months)))
    sign = np.where(np.arange(n) % 2 == 0, -1.0, 1.0)

    def table(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "enterprise": np.repeat(np.arange(n), months),
                "product": "p",
                "period": np.tile(np.arange(months) // 12, n),
                "month": np.tile(np.arange(months) % 12, n),
                "share": values.ravel(),
            }
        )

    ref = np.median(base[:, :3], axis=1)
    state = AlertState.start(ref, cv * ref)
    prob = np.column_stack([state.update(base[:, t]).probability for t in range(months)])
    flagged = float((prob >= DEFAULT_THRESHOLD).mean())
    raised = float((alerts(table(base), cv=cv)["reports"] == 0).sum()) / base.size
    stepped = base + 0.10 * (sign * level)[:, None] * (np.arange(months) >= at)
    out = alerts(table(stepped), cv=cv)
    out["t"] = out["period"] * 12 + out["month"]
    first = out[(out["reports"] == 0) & (out["t"] >= at)].groupby("enterprise").first()
    right = first["direction"].to_numpy() == np.where(sign[first.index] < 0, "fall", "rise")
    delay = (first["t"].to_numpy() - at)[right]
    print(
        f"cv={cv:.0%}: in control {flagged:.4f} of series-months flagged, {raised:.4f} raise "
        f"an alert; 10 % step detected within 3 reports {np.sum(delay <= 3) / n:.3f}, "
        f"within 2 {np.sum(delay <= 2) / n:.3f}, mean delay {delay[delay <= 3].mean():.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=5, help="timed updates")
    parser.add_argument("--warm", type=int, default=3, help="untimed updates before")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--no-calibration", action="store_true")
    args = parser.parse_args()
    speed(args.series, args.reports, args.warm, args.dtype, args.seed)
    if not args.no_calibration:
        for cv in (0.04, 0.05):
            calibration(cv, args.seed)


if __name__ == "__main__":
    main()
