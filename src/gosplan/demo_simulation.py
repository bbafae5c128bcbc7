"""The worked example of running the plan: shortfalls, knock-on effects, re-planning, harvests.

:func:`run_simulation_example` takes the adopted plan (the basic variant, least labour) and
runs it month by month over the economic years 1928/29–1931/32 (periods 1929–1932, each from
1 October), three ways:

1. **the amended targets, counter-plans accepted without their inputs** (the practice of
   1929–30): the raise of the amended 1932 targets over the plan (coal, oil, iron ore, pig
   iron) is laid on the enterprises a third in 1929/30, two thirds in 1930/31 and in full in
   1931/32, with the bundled counter-plans in full, as capacity and deliveries promised and
   nothing upstream raised (:mod:`gosplan.run.shocks`, ``counter_plan``);
2. **the counter-plans checked and the plan re-made every year**: each counter-plan by the
   share the plan's slack can supply (part 1's check), and at the end of every year a new
   plan for the rest of the horizon from the state reached, the five-year targets kept
   (:mod:`gosplan.run.rolling`);
3. **an ensemble over harvests**: the second way, with every harvest (August) short by a
   share drawn between none and the worst year of the grain table (1 − lowest / mean
   production, 1928–32), 20 seeded runs under two rationing rules (in proportion to orders;
   heavy industry, investment and the state first, households last), on Dask
   (:func:`gosplan.run.ensemble`).

It reports which products' shortfalls spread where (:func:`gosplan.run.outcome.shortfalls`),
how far each run's 1931/32 output falls from the plan, beside the 1932 outcome of the
history (:data:`OUTCOME`), and what the harvests do to the households' supply.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from gosplan.core.ensemble_result import EnsembleResult
    from gosplan.core.plan_result import PlanResult
    from gosplan.core.simulation_result import SimulationResult
    from gosplan.core.spec import PlanSpec
    from gosplan.report import Report

#: The periods run (economic years 1928/29 to 1931/32) and the month they start in.
PERIODS = (1929, 1930, 1931, 1932)
YEAR_START = 10
#: The year the amended targets were set for, and the share of their raise in each year.
AMENDED_YEAR = 1932
RAMP = {1930: 1 / 3, 1931: 2 / 3, 1932: 1.0}
#: The history's 1932 outcome column (of ``targets_of_production``).
OUTCOME = "outcome_1932"
#: Runs of the harvest ensemble, per rationing rule, and what each run keeps.
HARVEST_RUNS = 20
QUANTITIES = ("output", "unmet_final", "delivered_final")
#: The products that come first under the priority rule (with investment and the state).
HEAVY = (
    "coal",
    "oil",
    "iron ore",
    "pig iron",
    "steel",
    "rolled steel",
    "electricity",
    "cement",
    "building materials",
    "timber",
    "machinery",
    "construction",
    "transport",
)


@dataclass
class SimulationExample:
    """The three runs of the worked example and what is read off them (see the module)."""

    amended: SimulationResult
    checked: SimulationResult
    harvests: EnsembleResult | None
    outcome: pd.DataFrame
    spread: pd.DataFrame
    unmet: pd.DataFrame
    harvest_range: tuple[float, float]
    policies: pd.DataFrame = field(default_factory=pd.DataFrame)
    weights: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


def amended_shocks(spec: PlanSpec, result: PlanResult, amended: PlanSpec) -> pd.DataFrame:
    """The amended targets' raise over the plan as counter-plans without inputs (a table)."""
    from gosplan.run.plan_simulation import plan_frame

    frame = plan_frame(spec, result, periods=list(PERIODS))
    labels = [str(p) for p in spec.economy.product_labels]
    targets = amended.targets[amended.targets["period"] == AMENDED_YEAR]
    planned = result.output[AMENDED_YEAR]
    rows = []
    for product, target in zip(targets["product"].astype(str), targets["target"], strict=True):
        raise_ = float(target) - float(planned.get(product, 0.0))
        j = labels.index(product)
        for period, part in RAMP.items():
            cap = frame.capacity[list(PERIODS).index(period), j]
            if raise_ > 0 and np.isfinite(cap) and cap > 0:
                rows.append(
                    {
                        "product": product,
                        "date": str(period),
                        "share": part * raise_ / cap,
                        "kind": "counter_plan",
                        "curve": "step",
                        "recovery": 12,
                    }
                )
    table = pd.DataFrame(rows)
    table.attrs["source"] = "the amended targets (1930)"
    return table


def harvest_shocks(grain: pd.DataFrame, product: str = "grain") -> tuple[pd.DataFrame, float]:
    """Every August harvest short by a share between 0 and the grain table's worst year."""
    made = grain[grain["series"] == "production"]["value"].astype(float)
    worst = float(1.0 - made.min() / made.mean())
    table = pd.DataFrame(
        {
            "product": product,
            "date": [f"{period}-08" for period in PERIODS],  # the harvest of each year
            "share_min": 0.0,
            "share_max": worst,
            "kind": "harvest",
        }
    )
    table.attrs["source"] = "the grain table's range"
    return table, worst


