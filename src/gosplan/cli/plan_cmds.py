"""Plan commands: ``plan``, ``check-plan`` and ``frontier``.

``SPEC`` is a plan specification on disk (a directory or its manifest), read with
:func:`gosplan.plan.reader.read_spec`.

Exit status (see :mod:`gosplan.cli.app`): ``0`` success (``check-plan``: the targets are
feasible); ``1`` a valid answer that is "no" (``check-plan``: the targets are infeasible;
``plan``: the plan is infeasible; ``frontier``: the plan of every share is infeasible); ``2`` bad
input (also ``plan`` on an unbounded plan: the specification leaves something without limit);
``3`` a solver stopped without an answer (a time limit or numerical trouble).
"""

from __future__ import annotations

import errno
import os
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from gosplan.cli.exits import EXIT_BAD_INPUT, EXIT_NO, EXIT_STOPPED
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
    usage_errors,
)
from gosplan.core.status import Status
from gosplan.errors import InputError

if TYPE_CHECKING:
    from gosplan.core.frontier_result import FrontierResult
    from gosplan.core.spec import PlanSpec


def plan_exit_status(status: Status | str) -> int:
    """The exit status of a plan that is not optimal.

    Parameters
    ----------
    status
        The plan's :class:`~gosplan.core.status.Status` (or its value, as a table holds it).

    Returns
    -------
    int
        1 (a valid "no") when infeasible, 2 (bad input) when unbounded, else 3 (stopped
        without an answer).
    """
    if status == Status.INFEASIBLE:
        return EXIT_NO
    if status == Status.UNBOUNDED:
        return EXIT_BAD_INPUT
    return EXIT_STOPPED


class Solver(StrEnum):
    """LP method: chosen by size (``auto``), dual simplex, interior point or PDLP."""

    auto = "auto"
    simplex = "simplex"
    ipm = "ipm"
    pdlp = "pdlp"


SpecArg = Annotated[
    str,
    typer.Argument(
        help="Plan specification: a directory or its manifest, or scenario:NAME/VARIANT for "
        "a bundled plan (e.g. scenario:ussr-1928/optimum).",
        show_default=False,
        metavar="SPEC",
    ),
]

#: Prefix of a bundled plan: ``scenario:NAME/VARIANT``.
SCENARIO_PREFIX = "scenario:"
SolverOption = Annotated[Solver, typer.Option("--solver", help="LP method.", case_sensitive=False)]
TimeLimitOption = Annotated[
    float | None, typer.Option("--time-limit", help="Solver time limit in seconds.", min=0)
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress (there is none off a terminal).")
]


def spec_path(spec: str | Path) -> Path:
    """The path of a ``SPEC`` argument: a path, or ``scenario:NAME/VARIANT`` (a bundled plan).

    Parameters
    ----------
    spec
        The argument as given, e.g. ``plans/basic`` or ``scenario:ussr-1928/optimum``.

    Returns
    -------
    pathlib.Path
        The plan's directory (or manifest).

    Raises
    ------
    InputError
        An unknown scenario or plan variant, or ``scenario:NAME`` without a variant (the
        message lists the scenario's variants).
    """
    text = str(spec)
    if not text.startswith(SCENARIO_PREFIX):
        return Path(text)
    from gosplan.datasets import list_scenarios, list_specs
    from gosplan.datasets import spec_path as bundled_spec

    name, _, variant = text[len(SCENARIO_PREFIX) :].strip().partition("/")
    name, variant = name.strip(), variant.strip().strip("/")
    if not name:
        raise InputError(
            "scenario: needs a scenario and a plan, e.g. scenario:ussr-1928/optimum; "
            f"scenarios: {', '.join(list_scenarios()) or 'none'}"
        )
    if not variant:
        raise InputError(
            f"give the plan as scenario:{name}/VARIANT; variants: "
            f"{', '.join(list_specs(name)) or 'none'}",
            label=name,
        )
    return Path(bundled_spec(name, variant))


def load_spec(path: Path) -> PlanSpec:
    """Read a plan specification (see :func:`gosplan.plan.reader.read_spec`)."""
    from gosplan.plan.reader import read_spec

    return read_spec(path)


