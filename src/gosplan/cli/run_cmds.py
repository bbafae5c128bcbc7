"""Commands that run the plan: control figures, counter-plans, fulfilment, competition, alerts.

Each command takes the adopted plan: ``SPEC`` (as for ``gosplan plan``), optimised here, or
``--plan DIR``, a plan written by ``gosplan plan --output DIR`` from that ``SPEC``. The
enterprises are the economy's own (its ``enterprises`` table; one per activity without one).
Each command is one call into :mod:`gosplan.run`:

- ``control-figures``: :func:`gosplan.run.control.control_figures` (and
  :func:`~gosplan.run.control.monthly` with ``--monthly``);
- ``counter-plan``: :func:`gosplan.run.counter_plans.check_counter_plan`;
- ``fulfilment``: :func:`gosplan.run.fulfilment.fulfilment` of the control figures;
- ``competition``: :func:`gosplan.run.competition.competition` (and
  :func:`~gosplan.run.competition.challenges`) of the fulfilment report;
- ``alerts``: :func:`gosplan.run.alerts.alerts` on the fulfilment table.

Exit status (see :mod:`gosplan.cli.app`): ``0`` success; ``1`` a valid "no" (``counter-plan``:
a counter-plan cannot be accepted in full; any command: the plan of ``SPEC`` is infeasible);
``2`` bad input (an unknown enterprise or product, a negative output, a report given twice,
a period outside the plan, ...: the message names the file, row and label); ``3`` a solver
stopped without an answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gosplan.cli.exits import EXIT_NO
from gosplan.cli.output import (
    FormatOption,
    OutputFormat,
    OutputOption,
    ProgressOption,
    emit,
    note,
    progress_bar,
    progress_mode,
    resolve_format,
    working,
)
from gosplan.cli.plan_cmds import (
    QuietOption,
    SpecArg,
    check_writable,
    load_spec,
    plan_exit_status,
    refuse_workbook,
    spec_path,
)
from gosplan.core.status import Status
from gosplan.errors import InputError, ValidationError, validation_error

if TYPE_CHECKING:
    import pandas as pd

    from gosplan.core.control_figures import ControlFigures
    from gosplan.core.counter_plan_check import CounterPlanCheck
    from gosplan.core.fulfilment_report import FulfilmentReport
    from gosplan.core.plan_result import PlanResult
    from gosplan.core.spec import PlanSpec

#: Rows of each control-figure table shown on the terminal (all of them: ``--output``).
TERMINAL_ROWS = 12


class Rule(StrEnum):
    """How an activity's level is split among its enterprises."""

    capacity = "capacity"
    least_labour = "least_labour"


class Mode(StrEnum):
    """How several counter-plans share the plan's slack."""

    inquiry = "inquiry"
    commit = "commit"
    joint = "joint"


class Unit(StrEnum):
    """Who competes."""

    enterprise = "enterprise"
    trust = "trust"
    commissariat = "commissariat"


class Measure(StrEnum):
    """What the competition ranks."""

    fulfilment = "fulfilment"
    growth = "growth"
    productivity = "productivity"


PlanOption = Annotated[
    Path | None,
    typer.Option(
        "--plan",
        help="The adopted plan: a folder (or .json file) written by `gosplan plan --output` "
        "from SPEC, instead of optimising SPEC here.",
        show_default=False,
    ),
]
RuleOption = Annotated[
    Rule,
    typer.Option(
        "--rule",
        help="Split of each activity's level among its enterprises: capacity (in proportion "
        "to their capacity) or least_labour (the most productive loaded first).",
        case_sensitive=False,
    ),
]
MonthlyOption = Annotated[
    bool,
    typer.Option(
        "--monthly", help="Spread the annual figures over the twelve months (see --profile)."
    ),
]
ProfileOption = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        help="Seasonal profile for --monthly (which it implies): a CSV with the columns "
        "product, month and weight. Without it every month gets a twelfth.",
        show_default=False,
    ),
]


def _output_option(help: str) -> Any:
    """The ``--output``/``-o`` option of a command that writes its result, with ``help``."""
    return typer.Option("--output", "-o", help=help)


