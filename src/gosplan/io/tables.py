"""Read tidy tables and type their columns, collecting every problem with file, row and label.

The readers of gosplan (economies, plans, demands) share these pieces:

* :func:`read_table_file` / :func:`read_sheet` read one CSV, Parquet or Excel table as raw
  columns (text for CSV and Excel, so that labels that look like numbers stay labels);
* :class:`~gosplan.core.checks.Problems` (imported here for the readers) collects
  :class:`~gosplan.errors.InputError` s so that one read reports every problem at once
  (capped per check and table, with a count of the rest);
* :func:`label_column`, :func:`number_column`, :func:`check_unique` and :func:`check_known`
  type and check whole columns at once (vectorised: tables of millions of rows are fine).

Rows are numbered as a spreadsheet shows them: 1-based, the header being row 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gosplan.core.checks import MAX_PER_CHECK, Problems
from gosplan.errors import InputError

SUFFIXES = (".csv", ".parquet", ".pq", ".xlsx")
#: Excel cells are text; only an empty cell is missing ("NA", "nan" are labels like any other).
EXCEL_TEXT: dict[str, object] = {"keep_default_na": False, "na_values": [""]}
#: Largest magnitude of a finite number in an economy: HiGHS treats 1e20 and beyond as
#: infinite, so a coefficient, labour coefficient or capacity this large would silently mean
#: "unlimited". The same limit as :data:`gosplan.core.spec.LARGEST_NUMBER`; it is defined here
#: rather than imported because :mod:`gosplan.plan` imports this module (an import cycle).
LARGEST_NUMBER = 1e15
#: Separators a CSV written by hand may use instead of the comma.
OTHER_SEPARATORS = {";": "';'", "\t": "tabs", "|": "'|'"}


# ---------------------------------------------------------------------------- reading
def read_table_file(path: Path, *, lower_header: bool = True) -> pd.DataFrame:
    """Read one CSV, Parquet or Excel (first sheet) table as raw columns.

    CSV and Excel cells come back as text (``NaN`` for empty cells) so that numbers are parsed
    exactly and labels that look like numbers stay labels; Parquet keeps its types. Column
    names are stripped and, with ``lower_header`` (tidy tables), lower-cased; wide tables whose
    column names are labels keep their case.

    Raises
    ------
    InputError
        ``unreadable_file`` when the file is missing, empty or cannot be parsed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"unknown table format {suffix!r}; use .csv, .parquet or .xlsx",
            source=str(path),
            check="unreadable_file",
        )
    if path.is_dir():
        raise InputError(
            "expected a table file, got a directory", source=str(path), check="unreadable_file"
        )
    if not path.is_file():
        raise InputError("file not found", source=str(path), check="unreadable_file")
    if suffix == ".csv":
        frame = _read_csv(path)
    else:
        try:
            if suffix == ".xlsx":
                frame = pd.read_excel(path, dtype=str, engine="openpyxl", **EXCEL_TEXT)
            else:
                frame = pd.read_parquet(path)
        except Exception as exc:  # parsers raise many kinds of errors
            raise InputError(
                f"cannot read the table: {exc}", source=table_source(path), check="unreadable_file"
            ) from exc
        if suffix == ".xlsx" and (hint := _one_column(frame, table_source(path), sheet=True)):
            raise hint
    return _clean_header(frame, lower_header)


