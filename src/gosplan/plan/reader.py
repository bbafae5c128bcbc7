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

Every problem is reported with the file (or ``workbook[sheet]``), the row (1-based, the header
being row 1) and the label at fault.
"""

from __future__ import annotations

import logging
import math
import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.economy import Economy
from gosplan.core.spec import OBJECTIVES, TABLE_COLUMNS, PlanSpec
from gosplan.errors import GosplanError, InputError, UnknownLabelError
from gosplan.io.tables import read_sheet, read_table_file

logger = logging.getLogger(__name__)

MANIFEST = "plan.toml"

#: Table fields of a plan on disk: the :class:`PlanSpec` tables plus the consumption weights.
PLAN_TABLES: dict[str, tuple[str, ...]] = {
    **TABLE_COLUMNS,
    "consumption_weights": ("product", "weight"),
}

#: Optional columns with a meaning, per table (other extra columns are kept as text).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "targets": ("priority",),
    "assortment": ("period",),
    "trade": ("import_limit", "export_limit"),
    "storage": ("loss", "max_stock"),
    "investment_limits": ("period", "min", "max"),
    "objective_weights": ("period",),  # label: text, blank for every label
}

LABEL_COLUMNS: dict[str, str] = {
    "product": "product",
    "activity": "activity",
    "labour_type": "labour type",
    "resource": "resource",
}
#: Per table, required text columns that are not labels of the economy.
TEXT_COLUMNS: dict[str, tuple[str, ...]] = {"objective_weights": ("quantity",)}
INTEGER_COLUMNS = frozenset({"period", "year_built", "lag", "lead_time", "offset"})
#: Number columns whose cells may be empty (NaN = not given).
OPTIONAL_NUMBERS = frozenset(
    {"priority", "import_limit", "export_limit", "loss", "max_stock", "min", "max"}
)
#: Per table, number columns whose cells may be empty besides :data:`OPTIONAL_NUMBERS`
#: (a blank period: every period).
OPTIONAL_CELLS: dict[str, frozenset[str]] = {
    "investment_limits": frozenset({"period"}),
    "objective_weights": frozenset({"period"}),
}
#: Number columns that may be negative.
SIGNED_NUMBERS = frozenset({"year_built"})
#: Per table, number columns that may be negative besides :data:`SIGNED_NUMBERS`.
SIGNED_CELLS: dict[str, frozenset[str]] = {"objective_weights": frozenset({"weight"})}

MANIFEST_KEYS = frozenset(
    {
        "name",
        "description",
        "economy",
        "periods",
        "start",
        "horizon",
        "objective",
        "default_lag",
        "discount",
        "terminal_growth",
        "trade_deficit",
        "investment_share",
        "storable",
        "terminal",
        "sense",
        "tables",
    }
)


def read_plan(path: str | Path, *, economy: Economy | None = None) -> PlanSpec:
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
    InputError
        Naming the file, the row (1-based, header = row 1), the label and what is wrong:
        unreadable file, missing column, non-numeric or missing cell, unknown product,
        activity, labour type, resource or period, negative value, duplicate row, unknown
        manifest key or objective, an investment lag not shorter than the horizon (a row of
        the lags table is named with its file, row and activity; ``default_lag`` with the
        manifest and its key); or, with ``check="bad_argument"``, when ``path`` is not a
        path or ``economy`` not an :class:`~gosplan.core.economy.Economy`.
    """
    if not isinstance(path, str | os.PathLike):
        shown = "None" if path is None else f"{type(path).__name__} {path!r}"[:80]
        raise InputError(
            "read_plan takes the path of a plan directory or of its plan.toml (a str or "
            f"pathlib.Path), got {shown}",
            check="bad_argument",
        )
    if economy is not None and not isinstance(economy, Economy):
        raise InputError(
            "read_plan's economy must be an Economy (e.g. gosplan.read_economy(path)) or "
            f"None, got {type(economy).__name__}",
            check="bad_argument",
        )
    manifest_path = _manifest_path(Path(path))
    manifest = _read_manifest(manifest_path)
    where = str(manifest_path)
    root = manifest_path.parent
    eco = economy if economy is not None else _read_plan_economy(manifest, root, where)
    periods = _periods(manifest, where)
    base = PlanSpec(
        economy=eco,
        periods=periods,
        objective="max_consumption",
        default_lag=_get(manifest, "default_lag", int, 1, where),
        name=_get(manifest, "name", str, manifest_path.parent.name or "plan", where),
    )
    settings = {
        "objective": _get(manifest, "objective", str, "max_level", where),
        "discount": _get(manifest, "discount", float, 0.0, where),
        "terminal_growth": _get(manifest, "terminal_growth", float, None, where),
        "trade_deficit": _get(manifest, "trade_deficit", float, 0.0, where),
        "investment_share": _get(manifest, "investment_share", float, None, where),
        "storable": _get(manifest, "storable", str, "listed", where),
        "terminal": _get(manifest, "terminal", str, "none", where),
        "sense": _get(manifest, "sense", str, "max", where),
    }
    if settings["storable"] not in ("listed", "all"):
        raise InputError(
            f"storable must be 'listed' (the products of the storage table) or 'all', got "
            f"{settings['storable']!r}",
            source=where,
            label="storable",
        )
    if settings["objective"] not in OBJECTIVES:
        raise InputError(
            f"unknown objective {settings['objective']!r}; choose one of {', '.join(OBJECTIVES)}",
            source=where,
            label="objective",
            check="unknown_objective",
        )
    if base.default_lag < 0:
        raise InputError("default_lag must be >= 0", source=where, label="default_lag")
    tables: dict[str, Any] = {}
    # lags first: the construction profile is checked against them
    read = _read_tables(manifest, root, where)
    for name in sorted(read, key=lambda n: n != "lags"):
        table, source = read[name]
        tables[name] = _check_table(base, name, table, source, tables.get("lags"))
    weights = tables.pop("consumption_weights", None)
    if weights is not None:
        weights = pd.Series(
            weights["weight"].to_numpy(dtype=float),
            index=pd.Index(weights["product"], name="product"),
            name="weight",
        )
    spec = replace(base, **settings, **tables, consumption_weights=weights)  # type: ignore[arg-type]
    spec = spec.validated(source=where)
    logger.info("read plan %r from %s (%d periods)", spec.name, where, spec.n_periods)
    return spec


