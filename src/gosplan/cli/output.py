"""Showing and writing the CLI's results: rich tables, CSV, JSON, Parquet, and a progress bar.

Every command hands its labelled results (pandas DataFrames or Series) to :func:`emit`, which
either renders them as rich tables on the terminal (``--format table``, the default) or writes
them as CSV, JSON or Parquet (``--format csv|json|parquet``), to ``--output FILE`` or, for CSV
and JSON, to standard output.

File layout, the same for every command:

- the index becomes the first column(s), named after the index (``label`` if unnamed);
- CSV: one header row, then one row per label; infinite values are written ``inf``;
- JSON: a list of records, one object per row (``[{"product": "coal", "quantity": 1.0}, ...]``),
  missing values as ``null`` and infinite values as the strings ``"inf"`` / ``"-inf"`` (JSON
  has no number for them);
- several tables (e.g. the tables of ``check-plan``): ``--output`` names a **directory** that
  receives one file per table (``<name>.<ext>``); on standard output, CSV tables follow one
  another each after a ``# <name>`` line, and JSON is one object mapping each name to its
  records.

Notes (residuals, methods, warnings) go to standard output under a table, and to standard
error when the data itself goes to standard output, so that ``--format csv`` output can be
piped unchanged.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from gosplan.core.progress import Progress
from gosplan.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

#: Rows shown in a terminal table before the middle is elided (use ``--format csv`` for all).
MAX_ROWS = 60


class OutputFormat(StrEnum):
    """How results are shown or written (``--format``)."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


#: The ``--format`` option shared by the commands.
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="table (rich, on the terminal), csv, json or parquet.",
        case_sensitive=False,
    ),
]

#: The ``--output`` option shared by the commands.
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (a directory when there are several tables) instead of "
        "the terminal; with --format table the file's suffix picks the format (.csv, .json, "
        ".parquet, or .xlsx for an Excel workbook).",
        dir_okay=True,
        resolve_path=False,
    ),
]

_SUFFIXES = {
    ".csv": "csv",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
}

#: Suffixes of spreadsheet files: only ``.xlsx`` is written (as an Excel workbook).
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

#: Rows an Excel sheet holds, the header row included.
EXCEL_MAX_ROWS = 1_048_576


def stdout_console() -> Console:
    """A console on standard output (created per call, so test runners can capture it)."""
    return Console(file=sys.stdout)


def stderr_console() -> Console:
    """A console on standard error."""
    return Console(file=sys.stderr, stderr=True)


# ---------------------------------------------------------------------------- conversions
def as_frame(data: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """A DataFrame with the index as leading column(s) and string column names.

    Parameters
    ----------
    data
        A labelled DataFrame or Series.

    Returns
    -------
    pandas.DataFrame
        Flat frame with a default RangeIndex. A Series becomes one value column named after the
        Series (``value`` if unnamed); an unnamed index becomes the column ``label`` (levels
        ``level_<i>``), except plain unnamed row numbers, which are left out; an index name
        that is also a column name is written ``index_<name>``.
    """
    import pandas as pd

    if isinstance(data, pd.Series):
        frame = data.to_frame(name=data.name if data.name is not None else "value")
    else:
        frame = data.copy()
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" / ".join(str(p) for p in c) for c in frame.columns]
    frame.columns = [str(c) for c in frame.columns]
    names = list(frame.index.names)
    if isinstance(frame.index, pd.RangeIndex) and names[0] is None:
        return frame.reset_index(drop=True)
    if frame.index.nlevels == 1:
        names = [names[0] if names[0] is not None else "label"]
    else:
        names = [n if n is not None else f"level_{i}" for i, n in enumerate(names)]
    taken = set(frame.columns)
    frame.index = frame.index.set_names([f"index_{n}" if n in taken else n for n in names])
    return frame.reset_index()


def _json_value(value: Any) -> Any:
    """A value for strict JSON (:func:`gosplan.core.serial.finite`); times in ISO format."""
    import pandas as pd

    from gosplan.core.serial import finite

    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return finite(value)


def records(data: pd.DataFrame | pd.Series) -> list[dict[str, Any]]:
    """JSON-ready records of a table (see the module docstring for the conventions)."""
    frame = as_frame(data)
    columns = {c: frame[c].tolist() for c in frame.columns}
    return [{c: _json_value(columns[c][i]) for c in frame.columns} for i in range(len(frame))]


def to_json_text(data: pd.DataFrame | pd.Series) -> str:
    """One table as strict JSON text (a list of records)."""
    from gosplan.core.serial import strict_json

    return strict_json(records(data))


def to_csv_text(data: pd.DataFrame | pd.Series) -> str:
    """One table as CSV text (index as leading column)."""
    return as_frame(data).to_csv(index=False, float_format=None)


