"""Tables and documents on disk: strict JSON, one table per file, and the way back.

Every result type writes through these functions and reads back through them, so that NaN,
infinities, labels and periods are handled one way:

* in JSON, NaN is ``null`` and an infinity the text ``"inf"`` / ``"-inf"`` (strict JSON has
  neither); :func:`numbers` turns both back into floats;
* a labels x periods table is written with its labels as the first column and the periods
  as the other column names; :func:`grid` reads it back (string labels, integer periods);
* a long table (one row per record) is written as is; :func:`long` restores text columns and
  integer periods.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from gosplan.errors import InputError

#: Formats of a result written as a folder of tables.
FOLDER_FORMATS = ("csv", "parquet")
#: Every format a result can be written in.
FORMATS = (*FOLDER_FORMATS, "json")
_SUFFIXES = (".csv", ".parquet")
#: Columns of long tables that hold text labels.
TEXT_COLUMNS = ("product", "label", "block", "kind", "activity", "unit", "status")
#: Columns read from CSV as text, whatever they look like (a product "NA" or "01" stays so).
LABEL_COLUMNS = (*TEXT_COLUMNS, "index", "labour_type", "resource", "enterprise")

_Result = TypeVar("_Result")
#: What a result type makes of its fields and tables: ``(meta, tables, source) -> result``.
FromTables = Callable[[dict[str, Any], dict[str, pd.DataFrame], str], _Result]


def check_format(format: str, allowed: Iterable[str] = FORMATS) -> str:
    """``format`` when it is one of ``allowed``; otherwise an :class:`InputError`."""
    allowed = tuple(allowed)
    if format not in allowed:
        raise InputError(f"unknown format {format!r}; choose {', '.join(allowed)}")
    return format


# ---------------------------------------------------------------------------- JSON
def finite(value: Any) -> Any:
    """A value for strict JSON: NaN becomes null, infinities ``"inf"``/``"-inf"``."""
    if isinstance(value, Mapping):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def strict_json(doc: Any) -> str:
    """JSON that every parser reads: no bare NaN or Infinity tokens."""
    return json.dumps(finite(doc), indent=1, default=str, allow_nan=False)


def number(value: Any) -> float:
    """A float from what JSON holds: null is NaN, ``"inf"``/``"-inf"`` infinities."""
    if value is None:
        return math.nan
    return float(value)


def read_json(path: Path) -> Any:
    """A JSON document, or an :class:`InputError` naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON: {err}", source=str(path)) from None
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", source=str(path)) from None


