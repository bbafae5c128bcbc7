"""Vectors and small tables given by a user: final demands, prices, wages, margins, population.

The command line hands what a user typed (a number, a file name, ``PRODUCT=ACTIVITY``) to these
readers; each validates what it reads and raises an :class:`~gosplan.errors.InputError` whose
message names the file, the row (1-based, the header being row 1), the label and what is
wrong, with the name of the failed check (``check=``).

* :func:`read_table`: a CSV or Parquet table as it is (by suffix; anything but ``.parquet``
  and ``.pq`` is read as CSV);
* :func:`read_vector`: a labelled vector (one value column) or several (more value columns);
  :func:`read_series` insists on one, :func:`read_matrix` returns a table either way;
* :func:`read_weights`, :func:`read_wages`, :func:`read_population`: the value of
  ``--weights``, ``--wages`` and ``--population``;
* :func:`parse_numbers`, :func:`parse_choices`: comma-separated numbers and ``KEY=VALUE``
  items;
* :func:`require_non_negative`, :func:`labels_from`: checks that name the file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from gosplan.errors import InputError, UnknownLabelError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from gosplan.core.economy import Economy

__all__ = [
    "labels_from",
    "parse_choices",
    "parse_numbers",
    "read_matrix",
    "read_population",
    "read_series",
    "read_table",
    "read_vector",
    "read_wages",
    "read_weights",
    "require_non_negative",
    "with_source",
]

#: Suffixes read as Parquet; anything else is read as CSV.
PARQUET_SUFFIXES = (".parquet", ".pq")
#: Rows of a table file are numbered as a spreadsheet shows them: the header is row 1.
FIRST_ROW = 2


# ---------------------------------------------------------------------------- tables
def read_table(path: str | Path, what: str) -> pd.DataFrame:
    """Read a user's CSV or Parquet table (by suffix) as pandas parses it.

    Parameters
    ----------
    path
        The file; ``.parquet`` and ``.pq`` are Parquet, anything else CSV (spaces after a
        comma are skipped).
    what
        What the file holds, for messages (e.g. ``"final demand"``).

    Returns
    -------
    pandas.DataFrame
        The table, columns as in the file.

    Raises
    ------
    InputError
        The file is missing, is a directory, or cannot be parsed (check ``unreadable_file``).
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError(f"{what}: file not found", source=str(path), check="unreadable_file")
    if path.is_dir():
        raise InputError(
            f"{what}: expected a file, got a directory", source=str(path), check="unreadable_file"
        )
    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            return pd.read_parquet(path)
        return pd.read_csv(path, skipinitialspace=True)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        # pandas' EmptyDataError and pyarrow's ArrowInvalid are ValueErrors.
        raise InputError(
            f"cannot read {what}: {exc}", source=str(path), check="unreadable_file"
        ) from exc


def read_vector(path: str | Path, what: str, label: str | None = None) -> pd.Series | pd.DataFrame:
    """Read a labelled vector (one value column) or several (more value columns).

    Parameters
    ----------
    path
        CSV or Parquet file (see :func:`read_table`).
    what
        What the file holds, for messages (e.g. ``"final demand"``).
    label
        Name of the label column; ``None``: the first column.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Indexed by the labels (as stripped strings, the index named after the label column):
        a Series named after the only value column, or a DataFrame with one column per value
        column.

    Raises
    ------
    InputError
        An empty table (``empty_table``), a missing label or value column
        (``missing_column``), an empty label or value (``missing_value``), a label listed
        twice (``duplicate_label``) or a value that is not a number (``non_numeric``); the
        message names the file, the row and the label.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> path = Path(tempfile.mkdtemp()) / "demand.csv"
    >>> pd.DataFrame({"product": ["coal", "steel"], "quantity": [1, 2.5]}).to_csv(path, index=False)
    >>> read_vector(path, "final demand", label="product").to_dict()
    {'coal': 1.0, 'steel': 2.5}
    """
    import pandas as pd

    table = read_table(path, what)
    source = str(path)
    if table.shape[1] == 0 or len(table) == 0:
        raise InputError(f"{what}: the table has no rows", source=source, check="empty_table")
    label = _label_column(table, label, what, source)
    index = _labels(table[label], what, source)
    columns = {
        str(col): _numbers(table[col], index, what, source) for col in table.columns if col != label
    }
    if len(columns) == 1:
        ((name, data),) = columns.items()
        return pd.Series(data, index=index, name=name)
    return pd.DataFrame(columns, index=index)