# ---------------------------------------------------------------------------- writing
def resolve_format(fmt: OutputFormat | str, output: Path | None) -> str:
    """The concrete format to write: ``table`` with ``--output`` follows the file's suffix.

    Parameters
    ----------
    fmt
        The ``--format`` given.
    output
        The ``--output`` given, if any.

    Returns
    -------
    str
        ``"table"``, ``"csv"``, ``"json"``, ``"parquet"`` or ``"excel"`` (an ``.xlsx`` file
        with ``--format table``: one sheet per table).

    Raises
    ------
    InputError
        A spreadsheet suffix that cannot be written as asked: ``--format csv|json|parquet``
        into an ``.xlsx`` file, or ``.xls``, ``.xlsm`` or ``.ods`` (only ``.xlsx`` is written).
    """
    name = fmt.value if isinstance(fmt, OutputFormat) else str(fmt)
    if output is None:
        return name
    suffix = output.suffix.lower()
    if suffix in _EXCEL_SUFFIXES and suffix != ".xlsx":
        raise InputError(
            f"cannot write a {suffix} file; name it .xlsx for an Excel workbook, or "
            ".csv, .json or .parquet",
            source=str(output),
        )
    if name == "table":
        return _SUFFIXES.get(suffix, "csv")
    if suffix == ".xlsx":
        raise InputError(
            f"--format {name} does not write an Excel workbook; name the file .{name}, or "
            "leave --format out to write the .xlsx workbook",
            source=str(output),
        )
    return name