ActualsArg = Annotated[
    Path,
    typer.Argument(
        help="The enterprises' reports: a CSV (or Parquet) with the columns enterprise, "
        "period, product and output, optionally month, labour:<type> and received:<product>.",
        show_default=False,
        metavar="ACTUALS",
    ),
]


# ---------------------------------------------------------------------------- the plan
def adopted_plan(
    spec: str, plan: Path | None, quiet: bool = False, progress: bool = False
) -> tuple[PlanResult, PlanSpec]:
    """The adopted plan and its spec: ``--plan`` read from disk, or ``SPEC`` optimised.

    Raises
    ------
    typer.Exit
        The plan is not optimal: 1 when infeasible, 2 when unbounded, 3 when a solver stopped.
    """
    from gosplan.core.plan_result import PlanResult

    plan_spec = load_spec(spec_path(spec))
    mode = progress_mode(quiet, progress)
    if plan is not None:
        with working("reading the plan"):
            result = PlanResult.read(plan)
    else:
        from gosplan.plan.optimise import optimise

        with progress_bar("planning", enabled=mode != "off", always=mode == "always") as cb:
            result = optimise(plan_spec, progress=cb)
    if result.status != Status.OPTIMAL:
        where = f"the plan {plan}" if plan is not None else f"the plan of {spec}"
        hint = "" if plan is not None else f"; run `gosplan check-plan {spec}` for a diagnosis"
        typer.echo(f"{where} is not optimal (status {result.status}){hint}", err=True)
        raise typer.Exit(plan_exit_status(result.status))
    return result, plan_spec


def read_file_table(path: Path) -> pd.DataFrame:
    """A table file (CSV, Parquet or JSON records); errors name the file."""
    from gosplan.core.serial import read_table

    return read_table(path)


def _renamed(err: InputError, source: str, names: tuple[str, ...]) -> InputError:
    """``err`` (each of its problems) with ``source`` where it names the table as ``names``."""
    if isinstance(err, ValidationError) and err.problems:
        return validation_error([_renamed(p, source, names) for p in err.problems])
    if err.source not in names:
        return err
    return type(err)(err.message, source=source, row=err.row, label=err.label, check=err.check)


@contextmanager
def named(path: Path, *names: str) -> Iterator[None]:
    """Errors raised in the block that name a table ``names`` name the file ``path`` instead."""
    try:
        yield
    except InputError as err:
        renamed = _renamed(err, str(path), names)
        if renamed is err:
            raise
        raise renamed from None


def figures_of(
    result: PlanResult,
    plan_spec: PlanSpec,
    rule: Rule,
    monthly: bool = False,
    profile: Path | None = None,
) -> ControlFigures:
    """The control figures of the plan, monthly with ``monthly`` or a ``profile``."""
    from gosplan.run import control

    figures = control.control_figures(result, plan_spec, rule=rule.value)
    if monthly or profile is not None:
        table = read_file_table(profile) if profile is not None else None
        with named(profile or Path("profile"), "seasonal profile"):
            figures = control.monthly(figures, table)
    return figures


def planned_figures(
    spec: str,
    plan: Path | None,
    rule: Rule,
    monthly: bool,
    profile: Path | None,
    quiet: bool = False,
    progress: bool = False,
) -> tuple[PlanResult, ControlFigures]:
    """The adopted plan (:func:`adopted_plan`) and its control figures (:func:`figures_of`)."""
    result, plan_spec = adopted_plan(spec, plan, quiet, progress)
    return result, figures_of(result, plan_spec, rule, monthly, profile)


def _output_kind(format: OutputFormat, output: Path | None, what: str) -> str:
    """The format of ``--output`` for a result with ``write``; checked before any work."""
    kind = resolve_format(format, output) if output is not None else format.value
    refuse_workbook(kind, output, what)
    check_writable(output, folder=kind != "json")
    return kind


def _written(
    result: ControlFigures | CounterPlanCheck | FulfilmentReport,
    what: str,
    kind: str,
    format: OutputFormat,
    output: Path | None,
) -> bool:
    """Write ``result`` to ``output`` in ``kind`` and say so; False (nothing done) without one."""
    if output is None:
        return False
    path = result.write(output, format=kind)
    note(f"wrote {what} ({kind}) to {path}", format, output)
    return True


