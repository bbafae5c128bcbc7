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
from typing import TYPE_CHECKING, Annotated

import typer

from gosplan.cli.output import FormatOption, OutputFormat, OutputOption, emit, note, working
from gosplan.errors import InputError, UnknownLabelError

if TYPE_CHECKING:
    import pandas as pd

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
    choice: dict[str, str] = {}
    for item in items or []:
        product, sep, activity = item.partition("=")
        if not sep or not product.strip() or not activity.strip():
            raise typer.BadParameter(
                f"expected PRODUCT=ACTIVITY, got {item!r}", param_hint="--technique"
            )
        choice[product.strip()] = activity.strip()
    return choice


def read_table(path: Path, what: str) -> pd.DataFrame:
    """Read a user's CSV or Parquet table (by suffix; anything but ``.parquet`` is CSV).

    Raises
    ------
    InputError
        The file is missing, is a directory, or cannot be parsed (check ``unreadable_file``).
    """
    import pandas as pd

    if not path.exists():
        raise InputError(f"{what}: file not found", source=str(path), check="unreadable_file")
    if path.is_dir():
        raise InputError(
            f"{what}: expected a file, got a directory", source=str(path), check="unreadable_file"
        )
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path, skipinitialspace=True)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        # pandas' EmptyDataError and pyarrow's ArrowInvalid are ValueErrors.
        raise InputError(
            f"cannot read {what}: {exc}", source=str(path), check="unreadable_file"
        ) from exc


def read_vector(path: Path, what: str, label: str | None = None) -> pd.Series | pd.DataFrame:
    """Read a labelled vector (one value column) or several (more value columns).

    Parameters
    ----------
    path
        CSV or Parquet file.
    what
        What the file holds, for messages (e.g. ``"final demand"``).
    label
        Name of the label column; ``None``: the first column.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Indexed by the labels (as strings): a Series named after the only value column, or a
        DataFrame with one column per value column.

    Raises
    ------
    InputError
        Missing label or value column, empty table, empty or duplicate label, non-numeric or
        missing value; the message names the file, the row (header = row 1) and the label.
    """
    import pandas as pd

    table = read_table(path, what)
    source = str(path)
    if table.shape[1] == 0 or len(table) == 0:
        raise InputError(f"{what}: the table has no rows", source=source, check="empty_table")
    if label is None:
        label = str(table.columns[0])
    elif label not in table.columns:
        raise InputError(
            f"{what}: missing column {label!r} (columns: {', '.join(map(str, table.columns))})",
            source=source,
            check="missing_column",
        )
    values = [c for c in table.columns if c != label]
    if not values:
        raise InputError(
            f"{what}: no value column besides {label!r}", source=source, check="missing_column"
        )
    labels = table[label]
    for i, lab in enumerate(labels):
        if pd.isna(lab) or str(lab).strip() == "":
            raise InputError(
                f"{what}: empty {label}", source=source, row=i + 2, check="missing_value"
            )
    index = pd.Index([str(v).strip() for v in labels], name=label)
    if index.has_duplicates:
        pos = int(index.duplicated().argmax())
        raise InputError(
            f"{what}: {label} listed twice",
            source=source,
            row=pos + 2,
            label=index[pos],
            check="duplicate_label",
        )
    columns = {}
    for col in values:
        numbers = pd.to_numeric(table[col], errors="coerce")
        bad = numbers.isna().to_numpy()
        if bad.any():
            pos = int(bad.argmax())
            raw = table[col].iloc[pos]
            check = "missing_value" if pd.isna(raw) else "non_numeric"
            problem = "missing value" if pd.isna(raw) else f"not a number: {raw!r}"
            raise InputError(
                f"{what}: column {col!r}: {problem}",
                source=source,
                row=pos + 2,
                label=index[pos],
                check=check,
            )
        columns[str(col)] = numbers.to_numpy(dtype=float)
    if len(columns) == 1:
        ((name, data),) = columns.items()
        return pd.Series(data, index=index, name=name)
    return pd.DataFrame(columns, index=index)