def refuse_workbook(kind: str, output: Path | None, what: str) -> None:
    """Refuse an ``.xlsx`` ``--output`` where a folder of tables or one JSON file is written.

    Raises
    ------
    InputError
        ``kind`` is ``"excel"`` (``--output`` names an ``.xlsx`` file).
    """
    if kind == "excel":
        raise InputError(
            f"{what} is written as a folder of tables (csv or parquet) or one .json file, "
            "not an Excel workbook; give a folder or a .json file",
            source=str(output),
        )


def check_writable(output: Path | None, *, folder: bool) -> None:
    """Fail early, before solving, when ``output`` cannot be written.

    The nearest existing folder on the way to ``output`` must be a writable directory (the
    missing ones are created when writing); a folder output must not be an existing file.

    Raises
    ------
    InputError
        ``output`` names a file where a folder is needed, or a folder where a file is.
    PermissionError
        The nearest existing folder is not writable (exit status 2, naming it).
    """
    if output is None:
        return
    if folder and output.exists() and not output.is_dir():
        raise InputError("--output must be a folder here, not a file", source=str(output))
    if not folder and output.is_dir():
        raise InputError("--output must be a file here, not a folder", source=str(output))
    parent = output if folder else output.parent
    parent = Path(os.path.abspath(parent))
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError("cannot create a folder under a file", source=str(parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(errno.EACCES, "folder is not writable", str(parent))


#: The provenance of a command-line result, in the order a report shows it.
PROVENANCE_KEYS = (
    "gosplan",
    "spec_path",
    "spec",
    "economy",
    "economy_source",
    "labour_unit",
    "solver",
    "requested",
    "tolerance",
    "time_limit",
    "computed",
)


def _resolved(path: str | Path) -> str:
    """An absolute, normalised path with forward slashes."""
    return Path(os.path.normpath(os.path.abspath(path))).as_posix()


def _provenance(
    spec_path: Path, plan_spec: PlanSpec, solver: str, time_limit: float | None
) -> dict[str, Any]:
    """Provenance of a command-line result: inputs, solver, tolerance, time."""
    import inspect

    from gosplan.core.provenance import provenance, timestamp
    from gosplan.plan.highs import solve_lp

    source = Path(plan_spec.economy.meta.source) if plan_spec.economy.meta.source else None
    info = provenance(
        plan_spec,
        spec_path=_resolved(spec_path),
        economy_source=_resolved(source) if source is not None and source.exists() else "",
        solver="highs",
        requested=solver,
        tolerance=inspect.signature(solve_lp).parameters["tol"].default,
        time_limit=time_limit,
        computed=timestamp(),
    )
    return {key: info[key] for key in PROVENANCE_KEYS}


#: Short headers of the final-use parts on the terminal (the title explains them).
SHORT_PARTS = {"other_final_use": "other", "stock_building": "stocks", "net_exports": "net exports"}


def _parts_in_use(values: pd.DataFrame) -> pd.DataFrame:
    """The parts of final use that are not zero in every period, with short headers."""
    if not len(values):
        return values
    used = values.loc[:, (values.abs() > 1e-9).any(axis=0)]
    return used.rename(columns=SHORT_PARTS)


#: Binding constraints shown on the terminal (the largest shadow prices).
TERMINAL_PRICES = 15


def _largest_prices(binding: pd.DataFrame, top: int = TERMINAL_PRICES) -> pd.DataFrame:
    """The binding rows with the largest shadow prices, in a few columns that fit 80.

    ``holds`` says where the price holds one-sided (a degenerate vertex).
    """
    if not len(binding):
        return binding
    price = pd.to_numeric(binding["shadow_price"], errors="coerce")
    order = price.abs().sort_values(ascending=False, kind="stable").index
    rows = binding.loc[order].head(top)
    out = rows[["block", "label", "period"]].copy()
    out["shadow price"] = pd.to_numeric(rows["shadow_price"], errors="coerce").to_numpy()
    if "degenerate" in rows.columns:
        out["holds"] = ["one side" if bool(d) else "both sides" for d in rows["degenerate"]]
    return out.reset_index(drop=True)


def parse_shares(text: str | None) -> list[float] | None:
    """Parse ``--shares`` (comma-separated numbers) into a list of floats.

    Raises
    ------
    typer.BadParameter
        An entry that is not a number (a usage error: exit status 2).
    """
    from gosplan.io.vectors import parse_numbers

    with usage_errors("--shares"):
        return parse_numbers(text, "share")


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
            "parquet, one file for json (also picked by a .json suffix); missing parent "
            "folders are created.",
        ),
    ] = None,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Compute an optimal plan; show its summary, output, investment shares and bottlenecks."""
    from gosplan.plan.optimise import optimise

    kind = resolve_format(format, output) if output is not None else format.value
    refuse_workbook(kind, output, "the plan")
    check_writable(output, folder=kind != "json")
    path = spec_path(spec)
    plan_spec = load_spec(path)
    mode = progress_mode(quiet, progress)
    with progress_bar("planning", enabled=mode != "off", always=mode == "always") as callback:
        result = optimise(plan_spec, solver=solver.value, time_limit=time_limit, progress=callback)
    note(result.summary(), format, None)
    if output is not None:
        if kind == "json":
            output.parent.mkdir(parents=True, exist_ok=True)
        path = result.write(output, format=kind)
        note(f"wrote the plan's tables ({kind}) to {path}", format, None)
    else:
        emit(
            {
                "output": result.output,
                "investment_shares": result.investment_shares,
                "final_use_values": _parts_in_use(result.final_use_values)
                if format.value == "table"
                else result.final_use_values,
                "binding": _largest_prices(result.binding)
                if format.value == "table"
                else result.binding,
            },
            format,
            None,
            titles={
                "output": "Output by product and period",
                "investment_shares": "Shares of investment",
                "final_use_values": "Final use by kind, at labour values "
                f"({plan_spec.economy.meta.labour_unit}; other: means of production left over, "
                "stocks: stock building)",
                "binding": "Binding constraints, largest shadow prices first (all of them: "
                "--output)"
                if format.value == "table"
                else "Binding constraints",
            },
            meta={
                "status": result.status,
                "objective": result.objective,
                "objective_kind": result.objective_kind,
                "level": result.level,
                "periods": list(result.periods),
            },
        )
    if result.status != Status.OPTIMAL:
        note(
            f"no optimal plan (status {result.status}); run `gosplan check-plan {spec}` "
            "for a diagnosis",
            format,
            None,
            style="yellow",
        )
        raise typer.Exit(plan_exit_status(result.status))


def check_plan(
    spec: SpecArg,
    solver: SolverOption = Solver.auto,
    time_limit: TimeLimitOption = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Diagnose the targets: can they be met, what limits them, what would it take.

    Exit status 0 when the targets are feasible and 1 when they are not: both are valid
    answers, not errors. Exit status 2 means bad input, 3 that a solver stopped without an
    answer (try another --solver or a longer --time-limit).
    """
    from gosplan.plan.diagnosis import check_plan as diagnose

    kind = resolve_format(format, output)
    refuse_workbook(kind, output, "the check")
    check_writable(output, folder=kind != "json")
    path = spec_path(spec)
    plan_spec = load_spec(path)
    result = diagnose(plan_spec, solver=solver.value, time_limit=time_limit)
    note(result.message(), format, output, style=None if result.feasible else "yellow")
    tables = {
        "reachable": result.reachable,
        "binding": result.binding,
        "additions": result.additions,
    }
    provenance = _provenance(path, plan_spec, solver.value, time_limit)
    if result.plan is not None and result.plan.provenance.get("method"):
        provenance["method"] = result.plan.provenance["method"]
    result = replace(result, provenance={k: v for k, v in provenance.items() if v is not None})
    if output is not None:
        written = result.write(output, format=kind)
        tail = f"; `gosplan report {written}` makes its report" if kind != "json" else ""
        note(f"wrote the check ({kind}) to {written}{tail}", format, output)
    else:
        emit(
            tables,
            format,
            None,
            titles={
                "reachable": "Targets: reachable in the least-shortfall plan, and alone",
                "binding": "What limits the targets",
                "additions": "What it would take",
            },
            meta=_check_meta(result),
        )
    if not result.feasible:
        raise typer.Exit(EXIT_NO)


