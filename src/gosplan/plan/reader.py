"""Read a plan specification from disk: a TOML manifest plus tidy tables.

A plan on disk is a directory holding ``plan.toml`` and one table per :class:`PlanSpec` table
field, in CSV, Parquet or as sheets of one Excel workbook (the conventions of the economy
format, ``docs/format.md``)::

    name = "first five-year plan"
    economy = "economy"                 # directory, relative to this file; or "scenario:NAME"
    periods = [1929, 1930, 1931, 1932, 1933]   # or: start = 1929 and horizon = 5
    objective = "max_level"
    default_lag = 1
    discount = 0.0
    terminal_growth = 1.5               # optional
    trade_deficit = 0.0
    investment_share = 0.85             # optional

    [tables]
    targets = "targets.csv"
    consumption_weights = "weights.csv" # columns product, weight
    # workbook = "plan.xlsx"            # then every entry names a sheet (default: its own name)

The columns of every table are parsed by their rules (:data:`gosplan.core.rules.RULES`:
labels, numbers, whole numbers, text; which cells may be blank) and the plan is then checked as
a whole by :class:`~gosplan.core.spec.PlanSpec`. Every problem found (in the manifest, in any
table, between tables) is reported at once in one :class:`~gosplan.errors.ValidationError`,
each with the file (or ``workbook[sheet]``), the row (1-based, the header being row 1) and the
label at fault.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.checks import Check, Problems
from gosplan.core.economy import Economy
from gosplan.core.rules import LABEL_KINDS, PLAN_TABLE_NAMES, ColumnRule, required_columns, rule_of
from gosplan.core.spec import PlanSpec, objective_needs
from gosplan.core.spec_document import DOCUMENT_KEYS, SETTINGS
from gosplan.errors import GosplanError, InputError, ValidationError, validation_error
from gosplan.io.tables import read_sheet, read_table_file

logger = logging.getLogger(__name__)

MANIFEST = "plan.toml"

#: Required columns of every table of a plan on disk: the :class:`PlanSpec` tables plus the
#: consumption weights (all columns: :data:`gosplan.core.rules.RULES`).
PLAN_TABLES: dict[str, tuple[str, ...]] = {
    name: required_columns(name) for name in PLAN_TABLE_NAMES
}

#: Keys of a plan manifest, and its settings (key, type, default): a spec document's
#: (:mod:`gosplan.core.spec_document`), which has the same keys.
MANIFEST_KEYS = DOCUMENT_KEYS


def read_spec(path: str | Path, *, economy: Economy | None = None) -> PlanSpec:
    """Read a plan specification written in the on-disk plan format.

    Parameters
    ----------
    path
        The plan's directory or the path of its manifest (``plan.toml``).
    economy
        Use this economy instead of the one the manifest names (the manifest's ``economy``
        key is then optional).

    Returns
    -------
    PlanSpec
        The validated specification.

    Raises
    ------
    gosplan.errors.ValidationError
        Listing every problem found, each naming the file, the row (1-based, header = row
        1), the label and what is wrong: unreadable file, missing column, non-numeric or
        missing cell, unknown product, activity, labour type, resource or period, negative
        value, duplicate row, unknown manifest key or objective, an investment lag not
        shorter than the horizon (a row of the lags table is named with its file, row and
        activity; ``default_lag`` with the manifest and its key).
    InputError
        When reading cannot go on: no manifest, a manifest that does not parse, no usable
        periods, an economy that cannot be read; or, with ``check="bad_argument"``, when
        ``path`` is not a path or ``economy`` not an
        :class:`~gosplan.core.economy.Economy`.
    """
    _check_arguments(path, economy)
    manifest_path = _manifest_path(Path(path))
    where = str(manifest_path)
    problems = Problems()
    manifest, entries = _read_manifest(manifest_path, problems)
    root = manifest_path.parent
    try:
        eco = economy if economy is not None else _read_plan_economy(manifest, root, where)
        periods = _periods(manifest, where)
    except InputError as exc:
        problems.extend(exc)
        raise validation_error(problems.problems()) from exc
    settings = {
        key: _get(manifest, key, kind, default, where, problems) for key, kind, default in SETTINGS
    }
    settings["name"] = _get(manifest, "name", str, root.name or "plan", where, problems)
    tables, sources, unreadable = _read_tables(entries, root, problems)
    weights = _weights(tables.pop("consumption_weights", None), sources, problems)
    fields = {
        "economy": eco,
        "periods": periods,
        **settings,
        **tables,
        "consumption_weights": weights,
    }
    spec = _build(fields, where, sources, problems, unreadable)
    logger.info("read plan %r from %s (%d periods)", spec.name, where, spec.n_periods)
    return spec


def _weights(
    table: pd.DataFrame | None, sources: dict[str, str], problems: Problems
) -> pd.Series | None:
    """The consumption weights table as a Series by product (``None``: none, or unusable)."""
    if table is None:
        return None
    missing = [c for c in PLAN_TABLES["consumption_weights"] if c not in table.columns]
    for col in missing:
        problems.add(
            f"missing column {col!r}",
            source=sources["consumption_weights"],
            check=Check.MISSING_COLUMN,
        )
    if missing:
        return None
    return pd.Series(
        table["weight"].to_numpy(dtype=float),
        index=pd.Index(table["product"], name="product"),
        name="weight",
    )


def _check_arguments(path: object, economy: object) -> None:
    if not isinstance(path, str | os.PathLike):
        shown = "None" if path is None else f"{type(path).__name__} {path!r}"[:80]
        raise InputError(
            "read_spec takes the path of a plan directory or of its plan.toml (a str or "
            f"pathlib.Path), got {shown}",
            check=Check.BAD_ARGUMENT,
        )
    if economy is not None and not isinstance(economy, Economy):
        raise InputError(
            "read_spec's economy must be an Economy (e.g. gosplan.read_economy(path)) or "
            f"None, got {type(economy).__name__}",
            check=Check.BAD_ARGUMENT,
        )


def _build(
    fields: dict[str, Any],
    where: str,
    sources: dict[str, str],
    problems: Problems,
    unreadable: bool,
) -> PlanSpec:
    """Build (and so validate) the spec; raise every problem of the reading and the spec.

    A row with a problem found while parsing is not reported again by the spec's checks (its
    bad cells read as blank), and when a table could not be read the spec's complaints that
    a table is missing are left out.
    """
    try:
        spec = PlanSpec(**fields, source=where, sources=sources)
        found: list[InputError] = []
    except ValidationError as exc:
        found = exc.problems
    found += objective_needs(fields["objective"], fields, where, sources.get("objective_weights"))
    read = problems.problems()
    rows = {(p.source, p.row) for p in read if p.row is not None}
    texts = {str(p) for p in read}
    merged = read + [
        p
        for p in found
        if (p.source, p.row) not in rows
        and str(p) not in texts
        and not (unreadable and p.check == Check.MISSING_TABLE)
    ]
    if merged:
        raise validation_error(merged)
    return spec


# ---------------------------------------------------------------------- manifest
def _manifest_path(path: Path) -> Path:
    manifest = path / MANIFEST if path.is_dir() else path
    if not manifest.is_file():
        raise InputError(
            f"no plan manifest found (expected a directory with {MANIFEST} or its path)",
            source=str(manifest),
            check=Check.UNREADABLE_FILE,
        )
    return manifest


def _read_manifest(path: Path, problems: Problems) -> tuple[dict[str, Any], dict[str, str]]:
    """The manifest and its usable ``[tables]`` entries; bad keys and entries are recorded."""
    try:
        with path.open("rb") as fh:
            manifest = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            f"cannot read the manifest: {exc}", source=str(path), check=Check.UNREADABLE_FILE
        ) from exc
    where = str(path)
    for key in manifest:
        if key not in MANIFEST_KEYS:
            problems.add(
                f"unknown manifest key; known keys are {', '.join(sorted(MANIFEST_KEYS))}",
                source=where,
                label=key,
                check=Check.UNKNOWN_KEY,
            )
    tables = manifest.get("tables", {})
    if not isinstance(tables, dict):
        problems.add(
            "[tables] must be a table of names",
            source=where,
            label="tables",
            check=Check.BAD_SETTING,
        )
        return manifest, {}
    entries: dict[str, str] = {}
    for key, value in tables.items():
        if key not in PLAN_TABLES and key != "workbook":
            problems.add(
                f"unknown table in [tables]; known tables are {', '.join(PLAN_TABLES)}",
                source=where,
                label=key,
                check=Check.UNKNOWN_KEY,
            )
        elif not isinstance(value, str):
            problems.add(
                "a [tables] entry must be a file (or sheet) name",
                source=where,
                label=key,
                check=Check.BAD_SETTING,
            )
        else:
            entries[key] = value
    return manifest, entries


def _get(
    manifest: dict[str, Any], key: str, kind: type, default: Any, where: str, problems: Problems
) -> Any:
    """The manifest's ``key`` as ``kind`` (``default`` when absent or, recorded, bad)."""
    if key not in manifest:
        return default
    value = manifest[key]
    ok = (
        isinstance(value, int | float) and not isinstance(value, bool)
        if kind is float
        else isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    )
    if not ok:
        what = {int: "an integer", float: "a number", str: "text"}[kind]
        problems.add(
            f"must be {what}, got {value!r}", source=where, label=key, check=Check.BAD_SETTING
        )
        return default
    return kind(value)


