"""The ``compare`` command: two written plans side by side.

``A`` and ``B`` are plan results on disk, as ``gosplan plan --output`` writes them (a folder or
one JSON file), read with :func:`gosplan.core.results.read_result`. For one period (the last
both plans have, unless ``--period``), the output and the consumption of every product are
shown side by side with the ratio ``B / A``; ``--report FILE.html`` writes the comparison as an
HTML report (:meth:`gosplan.report.build.Report.add_comparison`).

Exit status: ``0`` success; ``2`` bad input (a path that is not a written plan, a period that
one of the plans does not have).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from gosplan.cli.output import FormatOption, OutputFormat, OutputOption, emit, note
from gosplan.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


def _plan_arg(name: str) -> Any:
    return typer.Argument(
        help="A plan written by `gosplan plan --output`: its folder or JSON file.",
        show_default=False,
        metavar=name,
    )


#: The tables compared, with their titles.
COMPARED = {"output": "Output", "consumption": "Consumption"}


def load_written_plan(path: Path) -> Any:
    """Read a plan written to disk (a folder or a JSON file).

    Raises
    ------
    InputError
        The path is not a written plan (a plan check, a frontier or a balance, say).
    """
    from gosplan.core.plan_check import PlanCheck
    from gosplan.core.plan_result import PlanResult
    from gosplan.core.results import read_result

    result = read_result(path)
    if isinstance(result, PlanCheck) and result.plan is not None:
        return result.plan
    if not isinstance(result, PlanResult):
        raise InputError(
            "not a plan: give a folder or JSON file written by `gosplan plan --output`",
            source=str(path),
        )
    return result


def plan_names(a: Path, b: Path) -> tuple[str, str]:
    """Column names for the two plans: their file names, told apart when they are the same."""
    first, second = a.stem if a.is_file() else a.name, b.stem if b.is_file() else b.name
    if first == second or not first or not second:
        first, second = f"A ({first or a})", f"B ({second or b})"
    return first, second


def side_by_side(
    first: pd.DataFrame, second: pd.DataFrame, period: Any, names: tuple[str, str]
) -> pd.DataFrame:
    """One period of two product-by-period tables side by side, with the ratio second / first.

    Parameters
    ----------
    first, second
        Tables indexed by product with one column per period.
    period
        The period to compare.
    names
        Names of the two value columns.

    Returns
    -------
    pandas.DataFrame
        Indexed by product (those of either plan, the first plan's order first), with the
        columns ``names`` and ``ratio``: missing where a plan lacks the product or where both
        are 0, infinite where only the first is 0.
    """
    import numpy as np
    import pandas as pd

    def column(table: pd.DataFrame) -> pd.Series:
        if table is None or table.empty or period not in table.columns:
            return pd.Series(dtype=float)
        return pd.to_numeric(table[period], errors="coerce")

    a, b = column(first), column(second)
    products = list(dict.fromkeys([*a.index, *b.index]))
    frame = pd.DataFrame(
        {names[0]: a.reindex(products), names[1]: b.reindex(products)},
        index=pd.Index(products, name="product"),
    ).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = frame[names[1]].to_numpy() / frame[names[0]].to_numpy()
    both_zero = (frame[names[0]] == 0).to_numpy() & (frame[names[1]] == 0).to_numpy()
    ratio[both_zero] = np.nan
    frame["ratio"] = ratio
    return frame


def common_period(a: Any, b: Any, period: int | None) -> int:
    """The period to compare: ``period``, or the last one both plans have.

    Raises
    ------
    InputError
        ``period`` is not a period of both plans, or they have none in common.
    """
    common = [p for p in a.periods if p in set(b.periods)]
    if period is None:
        if not common:
            raise InputError(
                f"the plans have no period in common ({list(a.periods)} and {list(b.periods)})"
            )
        return common[-1]
    if period not in common:
        raise InputError(
            f"--period {period} is not a period of both plans; periods in common: "
            f"{', '.join(map(str, common)) or 'none'}"
        )
    return period


def compare(
    a: Annotated[Path, _plan_arg("A")],
    b: Annotated[Path, _plan_arg("B")],
    period: Annotated[
        int | None,
        typer.Option(
            "--period",
            "-p",
            help="The period to compare (default: the last period of both plans).",
            show_default=False,
        ),
    ] = None,
    format: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            "-r",
            help="Also write the comparison as an HTML report to this file (.html).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compare two written plans: output and consumption side by side, with the ratio B / A."""
    if report is not None and report.suffix.lower() not in (".html", ".htm"):
        raise InputError("the report is one HTML file: name it .html", source=str(report))
    first, second = load_written_plan(a), load_written_plan(b)
    when = common_period(first, second, period)
    names = plan_names(a, b)
    tables = {
        key: side_by_side(getattr(first, key), getattr(second, key), when, names)
        for key in COMPARED
    }
    note(f"{names[0]}: {a}; {names[1]}: {b}; period {when}", format, output)
    emit(
        tables,
        format,
        output,
        titles={
            key: f"{title} in {when}: {names[1]} / {names[0]}" for key, title in COMPARED.items()
        },
    )
    if report is not None:
        path = write_comparison_report(tables, names, when, report, (a, b))
        note(f"wrote the report to {path}", format, output)


def write_comparison_report(
    tables: dict[str, pd.DataFrame],
    names: tuple[str, str],
    period: Any,
    path: Path,
    sources: tuple[Path, Path],
) -> Path:
    """Write the comparison as an HTML report: one section (table and figure) per table.

    Returns
    -------
    pathlib.Path
        The HTML file written.
    """
    from gosplan.report.build import Report
    from gosplan.report.tables import display_path

    report = Report(
        f"{names[0]} and {names[1]}",
        f"from {display_path(sources[0])} and {display_path(sources[1])}, period {period}",
    )
    for key, title in COMPARED.items():
        frame = tables[key][list(names)]
        report.add_comparison(
            frame,
            heading=f"{title} in {period}",
            caption=f"{title} by product in {period} (product units): {names[0]} and {names[1]}.",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    return report.write(path)


#: Commands of this group, registered by :mod:`gosplan.cli.app`.
COMMANDS = {"compare": compare}