def read_sheet(book: Path, sheet: str, *, lower_header: bool = True) -> pd.DataFrame:
    """Read one sheet of an Excel workbook as text columns (header as in :func:`read_table_file`).

    Raises
    ------
    InputError
        ``unreadable_file`` when the workbook or the sheet is missing or cannot be parsed.
    """
    source = sheet_source(book, sheet)
    if Path(book).is_dir():
        raise InputError(
            "expected an Excel workbook, got a directory", source=str(book), check="unreadable_file"
        )
    if not Path(book).is_file():
        raise InputError("workbook not found", source=str(book), check="unreadable_file")
    try:
        frame = pd.read_excel(book, sheet_name=sheet, dtype=str, engine="openpyxl", **EXCEL_TEXT)
    except ValueError as exc:
        raise InputError(
            f"no sheet named {sheet!r} in the workbook", source=source, check="unreadable_file"
        ) from exc
    except Exception as exc:
        raise InputError(
            f"cannot read the sheet: {exc}", source=source, check="unreadable_file"
        ) from exc
    hint = _one_column(frame, source, sheet=True)
    if hint is not None:
        raise hint
    return _clean_header(frame, lower_header)


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV file as text columns; explain files that are not comma-separated UTF-8.

    Raises
    ------
    InputError
        ``empty_table`` for an empty file; ``unreadable_file`` for binary data, text that is
        not UTF-8 (with the byte offset and line of the first bad byte), a file separated by
        another character than the comma, or rows the CSV parser cannot split.
    """
    source = str(path)
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig"
        )
    except pd.errors.EmptyDataError as exc:
        raise InputError(
            "the file is empty (not even a header row)", source=source, check="empty_table"
        ) from exc
    except UnicodeDecodeError as exc:
        raise _not_text(path) from exc
    except pd.errors.ParserError as exc:
        raise _bad_columns(path, exc) from exc
    except Exception as exc:  # parsers raise many kinds of errors
        raise InputError(
            f"cannot read the table: {exc}", source=source, check="unreadable_file"
        ) from exc
    hint = _one_column(frame, source)
    if hint is not None:
        raise hint
    return frame


def _one_column(frame: pd.DataFrame, source: str, *, sheet: bool = False) -> InputError | None:
    """The error for a table whose one column holds another separator, if it does."""
    if len(frame.columns) != 1:
        return None
    header = str(frame.columns[0])
    for sep, name in OTHER_SEPARATORS.items():
        if sep in header:
            return _separator_error(header, name, source, sheet=sheet)
    return None


def _separator_error(header: str, name: str, source: str, *, sheet: bool = False) -> InputError:
    shown = header if len(header) <= 60 else header[:57] + "..."
    question = (
        f"were lines separated by {name} pasted into one column? Put each column in its own "
        "column of the sheet"
        if sheet
        else f"is the file separated by {name}? gosplan reads comma-separated columns (CSV): "
        "save the file with commas as separators"
    )
    return InputError(
        f"the header has one column {shown!r} — {question}",
        source=source,
        row=1,
        check="unreadable_file",
    )


def _not_text(path: Path) -> InputError:
    """The error for a CSV file that is not UTF-8 text: binary data or another encoding."""
    raw = path.read_bytes()  # only on failure: the reader itself streams the file
    source = str(path)
    kinds = {
        b"PAR1": "a Parquet file (name it .parquet)",
        b"PK\x03\x04": "a zip archive or an Excel workbook (name it .xlsx)",
    }
    for magic, kind in kinds.items():
        if raw.startswith(magic):
            return InputError(
                f"expected UTF-8 text with comma-separated columns, but the file is {kind}",
                source=source,
                check="unreadable_file",
            )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return InputError(
            "expected UTF-8 text, but the file is UTF-16 text (it starts with a UTF-16 "
            "byte-order mark): save the file as UTF-8",
            source=source,
            row=1,
            check="unreadable_file",
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        return InputError(
            f"expected UTF-8 text with comma-separated columns, but the file holds binary data "
            f"(a NUL byte at byte offset {nul}, line {line})",
            source=source,
            row=line,
            check="unreadable_file",
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        hint = (
            "; it looks like Latin-1 or Windows-1252 text: save the file as UTF-8"
            if _is_latin1_text(raw)
            else ""
        )
        return InputError(
            f"expected UTF-8 text, but byte 0x{byte:02x} at byte offset {exc.start} (line "
            f"{line}) is not valid UTF-8{hint}",
            source=source,
            row=line,
            check="unreadable_file",
        )
    return InputError(  # pragma: no cover - pandas failed to decode what Python decodes
        "expected UTF-8 text: the file cannot be decoded", source=source, check="unreadable_file"
    )


def _is_latin1_text(raw: bytes) -> bool:
    """Whether ``raw`` reads as Latin-1 text: no control bytes but tabs and line ends."""
    sample = raw[:65536]
    controls = bytes(range(32)).replace(b"\t", b"").replace(b"\n", b"").replace(b"\r", b"")
    return not any(c in controls for c in sample) and not any(0x80 <= c < 0xA0 for c in sample)


def _bad_columns(path: Path, exc: Exception) -> InputError:
    """The error for rows the CSV parser cannot split (often another separator)."""
    source = str(path)
    with open(path, encoding="utf-8-sig", errors="replace") as file:
        header = file.readline().rstrip("\r\n")
    if "," not in header:
        for sep, name in OTHER_SEPARATORS.items():
            if sep in header:
                return _separator_error(header, name, source)
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if found:
        expected, line, saw = (int(g) for g in found.groups())
        return InputError(
            f"row {line} has {saw} comma-separated cells but the header has {expected} "
            '(a comma inside a cell needs quotes: "1,5"; numbers use a dot as decimal '
            "separator)",
            source=source,
            row=line,
            check="unreadable_file",
        )
    return InputError(f"cannot read the table: {exc}", source=source, check="unreadable_file")


def table_source(path: Path) -> str:
    """How messages name a table file: its path, or ``book.xlsx[sheet]`` for a workbook.

    A workbook given as a table file is read from its first sheet, which messages name.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx" and path.is_file():
        try:
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            try:
                first = book.sheetnames[0]
            finally:
                book.close()
        except Exception:  # an unreadable workbook is reported when it is read
            return str(path)
        return sheet_source(path, first)
    return str(path)


