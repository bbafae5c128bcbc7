"""Write SYNTHETIC monthly fulfilment reports of the ussr-1928 enterprises, 1928/29-1929/30.

The reports are made up: no such monthly series is in the reference. They exist to exercise
``gosplan.run.fulfilment``, ``competition`` and ``alerts`` on the worked example. Every row
says ``synthetic`` in its ``note`` column.

For every enterprise of the VSNKh (industry) with a capacity in 1927/28, for the economic
years 1929 (1928/29) and 1930 (1929/30), months 1..12 (month 1 = October):

* the "plan" of a month is the enterprise's capacity / 12 x 1.2 ** (period - 1928) (a growth
  path of 20 % a year: the planner is not run here), and its labour figure that output times
  the activity's labour coefficient of workers (``economy/labour.csv``);
* output = plan x the enterprise's fulfilment factor (drawn once, mean 0.98, sd 0.02) x an
  event factor x (1 + 0.05 z), a 5 % coefficient of variation;
* labour:workers = labour figure x an event factor x (1 + 0.01 z').

Stylised events (the ``event`` column names them):

* ``labour turnover``: every coal enterprise from March 1930 (period 1930, month 6): the
  workforce falls to 92 %, 86 %, then 82 % of its figure from May 1930 (month 8) on, and
  output follows it at the planned output per worker (the coal industry's turnover in 1930:
  307 entered and 295 left per 100 employees [C-T2, citing Nove p.198]);
* ``shock-brigade campaign``: the Krasny Putilovets works (machinery) from April 1929
  (period 1929, month 7) makes 15 % more with the same workforce;
* ``furnace down``: the Petrovsky works (pig iron) from April 1930 (period 1930, month 7)
  makes 70 % of its fulfilment with its full workforce.

Usage: ``python make_reports.py [--out DIR]`` (default: this folder). Seeded
(``numpy.random.default_rng(1929)``): the same file every run.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ECONOMY = HERE.parent / "economy"
FILENAME = "fulfilment_1929_30.csv"
SEED = 1929
PERIODS = (1929, 1930)
BASE_YEAR = 1928
GROWTH = 1.2
OUTPUT_CV = 0.05
LABOUR_CV = 0.01
FULFILMENT_MEAN, FULFILMENT_SD = 0.98, 0.02
COLUMNS = ("enterprise", "period", "month", "product", "output", "labour:workers", "event", "note")

#: Coal's workforce as a share of its figure, by month of 1930, from March (month 6).
TURNOVER = {6: 0.92, 7: 0.86, 8: 0.82, 9: 0.82, 10: 0.82, 11: 0.82, 12: 0.82}
SHOCK_WORKS, SHOCK_FROM, SHOCK_GAIN = "Krasny Putilovets works (machinery)", (1929, 7), 1.15
FALL_WORKS, FALL_FROM, FALL_SHARE = "Petrovsky works (pig iron)", (1930, 7), 0.70


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _events(enterprise: str, activity: str, period: int, month: int) -> tuple[float, float, str]:
    """Output factor, labour factor and the event's name of one report."""
    if activity == "coal" and period == 1930 and month in TURNOVER:
        share = TURNOVER[month]
        return share, share, "labour turnover"
    if enterprise == SHOCK_WORKS and (period, month) >= SHOCK_FROM:
        return SHOCK_GAIN, 1.0, "shock-brigade campaign"
    if enterprise == FALL_WORKS and (period, month) >= FALL_FROM:
        return FALL_SHARE, 1.0, "furnace down"
    return 1.0, 1.0, ""


def reports() -> list[dict[str, object]]:
    """The report rows, in enterprise (file) order, then period and month."""
    product = {r["activity"]: r["product"] for r in _read(ECONOMY / "activities.csv")}
    workers = {
        r["activity"]: float(r["coefficient"])
        for r in _read(ECONOMY / "labour.csv")
        if r["labour_type"] == "workers"
    }
    chosen = [
        r
        for r in _read(ECONOMY / "enterprises.csv")
        if r["commissariat"].startswith("VSNKh")
        and float(r["capacity"]) > 0
        and workers.get(r["activity"], 0.0) > 0
    ]
    months = [(p, m) for p in PERIODS for m in range(1, 13)]
    rng = np.random.default_rng(SEED)
    factor = rng.normal(FULFILMENT_MEAN, FULFILMENT_SD, size=len(chosen))
    z_out = rng.standard_normal((len(chosen), len(months)))
    z_lab = rng.standard_normal((len(chosen), len(months)))
    rows: list[dict[str, object]] = []
    for i, ent in enumerate(chosen):
        name, activity = ent["enterprise"], ent["activity"]
        for j, (period, month) in enumerate(months):
            plan = float(ent["capacity"]) / 12.0 * GROWTH ** (period - BASE_YEAR)
            out_f, lab_f, event = _events(name, activity, period, month)
            # in the turnover months output follows the workforce, not the usual fulfilment
            base = 1.0 if event == "labour turnover" else factor[i]
            output = plan * base * out_f * (1.0 + OUTPUT_CV * z_out[i, j])
            labour = plan * workers[activity] * lab_f * (1.0 + LABOUR_CV * z_lab[i, j])
            rows.append(
                {
                    "enterprise": name,
                    "period": period,
                    "month": month,
                    "product": product[activity],
                    "output": f"{max(output, 0.0):.6g}",
                    "labour:workers": f"{max(labour, 0.0):.6g}",
                    "event": event,
                    "note": "synthetic",
                }
            )
    return rows


def write(out_dir: Path) -> Path:
    """Write the reports to ``out_dir`` / :data:`FILENAME`; return the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILENAME
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(reports())
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--out DIR`` (default: this folder)."""
    parser = argparse.ArgumentParser(description="Write the synthetic fulfilment reports.")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to")
    args = parser.parse_args(argv)
    print(write(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