def _periods(manifest: dict[str, Any], where: str) -> tuple[int, ...]:
    def bad(message: str, label: str | None = "periods") -> InputError:
        return InputError(message, source=where, label=label, check=Check.BAD_SETTING)

    has_list = "periods" in manifest
    has_range = "start" in manifest or "horizon" in manifest
    if has_list and has_range:
        raise bad("give either periods or start and horizon, not both")
    if has_list:
        periods = manifest["periods"]
        if not isinstance(periods, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) for p in periods
        ):
            raise bad("periods must be a list of integers")
        if not periods:
            raise bad("the horizon has no periods")
        if periods != sorted(set(periods)):
            raise bad("periods must be distinct and increasing")
        return tuple(periods)
    if not has_range:
        raise bad("the manifest needs periods (a list) or start and horizon", None)
    for key in ("start", "horizon"):
        if key not in manifest:
            raise bad(f"{key} is missing (start and horizon go together)", None)
    values = {}
    for key in ("start", "horizon"):
        value = manifest[key]
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad(f"must be an integer, got {value!r}", key)
        values[key] = value
    if values["horizon"] < 1:
        raise bad("horizon must be at least 1", "horizon")
    return tuple(range(values["start"], values["start"] + values["horizon"]))


def _read_plan_economy(manifest: dict[str, Any], root: Path, where: str) -> Economy:
    ref = manifest.get("economy")
    if not isinstance(ref, str) or not ref:
        raise InputError(
            "the manifest must name the economy (a directory, or scenario:NAME)",
            source=where,
            label="economy",
            check=Check.BAD_SETTING,
        )
    if ref.startswith("scenario:"):
        from gosplan.datasets import scenario_path

        try:
            eco_path = Path(scenario_path(ref.removeprefix("scenario:")))
        except GosplanError as exc:
            raise InputError(
                str(exc), source=where, label="economy", check=Check.UNKNOWN_SCENARIO
            ) from exc
    else:
        eco_path = root / ref
    from gosplan.io import read_economy

    return read_economy(eco_path)


