"""Balance commands: ``check``, ``balance``, ``values``, ``multipliers``, ``linkages``, ``ras``.

Each command reads its inputs, makes one call into the library and hands the labelled result
to :func:`gosplan.cli.output.emit`. Library imports are inside the commands, so that
``gosplan --help`` stays fast.

``ECONOMY`` arguments are an economy directory (or its ``economy.toml``) or ``scenario:NAME``
for a bundled scenario. Vector files (final demand, RAS margins) are CSV or Parquet (by suffix)
with a label column and one or more value columns.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gosplan.cli.output import (
    FormatOption,
    OutputFormat,
    OutputOption,
    emit,
    note,
    usage_errors,
    working,
)
from gosplan.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from gosplan.balance.ras import RasResult
    from gosplan.core.economy import Economy

SCENARIO_PREFIX = "scenario:"


class Method(StrEnum):
    """Linear solver for ``(I - A) x = y``."""

    auto = "auto"
    dense_lu = "dense-lu"
    sparse_lu = "sparse-lu"
    iterative = "iterative"


class MultiplierKind(StrEnum):
    """Which multipliers (``all``: every kind the data allow)."""

    output = "output"
    income = "income"
    employment = "employment"
    all = "all"


class MultiplierType(StrEnum):
    """Simple (I) or total (II, households closed in) multipliers."""

    I = "I"  # noqa: E741
    II = "II"


EconomyArg = Annotated[
    str,
    typer.Argument(
        help="Economy directory (or its economy.toml), or scenario:NAME for a bundled one.",
        show_default=False,
    ),
]
MethodOption = Annotated[
    Method, typer.Option("--method", "-m", help="Solver for (I - A) x = y.", case_sensitive=False)
]
TechniqueOption = Annotated[
    list[str] | None,
    typer.Option(
        "--technique",
        "-T",
        help="PRODUCT=ACTIVITY: the technique of a product made by several (repeatable; "
        "default: each product's first technique).",
        show_default=False,
    ),
]


# ---------------------------------------------------------------------------- inputs
def economy_path(spec: str) -> Path:
    """The path of an ``ECONOMY`` argument: a path, or ``scenario:NAME`` (bundled scenario)."""
    if spec.startswith(SCENARIO_PREFIX):
        from gosplan.datasets import scenario_path

        name = spec[len(SCENARIO_PREFIX) :].strip()
        if not name:
            raise InputError("scenario: needs a name, e.g. scenario:ussr-1928")
        return Path(scenario_path(name))
    return Path(spec)


def load_economy(spec: str, techniques: list[str] | None = None) -> Economy:
    """Read the economy named by an ``ECONOMY`` argument (see :func:`economy_path`).

    Input–output computations need one technique per product: where a product has several,
    ``techniques`` (``PRODUCT=ACTIVITY`` items) choose, else the first is taken and a note on
    standard error says so.
    """
    from gosplan.cli.output import stderr_console
    from gosplan.io import read_economy

    path = economy_path(spec)
    with working(f"reading {path}"):
        eco = read_economy(path)
    choice = parse_techniques(techniques)
    if eco.is_square and not choice:
        return eco
    square = eco.select_techniques(choice)
    several = eco.activities["product"].value_counts()
    several = several[several > 1].index
    unchosen = [p for p in several if p not in choice]
    if unchosen:
        picked = square.activities.reset_index().set_index("product")["activity"]
        stderr_console().print(
            "note: several techniques for "
            + ", ".join(f"{p!r} (using {picked[p]!r})" for p in unchosen[:5])
            + ("..." if len(unchosen) > 5 else "")
            + "; choose with --technique PRODUCT=ACTIVITY",
            style="yellow",
            soft_wrap=True,
        )
    return square


def parse_techniques(items: list[str] | None) -> dict[str, str]:
    """``PRODUCT=ACTIVITY`` items as a mapping (a usage error when one has no ``=``)."""
    from gosplan.io.vectors import parse_choices

    with usage_errors("--technique"):
        return parse_choices(items, "PRODUCT=ACTIVITY")


# ---------------------------------------------------------------------------- commands
def check(
    economy: EconomyArg,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Run the named validation checks on an economy on disk; exit 2 if any fails.

    Each check is reported ok, failed (with every problem, naming file, row and label) or
    not run (with why: e.g. reading stopped at a table that could not be read).
    """
    import pandas as pd

    from gosplan.io.checks import check_report

    rows = check_report(economy_path(economy))
    table = pd.DataFrame(list(rows), columns=["check", "status", "message"]).set_index("check")
    emit({"checks": table}, format, output, titles={"checks": f"Checks of {economy}"})
    failed = table.index[table["status"] == "failed"].tolist()
    not_run = table.index[table["status"] == "not run"].tolist()
    skipped = f"; {len(not_run)} not run: {', '.join(not_run)}" if not_run else ""
    if failed:
        note(
            f"{len(failed)} check(s) failed: {', '.join(failed)}{skipped}",
            format,
            output,
            style="red",
        )
        raise typer.Exit(2)
    if not_run:
        note(f"no check failed{skipped}", format, output, style="yellow")
        raise typer.Exit(2)
    note(f"all {len(table)} checks passed", format, output, style="green")


