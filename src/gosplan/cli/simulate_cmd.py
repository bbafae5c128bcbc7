"""``gosplan simulate``: run the adopted plan forward month by month (or day by day).

One call into :func:`gosplan.run.simulate.simulate` with the plan (``SPEC`` optimised here, or
``--plan DIR``), shocks and counter-plans read from files; the terminal shows the plan's
fulfilment by product and year, the final demand left unmet by user, and the worst
shortfalls with the chain of limiting inputs back to their root cause
(:func:`gosplan.run.outcome.shortfalls`). ``--output`` writes the whole run (every table,
step by step).

Exit status: ``0`` success; ``1`` the plan of ``SPEC`` is infeasible (nothing to run); ``2``
bad input (a shock for an unknown product or enterprise, a date outside the horizon, a
negative share, a restoration time of 0, a class naming an unknown orderer: the message names
the file, row and label); ``3`` a solver stopped without an answer.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gosplan.cli.output import (
    FormatOption,
    OutputFormat,
    ProgressOption,
    emit,
    note,
    progress_bar,
    progress_mode,
)
from gosplan.cli.plan_cmds import QuietOption, SpecArg
from gosplan.cli.run_cmds import PlanOption, _output_kind, adopted_plan, read_file_table
from gosplan.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from gosplan.core.simulation_result import SimulationResult


class Step(StrEnum):
    """The length of a step."""

    month = "month"
    day = "day"


class Rationing(StrEnum):
    """How short supply is shared."""

    proportional = "proportional"
    priority = "priority"
    fixed = "fixed"


class Accept(StrEnum):
    """How counter-plans are accepted."""

    all = "all"
    checked = "checked"


def _table_file(path: Path | None) -> pd.DataFrame | None:
    """A table read from ``path`` (named by it in every message), or ``None``."""
    if path is None:
        return None
    table = read_file_table(path)
    table.attrs["source"] = str(path)
    return table


def parse_periods(text: str | None) -> list[int] | None:
    """``"1929-1932"`` or ``"1929,1930"`` as a list of periods (``None``: all)."""
    if text is None:
        return None
    try:
        if "-" in text:
            first, last = (int(p) for p in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(p) for p in text.split(",")]
    except ValueError:
        raise InputError(
            f"--periods takes FIRST-LAST or a list like 1929,1930, not {text!r}",
            source="--periods",
            check="bad_option",
        ) from None


StepOption = Annotated[Step, typer.Option("--step", help="month or day.")]

PeriodsOption = Annotated[
    str | None,
    typer.Option("--periods", help="The plan's periods to run, e.g. 1929-1932 (all)."),
]

ShocksOption = Annotated[
    Path | None,
    typer.Option(
        "--shocks",
        help="Shocks: a CSV with product (or enterprise), date (or from_step), share (or "
        "share_min and share_max), optionally kind (capacity, harvest, labour, transport, "
        "counter_plan), recovery (steps) and curve (linear, exponential, step).",
        show_default=False,
    ),
]

CounterPlansOption = Annotated[
    Path | None,
    typer.Option(
        "--counter-plans",
        help="Counter-plans (as for `gosplan counter-plan`) raising their enterprise's "
        "output in their period, nothing upstream.",
        show_default=False,
    ),
]

AcceptOption = Annotated[
    Accept,
    typer.Option(
        "--accept",
        help="all: every counter-plan in full, without its inputs (the 1929–30 practice); "
        "checked: each by the share the check against the plan's slack accepts.",
    ),
]

RationingOption = Annotated[
    Rationing,
    typer.Option(
        "--rationing",
        help="proportional (to orders), priority (by --classes) or fixed (the plan's "
        "supply orders).",
    ),
]

ClassesOption = Annotated[
    Path | None,
    typer.Option(
        "--classes",
        help="Priority classes: a CSV with product (a product or a final user: "
        "households, investment, state, stock building) and class (1 first).",
        show_default=False,
    ),
]

StockDaysOption = Annotated[
    float, typer.Option("--stock-days", help="Stocks of every input, in days of use.")
]

RestorationOption = Annotated[
    float, typer.Option("--restoration", help="Days over which a stock gap is made up.")
]

SeedOption = Annotated[int | None, typer.Option("--seed", help="Seed of shares drawn from ranges.")]

YearStartOption = Annotated[
    int,
    typer.Option(
        "--year-start",
        help="The month a period starts in (10: the Soviet economic year from October, "
        "period 1929 = 1928/29).",
    ),
]

ReplanOption = Annotated[
    str | None,
    typer.Option(
        "--replan",
        help="Re-plan the rest of the horizon at the end of every period: keep (the "
        "five-year targets stand) or rescale (scaled by what was achieved).",
        show_default=False,
    ),
]

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the whole run (products, limits, final users, activities, "
        "enterprises, calendar): a folder for csv or parquet, one file for json.",
    ),
]


def simulate(
    spec: SpecArg,
    plan: PlanOption = None,
    step: StepOption = Step.month,
    periods: PeriodsOption = None,
    shocks: ShocksOption = None,
    counter_plans: CounterPlansOption = None,
    accept: AcceptOption = Accept.all,
    rationing: RationingOption = Rationing.proportional,
    classes: ClassesOption = None,
    stock_days: StockDaysOption = 60.0,
    restoration: RestorationOption = 45.0,
    seed: SeedOption = None,
    year_start: YearStartOption = 1,
    replan: ReplanOption = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Simulate the plan month by month: shocks, stocks, rationing and knock-on shortfalls.

    The adopted plan runs forward on its calendar with stocks of every input, orders and
    deliveries; shocks and counter-plans accepted without their inputs make shortfalls that
    travel down the chains of inputs. Shown: the plan's fulfilment by product and year, the
    final demand left unmet, and the worst shortfalls with their root causes.
    """
    from gosplan.run.simulate import simulate as run_simulation

    kind = _output_kind(format, output, "the simulation")
    options: dict[str, Any] = {
        "step": step.value,
        "periods": parse_periods(periods),
        "shocks": _table_file(shocks),
        "counter_plans": _table_file(counter_plans),
        "accept": accept.value,
        "rationing": rationing.value,
        "classes": _table_file(classes),
        "stock_days": stock_days,
        "restoration": restoration,
        "seed": seed,
        "year_start": year_start,
        "replan": replan,
    }
    result, plan_spec = adopted_plan(spec, plan, quiet, progress)
    mode = progress_mode(quiet, progress)
    with progress_bar("simulating", enabled=mode != "off", always=mode == "always") as cb:
        run = run_simulation(plan_spec, result, progress=cb, **options)
    note(_headline(run), format, output)
    if output is not None:
        path = run.write(output, format=kind)
        note(f"wrote the simulation ({kind}) to {path}", format, output)
        return
    from gosplan.run.plan_simulation import labour_values

    _emit(run, labour_values(plan_spec, result), format)