# ---------------------------------------------------------------------- tables
def _read_tables(
    entries: dict[str, str], root: Path, problems: Problems
) -> tuple[dict[str, pd.DataFrame], dict[str, str], bool]:
    """Read and parse every table named in ``[tables]``.

    Returns
    -------
    tables, sources, unreadable
        The parsed tables, how messages name each (file or ``workbook[sheet]``), and whether
        some table could not be read (its problem recorded).
    """
    entries = dict(entries)
    workbook = entries.pop("workbook", None)
    tables: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    unreadable = False
    for name, entry in entries.items():
        if workbook is not None:
            book = root / workbook
            source = f"{book}[{entry}]"
        else:
            source = str(root / entry)
        sources[name] = source
        try:
            raw = read_sheet(book, entry) if workbook is not None else read_table_file(root / entry)
        except InputError as exc:
            problems.extend(exc)
            unreadable = True
            continue
        tables[name] = _parse_table(name, raw, source, problems)
    return tables, sources, unreadable


def _parse_table(name: str, raw: pd.DataFrame, source: str, problems: Problems) -> pd.DataFrame:
    """Type one table's columns by their rules; bad cells are recorded and read as blank.

    Missing columns are left to the spec's checks (which name this file).
    """
    table = raw.copy()
    table.columns = [str(c).strip() for c in table.columns]
    first = required_columns(name)[0]
    labels = _label_texts(table[first]) if first in table.columns else None
    typed: dict[str, pd.Series] = {}
    for col in table.columns:
        rule = rule_of(name, col)
        if rule is None or (rule.type == "text" and rule.blank):
            typed[col] = _text_column(table[col])
        elif rule.is_number:
            typed[col] = _number_column(table[col], rule, source, problems, labels)
        else:
            typed[col] = _label_column(table[col], col, source, problems)
    return pd.DataFrame(typed, index=pd.RangeIndex(len(table)))