def priority_classes(spec: PlanSpec) -> pd.DataFrame:
    """Heavy industry, investment and the state first; other products; households last."""
    products = [str(p) for p in spec.economy.product_labels]
    rows = [(p, 1 if p in HEAVY else 2) for p in products]
    rows += [("investment", 1), ("state", 1), ("stock building", 2), ("households", 3)]
    return pd.DataFrame(rows, columns=["product", "class"])


def run_simulation_example(
    spec: PlanSpec,
    result: PlanResult,
    *,
    amended: PlanSpec,
    counter_plans: pd.DataFrame,
    history: dict[str, pd.DataFrame],
    runs: int = HARVEST_RUNS,
    client: Any = None,
    serial: bool = False,
    timed: Callable[[str, str, Callable[[], Any]], Any] | None = None,
) -> SimulationExample:
    """Run the three ways of the module on the adopted plan ``spec``/``result``.

    ``timed(name, message, work)`` announces and times each run (the demo's progress);
    ``client`` is where the ensemble runs (default: a local cluster of two processes;
    ``serial``: in this process).
    """
    from gosplan.run.ensemble import ensemble
    from gosplan.run.outcome import shortfalls
    from gosplan.run.plan_simulation import labour_values
    from gosplan.run.simulate import simulate

    step = timed or (lambda name, message, work: work())
    common: dict[str, Any] = {"periods": list(PERIODS), "year_start": YEAR_START}
    pressure = amended_shocks(spec, result, amended)
    run_a = step(
        "simulate amended",
        "simulating the amended targets, counter-plans without inputs (48 months)",
        lambda: simulate(spec, result, shocks=pressure, counter_plans=counter_plans, **common),
    )
    run_b = step(
        "simulate checked",
        "simulating the counter-plans checked, re-planned every year",
        lambda: simulate(
            spec, result, counter_plans=counter_plans, accept="checked", replan="keep", **common
        ),
    )
    weights = labour_values(spec, result)
    harvest, worst = harvest_shocks(history["grain"]) if "grain" in history else (None, 0.0)
    many = None
    if harvest is not None and runs > 0:
        variants = {
            "proportional": {"rationing": "proportional"},
            "heavy industry first": {"rationing": "priority", "classes": priority_classes(spec)},
        }
        options = {**common, "counter_plans": counter_plans, "accept": "checked"}
        many = step(
            "harvest ensemble",
            f"an ensemble of {2 * runs} runs over the harvests, on Dask",
            lambda: ensemble(spec, variants, runs=runs, result=result, client=client, serial=serial,
                             shocks=harvest, quantities=QUANTITIES, **options),
        )  # fmt: skip
    unmet = pd.concat(
        {"amended, unchecked": run_a.unmet_by_user(weights),
         "checked, re-planned": run_b.unmet_by_user(weights)},
        names=["run"],
    )  # fmt: skip
    return SimulationExample(
        amended=run_a,
        checked=run_b,
        harvests=many,
        outcome=outcome_table(result, amended, run_a, run_b, history),
        spread=shortfalls(run_a, top=8),
        unmet=unmet,
        harvest_range=(0.0, worst),
        policies=policy_table(many, weights) if many is not None else pd.DataFrame(),
        weights=weights,
    )


def policy_table(many: EnsembleResult, weights: pd.Series) -> pd.DataFrame:
    """Per rationing rule: final demand not met over the run, % of the demand at labour values.

    Columns ``variant, runs, median, p5, p95`` (percent) of the runs' shares.
    """
    unmet = many.totals("unmet_final", weights).set_index(["variant", "run"])["total"]
    got = many.totals("delivered_final", weights).set_index(["variant", "run"])["total"]
    share = (100.0 * unmet / (unmet + got)).rename("share").reset_index()
    grouped = share.groupby("variant", observed=True, sort=False)["share"]
    out = pd.DataFrame(
        {
            "runs": grouped.size(),
            "median": grouped.median(),
            "p5": grouped.quantile(0.05),
            "p95": grouped.quantile(0.95),
        }
    )
    out.index = pd.Index([str(v) for v in out.index], name="variant")
    return out.reset_index()


def outcome_table(
    result: PlanResult,
    amended: PlanSpec,
    run_a: SimulationResult,
    run_b: SimulationResult,
    history: dict[str, pd.DataFrame],
) -> pd.DataFrame:
    """1931/32 output of both runs beside the plan, the amended target and the 1932 outcome."""
    last = PERIODS[-1]
    targets = amended.targets[amended.targets["period"] == AMENDED_YEAR]
    amended_target = dict(zip(targets["product"].astype(str), targets["target"], strict=True))
    table = history.get("targets_of_production", pd.DataFrame(columns=["product", OUTCOME]))
    outcome = dict(zip(table["product"].astype(str), table[OUTCOME], strict=True))
    a, b = run_a.by_period()[last], run_b.by_period()[last]
    products = [p for p in outcome if p in a.index and pd.notna(outcome[p])]
    return pd.DataFrame(
        {
            "product": products,
            "plan": [float(result.output.loc[p, last]) for p in products],
            "amended target": [amended_target.get(p, np.nan) for p in products],
            "amended, unchecked": [float(a[p]) for p in products],
            "checked, re-planned": [float(b[p]) for p in products],
            "outcome 1932": [float(outcome[p]) for p in products],
        }
    )