def balance(
    economy: EconomyArg,
    demand: Annotated[
        Path,
        typer.Option(
            "--demand",
            "-d",
            help="CSV/Parquet: columns product, quantity (one final demand) or product and "
            "several columns (one final demand each).",
            show_default=False,
        ),
    ],
    method: MethodOption = Method.auto,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    technique: TechniqueOption = None,
) -> None:
    """Material balance of every product for a final demand (gross output for several)."""
    import pandas as pd

    from gosplan.io.vectors import labels_from, read_vector

    y = read_vector(demand, "final demand", label="product")  # cheap: check it first
    eco = load_economy(economy, technique)
    with labels_from(demand), working(f"solving the balance of {eco.n_products:,} products"):
        if isinstance(y, pd.Series):
            result = eco.balance_sheet(y, method=method.value)
            title = f"Material balance of {eco.meta.name}"
        else:
            result = eco.gross_output(y, method=method.value)
            title = f"Gross output of {eco.meta.name} for {y.shape[1]} final demands"
    emit({"balance": result}, format, output, titles={"balance": title})
    note_balance(result, eco, method, format, output)


def note_balance(
    result: pd.DataFrame, eco: Economy, method: Method, format: OutputFormat, output: Path | None
) -> None:
    """Note the method and relative residual of a balance, and the products in deficit.

    ``Economy.balance_sheet`` reports neither its method nor its residual: the method is the
    one ``auto`` chooses, the residual that of the closure column.
    """
    import numpy as np

    residual = result.attrs.get("residual")
    if residual is None and "closure" in result:
        scale = float(np.max(np.abs(result["final_use"]))) if len(result) else 0.0
        err = float(np.max(np.abs(result["closure"]))) if len(result) else 0.0
        residual = err / scale if scale > 0 else err
    ran = result.attrs.get("method")
    if ran is None:
        from gosplan.balance.solvers import choose_method

        ran = choose_method(eco.square().technology) if method is Method.auto else method.value
    note(f"method: {ran}; relative residual: {residual:.3g}", format, output)
    if "status" in result and (result["status"] == "deficit").any():
        short = result.index[result["status"] == "deficit"].tolist()
        note(
            f"deficit (output above capacity) in {len(short)} product(s): "
            + ", ".join(map(str, short[:10]))
            + (" ..." if len(short) > 10 else ""),
            format,
            output,
            style="yellow",
        )


def values(
    economy: EconomyArg,
    method: MethodOption = Method.auto,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    technique: TechniqueOption = None,
) -> None:
    """Labour values: full (direct and indirect) labour per unit of each product."""
    eco = load_economy(economy, technique)
    with working(f"solving for the labour values of {eco.n_products:,} products"):
        result = eco.labour_values(method=method.value)
    emit({"labour_values": result}, format, output, titles={"labour_values": "Labour values"})
    note_residual(result, format, output)


def note_residual(
    result: pd.DataFrame | pd.Series, format: OutputFormat, output: Path | None
) -> None:
    """Note the solver's method and achieved relative residual, if the result has them."""
    if "residual" in result.attrs:
        note(
            f"solver: {result.attrs.get('solver', result.attrs.get('method'))}; relative residual: "
            f"{result.attrs['residual']:.3g}",
            format,
            output,
        )


WeightsOption = Annotated[
    str | None,
    typer.Option(
        "--weights",
        metavar="labour|FILE",
        help="Count each product's output at its value, so that unlike units are not added: "
        "'labour' (labour values) or a CSV/Parquet file (product, price). Default: physical "
        "units, with a note when they differ.",
        show_default=False,
    ),
]