def sheet_source(book: Path, sheet: str) -> str:
    """How messages name a sheet of a workbook: ``path[sheet]``."""
    return f"{book}[{sheet}]"


def _clean_header(frame: pd.DataFrame, lower: bool = True) -> pd.DataFrame:
    names = [str(c).strip() for c in frame.columns]
    frame.columns = [c.lower() for c in names] if lower else names
    return frame


# ---------------------------------------------------------------------------- columns
def require_columns(
    frame: pd.DataFrame, columns: Sequence[str], source: str, problems: Problems
) -> bool:
    """Check that ``frame`` has every column of ``columns``; record each one that is absent."""
    ok = True
    for col in columns:
        if col not in frame.columns:
            have = ", ".join(map(repr, frame.columns)) or "none"
            problems.add(
                f"missing column {col!r} (columns found: {have})",
                source=source,
                row=1,
                label=col,
                check="missing_column",
            )
            ok = False
    return ok


def require_rows(frame: pd.DataFrame, source: str, problems: Problems) -> bool:
    """Check that ``frame`` has at least one row."""
    if len(frame) == 0:
        problems.add("the table has no rows", source=source, check="empty_table")
        return False
    return True


def _missing(column: pd.Series) -> np.ndarray:
    missing = column.isna().to_numpy(copy=True)
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        text = column.astype(str).str.strip()
        missing |= (text == "").to_numpy()
    return missing


def label_column(
    frame: pd.DataFrame, col: str, source: str, problems: Problems, what: str | None = None
) -> np.ndarray:
    """Labels of column ``col`` as an array of stripped strings; empty cells are problems.

    Empty cells come back as ``""``, which the other checks skip (reported once, here).
    """
    column = frame[col]
    missing = _missing(column)
    labels = column.astype(str).str.strip().to_numpy(dtype=object, copy=True)
    if missing.any():
        problems.add_rows(
            missing,
            f"{what or col} is missing",
            source=source,
            labels=None,
            check="missing_value",
        )
        labels[missing] = ""
    return labels