# ---------------------------------------------------------------------------- tables out
def flat(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with its index as columns (unless it is a plain range) and text column names."""
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    if out.index.name is not None or not isinstance(out.index, pd.RangeIndex):
        out = out.reset_index()
    return out


def records(frame: pd.DataFrame) -> dict[str, Any]:
    """A (flattened) frame as strict-JSON-ready ``{"columns": [...], "records": [...]}``.

    The column names are kept apart so that an empty table keeps its columns.
    """
    out = flat(frame)
    rows = out.to_dict(orient="records")
    return {
        "columns": list(out.columns),
        "records": [{k: finite(v) for k, v in row.items()} for row in rows],
    }


def write_table(frame: pd.DataFrame, folder: Path, name: str, format: str) -> Path:
    """Write one table as ``folder/name.csv`` or ``.parquet`` (index as columns)."""
    out = flat(frame)
    path = folder / f"{name}.{format}"
    if format == "csv":
        out.to_csv(path, index=False)
    else:
        out.to_parquet(path, index=False)
    return path


def write_tables(frames: Mapping[str, pd.DataFrame], folder: Path, format: str) -> None:
    """Write every table of ``frames`` into ``folder`` (created)."""
    check_format(format, FOLDER_FORMATS)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        write_table(frame, folder, name, format)


def write_result(
    path: Path,
    format: str,
    *,
    document: Callable[[], dict[str, Any]],
    tables: Callable[[], Mapping[str, pd.DataFrame]],
    meta_file: str,
    meta: Callable[[], dict[str, Any]],
) -> Path:
    """Write a result as one strict-JSON ``document()`` or as a folder of ``tables()``.

    The folder also holds ``meta_file`` with ``meta()`` (everything but the tables).
    """
    check_format(format)
    if format == "json":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(strict_json(document()), encoding="utf-8")
        return path
    write_tables(tables(), path, format)
    (path / meta_file).write_text(strict_json(meta()), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- tables in
def read_table(
    path: Path, labels: Iterable[str] = LABEL_COLUMNS, *, blank: str | None = None
) -> pd.DataFrame:
    """A table file (CSV, Parquet or JSON records), or an :class:`InputError` naming it.

    From CSV, the ``labels`` columns are read as text whatever they look like ("NA", "01" and
    "1e3" are labels too); only an empty cell is missing, and an empty cell of a ``labels``
    column reads as ``blank`` when one is given. Floats are read exactly as written.
    """
    labels = tuple(labels)
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        if path.suffix == ".json":
            return pd.DataFrame.from_records(json.loads(path.read_text(encoding="utf-8")))
        table = pd.read_csv(
            path,
            dtype={name: str for name in labels},
            keep_default_na=False,
            na_values=[""],
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (ValueError, OSError, json.JSONDecodeError) as err:
        if isinstance(err, FileNotFoundError):
            raise
        raise InputError(
            f"cannot read the table: {err}", source=str(path), check="unreadable_file"
        ) from None
    if blank is not None:
        present = [c for c in labels if c in table.columns]
        table[present] = table[present].fillna(blank)
    return table


def table_files(folder: Path) -> dict[str, Path]:
    """The table files of a folder by name (CSV before Parquet when both exist)."""
    out: dict[str, Path] = {}
    for f in sorted(folder.iterdir()):
        if f.is_file() and f.suffix in _SUFFIXES:
            out.setdefault(f.stem, f)
    return out


def frame_of(table: dict[str, Any] | list[dict[str, Any]] | None) -> pd.DataFrame:
    """A table written by :func:`records` (or bare records, as older files hold) as a frame."""
    if isinstance(table, dict):
        columns = list(table.get("columns") or [])
        rows = table.get("records") or []
        return pd.DataFrame.from_records(rows, columns=columns or None)
    return pd.DataFrame.from_records(table or [])


def period(name: Any) -> Any:
    """A period label as an int where it is one (``"1929"`` -> 1929)."""
    try:
        return int(str(name))
    except ValueError:
        return name


def _is_period(name: Any) -> bool:
    return isinstance(period(name), int)


def numbers(values: pd.Series) -> pd.Series:
    """A column as floats: ``"inf"`` text and nulls become infinities and NaN."""
    return pd.to_numeric(values, errors="coerce").astype(float)


def grid(table: pd.DataFrame, label: str | None = None) -> pd.DataFrame:
    """A written labels x periods table back to its frame (text labels, int period columns)."""
    if len(table.columns) and not _is_period(table.columns[0]):
        first = table.columns[0]
        out = table.set_index(first)
        name = None if first == "index" else str(first)
        out.index = pd.Index([str(v) for v in out.index], name=name)
    else:
        out = table.copy()
        out.index = pd.Index([str(v) for v in out.index], name=label)
    if label is not None and out.index.name is None:
        out.index.name = label
    out.columns = pd.Index([period(c) for c in out.columns], name="period")
    return out.apply(numbers) if len(out.columns) else out.astype(float)


def by_period(table: pd.DataFrame) -> pd.DataFrame:
    """A written table indexed by period back to its frame."""
    if "period" in table.columns:
        table = table.set_index("period")
        table.index = pd.Index([period(v) for v in table.index], name="period")
    return table.apply(numbers) if len(table.columns) else table


def long(table: pd.DataFrame, text: Iterable[str] = TEXT_COLUMNS) -> pd.DataFrame:
    """A written long table: text columns as ``str``, periods as ints, numbers as floats."""
    out = table.copy()
    text = set(text)
    for col in out.columns:
        values = out[col]
        if col in text:
            out[col] = [None if _missing(v) else str(v) for v in values]
        elif col == "period":
            out[col] = [period(v) if not _missing(v) else v for v in values]
        elif values.dtype == object and _numeric_text(values):
            out[col] = numbers(values)
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _numeric_text(values: pd.Series) -> bool:
    """True when an object column holds only numbers, nulls and infinities written as text."""
    for v in values:
        if _missing(v) or (isinstance(v, int | float) and not isinstance(v, bool)):
            continue
        if v not in ("inf", "-inf"):
            return False
    return True


def series(table: pd.DataFrame, name: str) -> pd.Series:
    """A written (label, value) table back to a Series named ``name`` by label."""
    if len(table.columns) < 2 or not len(table):
        index = pd.Index([], name=str(table.columns[0]) if len(table.columns) else None)
        return pd.Series(dtype=float, name=name, index=index)
    column = name if name in table.columns else table.columns[1]
    out = table.set_index(table.columns[0])[column]
    out.index = pd.Index([str(v) for v in out.index], name=str(table.columns[0]))
    return numbers(out).rename(name)


# ---------------------------------------------------------------------------- results
def result_document(meta: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """A result as one strict-JSON-ready document: its fields and ``tables`` as :func:`records`.

    The way back is :func:`document_tables` (and ``meta`` is the document itself).
    """
    doc: dict[str, Any] = finite(meta)
    doc["tables"] = {name: records(frame) for name, frame in tables.items()}
    return doc


def _missing_table(needs: str, name: str, source: str) -> InputError:
    return InputError(f"{needs} the table {name!r}", source=source, check="missing_table")


def document_tables(
    doc: Mapping[str, Any], names: Iterable[str] | None, *, needs: str | None, source: str
) -> dict[str, pd.DataFrame]:
    """The tables of a document written by :func:`result_document`, as frames by name.

    Parameters
    ----------
    doc
        The document.
    names
        The tables to take (each also looked for beside ``tables``, where older files hold
        it); ``None``: every table the document holds.
    needs
        The start of the message for a table missing, e.g. ``"a plan check needs"``: an
        :class:`InputError` with ``check="missing_table"``. ``None``: a missing table is empty.
    source
        Where the document was read (named in errors).
    """
    tables = dict(doc.get("tables") or {})
    if names is None:
        return {name: frame_of(rows) for name, rows in tables.items()}
    frames = {}
    for name in names:
        rows = tables.get(name, doc.get(name))
        if rows is None and needs is not None:
            raise _missing_table(needs, name, source)
        frames[name] = frame_of(rows)
    return frames


def read_result_folder(
    path: Path,
    meta_file: str,
    names: Iterable[str] | None,
    *,
    needs: str | None,
    reader: Callable[[Path], pd.DataFrame] = read_table,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """The fields (``meta_file``) and tables of a result folder written by :func:`write_result`.

    ``names`` and ``needs`` as in :func:`document_tables` (a missing table names the folder);
    ``reader`` reads one table file.
    """
    meta = read_json(path / meta_file)
    files = table_files(path)
    if names is None:
        return meta, {name: reader(f) for name, f in files.items()}
    names = tuple(names)
    missing = [n for n in names if n not in files]
    if missing and needs is not None:
        raise _missing_table(needs, missing[0], str(path))
    return meta, {n: reader(files[n]) if n in files else pd.DataFrame() for n in names}


def read_result(
    path: str | Path,
    meta_file: str,
    names: Iterable[str] | None,
    *,
    needs: str | None,
    from_tables: FromTables[_Result],
    from_dict: Callable[[dict[str, Any], str], _Result],
    reader: Callable[[Path], pd.DataFrame] = read_table,
) -> _Result:
    """A result written by :func:`write_result`: a folder of tables, or one JSON document.

    A folder is read by :func:`read_result_folder` and made a result by ``from_tables``;
    a JSON file is handed to ``from_dict`` (which reads its tables with
    :func:`document_tables`). Errors name the path.
    """
    path = Path(path)
    if not path.is_dir():
        return from_dict(read_json(path), str(path))
    meta, frames = read_result_folder(path, meta_file, names, needs=needs, reader=reader)
    return from_tables(meta, frames, str(path))


def plain_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with its label columns as plain text (for JSON records)."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
    return out


# ---------------------------------------------------------------------------- a result type
class TabledResult:
    """``write`` and ``read`` of a result made of named tables and a document of its fields.

    A result type sets :attr:`META_FILE` (the document of a folder), :attr:`TABLE_NAMES` (the
    tables to read; ``None``: every table the folder or document holds), :attr:`NEEDS` (the
    start of the message for a missing table; ``None``: a missing table is empty) and
    :attr:`LABELS` (the label columns, read from CSV as text whatever they look like: "01",
    "NA"), :attr:`SOURCE` (how messages name a document read without a path), and defines
    ``tables``, ``_meta`` and ``_from_tables``; :meth:`_written_tables` is what a folder or a
    document holds (default ``tables()``), :meth:`_check_meta` refuses a document of another
    kind before its tables are read (default: no check).
    """

    META_FILE: ClassVar[str]
    TABLE_NAMES: ClassVar[tuple[str, ...] | None] = None
    NEEDS: ClassVar[str | None] = None
    LABELS: ClassVar[tuple[str, ...]] = ()
    WRITE_FORMAT: ClassVar[str] = "csv"
    SOURCE: ClassVar[str] = "result"

    def to_dict(self) -> dict[str, Any]:
        """The result as plain values (strict-JSON ready): its fields and its tables."""
        tables = {name: plain_labels(frame) for name, frame in self._written_tables().items()}
        return result_document(self._meta(), tables)

    @classmethod
    def from_dict(cls: type[_Tabled], doc: dict[str, Any], source: str | None = None) -> _Tabled:
        """The result written by :meth:`to_dict` (``source`` names it in messages)."""
        where = source or cls.SOURCE
        cls._check_meta(doc, where)
        frames = document_tables(doc, cls.TABLE_NAMES, needs=cls.NEEDS, source=where)
        return cls._from_tables(doc, frames, where)  # type: ignore[attr-defined,no-any-return]

    @classmethod
    def _check_meta(cls, meta: dict[str, Any], source: str) -> None:
        """Refuse a document of another kind (each result type may check its own)."""

    def tables(self) -> Mapping[str, pd.DataFrame]:  # pragma: no cover
        """The tables by name (each result type defines it)."""
        raise NotImplementedError

    def _meta(self) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def _written_tables(self) -> Mapping[str, pd.DataFrame]:
        return self.tables()

    def write(self, path: str | Path, format: str | None = None) -> Path:
        """Write the result as a folder (``csv``/``parquet``) or one ``json`` file.

        A folder holds the result's tables and :attr:`META_FILE` (its other fields);
        :meth:`read` reads either form back. ``format`` defaults to :attr:`WRITE_FORMAT`.

        Returns
        -------
        pathlib.Path
            The folder (or file) written.
        """
        return write_result(
            Path(path),
            format or self.WRITE_FORMAT,
            document=self.to_dict,
            tables=self._written_tables,
            meta_file=self.META_FILE,
            meta=self._meta,
        )

    @classmethod
    def read(cls: type[_Tabled], path: str | Path) -> _Tabled:
        """A result written by :meth:`write` (a folder with :attr:`META_FILE`, or JSON)."""
        return read_result(
            path,
            cls.META_FILE,
            cls.TABLE_NAMES,
            needs=cls.NEEDS,
            from_tables=cls._from_tables,  # type: ignore[attr-defined]
            from_dict=cls.from_dict,
            reader=cls._read_table,
        )

    @classmethod
    def _read_table(cls, path: Path) -> pd.DataFrame:
        return read_table(path, cls.LABELS, blank="")


_Tabled = TypeVar("_Tabled", bound=TabledResult)