def _check_meta(result: Any) -> dict[str, Any]:
    return {
        "kind": "plan-check",
        "feasible": bool(result.feasible),
        "common_level": float(result.common_level),
        "total_labour_cost": float(result.total_labour_cost),
        "labour_unit": result.labour_unit,
        "message": result.message(),
    }


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
    population: Annotated[
        str | None,
        typer.Option(
            "--population",
            help="Population for consumption per head: one number for every period, or a CSV "
            "with the columns period and population (and optionally unit). Default: the "
            "spec folder's population.csv, if there is one.",
            show_default=False,
        ),
    ] = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    quiet: QuietOption = False,
    progress: ProgressOption = False,
) -> None:
    """Consumption against accumulation: one plan per investment share.

    Exit status 1 when the plan of every share is infeasible (a valid "no"), 3 when none has
    an optimum and some stopped without an answer.
    """
    grid = parse_shares(shares)  # before any import or reading: a usage error comes first

    from gosplan.io.vectors import read_population
    from gosplan.plan.frontier import frontier as trace

    kind = resolve_format(format, output)
    check_writable(output, folder=False)
    path = spec_path(spec)
    plan_spec = load_spec(path)
    heads, people, source = read_population(population, path, plan_spec.periods)
    if source is not None and population is None:
        note(f"population from {source}", format, output)
    options: dict[str, Any] = {} if grid is None else {"shares": grid}
    mode = progress_mode(quiet, progress)
    with progress_bar(
        "tracing the frontier", enabled=mode != "off", always=mode == "always"
    ) as callback:
        result = trace(plan_spec, progress=callback, population=heads, **options)
    unit = plan_spec.economy.meta.labour_unit
    table = result.table
    if kind != "table":  # files and piped data carry their units
        table = table.assign(labour_unit=unit)
        if people:
            table = table.assign(population_unit=people)
    if output is not None and kind in ("csv", "parquet", "json"):
        info = frontier_provenance(path, plan_spec, result, source, people)
        result = replace(result, population_unit=people, provenance=info)
        written = result.write(output, format=kind)
        note(f"wrote the frontier ({kind}) to {written}", format, output)
    else:
        emit(
            {"frontier": table},
            format,
            output,
            titles={"frontier": f"Frontier (consumption and capacity in {unit} of labour)"},
        )
        if output is not None:  # a workbook: the provenance beside it
            write_frontier_provenance(output, path, plan_spec, result, source, people)
    exit_unless_optimal(result, format, output)