def _with_source(err: UnknownLabelError, path: Path) -> UnknownLabelError:
    if err.source is not None:
        return err
    return UnknownLabelError(
        err.message, source=str(path), row=err.row, label=err.label, check=err.check
    )


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
    import numpy as np
    import pandas as pd

    y = read_vector(demand, "final demand", label="product")  # cheap: check it first
    eco = load_economy(economy, technique)
    try:
        with working(f"solving the balance of {eco.n_products:,} products"):
            if isinstance(y, pd.Series):
                result = eco.balance_sheet(y, method=method.value)
                title = f"Material balance of {eco.meta.name}"
            else:
                result = eco.gross_output(y, method=method.value)
                title = f"Gross output of {eco.meta.name} for {y.shape[1]} final demands"
    except UnknownLabelError as err:
        raise _with_source(err, demand) from err
    emit({"balance": result}, format, output, titles={"balance": title})
    residual = result.attrs.get("residual")
    if residual is None and "closure" in result:
        scale = float(np.max(np.abs(result["final_use"]))) if len(result) else 0.0
        err = float(np.max(np.abs(result["closure"]))) if len(result) else 0.0
        residual = err / scale if scale > 0 else err
    ran = result.attrs.get("method")
    if ran is None:  # balance_sheet does not report it: the choice "auto" makes
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


def read_weights(spec: str | None) -> pd.Series | str | None:
    """The value weights of a ``--weights`` option: ``"labour"``, prices from a file, or None."""
    import pandas as pd

    if spec is None or spec == "labour":
        return spec
    prices = read_vector(Path(spec), "prices", label="product")
    if not isinstance(prices, pd.Series):
        raise InputError("prices: expected one value column (product, price)", source=spec)
    return prices


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


def multipliers(
    economy: EconomyArg,
    kind: Annotated[
        MultiplierKind,
        typer.Option("--kind", "-k", help="Which multipliers.", case_sensitive=False),
    ] = MultiplierKind.output,
    type: Annotated[
        MultiplierType,
        typer.Option("--type", "-t", help="I: simple; II: total (households closed in)."),
    ] = MultiplierType.I,
    household_consumption: Annotated[
        Path | None,
        typer.Option(
            "--household-consumption",
            help="CSV/Parquet (product, share): household purchases per unit of income, for "
            "type II.",
        ),
    ] = None,
    labour_type: Annotated[
        str | None,
        typer.Option(
            "--labour-type",
            help="Labour type for employment and income (default: all types summed).",
        ),
    ] = None,
    wages: Annotated[
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
    ] = None,
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
    import pandas as pd

    from gosplan.balance.multipliers import multiplier_table
    from gosplan.balance.multipliers import multipliers as compute

    eco = load_economy(economy, technique)
    income = None if wages is None else read_wages(wages, eco, labour_type)
    h = None
    if household_consumption is not None:
        h = read_vector(household_consumption, "household consumption", label="product")
        if not isinstance(h, pd.Series):
            raise InputError(
                "household consumption: expected one value column",
                source=str(household_consumption),
            )
    try:
        with units_said_by_the_table():
            if kind is MultiplierKind.all:
                if type is MultiplierType.II and h is None:
                    raise InputError(
                        "type II multipliers need --household-consumption FILE (household "
                        "purchases of each product per unit of income)",
                        check="household_closure",
                    )
                result = multiplier_table(
                    eco,
                    wages=income,
                    household_consumption=h,
                    labour_type=labour_type,
                    weights=read_weights(weights),
                )
            else:
                result = compute(
                    eco,
                    kind.value,
                    type.value,
                    wages=income,
                    household_consumption=h,
                    labour_type=labour_type,
                    **({"weights": read_weights(weights)} if kind.value == "output" else {}),
                )
    except UnknownLabelError as err:
        if household_consumption is None:
            raise
        raise _with_source(err, household_consumption) from err
    emit({"multipliers": result}, format, output, titles={"multipliers": "Multipliers"})
    note_residual(result, format, output)
    note_units(result, format, output)


def read_wages(spec: str, eco: Economy, labour_type: str | None) -> pd.Series:
    """Income per unit of output by product, from a ``--wages`` value.

    Parameters
    ----------
    spec
        One number (wage per unit of labour, every type), or a CSV/Parquet file whose label
        column is ``labour_type`` (wage per unit of each labour type) or ``product`` (income
        per unit of output, used as given).
    eco
        The (square) economy.
    labour_type
        Count this labour type only (``--labour-type``); ``None``: every type.

    Returns
    -------
    pandas.Series
        Income coefficients by product, for :func:`gosplan.balance.multipliers.multipliers`.

    Raises
    ------
    InputError
        A file that cannot be read, a label column that is neither ``labour_type`` nor
        ``product``, a missing or negative wage, or a labour type the economy lacks (each
        message names the file and the label).
    """
    import pandas as pd

    from gosplan.balance.multipliers import wage_income

    try:
        rate: float | pd.Series = float(spec)
    except ValueError:
        rate_path = Path(spec)
        source = str(rate_path)
        table = read_vector(rate_path, "wages")
        if not isinstance(table, pd.Series):
            raise InputError(
                f"wages: expected one value column, got {table.shape[1]}",
                source=source,
                check="missing_column",
            ) from None
        label = table.index.name
        if label == "product":
            try:
                eco.align_products(table, "wages (income per unit of output)")
            except UnknownLabelError as err:
                raise _with_source(err, rate_path) from err
            negative = table.index[table.to_numpy() < 0]
            if len(negative):
                raise InputError(
                    f"wages: income per unit of output is negative ({table[negative[0]]:g})",
                    source=source,
                    row=int(table.index.get_loc(negative[0])) + 2,
                    label=str(negative[0]),
                    check="negative_coefficient",
                ) from None
            return table
        if label != "labour_type":
            raise InputError(
                f"wages: the first column must be labour_type (wage per unit of labour) or "
                f"product (income per unit of output), got {label!r}",
                source=source,
                row=1,
                label=str(label),
                check="missing_column",
            ) from None
        try:
            return wage_income(eco, table, labour_type)
        except InputError as err:
            raise InputError(
                f"wages: {err.message}",
                source=source,
                row=int(table.index.get_loc(err.label)) + 2
                if err.label is not None and err.label in table.index
                else None,
                label=err.label,
                check=err.check,
            ) from err
    try:
        return wage_income(eco, rate, labour_type)
    except InputError as err:
        raise InputError(
            f"--wages: {err.message}",
            label=err.label if labour_type is not None else None,
            check=err.check,
        ) from err


def linkages(
    economy: EconomyArg,
    weights: WeightsOption = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    technique: TechniqueOption = None,
) -> None:
    """Backward and forward linkages (Rasmussen) and the key sectors."""
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


def _positive_tol(value: float) -> float:
    import math

    if not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"must be a positive number, got {value:g}")
    return value