def _label_column(table: pd.DataFrame, label: str | None, what: str, source: str) -> str:
    """The label column (``label``, or the first), checked to be there with a value column."""
    if label is None:
        label = str(table.columns[0])
    elif label not in table.columns:
        raise InputError(
            f"{what}: missing column {label!r} (columns: {', '.join(map(str, table.columns))})",
            source=source,
            check="missing_column",
        )
    if table.shape[1] < 2:
        raise InputError(
            f"{what}: no value column besides {label!r}", source=source, check="missing_column"
        )
    return label


def _labels(column: pd.Series, what: str, source: str) -> pd.Index:
    """The labels of a column as stripped strings: none empty, none twice."""
    import pandas as pd

    name = str(column.name)
    for i, lab in enumerate(column):
        if pd.isna(lab) or str(lab).strip() == "":
            raise InputError(
                f"{what}: empty {name}", source=source, row=i + FIRST_ROW, check="missing_value"
            )
    index = pd.Index([str(v).strip() for v in column], name=column.name)
    if index.has_duplicates:
        pos = int(index.duplicated().argmax())
        raise InputError(
            f"{what}: {name} listed twice",
            source=source,
            row=pos + FIRST_ROW,
            label=index[pos],
            check="duplicate_label",
        )
    return index


def _numbers(column: pd.Series, index: pd.Index, what: str, source: str) -> np.ndarray:
    """A value column as floats: every cell a number."""
    import pandas as pd

    numbers = pd.to_numeric(column, errors="coerce")
    bad = numbers.isna().to_numpy()
    if bad.any():
        pos = int(bad.argmax())
        raw = column.iloc[pos]
        missing = bool(pd.isna(raw))
        raise InputError(
            f"{what}: column {column.name!r}: "
            + ("missing value" if missing else f"not a number: {raw!r}"),
            source=source,
            row=pos + FIRST_ROW,
            label=index[pos],
            check="missing_value" if missing else "non_numeric",
        )
    return numbers.to_numpy(dtype=float)


def read_series(
    path: str | Path, what: str, label: str | None = None, *, columns: str | None = None
) -> pd.Series:
    """Read a labelled vector that must have exactly one value column.

    Parameters
    ----------
    path, what, label
        As for :func:`read_vector`.
    columns
        The columns expected, for the message (e.g. ``"product, price"``).

    Returns
    -------
    pandas.Series
        Indexed by the labels, named after the value column.

    Raises
    ------
    InputError
        As :func:`read_vector`, and a table with several value columns (``missing_column``).
    """
    import pandas as pd

    vector = read_vector(path, what, label=label)
    if isinstance(vector, pd.Series):
        return vector
    expected = f" ({columns})" if columns else ""
    raise InputError(
        f"{what}: expected one value column{expected}, got {vector.shape[1]}",
        source=str(path),
        check="missing_column",
    )


def read_matrix(path: str | Path, what: str) -> pd.DataFrame:
    """Read a wide table: the first column holds the row labels, the others one column each.

    Raises
    ------
    InputError
        As :func:`read_vector`.
    """
    import pandas as pd

    table = read_vector(path, what)
    return table.to_frame() if isinstance(table, pd.Series) else table


def require_non_negative(
    data: pd.Series | pd.DataFrame, path: str | Path, what: str, advice: str = ""
) -> None:
    """Raise on the first negative entry, naming its file, row, label and column.

    Parameters
    ----------
    data
        A vector or table read by :func:`read_vector`.
    path, what
        The file it was read from and what it holds, for the message.
    advice
        Appended to the message (e.g. ``"; use --gras for tables with negative entries"``).

    Raises
    ------
    InputError
        A negative entry (check ``negative_entries``).
    """
    import numpy as np
    import pandas as pd

    frame = data.to_frame() if isinstance(data, pd.Series) else data
    values = frame.to_numpy(dtype=float)
    if not (values < 0).any():
        return
    i, j = (int(k[0]) for k in np.nonzero(values < 0))
    column = "" if isinstance(data, pd.Series) else f" in column {frame.columns[j]!r}"
    raise InputError(
        f"{what}: entry {values[i, j]:g}{column} is negative{advice}",
        source=str(path),
        row=i + FIRST_ROW,
        label=str(frame.index[i]),
        check="negative_entries",
    )


# ---------------------------------------------------------------------------- labels
def with_source(err: UnknownLabelError, path: str | Path) -> UnknownLabelError:
    """``err``, naming ``path`` as its source unless it names one already."""
    if err.source is not None:
        return err
    return UnknownLabelError(
        err.message, source=str(path), row=err.row, label=err.label, check=err.check
    )