def write_frontier_provenance(
    output: Path,
    path: Path,
    plan_spec: PlanSpec,
    result: FrontierResult,
    population: Path | None,
    population_unit: str | None,
) -> Path:
    """Write the provenance of a frontier table beside it (``<name>.provenance.json``)."""
    from gosplan.core.frontier_result import provenance_path
    from gosplan.core.serial import strict_json

    info = frontier_provenance(path, plan_spec, result, population, population_unit)
    written = provenance_path(output)
    written.write_text(strict_json(info) + "\n", encoding="utf-8")
    return written


def frontier_provenance(
    path: Path,
    plan_spec: PlanSpec,
    result: FrontierResult,
    population: Path | None,
    population_unit: str | None,
) -> dict[str, Any]:
    """What produced a frontier: the inputs, the methods that ran, the population."""
    info = _provenance(path, plan_spec, "auto", None)
    methods = sorted({str(r.provenance.get("method")) for r in result.results if r})
    info["method"] = ", ".join(methods) or None
    info["population_path"] = str(population.resolve()) if population is not None else None
    info["population_unit"] = population_unit
    return info


def exit_unless_optimal(result: FrontierResult, format: OutputFormat, output: Path | None) -> None:
    """End with the worst exit status when no share has an optimal plan.

    All infeasible: 1 (a valid "no"); else the worst of unbounded (2) and stopped (3).
    """
    statuses = set(result.table["status"])
    if not len(result.table) or Status.OPTIMAL in statuses:
        return
    worst = max(plan_exit_status(s) for s in statuses)
    what = "infeasible" if worst == EXIT_NO else "without an optimum"
    note(
        f"the plan of every share is {what} ({', '.join(sorted(statuses))})",
        format,
        output,
        style="yellow",
    )
    raise typer.Exit(worst)


#: Commands of this group, registered by :mod:`gosplan.cli.app`.
COMMANDS = {"plan": plan, "check-plan": check_plan, "frontier": frontier}