@contextlib.contextmanager
def units_said_by_the_table() -> Iterator[None]:
    """The library's mixed-units warning is shown once, as the table's note (not twice)."""
    logger = logging.getLogger("gosplan.balance.multipliers")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def note_units(result: pd.DataFrame | pd.Series, format: OutputFormat, output: Path | None) -> None:
    """Say when the result adds unlike physical units (``attrs["note"]``)."""
    if result.attrs.get("note"):
        text = str(result.attrs["note"]).replace(
            "use weights='labour' or weights=<prices by product>",
            "use --weights labour or --weights PRICES.csv",
        )
        note(f"note: {text}", format, output, style="yellow")


KindOption = Annotated[
    MultiplierKind,
    typer.Option("--kind", "-k", help="Which multipliers.", case_sensitive=False),
]
TypeOption = Annotated[
    MultiplierType,
    typer.Option("--type", "-t", help="I: simple; II: total (households closed in)."),
]
HouseholdOption = Annotated[
    Path | None,
    typer.Option(
        "--household-consumption",
        help="CSV/Parquet (product, share): household purchases per unit of income, for type II.",
    ),
]
LabourTypeOption = Annotated[
    str | None,
    typer.Option(
        "--labour-type",
        help="Labour type for employment and income (default: all types summed).",
    ),
]
WagesOption = Annotated[
    str | None,
    typer.Option(
        "--wages",
        "-w",
        metavar="WAGE|FILE",
        help="Wages, for income multipliers (and the household row of type II): one "
        "number (wage per unit of labour, every labour type), or a CSV/Parquet file with "
        "columns labour_type, wage (wage per unit of each labour type) or product, income "
        "(household income per unit of output). Default: income is counted in units of "
        "labour (income multipliers then equal employment multipliers).",
        show_default=False,
    ),
]


def multipliers(
    economy: EconomyArg,
    kind: KindOption = MultiplierKind.output,
    type: TypeOption = MultiplierType.I,
    household_consumption: HouseholdOption = None,
    labour_type: LabourTypeOption = None,
    wages: WagesOption = None,
    weights: WeightsOption = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    technique: TechniqueOption = None,
) -> None:
    """Output, income or employment multipliers (type I or II) by product.

    Income multipliers weight the Leontief inverse with income per unit of output: with
    --wages, the wage of each labour type times the labour it takes; without, the labour
    coefficients themselves.
    """
    from gosplan.balance.multipliers import multiplier_table
    from gosplan.balance.multipliers import multipliers as compute
    from gosplan.io.vectors import labels_from, read_series, read_wages, read_weights

    eco = load_economy(economy, technique)
    options: dict[str, Any] = {
        "wages": None if wages is None else read_wages(wages, eco, labour_type),
        "household_consumption": None
        if household_consumption is None
        else read_series(household_consumption, "household consumption", label="product"),
        "labour_type": labour_type,
    }
    if kind in (MultiplierKind.output, MultiplierKind.all):  # the other kinds take no weights
        options["weights"] = read_weights(weights)
    with labels_from(household_consumption), units_said_by_the_table():
        if kind is MultiplierKind.all:
            require_households(type, household_consumption)
            result = multiplier_table(eco, **options)
        else:
            result = compute(eco, kind.value, type.value, **options)
    emit({"multipliers": result}, format, output, titles={"multipliers": "Multipliers"})
    note_residual(result, format, output)
    note_units(result, format, output)


def require_households(type: MultiplierType, household_consumption: Path | None) -> None:
    """``--kind all --type II`` needs household consumption (the table would leave it out).

    Raises
    ------
    InputError
        Type II without ``--household-consumption`` (check ``household_closure``).
    """
    if type is MultiplierType.II and household_consumption is None:
        raise InputError(
            "type II multipliers need --household-consumption FILE (household "
            "purchases of each product per unit of income)",
            check="household_closure",
        )


def linkages(
    economy: EconomyArg,
    weights: WeightsOption = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    technique: TechniqueOption = None,
) -> None:
    """Backward and forward linkages (Rasmussen) and the key sectors."""
    from gosplan.io.vectors import read_weights

    eco = load_economy(economy, technique)
    value_weights = read_weights(weights)
    with working(f"solving for the linkages of {eco.n_products:,} products"):
        with units_said_by_the_table():
            result = eco.linkages(weights=value_weights)
    emit({"linkages": result}, format, output, titles={"linkages": "Linkages"})
    note_residual(result, format, output)
    note_units(result, format, output)