@contextlib.contextmanager
def labels_from(path: str | Path | None) -> Iterator[None]:
    """Name ``path`` in an :class:`~gosplan.errors.UnknownLabelError` raised in the block.

    A vector read from ``path`` is checked against an economy's labels where it is used; this
    says which file held the unknown label. ``None``: errors pass unchanged.

    Examples
    --------
    >>> try:
    ...     with labels_from("demand.csv"):
    ...         raise UnknownLabelError("unknown product 'zinc'", label="zinc")
    ... except UnknownLabelError as err:
    ...     print(err)
    demand.csv, label 'zinc': unknown product 'zinc'
    """
    try:
        yield
    except UnknownLabelError as err:
        if path is None:
            raise
        raise with_source(err, path) from err


# ---------------------------------------------------------------------------- option values
def parse_numbers(text: str | None, what: str = "number") -> list[float] | None:
    """Comma-separated numbers (``"0.2, 0.5,0.8"``); empty items are skipped.

    Parameters
    ----------
    text
        The text; ``None`` gives ``None``.
    what
        What one number is, for the message (e.g. ``"share"``).

    Raises
    ------
    InputError
        An item that is not a number (``non_numeric``), or no number at all
        (``missing_value``).

    Examples
    --------
    >>> parse_numbers("0.25, 0.5,,1")
    [0.25, 0.5, 1.0]
    """
    if text is None:
        return None
    numbers = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        try:
            numbers.append(float(item))
        except ValueError:
            raise InputError(f"not a number: {item!r}", check="non_numeric") from None
    if not numbers:
        raise InputError(f"give at least one {what}", check="missing_value")
    return numbers


def parse_choices(items: Sequence[str] | None, form: str = "KEY=VALUE") -> dict[str, str]:
    """``KEY=VALUE`` items as a mapping (keys and values stripped).

    Parameters
    ----------
    items
        The items, e.g. ``["electricity=electricity (coal)"]``; ``None``: none.
    form
        How the items are written, for the message (e.g. ``"PRODUCT=ACTIVITY"``).

    Raises
    ------
    InputError
        An item without ``=``, or with an empty key or value (``bad_option``).

    Examples
    --------
    >>> parse_choices(["steel = open hearth"])
    {'steel': 'open hearth'}
    """
    choice: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"expected {form}, got {item!r}", check="bad_option")
        choice[key.strip()] = value.strip()
    return choice


def read_weights(spec: str | None) -> Literal["labour"] | pd.Series | None:
    """The value weights of a ``--weights`` value: ``"labour"``, prices from a file, or None.

    Parameters
    ----------
    spec
        ``None`` (physical units), ``"labour"`` (labour values) or a CSV/Parquet file with
        the columns ``product`` and one price column.

    Returns
    -------
    "labour", pandas.Series or None
        What :func:`gosplan.balance.multipliers.multipliers` takes as ``weights``.

    Raises
    ------
    InputError
        A file that cannot be read as prices by product (see :func:`read_series`).
    """
    if spec is None or spec == "labour":
        return spec
    return read_series(spec, "prices", label="product", columns="product, price")


# ---------------------------------------------------------------------------- wages
def read_wages(spec: str, economy: Economy, labour_type: str | None = None) -> pd.Series:
    """Income per unit of output by product, from a ``--wages`` value.

    Parameters
    ----------
    spec
        One number (wage per unit of labour, every type), or a CSV/Parquet file whose label
        column is ``labour_type`` (wage per unit of each labour type) or ``product`` (income
        per unit of output, used as given).
    economy
        The (square) economy.
    labour_type
        Count this labour type only; ``None``: every type.

    Returns
    -------
    pandas.Series
        Income coefficients by product, for :func:`gosplan.balance.multipliers.multipliers`.

    Raises
    ------
    InputError
        A file that cannot be read, a label column that is neither ``labour_type`` nor
        ``product``, a missing or negative wage, or a labour type the economy lacks (each
        message names the file, the row and the label).
    """
    from gosplan.balance.multipliers import wage_income

    try:
        rate = float(spec)
    except ValueError:
        return _wages_from_file(Path(spec), economy, labour_type)
    try:
        return wage_income(economy, rate, labour_type)
    except InputError as err:
        raise InputError(
            f"--wages: {err.message}",
            label=err.label if labour_type is not None else None,
            check=err.check,
        ) from err