# ---------------------------------------------------------------------------- control figures
def _first_rows(table: pd.DataFrame, rows: int = TERMINAL_ROWS) -> pd.DataFrame:
    return table.head(rows)


def _narrow(table: pd.DataFrame) -> pd.DataFrame:
    """A control-figure table in the columns that fit a terminal (all of them: --output).

    Trust, commissariat and activity are left out (and the month of annual figures).
    """
    drop = [c for c in ("trust", "commissariat", "activity") if c in table.columns]
    if len(table) and (table["month"] == 0).all():
        drop.append("month")
    return table.drop(columns=drop)


def _count_title(title: str, table: pd.DataFrame, rows: int = TERMINAL_ROWS) -> str:
    n = len(table)
    if n <= rows:
        return f"{title} ({n} rows)"
    return f"{title}: the first {rows} of {n:,} rows (all rows and columns: --output)"


def control_figures(
    spec: SpecArg,
    plan: PlanOption = None,
    rule: RuleOption = Rule.capacity,
    monthly: MonthlyOption = False,
    profile: ProfileOption = None,
    format: FormatOption = OutputFormat.table,
    output: Annotated[
        Path | None,
        _output_option(
            "Write the figures, labour and supply tables in full: a folder for csv (the "
            "default) or parquet, one file for json (also picked by a .json suffix)."
        ),
    ] = None,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Control figures: the plan split among the enterprises (output, labour, supply).

    Each activity's planned level is shared among its enterprises, period by period (and
    month by month with --monthly); each enterprise gets its level, output, labour by type
    and supply orders. The terminal shows the first rows of each table.
    """
    kind = _output_kind(format, output, "the control figures")
    result, figures = planned_figures(spec, plan, rule, monthly, profile, quiet, progress)
    n_ent = figures.figures["enterprise"].nunique()
    note(
        f"control figures of {n_ent:,} enterprises over {len(result.periods)} periods "
        f"({'monthly' if figures.monthly else 'annual'}, rule {figures.rule})",
        format,
        output,
    )
    if _written(figures, "the control figures", kind, format, output):
        return
    tables: dict[str, pd.DataFrame] = figures.tables()
    titles = {
        "figures": "Control figures by enterprise",
        "labour": "Labour by enterprise and type",
        "supply": "Supply orders by enterprise and input",
    }
    if kind == "table":
        titles = {name: _count_title(titles[name], tables[name]) for name in tables}
        tables = {name: _first_rows(_narrow(frame)) for name, frame in tables.items()}
    emit(
        tables,
        format,
        None,
        titles=titles,
        meta={"rule": figures.rule, "monthly": figures.monthly, "periods": list(result.periods)},
    )


# ---------------------------------------------------------------------------- counter-plans
def _period(value: Any) -> str:
    """A period as people write it (``1929``, not ``1929.0``)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return str(int(number)) if number.is_integer() else str(value)


def _amount(value: Any) -> str:
    return f"{float(value):,.4g}"


def _item(kind: str, item: Any) -> str:
    if kind == "capacity":
        return f"capacity of {item}"
    if kind == "stock":
        return f"stock of {item}"
    return f"{kind} {item}" if kind and str(kind) != str(item) else str(item)


def _listing(parts: list[str], limit: int = 6) -> str:
    if len(parts) > limit:
        parts = [*parts[:limit], f"{len(parts) - limit} more (see --output)"]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def counter_plan_message(check: CounterPlanCheck, name: str) -> str:
    """One paragraph in words: how much of a counter-plan can be accepted, and what it lacks.

    In ``joint`` mode what is missing is the batch's (listed under ``joint``).
    """
    row = check.summary[check.summary["counter_plan"].astype(str) == str(name)].iloc[0]
    share = float(row["accepted_share"])
    joint = check.mode == "joint"
    if share >= 1.0:
        together = " together with the others" if joint else ""
        return (
            f"{name}: can be accepted in full{together}: the plan's slack covers all it needs "
            "up the supply chain."
        )
    owner = "joint" if joint else str(name)
    text = f"{name}: {share:.1%} can be accepted"
    if joint:
        text += " (one share for the whole batch)"
    if row["binding_item"] not in ("", None) and str(row["binding_item"]) != "nan":
        text += (
            f"; the {_item(str(row['binding_kind']), row['binding_item'])} in "
            f"{_period(row['binding_period'])} binds first"
        )
    missing = check.missing[check.missing["counter_plan"].astype(str) == owner]
    if len(missing):
        parts = [
            f"{_amount(m.quantity)} of the {_item(str(m.kind), m.item)} in {_period(m.period)}"
            for m in missing.itertuples()
        ]
        whose = "the batch" if joint else "it"
        text += f". To accept {whose} in full, upstream, the plan lacks {_listing(parts)}"
    starved = check.starved[check.starved["counter_plan"].astype(str) == owner]
    if len(starved):
        parts = [
            f"{s.product} in {_period(s.period)} ({_amount(s.would_get)} of "
            f"{_amount(s.target)}, {_amount(s.shortfall)} short)"
            for s in starved.itertuples()
        ]
        text += f"; accepted in full anyway, it would starve the targets of {_listing(parts)}"
    return text + "."