def number_column(
    frame: pd.DataFrame,
    col: str,
    source: str,
    problems: Problems,
    labels: np.ndarray | None,
    *,
    optional: bool = False,
    allow_negative: bool = False,
    allow_infinite: bool = False,
    check_negative: str = "negative_coefficient",
    subject: Callable[[int], str] | None = None,
    largest: float | None = LARGEST_NUMBER,
) -> np.ndarray:
    """Parse a number column, recording non-numbers, empty cells, negatives and infinities.

    Parameters
    ----------
    frame, col, source, problems
        The table, the column, how messages name the table, and where problems go.
    labels
        Label of each row, for the messages.
    optional
        Empty cells are ``NaN`` instead of problems.
    allow_negative, allow_infinite
        Accept negative or infinite values.
    check_negative
        Name of the check a negative value fails.
    subject
        Optional function of the row position (0-based) saying whose value the cell is, e.g.
        ``"input 'b' of activity 'a'"``: messages then read ``"coefficient of input 'b' of
        activity 'a' is negative (-1)"`` instead of ``"coefficient is negative (-1)"``.
    largest
        Finite values of at least this magnitude fail check ``value_too_large`` (the solver
        would take them for infinite); ``None``: no limit. Infinite values, where allowed
        (``allow_infinite``), are not refused.

    Returns
    -------
    numpy.ndarray
        Float values (``NaN`` where a cell was bad or empty).
    """
    column = frame[col]
    missing = _missing(column)
    values = pd.to_numeric(column.where(~missing), errors="coerce").to_numpy(dtype=float, copy=True)

    def what(pos: int) -> str:
        return f"{col} of {subject(pos)}" if subject is not None else col

    def report(mask: np.ndarray, message: Callable[[int], str], check: str) -> None:
        problems.add_rows(mask, message, source=source, labels=labels, check=check)

    _report_non_numbers(column, values, missing, what, report, allow_infinite=allow_infinite)
    if missing.any() and not optional:
        # A typed (Parquet) column has no empty cells: a missing value there is a NaN.
        empty = "is NaN (no value)" if pd.api.types.is_numeric_dtype(column) else "is empty"
        report(missing, lambda pos: f"{what(pos)} {empty}", "missing_value")
    if not allow_negative:
        with np.errstate(invalid="ignore"):
            negative = values < 0
        report(negative, lambda pos: f"{what(pos)} is negative ({values[pos]:g})", check_negative)
    if largest is not None:
        _report_too_large(values, largest, what, report, allow_infinite=allow_infinite)
    return values


#: Records the rows of a mask as problems: ``report(mask, message_of_row, check)``.
_Report = Callable[[np.ndarray, Callable[[int], str], str], None]


def _report_non_numbers(
    column: pd.Series,
    values: np.ndarray,
    missing: np.ndarray,
    what: Callable[[int], str],
    report: _Report,
    *,
    allow_infinite: bool,
) -> None:
    """Record the cells that are not numbers (nor infinite, unless allowed); NaN them."""
    bad = np.isnan(values) & ~missing
    if not allow_infinite:
        bad |= np.isinf(values)
    if not bad.any():
        return
    shown = column.astype(str).to_numpy(dtype=object)
    report(bad, lambda pos: f"{what(pos)} is not a number: {shown[pos]!r}", "non_numeric")
    values[bad] = np.nan


def _report_too_large(
    values: np.ndarray,
    largest: float,
    what: Callable[[int], str],
    report: _Report,
    *,
    allow_infinite: bool,
) -> None:
    """Record the finite values of at least ``largest`` in magnitude; NaN them."""
    with np.errstate(invalid="ignore"):
        huge = np.isfinite(values) & (np.abs(values) >= largest)
    if not huge.any():
        return
    report(
        huge,
        lambda pos: (
            f"{what(pos)} is too large ({values[pos]:g}): numbers must stay below "
            f"{largest:g} in magnitude, the solver takes larger ones for infinite"
            + ("; write 'inf' for no limit" if allow_infinite else "")
        ),
        "value_too_large",
    )
    values[huge] = np.nan