def write_workbook(tables: Tables, path: Path) -> Path:
    """Write tables to one Excel workbook (``.xlsx``), one sheet per table.

    Parameters
    ----------
    tables
        Named tables; a name becomes its sheet's name (cut to Excel's 31 characters).
    path
        The workbook to write (missing parent folders are created).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        A table with more rows than an Excel sheet holds.
    """
    import pandas as pd

    for name, data in tables.items():
        if len(data) + 1 > EXCEL_MAX_ROWS:
            raise InputError(
                f"table {name!r} has {len(data):,} rows, more than an Excel sheet holds; "
                "write .csv or .parquet",
                source=str(path),
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, data in tables.items():
            as_frame(data).to_excel(writer, sheet_name=str(name)[:31], index=False)
    return path


def write_table(data: pd.DataFrame | pd.Series, path: Path, fmt: str) -> Path:
    """Write one table to ``path`` as ``csv``, ``json``, ``parquet`` or ``excel``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "excel":
        name = data.name if getattr(data, "name", None) is not None else path.stem
        return write_workbook({str(name): data}, path)
    if fmt == "csv":
        path.write_text(to_csv_text(data), encoding="utf-8")
    elif fmt == "json":
        path.write_text(to_json_text(data) + "\n", encoding="utf-8")
    elif fmt == "parquet":
        as_frame(data).to_parquet(path, index=False)
    else:
        raise InputError(f"cannot write a table as {fmt!r}; use csv, json or parquet")
    return path


def _text_cell(value: Any) -> str:
    import pandas as pd

    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        return f"{value:,.6g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.4g}"
    if value is None or value is pd.NA:
        return ""
    if hasattr(value, "item"):
        return _text_cell(value.item())
    return str(value)


def rich_table(
    data: pd.DataFrame | pd.Series, title: str | None = None, max_rows: int = MAX_ROWS
) -> Table:
    """A rich :class:`~rich.table.Table` of a labelled DataFrame or Series.

    Parameters
    ----------
    data
        The table; its index becomes the leading (bold) column(s).
    title
        Title shown above the table.
    max_rows
        Largest number of rows shown; beyond it the first and last rows are shown and the
        caption says how many were left out.

    Returns
    -------
    rich.table.Table
    """
    import pandas as pd

    n_index = data.index.nlevels
    frame = as_frame(data)
    table = Table(title=title, title_justify="left", header_style="bold")
    for i, col in enumerate(frame.columns):
        numeric = pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(
            frame[col]
        )
        table.add_column(
            col,
            justify="right" if numeric else "left",
            style="bold" if i < n_index else None,
            overflow="fold",
            # headers wrap between words, never inside one
            min_width=max((len(w) for w in str(col).split()), default=1),
        )
    n = len(frame)
    if n > max_rows:
        head = max_rows // 2
        shown = pd.concat([frame.iloc[:head], frame.iloc[n - (max_rows - head) :]])
        table.caption = f"{n - max_rows} of {n} rows not shown; use --format csv for all"
    else:
        head = n
        shown = frame
    for k, row in enumerate(shown.itertuples(index=False, name=None)):
        if n > max_rows and k == head:
            table.add_row(*["⋮"] * len(frame.columns))
        table.add_row(*(_text_cell(v) for v in row))
    return table


def compact_table(
    frame: pd.DataFrame,
    title: str | None = None,
    *,
    formats: Mapping[str, str] | None = None,
    digits: Mapping[str, int] | None = None,
    headers: Mapping[str, str] | None = None,
    caption: str | None = None,
) -> Table:
    """A narrow rich table of a labelled frame, numbers formatted for people.

    Numbers follow :func:`gosplan.report.tables.format_value` (whole numbers without
    decimals, else four significant digits, residuals shown as 0); there are no vertical
    rules and a single space between columns, so that a table of seven or eight short
    columns fits 80 columns.

    Parameters
    ----------
    frame
        The table; its index is the first (bold) column.
    title, caption
        Shown above and below the table.
    formats, digits
        Per column: ``number``, ``percent`` or ``text``; significant digits.
    headers
        Short headers for the columns (and for the index, by its name).
    """
    from rich import box

    from gosplan.report.tables import DisplayTable

    headers = dict(headers or {})
    display = DisplayTable(frame, formats=dict(formats or {}), digits=dict(digits or {}))
    table = Table(
        title=title,
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 0),
        caption=caption,
        caption_justify="left",
    )
    name = frame.index.name or ""
    table.add_column(headers.get(name, name), style="bold", justify="left", overflow="fold")
    for col in frame.columns:
        text = display.format_of(col) == "text"
        table.add_column(
            headers.get(col, str(col)),
            justify="left" if text else "right",
            no_wrap=not text,
            overflow="fold",
        )
    for label, cells in zip(frame.index, display.cells(), strict=True):
        table.add_row(str(label), *cells)
    return table


def table_width(table: Table, console: Console | None = None) -> int:
    """The width a rich table needs to show without wrapping."""
    console = console or Console(width=10_000)
    return Measurement.get(console, console.options.update_width(10_000), table).maximum


Tables = Mapping[str, "pd.DataFrame | pd.Series"]


def emit(
    tables: Tables,
    fmt: OutputFormat | str = OutputFormat.table,
    output: Path | None = None,
    *,
    titles: Mapping[str, str] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Show or write a command's tables.

    Parameters
    ----------
    tables
        Named tables, in the order to show them. Empty tables are shown with ``(none)`` on the
        terminal and written as files with a header only.
    fmt
        ``table`` (rich on the terminal), ``csv``, ``json`` or ``parquet``.
    output
        File to write (one table) or directory (several tables). ``parquet`` needs it.
    titles
        Titles for the terminal tables (default: the names).
    meta
        Scalars that go with the tables (status, objective, ...): JSON on standard output
        is then one object holding them and each table's records; other formats leave them
        out (the commands print them as notes).

    Returns
    -------
    list of pathlib.Path
        The files written (empty when shown on the terminal or printed).

    Raises
    ------
    InputError
        Parquet without ``--output``.
    """
    kind = resolve_format(fmt, output)
    titles = titles or {}
    if kind == "table":
        console = stdout_console()
        for name, data in tables.items():
            title = titles.get(name, name)
            if len(data) == 0:
                console.print(Text(f"{title}: (none)", style="italic"), soft_wrap=True)
            else:
                console.print(Text(title, style="bold"))
                table = rich_table(data)
                if not console.is_terminal and os.environ.get("GOSPLAN_WIDE"):
                    # asked for: tables at their full width off a terminal (a wide log)
                    need = Measurement.get(console, console.options.update_width(10_000), table)
                    console.width = max(console.width, need.maximum)
                console.print(table)
        return []
    if output is None:
        if kind == "parquet":
            raise InputError("--format parquet writes a binary file: give --output FILE")
        _print_data(tables, kind, meta)
        return []
    if kind == "excel":  # one workbook, one sheet per table
        return [write_workbook(tables, output)]
    if len(tables) == 1:
        (data,) = tables.values()
        return [write_table(data, output, kind)]
    output.mkdir(parents=True, exist_ok=True)
    return [write_table(data, output / f"{name}.{kind}", kind) for name, data in tables.items()]


def json_payload(tables: Tables, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One JSON object: the scalars of ``meta``, then each table's records by name."""
    payload: dict[str, Any] = {k: _json_value(v) for k, v in (meta or {}).items()}
    payload.update({name: records(data) for name, data in tables.items()})
    return payload


def _print_data(tables: Tables, kind: str, meta: Mapping[str, Any] | None = None) -> None:
    out = sys.stdout
    if kind == "json":
        from gosplan.core.serial import strict_json

        if meta:
            out.write(strict_json(json_payload(tables, meta)) + "\n")
        elif len(tables) == 1:
            (data,) = tables.values()
            out.write(to_json_text(data) + "\n")
        else:
            out.write(strict_json({name: records(data) for name, data in tables.items()}) + "\n")
        return
    several = len(tables) > 1
    for k, (name, data) in enumerate(tables.items()):
        if several:
            out.write(("\n" if k else "") + f"# {name}\n")
        out.write(to_csv_text(data))


def note(
    message: str,
    fmt: OutputFormat | str = OutputFormat.table,
    output: Path | None = None,
    *,
    style: str | None = None,
) -> None:
    """Print a note next to the data: on stdout under tables, on stderr when data goes to stdout.

    Parameters
    ----------
    message
        One line (or paragraph) of text.
    fmt, output
        The command's ``--format`` and ``--output``.
    style
        Rich style of the text (e.g. ``"yellow"`` for warnings).
    """
    kind = resolve_format(fmt, output)
    console = stdout_console() if kind == "table" or output is not None else stderr_console()
    console.print(Text(message, style=style or ""))  # wrapped at the width, words kept whole


def print_error(message: str) -> None:
    """Print an error message as one red paragraph on standard error (never wrapped)."""
    stderr_console().print(Text(message, style="red"), soft_wrap=True, highlight=False)


# ---------------------------------------------------------------------------- progress
@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner with ``message`` on standard error while a block runs, on a terminal only.

    Reading or solving a product-level economy takes seconds; off a terminal (a CI log, a
    pipe) nothing is printed, so machine output stays clean.

    Examples
    --------
    >>> with working("solving"):
    ...     pass
    """
    console = stderr_console()
    if not console.is_terminal:
        yield
        return
    with console.status(message):
        yield


#: The ``--progress`` option of the commands with a progress bar.
ProgressOption = Annotated[
    bool,
    typer.Option(
        "--progress",
        help="Show progress on standard error even off a terminal (a log, a pipe): one line "
        "per step.",
    ),
]


@contextmanager
def usage_errors(param_hint: str) -> Iterator[None]:
    """Report an :class:`~gosplan.errors.InputError` raised in the block as a usage error.

    For the library's parsers of option values: the message then names the option, as
    click's own usage errors do (exit status 2).

    Parameters
    ----------
    param_hint
        The option, e.g. ``"--shares"``.

    Raises
    ------
    typer.BadParameter
        With the error's message.
    """
    try:
        yield
    except InputError as err:
        raise typer.BadParameter(err.message, param_hint=param_hint) from None


def progress_mode(quiet: bool, progress: bool) -> str:
    """How to show progress: ``"off"``, ``"auto"`` (a bar on a terminal only) or ``"always"``.

    Parameters
    ----------
    quiet, progress
        The ``--quiet`` and ``--progress`` options.

    Raises
    ------
    typer.BadParameter
        Both are given (a usage error: exit status 2).
    """
    if quiet and progress:
        raise typer.BadParameter("--progress and --quiet contradict", param_hint="--progress")
    if quiet:
        return "off"
    return "always" if progress else "auto"


@contextmanager
def progress_bar(
    description: str, *, enabled: bool = True, always: bool = False
) -> Iterator[Progress]:
    """Progress on standard error, as a ``callback(fraction, message)``.

    Library functions that take ``progress=`` call it with the fraction done (0 to 1) and a
    short message. On a terminal a bar is shown and removed when the block ends; off a
    terminal nothing is shown, unless ``always``: then one line is written per new message
    or tenth of the work (``planning: 40% share 0.5: optimal``).

    Parameters
    ----------
    description
        What is being done (shown left of the bar until the first message).
    enabled
        ``False`` gives a callback that does nothing (e.g. ``--quiet``).
    always
        Show progress off a terminal too (``--progress``), as lines.

    Yields
    ------
    callable
        ``callback(fraction: float, message: str) -> None``.

    Examples
    --------
    >>> with progress_bar("solving", enabled=False) as cb:
    ...     cb(0.5, "half way")
    """
    console = stderr_console()
    if not enabled or not (console.is_terminal or always):
        yield _no_progress
        return
    if not console.is_terminal:
        yield _progress_lines(description)
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=1.0)

        def callback(fraction: float, message: str = "") -> None:
            done = min(max(float(fraction), 0.0), 1.0) if math.isfinite(fraction) else 0.0
            bar.update(task, completed=done, description=message or description)

        yield callback


def _no_progress(fraction: float, message: str = "") -> None:
    """A progress callback that shows nothing."""


def _progress_lines(description: str) -> Progress:
    """A progress callback writing plain lines to standard error (off a terminal)."""
    import time

    start = time.monotonic()
    last: dict[str, Any] = {"tenth": -1, "message": None}

    def callback(fraction: float, message: str = "") -> None:
        done = min(max(float(fraction), 0.0), 1.0) if math.isfinite(fraction) else 0.0
        tenth = int(done * 10)
        if tenth == last["tenth"] and message == last["message"]:
            return
        last.update(tenth=tenth, message=message)
        text = f"{description}: {done:4.0%} {time.monotonic() - start:6.1f} s"
        sys.stderr.write(f"{text}  {message}".rstrip() + "\n")
        sys.stderr.flush()

    return callback