def counter_plan(
    spec: SpecArg,
    counter_plans: Annotated[
        Path,
        typer.Argument(
            help="The counter-plans: a CSV (or Parquet) with the columns counter_plan, "
            "enterprise (or activity), period and extra_output, optionally input and "
            "new_coefficient (a raised norm).",
            show_default=False,
            metavar="COUNTER_PLANS",
        ),
    ],
    plan: PlanOption = None,
    mode: Annotated[
        Mode,
        typer.Option(
            "--mode",
            help="inquiry (each counter-plan alone), commit (in order, each reserving what it "
            "takes) or joint (one share for them all).",
            case_sensitive=False,
        ),
    ] = Mode.inquiry,
    session_labour: Annotated[
        float,
        typer.Option(
            "--session-labour",
            help="Labour of the planning sessions, in person-years per worker and period "
            "(0: not counted; half an hour a day is 0.0625).",
        ),
    ] = 0.0,
    format: FormatOption = OutputFormat.table,
    output: Annotated[
        Path | None,
        _output_option(
            "Write the whole check (requirements, slack, summary, missing, starved): a "
            "folder for csv (the default) or parquet, one file for json."
        ),
    ] = None,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Check counter-plans upstream: whether the plan's slack can supply the extra output.

    For each counter-plan: the share of its extra output that can be accepted, what is
    missing up the supply chain to accept it in full, and whose targets would starve. Exit
    status 1 when some counter-plan cannot be accepted in full (a valid "no").
    """
    from gosplan.run.counter_plans import check_counter_plan, read_counter_plans

    kind = _output_kind(format, output, "the check")
    table = read_counter_plans(counter_plans)
    result, plan_spec = adopted_plan(spec, plan, quiet, progress)
    check = check_counter_plan(
        result, plan_spec, table, mode=mode.value, session_labour=session_labour
    )
    names = [str(n) for n in check.summary["counter_plan"]]
    messages = [counter_plan_message(check, n) for n in names]
    refused = [n for n in names if check.accepted_share(n) < 1.0]
    if not _written(check, "the check", kind, format, output):
        _emit_counter_plan_check(check, kind, format, messages, refused)
    for message, name in zip(messages, names, strict=True):
        note(message, format, output, style="yellow" if name in refused else None)
    if refused:
        raise typer.Exit(EXIT_NO)


def _emit_counter_plan_check(
    check: CounterPlanCheck,
    kind: str,
    format: OutputFormat,
    messages: list[str],
    refused: list[str],
) -> None:
    """Show a counter-plan check: its summary, what is missing and what would starve.

    Parameters
    ----------
    check
        The check (:func:`gosplan.run.counter_plans.check_counter_plan`).
    kind
        How it is shown (``"table"``: a narrower summary on the terminal).
    format
        The output format.
    messages
        One message per counter-plan, in the summary's order.
    refused
        The counter-plans that cannot be accepted in full.
    """
    summary = check.summary.loc[:, ["counter_plan", "accepted_share", "binding_item"]]
    summary = summary.assign(
        binding_kind=check.summary["binding_kind"],
        binding_period=[
            "" if str(p) in ("", "nan", "None") else _period(p)
            for p in check.summary["binding_period"]
        ],
    )
    emit(
        {
            "summary": summary if kind == "table" else check.summary,
            "missing": check.missing,
            "starved": check.starved,
        },
        format,
        None,
        titles={
            "summary": f"Counter-plans: the share that can be accepted ({check.mode})",
            "missing": "Missing, upstream, to accept them in full",
            "starved": "Targets that would starve if accepted in full",
        },
        meta={
            "mode": check.mode,
            "session_labour": check.session_labour,
            "accepted_in_full": not refused,
            "messages": messages,
        },
    )


# ---------------------------------------------------------------------------- fulfilment
#: Columns of the aggregates and of the fulfilment table shown on the terminal (all of them:
#: --format csv).
AGGREGATE_TERMINAL = ("product", "period", "month", "plan", "actual", "share", "cumulative_share")
FULFILMENT_TERMINAL = ("enterprise", *AGGREGATE_TERMINAL, "cause")


#: Significant digits of the numbers of a wide table on the terminal.
TERMINAL_DIGITS = 4


def _terminal(table: pd.DataFrame) -> pd.DataFrame:
    """A wide table narrowed for the terminal (every column and digit: --format csv).

    Numbers to four significant digits, ``cumulative_share`` headed ``to date`` and the
    month left out when every report is annual.
    """
    import numpy as np

    out = table.copy()
    if "month" in out.columns and len(out) and bool((out["month"] == 0).all()):
        out = out.drop(columns="month")
    for col in out.columns:
        if out[col].dtype.kind == "f":
            values = out[col].to_numpy(dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                scale = np.where(
                    np.isfinite(values) & (values != 0),
                    10.0 ** (TERMINAL_DIGITS - 1 - np.floor(np.log10(np.abs(values)))),
                    1.0,
                )
            out[col] = np.round(values * scale) / scale
    return out.rename(columns={"cumulative_share": "to date"})


def fulfilment_report(
    spec: str,
    actuals: Path,
    plan: Path | None,
    rule: Rule,
    monthly: bool,
    profile: Path | None,
    quiet: bool = False,
    progress: bool = False,
) -> FulfilmentReport:
    """The fulfilment of the plan's control figures by the reports in ``actuals``."""
    from gosplan.run.fulfilment import fulfilment, read_actuals

    _, figures = planned_figures(spec, plan, rule, monthly, profile, quiet, progress)
    reports = read_actuals(actuals, figures)
    if "month" in reports.columns and bool((reports["month"] == 0).all()):
        # read_actuals adds month 0 to annual reports, which fulfilment checks as a month
        # given (1..12): leave it out again (a month column given cannot hold 0)
        reports = reports.drop(columns="month")
    return fulfilment(figures, reports, source=str(actuals))


def fulfilment_cmd(
    spec: SpecArg,
    actuals: ActualsArg,
    plan: PlanOption = None,
    rule: RuleOption = Rule.capacity,
    monthly: MonthlyOption = False,
    profile: ProfileOption = None,
    format: FormatOption = OutputFormat.table,
    output: Annotated[
        Path | None,
        _output_option(
            "Write the report (table, by_trust, by_commissariat): a folder for csv (the "
            "default) or parquet, one file for json."
        ),
    ] = None,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Fulfilment: the enterprises' reports against their control figures, and why short.

    One row per report (plan, actual, share, cumulative share, shortfall and its cause:
    a labour type, an input or capacity), then the sums by trust and by commissariat.
    """
    kind = _output_kind(format, output, "the fulfilment report")
    report = fulfilment_report(spec, actuals, plan, rule, monthly, profile, quiet, progress)
    table = report.table
    short = int((table["shortfall"] > 0).sum())
    note(
        f"{len(table):,} reports of {table['enterprise'].nunique():,} enterprises; "
        f"{short:,} short of plan",
        format,
        output,
    )
    if _written(report, "the fulfilment report", kind, format, output):
        return
    tables = {
        "table": table,
        "by_trust": report.by_trust,
        "by_commissariat": report.by_commissariat,
    }
    if kind == "table":
        tables = {
            "table": _terminal(table.loc[:, list(FULFILMENT_TERMINAL)]),
            "by_trust": _terminal(report.by_trust.loc[:, ["trust", *AGGREGATE_TERMINAL]]),
            "by_commissariat": _terminal(
                report.by_commissariat.loc[:, ["commissariat", *AGGREGATE_TERMINAL]]
            ),
        }
    emit(
        tables,
        format,
        None,
        titles={
            "table": "Fulfilment by enterprise and report (every column: --format csv)",
            "by_trust": "By trust (product *: the mean over its products)",
            "by_commissariat": "By commissariat (product *: the mean over its products)",
        },
    )


# ---------------------------------------------------------------------------- competition
def competition_cmd(
    spec: SpecArg,
    actuals: ActualsArg,
    by: Annotated[
        Unit, typer.Option("--by", help="Who competes.", case_sensitive=False)
    ] = Unit.enterprise,
    measure: Annotated[
        Measure,
        typer.Option(
            "--measure",
            help="fulfilment (cumulative share of the plan), growth (on the previous report) "
            "or productivity (output per unit of labour).",
            case_sensitive=False,
        ),
    ] = Measure.fulfilment,
    product: Annotated[
        str | None,
        typer.Option(
            "--product",
            help="Rank on this product alone (default: the mean over each unit's products).",
            show_default=False,
        ),
    ] = None,
    pairs: Annotated[
        Path | None,
        typer.Option(
            "--challenges",
            help="Challenges: a CSV with the columns challenger and challenged (units of "
            "--by); shows who is ahead in each, and by how much.",
            show_default=False,
        ),
    ] = None,
    plan: PlanOption = None,
    rule: RuleOption = Rule.capacity,
    monthly: MonthlyOption = False,
    profile: ProfileOption = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Socialist competition: rank the units on their fulfilment, growth or productivity.

    One ranking per period (and month): rank 1 is the best, equal values share a rank.
    With --challenges, who is ahead in each challenge.
    """
    from gosplan.run.competition import challenges, competition

    kind = resolve_format(format, output)
    check_writable(output, folder=pairs is not None and kind != "excel")
    pair_table = read_file_table(pairs) if pairs is not None else None
    report = fulfilment_report(spec, actuals, plan, rule, monthly, profile, quiet, progress)
    tables = {"standings": competition(report, by=by.value, measure=measure.value, product=product)}
    if pair_table is not None and pairs is not None:
        with named(pairs, "pairs"):
            tables["challenges"] = challenges(
                report, pair_table, by=by.value, measure=measure.value, product=product
            )
    what = f" of {product}" if product is not None else ""
    emit(
        tables,
        format,
        output,
        titles={
            "standings": f"Standings of the {by.value}s on {measure.value}{what}",
            "challenges": "Challenges: who is ahead",
        },
        meta={"by": by.value, "measure": measure.value, "product": product},
    )


# ---------------------------------------------------------------------------- alerts
def alerts_cmd(
    spec: SpecArg,
    actuals: ActualsArg,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            help="Probability of a recent change in a series of shares of the plan that "
            "raises an alert.",
            min=0.0,
            max=1.0,
        ),
    ] = 0.25,
    plan: PlanOption = None,
    rule: RuleOption = Rule.capacity,
    monthly: MonthlyOption = False,
    profile: ProfileOption = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Alerts: incipient falls and rises of fulfilment, and who is told as they last.

    One series per enterprise and product, its share of the plan in time order; an alert
    goes to the enterprise, then its trust, its commissariat and the planning office while
    the series stays out of its band.
    """
    from gosplan.run.alerts import alerts

    kind = resolve_format(format, output)
    check_writable(output, folder=False)
    report = fulfilment_report(spec, actuals, plan, rule, monthly, profile, quiet, progress)
    table = alerts(report.table, threshold=threshold)
    series = table.loc[:, ["enterprise", "product"]].drop_duplicates() if len(table) else table
    note(
        f"{len(table):,} alerts open in {len(series):,} of the series (threshold {threshold:g})",
        format,
        output,
    )
    emit(
        {"alerts": _terminal(table) if kind == "table" else table},
        format,
        output,
        titles={"alerts": "Alerts (level: who is told; reports: since the alert was raised)"},
    )


#: Commands of this group, registered by :mod:`gosplan.cli.app`.
COMMANDS = {
    "control-figures": control_figures,
    "counter-plan": counter_plan,
    "fulfilment": fulfilment_cmd,
    "competition": competition_cmd,
    "alerts": alerts_cmd,
}