def _wages_from_file(path: Path, economy: Economy, labour_type: str | None) -> pd.Series:
    """Wages read from a file by labour type, or income per unit of output by product."""
    from gosplan.balance.multipliers import wage_income

    table = read_series(path, "wages")
    label = table.index.name
    if label == "product":
        return _income_by_product(table, path, economy)
    if label != "labour_type":
        raise InputError(
            f"wages: the first column must be labour_type (wage per unit of labour) or "
            f"product (income per unit of output), got {label!r}",
            source=str(path),
            row=1,
            label=str(label),
            check="missing_column",
        )
    try:
        return wage_income(economy, table, labour_type)
    except InputError as err:
        known = err.label is not None and err.label in table.index
        raise InputError(
            f"wages: {err.message}",
            source=str(path),
            row=int(table.index.get_loc(err.label)) + FIRST_ROW if known else None,
            label=err.label,
            check=err.check,
        ) from err


def _income_by_product(table: pd.Series, path: Path, economy: Economy) -> pd.Series:
    """Income per unit of output as given by product: known products, none negative."""
    with labels_from(path):
        economy.align_products(table, "wages (income per unit of output)")
    negative = table.index[table.to_numpy() < 0]
    if len(negative):
        raise InputError(
            f"wages: income per unit of output is negative ({table[negative[0]]:g})",
            source=str(path),
            row=int(table.index.get_loc(negative[0])) + FIRST_ROW,
            label=str(negative[0]),
            check="negative_coefficient",
        )
    return table


# ---------------------------------------------------------------------------- population
def read_population(
    value: str | None, spec: str | Path, periods: Sequence[int]
) -> tuple[pd.Series | None, str | None, Path | None]:
    """The ``--population`` value: a number, a CSV, or the plan folder's ``population.csv``.

    Parameters
    ----------
    value
        One number (the population of every period), a CSV file with the columns ``period``
        and ``population`` (and optionally ``unit``), or ``None``: the file
        ``population.csv`` beside the plan, if there is one.
    spec
        The plan's folder or manifest.
    periods
        The plan's periods (for one number).

    Returns
    -------
    (pandas.Series or None, str or None, pathlib.Path or None)
        Population by period, its unit (from a ``unit`` column, when it has one value), and
        the file read.

    Raises
    ------
    InputError
        A number that is not positive (``out_of_range``), a CSV that cannot be read
        (``unreadable_file``), without the columns ``period`` and ``population``
        (``missing_column``), with a population that is not a positive number
        (``out_of_range``) or a period that is not a whole number (``non_numeric``).
    FileNotFoundError
        ``value`` names a file that does not exist.
    """
    import pandas as pd

    if value is None:
        spec = Path(spec)
        path = (spec if spec.is_dir() else spec.parent) / "population.csv"
        if not path.is_file():
            return None, None, None
        return _population_file(path)
    try:
        number = float(value)
    except ValueError:
        return _population_file(Path(value))
    if not number > 0:
        raise InputError(f"--population must be positive, got {value!r}", check="out_of_range")
    return pd.Series(number, index=pd.Index(list(periods), name="period")), None, None


def _population_file(path: Path) -> tuple[pd.Series, str | None, Path]:
    """Population by period from a CSV (period, population[, unit])."""
    import numpy as np
    import pandas as pd

    try:
        table = pd.read_csv(path)
    except (OSError, ValueError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise InputError(
            f"cannot read the population: {err}", source=str(path), check="unreadable_file"
        ) from None
    for col in ("period", "population"):
        if col not in table.columns:
            raise InputError(f"missing column {col!r}", source=str(path), check="missing_column")
    heads = pd.to_numeric(table["population"], errors="coerce")
    bad = ~(heads > 0)
    if bad.any():
        raise InputError(
            "population must be a positive number",
            source=str(path),
            row=int(bad.to_numpy().argmax()) + FIRST_ROW,
            check="out_of_range",
        )
    periods = pd.to_numeric(table["period"], errors="coerce").to_numpy(dtype=float)
    whole = np.isfinite(periods) & (periods == np.round(periods))
    if not whole.all():
        raise InputError(
            "period must be a whole number",
            source=str(path),
            row=int((~whole).argmax()) + FIRST_ROW,
            check="non_numeric",
        )
    index = pd.Index([int(p) for p in periods], name="period")
    unit = None
    if "unit" in table.columns:
        units = table["unit"].dropna().astype(str).unique()
        unit = str(units[0]) if len(units) == 1 else None
    return pd.Series(heads.to_numpy(float), index=index, name="population"), unit, path
