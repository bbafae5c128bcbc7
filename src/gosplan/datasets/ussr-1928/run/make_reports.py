"""Write SYNTHETIC monthly fulfilment reports of the ussr-1928 enterprises, 1928/29-1929/30.

The reports are made up: no such monthly series is in the reference. They exist to exercise
``gosplan.run.fulfilment``, ``competition`` and ``alerts`` on the worked example. Every row
says ``synthetic`` in its ``note`` column.

The plan they are measured against is the one the demo runs: the least-labour plan of
Gosplan's basic variant (``gosplan.datasets.load("ussr-1928/basic")``,
``gosplan.plan.optimise``), split among the enterprises in proportion to their capacity
(``gosplan.run.control_figures``) and spread evenly over the months (``monthly``). For every
enterprise of the VSNKh (industry) with a capacity in 1927/28 and workers in its activity,
for the economic years 1929 (1928/29) and 1930 (1929/30), months 1..12 (month 1 = October):

* output = the month's control figure x the enterprise's fulfilment factor (drawn once, mean
  0.98, sd 0.02) x an event factor x (1 + 0.05 z), a 5 % coefficient of variation;
* labour:workers = the month's labour figure of workers x an event factor x (1 + 0.01 z');
* received:<main input> = the month's supply order of the enterprise's main input x an event
  factor x (1 + 0.01 z''). The main input is the input of the activity worth most at
  least-labour values, transport (a service, not delivered) left out: coal for pig iron and
  thermal power, pig iron for steel, steel for rolled steel, rolled steel for machinery,
  industrial crops for sugar, cotton fabric and shoes, machinery for the mines, oilfields and
  hydro stations.

Stylised events (the ``event`` column names them):

* ``labour turnover``: every coal enterprise from March 1930 (period 1930, month 6): the
  workforce falls to 92 %, 86 %, then 82 % of its figure from May 1930 (month 8) on, and
  output follows it: the miners who stay make the planned output per worker or a little more
  (1 + 0.02 |z|), so labour is the cause of the shortfall (the coal industry's turnover in
  1930: 307 entered and 295 left per 100 employees [C-T2, citing Nove p.198]);
* ``coal short``: the Makeevka works (pig iron) receives 90 % of its coal (coke) in April
  1930 (month 7) and 85 % from May (month 8) on, the Donbass mines being short of miners;
  its output follows the coal (an input cause), its workforce is kept;
* ``shock-brigade campaign``: the Krasny Putilovets works (machinery) from April 1929
  (period 1929, month 7) makes 15 % more with the same workforce;
* ``furnace down``: the Petrovsky works (pig iron) from April 1930 (period 1930, month 7)
  makes 70 % of its fulfilment with its full workforce and coal (a capacity cause).

Numbers are rounded to 6 significant digits, so that the last bits of the LP's solution,
which may differ between machines, do not show in the file. Usage: ``python make_reports.py
[--out DIR]`` (default: this folder). Seeded (``numpy.random.default_rng(1929)``): the same
file every run.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from gosplan.core.control_figures import ControlFigures
    from gosplan.core.economy import Economy
    from gosplan.core.plan_result import PlanResult
    from gosplan.core.spec import PlanSpec

HERE = Path(__file__).resolve().parent
ECONOMY = HERE.parent / "economy"
FILENAME = "fulfilment_1929_30.csv"
SCENARIO = "ussr-1928"
VARIANT = "basic"
SEED = 1929
PERIODS = (1929, 1930)
OUTPUT_CV = 0.05
LABOUR_CV = 0.01
RECEIVED_CV = 0.01
#: Output per worker (per unit of input) above the plan in the months of an event: 2 % sd.
FOLLOW_CV = 0.02
FULFILMENT_MEAN, FULFILMENT_SD = 0.98, 0.02
DIGITS = 6
LABOUR_TYPE = "workers"
#: Inputs never "received" (services).
NOT_DELIVERED = ("transport",)
FIRST_COLUMNS = ("enterprise", "period", "month", "product", "output", "labour:workers")

#: Coal's workforce as a share of its figure, by month of 1930, from March (month 6).
TURNOVER = {6: 0.92, 7: 0.86, 8: 0.82, 9: 0.82, 10: 0.82, 11: 0.82, 12: 0.82}
SHORT_WORKS = "Makeevka works (pig iron)"
#: The coal the Makeevka works receives as a share of its order, by month of 1930.
SHORT_COAL = {7: 0.90, 8: 0.85, 9: 0.85, 10: 0.85, 11: 0.85, 12: 0.85}
SHOCK_WORKS, SHOCK_FROM, SHOCK_GAIN = "Krasny Putilovets works (machinery)", (1929, 7), 1.15
FALL_WORKS, FALL_FROM, FALL_SHARE = "Petrovsky works (pig iron)", (1930, 7), 0.70


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _events(
    enterprise: str, activity: str, period: int, month: int
) -> tuple[float, float, float, str]:
    """Output, labour and received factors and the event's name of one report.

    For ``labour turnover`` and ``coal short`` the output factor is the share of the scarce
    resource: output follows it (see :func:`reports`).
    """
    if activity == "coal" and period == 1930 and month in TURNOVER:
        share = TURNOVER[month]
        return share, share, 1.0, "labour turnover"
    if enterprise == SHORT_WORKS and period == 1930 and month in SHORT_COAL:
        share = SHORT_COAL[month]
        return share, 1.0, share, "coal short"
    if enterprise == SHOCK_WORKS and (period, month) >= SHOCK_FROM:
        return SHOCK_GAIN, 1.0, 1.0, "shock-brigade campaign"
    if enterprise == FALL_WORKS and (period, month) >= FALL_FROM:
        return FALL_SHARE, 1.0, 1.0, "furnace down"
    return 1.0, 1.0, 1.0, ""


def _round(value: float) -> str:
    return f"{max(float(value), 0.0):.{DIGITS}g}"


def adopted_plan() -> tuple[PlanSpec, PlanResult]:
    """The basic variant's spec and its least-labour plan (the plan the demo runs)."""
    from gosplan.core.spec import PlanSpec
    from gosplan.datasets import load
    from gosplan.plan import optimise

    spec = load(f"{SCENARIO}/{VARIANT}")
    if not isinstance(spec, PlanSpec):  # pragma: no cover - the variant is a plan
        raise TypeError(f"{SCENARIO}/{VARIANT} is not a plan")
    # the least-labour plan, as the demo solves it (the objective named: no terminal warning)
    return spec, optimise(spec, objective="min_labour")