def _missing(column: pd.Series) -> np.ndarray:
    """Empty cells: missing values and text of only blanks."""
    missing = column.isna().to_numpy(copy=True)
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        missing |= (column.astype(str).str.strip() == "").to_numpy()
    return missing


def _label_texts(column: pd.Series) -> np.ndarray:
    """The labels of a column for messages (``None`` for an empty cell)."""
    out = column.astype(object).astype(str).str.strip().to_numpy(dtype=object)
    out[_missing(column)] = None
    return out


def _label_column(column: pd.Series, col: str, source: str, problems: Problems) -> pd.Series:
    missing = _missing(column)
    problems.add_rows(
        missing,
        f"{LABEL_KINDS.get(col, col)} is missing",
        source=source,
        labels=None,
        check=Check.MISSING_VALUE,
    )
    values = pd.Series(column.to_numpy(dtype=object)).astype(str).str.strip().to_numpy(dtype=object)
    values[missing] = ""
    return pd.Series(values, dtype=str, name=col)


def _text_column(column: pd.Series) -> pd.Series:
    missing = _missing(column)
    values = column.to_numpy(dtype=object).copy()
    values[~missing] = [str(v) for v in values[~missing]]
    values[missing] = np.nan
    return pd.Series(values, dtype=str, name=column.name)


def _floats(text: np.ndarray) -> np.ndarray:
    """Exact decimal parsing of stripped texts (NaN where a text is not a number)."""
    try:
        return text.astype(float)
    except (TypeError, ValueError):
        out = np.empty(len(text), dtype=float)
        for i, v in enumerate(text):
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                out[i] = np.nan
        return out


def _number_column(
    column: pd.Series,
    rule: ColumnRule,
    source: str,
    problems: Problems,
    labels: np.ndarray | None,
) -> pd.Series:
    """Parse a number column, vectorised (exact decimal parsing); record every bad cell.

    Empty cells are problems unless the rule allows blanks (NaN); a cell that is not a
    finite number, or not a whole number where one is needed, is recorded and read as NaN.
    Bounds, labels and periods are the spec's checks.
    """
    col = rule.column
    raw = column.to_numpy(dtype=object)
    missing = _missing(column)
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=float, copy=True)  # a typed (Parquet) column
    else:
        text = pd.Series(raw, dtype=object).where(~missing, "nan").astype(str).str.strip()
        values = _floats(text.to_numpy(dtype=object))
    shown = labels
    if not rule.blank:
        problems.add_rows(
            missing, f"{col} is missing", source=source, labels=shown, check=Check.MISSING_VALUE
        )
    bad = ~missing & ~np.isfinite(values)
    problems.add_rows(
        bad,
        lambda i: f"{col} is not a number: {raw[i]!r}",
        source=source,
        labels=shown,
        check=Check.NON_NUMERIC,
    )
    fraction = np.zeros(len(values), dtype=bool)
    if rule.is_integer:
        with np.errstate(invalid="ignore"):
            fraction = np.isfinite(values) & (values != np.round(values))
        problems.add_rows(
            fraction,
            lambda i: f"{col} must be a whole number, got {raw[i]!r}",
            source=source,
            labels=shown,
            check=Check.NON_NUMERIC,
        )
    values[bad | fraction | missing] = np.nan
    if rule.is_integer and not np.isnan(values).any():
        return pd.Series(values.astype(np.int64), name=col)
    return pd.Series(values, name=col)