#: Exit status of a RAS that did not meet the margins (a valid answer, not bad input).
EXIT_NOT_CONVERGED = 1
#: Said after a negative entry of a RAS input.
RAS_NEEDS_NON_NEGATIVE = (
    "; RAS needs a non-negative table and totals: use --gras for tables with negative entries"
)


def _positive_tol(value: float) -> float:
    import math

    if not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"must be a positive number, got {value:g}")
    return value


PriorArg = Annotated[
    Path,
    typer.Argument(
        help="Prior table: wide CSV/Parquet, first column = row labels, one column per "
        "column label.",
        show_default=False,
    ),
]
RowsOption = Annotated[
    Path,
    typer.Option(
        "--rows", help="Target row totals: CSV/Parquet (label, total).", show_default=False
    ),
]
ColsOption = Annotated[
    Path,
    typer.Option(
        "--cols", help="Target column totals: CSV/Parquet (label, total).", show_default=False
    ),
]
GrasOption = Annotated[
    bool, typer.Option("--gras", help="GRAS: the table may have negative entries.")
]
TolOption = Annotated[
    float,
    typer.Option(
        "--tol",
        help="Margin tolerance, relative to the largest total (a positive number).",
        callback=_positive_tol,
    ),
]
MaxIterationsOption = Annotated[
    int,
    typer.Option("--max-iterations", help="Most sweeps (row and column) to make.", min=1),
]


def ras(
    table: PriorArg,
    rows: RowsOption,
    cols: ColsOption,
    use_gras: GrasOption = False,
    tol: TolOption = 1e-10,
    max_iterations: MaxIterationsOption = 10_000,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Update a table to new row and column totals (RAS, or GRAS with --gras).

    Exit status 1 when the margins are not met within --max-iterations sweeps (the table
    reached is still shown or written, and the note says how far off it is).
    """
    from gosplan.balance.ras import gras
    from gosplan.balance.ras import ras as run_ras
    from gosplan.io.vectors import read_matrix, read_series, require_non_negative

    prior = read_matrix(table, "prior table")
    u = read_series(rows, "row totals")
    v = read_series(cols, "column totals")
    if not use_gras:
        require_non_negative(prior, table, "prior table", RAS_NEEDS_NON_NEGATIVE)
        require_non_negative(u, rows, "row totals", RAS_NEEDS_NON_NEGATIVE)
        require_non_negative(v, cols, "column totals", RAS_NEEDS_NON_NEGATIVE)
    result = (gras if use_gras else run_ras)(prior, u, v, tol=tol, max_iter=max_iterations)
    name = "GRAS" if use_gras else "RAS"
    emit({"table": result.table}, format, output, titles={"table": f"{name} update of {table}"})
    if result.converged:
        note(
            f"{name} converged in {result.iterations} sweeps; largest margin error "
            f"{result.max_error:.3g}",
            format,
            output,
        )
        return
    note_not_converged(result, name, u, v, tol, format, output)
    raise typer.Exit(EXIT_NOT_CONVERGED)


def note_not_converged(
    result: RasResult,
    name: str,
    u: pd.Series,
    v: pd.Series,
    tol: float,
    format: OutputFormat,
    output: Path | None,
) -> None:
    """Say how far a (G)RAS that did not converge is from the margins, and what to try."""
    scale = max(1.0, float(u.abs().max()), float(v.abs().max()))
    where = f"the table {f'written to {output}' if output is not None else 'printed'}"
    note(
        f"{name} did NOT converge in {result.iterations} sweeps: the largest margin error is "
        f"{result.max_error:.3g} ({result.max_error / scale:.3g} of the largest total "
        f"{scale:.6g}; --tol {tol:g}); {where} does NOT meet the margins. Check that the "
        "margins are consistent with the zeros of the table, or allow more sweeps with "
        "--max-iterations",
        format,
        output,
        style="yellow",
    )


#: Commands of this group, registered by :mod:`gosplan.cli.app`.
COMMANDS = {
    "check": check,
    "balance": balance,
    "values": values,
    "multipliers": multipliers,
    "linkages": linkages,
    "ras": ras,
}