# ---------------------------------------------------------------------- manifest
def _manifest_path(path: Path) -> Path:
    manifest = path / MANIFEST if path.is_dir() else path
    if not manifest.is_file():
        raise InputError(
            f"no plan manifest found (expected a directory with {MANIFEST} or its path)",
            source=str(manifest),
            check="unreadable_file",
        )
    return manifest


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            manifest = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            f"cannot read the manifest: {exc}", source=str(path), check="unreadable_file"
        ) from exc
    for key in manifest:
        if key not in MANIFEST_KEYS:
            raise InputError(
                f"unknown manifest key; known keys are {', '.join(sorted(MANIFEST_KEYS))}",
                source=str(path),
                label=key,
                check="unknown_key",
            )
    tables = manifest.get("tables", {})
    if not isinstance(tables, dict):
        raise InputError("[tables] must be a table of names", source=str(path), label="tables")
    for key, value in tables.items():
        if key not in PLAN_TABLES and key != "workbook":
            raise InputError(
                f"unknown table in [tables]; known tables are {', '.join(PLAN_TABLES)}",
                source=str(path),
                label=key,
                check="unknown_key",
            )
        if not isinstance(value, str):
            raise InputError(
                "a [tables] entry must be a file (or sheet) name",
                source=str(path),
                label=key,
            )
    return manifest