def main_inputs(economy: Economy) -> dict[str, str]:
    """Activity -> its main input: the largest at least-labour values, services left out."""
    import scipy.sparse as sp

    from gosplan.plan.valuation import least_labour_values

    values = np.asarray(least_labour_values(economy), dtype=np.float64)
    technology = sp.csc_array(economy.technology).toarray()
    products = [str(p) for p in economy.product_labels]
    keep = np.array([p not in NOT_DELIVERED for p in products])
    out = {}
    for j, activity in enumerate(economy.activity_labels):
        worth = np.where(keep, technology[:, j] * values, 0.0)
        if worth.max() > 0:
            out[str(activity)] = products[int(np.argmax(worth))]
    return out


def _lookup(frame: pd.DataFrame, keys: list[str], value: str) -> dict[tuple, float]:
    """(the key columns' values, labels as text) -> value, for the rows of :data:`PERIODS`."""
    rows = frame[frame["period"].isin(PERIODS)]
    columns = [
        rows[k].astype(int).tolist() if k in ("period", "month") else rows[k].astype(str).tolist()
        for k in keys
    ]
    values = rows[value].astype(float).tolist()
    return dict(zip(zip(*columns, strict=True), values, strict=True))


def _figures(cf: ControlFigures) -> tuple[dict, dict, dict]:
    """(enterprise, period, month) -> output; -> workers; (..., product) -> supply order."""
    at = ["enterprise", "period", "month"]
    output = _lookup(cf.figures, at, "output")
    lab = cf.labour[cf.labour["labour_type"].astype(str) == LABOUR_TYPE]
    workers = _lookup(lab, at, "quantity")
    supply = _lookup(cf.supply, [*at, "product"], "quantity")
    return output, workers, supply


def reports() -> pd.DataFrame:
    """The report rows, in enterprise (file) order, then period and month."""
    from gosplan.run import control_figures, monthly

    spec, plan = adopted_plan()
    economy = spec.economy
    cf = monthly(control_figures(plan, spec))
    output_fig, workers_fig, supply_fig = _figures(cf)
    main = main_inputs(economy)
    product = {r["activity"]: r["product"] for r in _read(ECONOMY / "activities.csv")}
    workers = {
        r["activity"]: float(r["coefficient"])
        for r in _read(ECONOMY / "labour.csv")
        if r["labour_type"] == LABOUR_TYPE
    }
    chosen = [
        r
        for r in _read(ECONOMY / "enterprises.csv")
        if r["commissariat"].startswith("VSNKh")
        and float(r["capacity"]) > 0
        and workers.get(r["activity"], 0.0) > 0
    ]
    inputs = sorted({main[r["activity"]] for r in chosen if r["activity"] in main})
    received = [f"received:{g}" for g in inputs]
    months = [(p, m) for p in PERIODS for m in range(1, 13)]
    rng = np.random.default_rng(SEED)
    factor = rng.normal(FULFILMENT_MEAN, FULFILMENT_SD, size=len(chosen))
    z_out = rng.standard_normal((len(chosen), len(months)))
    z_lab = rng.standard_normal((len(chosen), len(months)))
    z_rec = rng.standard_normal((len(chosen), len(months)))
    rows: list[dict[str, object]] = []
    for i, ent in enumerate(chosen):
        name, activity = ent["enterprise"], ent["activity"]
        given = main.get(activity)
        for j, (period, month) in enumerate(months):
            plan_out = output_fig[(name, period, month)]
            out_f, lab_f, rec_f, event = _events(name, activity, period, month)
            worked = lab_f * (1.0 + LABOUR_CV * z_lab[i, j])
            got = rec_f * (1.0 + RECEIVED_CV * z_rec[i, j])
            # in the months of a shortage output follows the scarce resource, at the planned
            # rate or a little above; otherwise the enterprise's usual fulfilment
            follow = 1.0 + FOLLOW_CV * abs(z_out[i, j])
            if event == "labour turnover":
                output = plan_out * worked * follow
            elif event == "coal short":
                output = plan_out * got * follow
            else:
                output = plan_out * factor[i] * out_f * (1.0 + OUTPUT_CV * z_out[i, j])
            row: dict[str, object] = dict.fromkeys(received, "")
            if given is not None:
                row[f"received:{given}"] = _round(supply_fig[(name, period, month, given)] * got)
            rows.append(
                {
                    "enterprise": name,
                    "period": period,
                    "month": month,
                    "product": product[activity],
                    "output": _round(output),
                    "labour:workers": _round(workers_fig[(name, period, month)] * worked),
                    **row,
                    "event": event,
                    "note": "synthetic",
                }
            )
    return pd.DataFrame(rows, columns=[*FIRST_COLUMNS, *received, "event", "note"])


def write(out_dir: Path) -> Path:
    """Write the reports to ``out_dir`` / :data:`FILENAME`; return the path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILENAME
    reports().to_csv(path, index=False, lineterminator="\n")
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