def check_unique(
    keys: Sequence[np.ndarray],
    source: str,
    problems: Problems,
    what: str,
    *,
    codes: np.ndarray | None = None,
) -> np.ndarray:
    """Record rows whose key (one or several label columns) repeats an earlier row.

    Parameters
    ----------
    keys
        The label columns forming the key.
    source, problems, what
        How messages name the table, where problems go, and what the key is.
    codes
        Optional integer code of each row's key (equal codes = equal keys), e.g. positions
        combined; hashing integers is much faster than hashing label pairs.

    Returns
    -------
    numpy.ndarray
        Boolean mask of the repeated rows.
    """
    n = len(keys[0]) if keys else 0
    if codes is not None:
        dup = pd.Series(codes).duplicated().to_numpy(copy=True)
    else:
        frame = pd.DataFrame({str(i): k for i, k in enumerate(keys)})
        dup = frame.duplicated().to_numpy(copy=True)
    for k in keys:  # a missing label is reported as missing, not as a repeat
        dup &= np.asarray(k, dtype=object) != ""
    if dup.any():
        # Only the rows reported need a label and the row they repeat (a few column scans).
        labels = np.empty(n, dtype=object)
        earlier = np.zeros(n, dtype=int)
        for pos in np.flatnonzero(dup)[:MAX_PER_CHECK]:
            labels[pos] = " / ".join(str(k[pos]) for k in keys)
            same = np.logical_and.reduce([np.asarray(k) == k[pos] for k in keys])
            earlier[pos] = int(np.argmax(same))
        problems.add_rows(
            dup,
            lambda pos: f"{what} appears twice (first on row {earlier[pos] + 2})",
            source=source,
            labels=labels,
            check="duplicate_label",
        )
    return dup


def check_known(
    labels: np.ndarray,
    known: pd.Index,
    source: str,
    problems: Problems,
    what: str,
    col: str,
    *,
    table: str | None = None,
    declared_in: tuple[str, str] | None = None,
) -> np.ndarray:
    """Positions of ``labels`` in ``known``; record every label that is not there.

    Parameters
    ----------
    labels, known
        The labels to look up, and the labels declared.
    source, problems
        How messages name the table, and where problems go.
    what, col
        What the labels are (``"activity"``), and the column holding them.
    table
        The name of the table holding the labels (``"technology"``), for the message.
    declared_in
        The table that declares the labels and how messages name it, e.g.
        ``("activities", "eco/activities.csv")``: messages then say the label is missing
        from that table.

    Returns
    -------
    numpy.ndarray
        Integer positions (``-1`` where unknown).
    """
    positions = lookup(labels, known)
    names = f"the {table} table names" if table is not None else f"{col} names"
    column = f" (column {col!r})" if table is not None and col != what else ""
    where = (
        f": it is missing from the {declared_in[0]} table ({declared_in[1]})"
        if declared_in is not None
        else ""
    )
    problems.add_rows(
        (positions < 0) & (np.asarray(labels, dtype=object) != ""),  # missing: reported already
        lambda pos: f"{names} {what} {labels[pos]!r}{column}, which is not declared{where}",
        source=source,
        labels=labels,
        check="unknown_label",
    )
    return positions


def lookup(labels: np.ndarray, known: pd.Index) -> np.ndarray:
    """Positions of ``labels`` in ``known`` (``-1`` where absent).

    Text labels are hashed with Arrow (several times faster than pandas on millions of rows);
    anything else falls back to :meth:`pandas.Index.get_indexer`.
    """
    try:
        value_set = pa.array(np.asarray(known, dtype=object), type=pa.string())
        found = pc.index_in(pa.array(labels, type=pa.string()), value_set=value_set)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return known.get_indexer(labels)
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)


def text_column(frame: pd.DataFrame, col: str, default: str = "") -> np.ndarray:
    """A free-text column as stripped strings (``default`` for empty cells or no column)."""
    if col not in frame.columns:
        return np.full(len(frame), default, dtype=object)
    column = frame[col]
    missing = _missing(column)
    text = column.astype(str).str.strip().to_numpy(dtype=object, copy=True)
    text[missing] = default
    return text
