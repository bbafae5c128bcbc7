"""Plan commands: ``plan``, ``check-plan`` and ``frontier``.

``SPEC`` is a plan specification on disk (a directory or its manifest), read with
:func:`gosplan.plan.reader.read_plan`.

Exit status: ``0`` success (``check-plan``: the targets are feasible); ``1`` a valid answer that
is "no" (``check-plan``: the targets are infeasible; ``plan``: the solver found no optimal
plan); ``2`` bad input.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gosplan.cli.output import FormatOption, OutputFormat, OutputOption, emit, note, progress_bar

if TYPE_CHECKING:
    from gosplan.plan.spec import PlanSpec

#: Exit status of a valid negative answer (infeasible targets, no optimal plan).
EXIT_NO = 1


class Solver(StrEnum):
    """LP method: chosen by size (``auto``), dual simplex, interior point or PDLP."""

    auto = "auto"
    simplex = "simplex"
    ipm = "ipm"
    pdlp = "pdlp"


SpecArg = Annotated[
    Path,
    typer.Argument(help="Plan specification: a directory or its manifest.", show_default=False),
]
SolverOption = Annotated[Solver, typer.Option("--solver", help="LP method.", case_sensitive=False)]
TimeLimitOption = Annotated[
    float | None, typer.Option("--time-limit", help="Solver time limit in seconds.", min=0)
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def load_plan(path: Path) -> PlanSpec:
    """Read a plan specification (see :func:`gosplan.plan.reader.read_plan`)."""
    from gosplan.plan.reader import read_plan

    return read_plan(path)


def parse_shares(text: str | None) -> list[float] | None:
    """Parse ``--shares`` (comma-separated numbers) into a list of floats.

    Raises
    ------
    typer.BadParameter
        An entry that is not a number (a usage error: exit status 2).
    """
    if text is None:
        return None
    shares = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            shares.append(float(item))
        except ValueError:
            raise typer.BadParameter(f"not a number: {item!r}", param_hint="--shares") from None
    if not shares:
        raise typer.BadParameter("give at least one share", param_hint="--shares")
    return shares


def plan(
    spec: SpecArg,
    solver: SolverOption = Solver.auto,
    time_limit: TimeLimitOption = None,
    format: FormatOption = OutputFormat.table,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write every table of the plan: a directory for csv (the default) or "
            "parquet, one file for json.",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Compute an optimal plan; show its summary, output, investment shares and bottlenecks."""
    from gosplan.plan.optimise import optimise

    plan_spec = load_plan(spec)
    with progress_bar("planning", enabled=not quiet) as callback:
        result = optimise(plan_spec, solver=solver.value, time_limit=time_limit, progress=callback)
    note(result.summary(), format, None)
    if output is not None:
        kind = "csv" if format is OutputFormat.table else format.value
        path = result.write(output, format=kind)
        note(f"wrote the plan's tables ({kind}) to {path}", format, None)
    else:
        emit(
            {
                "output": result.output,
                "investment_shares": result.investment_shares,
                "binding": result.binding,
            },
            format,
            None,
            titles={
                "output": "Output by product and period",
                "investment_shares": "Shares of investment",
                "binding": "Binding constraints",
            },
        )
    if result.status != "optimal":
        note(
            f"no optimal plan (status {result.status}); run `gosplan check-plan {spec}` "
            "for a diagnosis",
            format,
            None,
            style="yellow",
        )
        raise typer.Exit(EXIT_NO)


def check_plan(
    spec: SpecArg,
    solver: SolverOption = Solver.auto,
    time_limit: TimeLimitOption = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Diagnose the targets: can they be met, what limits them, what would it take.

    Exit status 0 when the targets are feasible and 1 when they are not: both are valid
    answers, not errors. Exit status 2 means bad input.
    """
    from gosplan.plan.diagnosis import check_plan as diagnose

    plan_spec = load_plan(spec)
    result = diagnose(plan_spec, solver=solver.value, time_limit=time_limit)
    note(result.message(), format, output, style=None if result.feasible else "yellow")
    emit(
        {
            "reachable": result.reachable,
            "binding": result.binding,
            "additions": result.additions,
        },
        format,
        output,
        titles={
            "reachable": "Targets: reachable jointly and alone",
            "binding": "What limits the targets",
            "additions": "What it would take",
        },
    )
    if not result.feasible:
        raise typer.Exit(EXIT_NO)


def frontier(
    spec: SpecArg,
    shares: Annotated[
        str | None,
        typer.Option(
            "--shares",
            help="Comma-separated shares of investment in means of production, e.g. "
            "0.143,0.286,0.429 (default: the library's grid).",
        ),
    ] = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    quiet: QuietOption = False,
) -> None:
    """Consumption against accumulation: one plan per investment share."""
    grid = parse_shares(shares)  # before any import or reading: a usage error comes first

    from gosplan.plan.frontier import frontier as trace

    plan_spec = load_plan(spec)
    options = {} if grid is None else {"shares": grid}
    with progress_bar("tracing the frontier", enabled=not quiet) as callback:
        result = trace(plan_spec, progress=callback, **options)
    emit({"frontier": result.table}, format, output, titles={"frontier": "Frontier"})


#: Commands of this group, registered by :mod:`gosplan.cli.app`.
COMMANDS = {"plan": plan, "check-plan": check_plan, "frontier": frontier}