def _get(manifest: dict[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
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
        raise InputError(f"must be {what}, got {value!r}", source=where, label=key)
    return kind(value)


def _periods(manifest: dict[str, Any], where: str) -> tuple[int, ...]:
    has_list = "periods" in manifest
    has_range = "start" in manifest or "horizon" in manifest
    if has_list and has_range:
        raise InputError(
            "give either periods or start and horizon, not both", source=where, label="periods"
        )
    if has_list:
        periods = manifest["periods"]
        if not isinstance(periods, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) for p in periods
        ):
            raise InputError("periods must be a list of integers", source=where, label="periods")
        if not periods:
            raise InputError("the horizon has no periods", source=where, label="periods")
        if periods != sorted(set(periods)):
            raise InputError(
                "periods must be distinct and increasing", source=where, label="periods"
            )
        return tuple(periods)
    if not has_range:
        raise InputError("the manifest needs periods (a list) or start and horizon", source=where)
    for key in ("start", "horizon"):
        if key not in manifest:
            raise InputError(f"{key} is missing (start and horizon go together)", source=where)
    start = _get(manifest, "start", int, None, where)
    horizon = _get(manifest, "horizon", int, None, where)
    if horizon < 1:
        raise InputError("horizon must be at least 1", source=where, label="horizon")
    return tuple(range(start, start + horizon))


def _read_plan_economy(manifest: dict[str, Any], root: Path, where: str) -> Economy:
    ref = manifest.get("economy")
    if not isinstance(ref, str) or not ref:
        raise InputError(
            "the manifest must name the economy (a directory, or scenario:NAME)",
            source=where,
            label="economy",
        )
    if ref.startswith("scenario:"):
        from gosplan.datasets import scenario_path

        try:
            eco_path = Path(scenario_path(ref.removeprefix("scenario:")))
        except GosplanError as exc:
            raise InputError(str(exc), source=where, label="economy") from exc
    else:
        eco_path = root / ref
    from gosplan.io import read_economy

    return read_economy(eco_path)


# ---------------------------------------------------------------------- tables
def _read_tables(
    manifest: dict[str, Any], root: Path, where: str
) -> dict[str, tuple[pd.DataFrame, str]]:
    entries = dict(manifest.get("tables", {}))
    workbook = entries.pop("workbook", None)
    out: dict[str, tuple[pd.DataFrame, str]] = {}
    if workbook is not None:
        book = root / workbook
        for name, sheet in entries.items():
            source = f"{book}[{sheet}]"
            out[name] = (read_sheet(book, sheet), source)
        return out
    for name, file in entries.items():
        path = root / file
        out[name] = (read_table_file(path), str(path))
    return out


def _check_table(
    base: PlanSpec, name: str, raw: pd.DataFrame, source: str, lags: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Type one table's columns and check it against the economy and horizon.

    ``lags``: the plan's lags table, already checked (the construction profile's offsets are
    bounded by the investment lags).
    """
    table = raw.copy()
    table.columns = [str(c).strip() for c in table.columns]
    for col in PLAN_TABLES[name]:
        if col not in table.columns:
            raise InputError(f"missing column {col!r}", source=source, check="missing_column")
    first = PLAN_TABLES[name][0]
    labels = _labels_of(table[first])
    typed: dict[str, pd.Series] = {}
    for col in table.columns:
        if col in LABEL_COLUMNS or col in TEXT_COLUMNS.get(name, ()):
            typed[col] = _label_column(table[col], col, source)
        elif col in PLAN_TABLES[name] or col in OPTIONAL_COLUMNS.get(name, ()):
            typed[col] = _number_column(
                table[col],
                col,
                source,
                labels,
                optional=col in OPTIONAL_CELLS.get(name, ()),
                signed=col in SIGNED_CELLS.get(name, ()),
            )
        else:
            typed[col] = _text_column(table[col])
    table = pd.DataFrame(typed, index=pd.RangeIndex(len(table)))
    if name == "consumption_weights":
        _check_weights(base, table, source)
        return table
    if "period" in table.columns and len(table) and name not in OPTIONAL_CELLS:
        outside = ~table["period"].isin(base.periods).to_numpy()
        if outside.any():
            i = int(np.flatnonzero(outside)[0])
            raise UnknownLabelError(
                f"period {int(table['period'].iloc[i])} is not in the horizon "
                f"{base.periods[0]}–{base.periods[-1]}",
                source=source,
                row=i + 2,
                label=labels[i],
                check="unknown_label",
            )
    if name == "lags" and len(table):
        too_long = table["lag"].to_numpy() >= base.n_periods
        if too_long.any():
            i = int(np.flatnonzero(too_long)[0])
            raise InputError(
                f"investment lag {int(table['lag'].iloc[i])} is not shorter than the horizon "
                f"of {base.n_periods} periods: no investment could ever bear fruit",
                source=source,
                row=i + 2,
                label=labels[i],
                check="lag_exceeds_horizon",
            )
    if name == "depreciation" and len(table):
        high = table["rate"].to_numpy() >= 1
        if high.any():
            i = int(np.flatnonzero(high)[0])
            raise InputError(
                "a depreciation rate must be below 1", source=source, row=i + 2, label=labels[i]
            )
    # The spec's own checks (labels, periods, negatives, duplicates, vintages), on this table
    # alone, so that their messages name this file. The default lag is the manifest's: it is
    # checked against the horizon with the whole plan, naming plan.toml and its key.
    try:
        context: dict[str, Any] = {"default_lag": 0}
        if name == "objective_weights":  # its labels are checked as a linear objective's
            context["objective"] = "linear"
        if name == "construction":  # offsets within the lags (a bad default lag: later)
            context = {"default_lag": min(base.default_lag, max(base.n_periods - 1, 0))}
            if lags is not None:
                context["lags"] = lags
        replace(base, **context, **{name: table}).validated(source=source)
    except InputError as exc:
        message = exc.message
        raise type(exc)(
            message, source=source, row=exc.row, label=exc.label, check=exc.check
        ) from exc
    return table


def _labels_of(column: pd.Series) -> list[str]:
    return ["" if _is_missing(v) else str(v) for v in column]


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _label_column(column: pd.Series, col: str, source: str) -> pd.Series:
    values = list(column)
    for i, v in enumerate(values):
        if _is_missing(v):
            raise InputError(
                f"{LABEL_COLUMNS.get(col, col)} is missing",
                source=source,
                row=i + 2,
                check="missing_value",
            )
    return pd.Series([str(v).strip() for v in values], dtype=str, name=col)


def _text_column(column: pd.Series) -> pd.Series:
    return pd.Series(
        [np.nan if _is_missing(v) else str(v) for v in column], dtype=str, name=column.name
    )


def _number_column(
    column: pd.Series,
    col: str,
    source: str,
    labels: list[str],
    *,
    optional: bool = False,
    signed: bool = False,
) -> pd.Series:
    """Parse a number column cell by cell (exact decimal parsing), reporting the first bad cell.

    ``optional``: empty cells are allowed (NaN) besides :data:`OPTIONAL_NUMBERS`; ``signed``:
    negative numbers are allowed besides :data:`SIGNED_NUMBERS`.
    """
    out = np.empty(len(column), dtype=float)
    for i, v in enumerate(column):
        if _is_missing(v):
            if col in OPTIONAL_NUMBERS or optional:
                out[i] = np.nan
                continue
            raise InputError(
                f"{col} is missing",
                source=source,
                row=i + 2,
                label=labels[i] or None,
                check="missing_value",
            )
        try:
            x = float(v.strip()) if isinstance(v, str) else float(v)
        except (TypeError, ValueError):
            x = math.nan
        if not math.isfinite(x):
            raise InputError(
                f"{col} is not a number: {v!r}",
                source=source,
                row=i + 2,
                label=labels[i] or None,
                check="non_numeric",
            )
        if x < 0 and col not in SIGNED_NUMBERS and not signed:
            raise InputError(
                f"{col} is negative ({x:g})",
                source=source,
                row=i + 2,
                label=labels[i] or None,
                check="negative_value",
            )
        if col in INTEGER_COLUMNS and not x.is_integer():
            raise InputError(
                f"{col} must be a whole number, got {v!r}",
                source=source,
                row=i + 2,
                label=labels[i] or None,
                check="non_numeric",
            )
        out[i] = x
    if col in INTEGER_COLUMNS and not np.isnan(out).any():
        return pd.Series(out.astype(np.int64), name=col)
    return pd.Series(out, name=col)


def _check_weights(base: PlanSpec, table: pd.DataFrame, source: str) -> None:
    products = base.economy.product_labels
    for i, product in enumerate(table["product"]):
        if product not in products:
            raise UnknownLabelError(
                "unknown product", source=source, row=i + 2, label=product, check="unknown_label"
            )
    dup = table["product"].duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(
            "appears twice",
            source=source,
            row=i + 2,
            label=str(table["product"].iloc[i]),
            check="duplicate_label",
        )