def add_simulation_example(rep: Report, example: SimulationExample, units: pd.Series) -> None:
    """The worked example's section of the report: tables, then the harvest figures."""
    from gosplan.report.fan_charts import fan_figure, policy_figure

    span = "1928/29–1931/32"
    outcome = example.outcome.assign(
        unit=[str(units.get(p, "")) for p in example.outcome["product"]]
    )
    rep.add_table(
        f"Running the plan month by month, {span}: 1931/32 output",
        outcome[["product", "unit", *outcome.columns[1:-1]]],
        caption="The adopted plan (basic variant, least labour) run month by month from "
        "October 1928, two ways: the amended targets of 1930 laid on the enterprises (a third "
        "in 1929/30, two thirds in 1930/31, in full in 1931/32) with the counter-plans in "
        "full, nothing upstream raised; and the counter-plans checked against the plan's "
        "slack with the plan re-made at the end of every year (five-year targets kept). "
        "Output of the economic year 1931/32 beside the plan, the amended target and the "
        "1932 outcome of the history (a calendar year; the sources under the targets table).",
    )
    rep.add_table(
        "Where the shortfalls spread (amended targets, counter-plans without inputs)",
        example.spread.drop(columns=["worst_step"]),
        caption="The products that lost most output against the plan over the four years "
        "(lost: in the product's unit, summed over the months; lost_percent: of the planned), "
        "the month of the worst loss, and the chain of limiting inputs behind it: each "
        "product was short of the next one's deliveries, back to the root (capacity: a "
        "supplier at its capacity; demand: it delivered all it was asked for).",
    )
    rep.add_table(
        "Final demand not met, by user and year",
        example.unmet.reset_index(),
        caption="Final demand left unmet, percent of each user's demand, products added up "
        "at their labour values (the plan's mix of techniques).",
    )
    if example.harvests is None:
        return
    low, high = example.harvest_range
    rep.add_table(
        "Harvests: the rationing rules compared",
        example.policies,
        caption=f"{len(example.harvests.run_numbers)} runs per rule, every August harvest "
        f"short by a share drawn between {100 * low:.0f} and {100 * high:.0f} % (the grain "
        "table's worst year against its mean, 1928–32), counter-plans checked: final demand "
        "not met over the four years, percent of the demand at labour values (median and "
        "the 5–95 % range of the runs).",
    )
    rep.add_figure("Grain output under the harvests", fan_figure(example.harvests, "grain"),
                   caption="Grain output per month, median of the runs with 25–75 % and "
                   "5–95 % bands, under each rationing rule.", same_section=True)  # fmt: skip
    rep.add_figure(
        "Final demand not met under each rule",
        policy_figure(example.harvests, "unmet_final", example.weights, "labour values"),
        caption="Total final demand not met over each run at labour values: boxes 25–75 %, "
        "whiskers 5–95 %, the dot the mean.",
        same_section=True,
    )


def simulation_lines(example: SimulationExample) -> list[str]:
    """The worked example in short lines for the terminal (80 columns)."""
    out = example.outcome.set_index("product")
    lines = ["1931/32 output: plan / amended, unchecked / checked, re-planned / 1932 outcome"]
    for product in [p for p in ("coal", "oil", "pig iron", "steel", "grain") if p in out.index]:
        row = out.loc[product]
        lines.append(
            f"  {product:<10}{row['plan']:>9.3g}{row['amended, unchecked']:>9.3g}"
            f"{row['checked, re-planned']:>9.3g}{row['outcome 1932']:>9.3g}"
        )
    if len(example.spread):
        top = example.spread.iloc[0]
        lines.append(
            f"worst shortfall (unchecked): {top['product']}, {top['lost_percent']:.0f} % short"
        )
        chain = f"chain of limiting inputs: {top['chain']} [{top['root']}]"
        lines.extend(textwrap.wrap(chain, width=78, initial_indent="  ", subsequent_indent="    "))
    unmet = example.unmet.xs("households", level="user")
    for run, row in unmet.iterrows():
        lines.append(f"households' demand unmet, {run}: {row.max():.1f} % in the worst year")
    for row in example.policies.itertuples():
        lines.append(
            f"harvests, {row.variant}: {row.median:.1f} % of final demand unmet "
            f"(5–95 %: {row.p5:.1f}–{row.p95:.1f})"
        )
    return lines