def _headline(run: SimulationResult) -> str:
    prov = run.provenance
    return (
        f"simulated {prov.get('plan', 'the plan')} {prov.get('periods', '')}: {run.steps:,} "
        f"steps of a {prov.get('step', 'step')}, rationing {run.rationing}, "
        f"{prov.get('shocks', 0)} shocks ({prov.get('counter_plans', 0)} counter-plans, "
        f"accepted: {prov.get('accept', 'all')})"
        + (f"; re-planned {prov['replans']} times ({prov['replan']})" if "replan" in prov else "")
    )


def _emit(run: SimulationResult, weights: pd.Series, format: OutputFormat) -> None:
    from gosplan.run.outcome import shortfalls

    fulfilment = run.plan_fulfilment().round(1).reset_index()
    unmet = run.unmet_by_user(weights).reset_index()
    worst = shortfalls(run)
    fulfilment.columns = [str(c) for c in fulfilment.columns]
    unmet.columns = [str(c) for c in unmet.columns]
    if format == OutputFormat.table:
        unmet = unmet.round(2)
        worst = worst.assign(
            lost_percent=worst["lost_percent"].round(1),
            cause=worst["chain"] + " (" + worst["root"].str.extract(r"\((\w+)\)$")[0] + ")",
        )[["product", "lost_percent", "worst_date", "cause"]]
        worst.columns = ["product", "lost %", "worst", "cause: the chain of limiting inputs"]
    emit(
        {"fulfilment": fulfilment, "unmet": unmet, "shortfalls": worst},
        format,
        None,
        titles={
            "fulfilment": "Output as % of the plan, by year",
            "unmet": "Final demand not met, % of the demand at labour values, by user and year",
            "shortfalls": "The worst shortfalls and their root causes",
        },
        meta={"steps": run.steps, "rationing": run.rationing},
    )


COMMANDS = {"simulate": simulate}