def ras(
    table: Annotated[
        Path,
        typer.Argument(
            help="Prior table: wide CSV/Parquet, first column = row labels, one column per "
            "column label.",
            show_default=False,
        ),
    ],
    rows: Annotated[
        Path,
        typer.Option(
            "--rows", help="Target row totals: CSV/Parquet (label, total).", show_default=False
        ),
    ],
    cols: Annotated[
        Path,
        typer.Option(
            "--cols", help="Target column totals: CSV/Parquet (label, total).", show_default=False
        ),
    ],
    use_gras: Annotated[
        bool, typer.Option("--gras", help="GRAS: the table may have negative entries.")
    ] = False,
    tol: Annotated[
        float,
        typer.Option(
            "--tol",
            help="Margin tolerance, relative to the largest total (a positive number).",
            callback=_positive_tol,
        ),
    ] = 1e-10,
    max_iterations: Annotated[
        int,
        typer.Option("--max-iterations", help="Most sweeps (row and column) to make.", min=1),
    ] = 10_000,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Update a table to new row and column totals (RAS, or GRAS with --gras).

    Exit status 1 when the margins are not met within --max-iterations sweeps (the table
    reached is still shown or written, and the note says how far off it is).
    """
    import pandas as pd

    from gosplan.balance.ras import gras
    from gosplan.balance.ras import ras as run_ras

    prior = read_vector(table, "prior table")
    if isinstance(prior, pd.Series):
        prior = prior.to_frame()
    u = read_vector(rows, "row totals")
    v = read_vector(cols, "column totals")
    for vec, path, what in ((u, rows, "row totals"), (v, cols, "column totals")):
        if not isinstance(vec, pd.Series):
            raise InputError(f"{what}: expected one value column", source=str(path))
    if not use_gras:
        _require_non_negative(prior, table, "prior table")
        _require_non_negative(u, rows, "row totals")
        _require_non_negative(v, cols, "column totals")
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
    raise typer.Exit(EXIT_NOT_CONVERGED)


def _require_non_negative(data: pd.Series | pd.DataFrame, path: Path, what: str) -> None:
    """RAS needs non-negative entries: name the first negative one and the --gras flag."""
    import numpy as np
    import pandas as pd

    frame = data.to_frame() if isinstance(data, pd.Series) else data
    values = frame.to_numpy(dtype=float)
    if not (values < 0).any():
        return
    i, j = (int(k[0]) for k in np.nonzero(values < 0))
    column = "" if isinstance(data, pd.Series) else f" in column {frame.columns[j]!r}"
    raise InputError(
        f"{what}: entry {values[i, j]:g}{column} is negative; RAS needs a non-negative "
        "table and totals: use --gras for tables with negative entries",
        source=str(path),
        row=i + 2,
        label=str(frame.index[i]),
        check="negative_entries",
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
