"""Display tables: results turned into labelled, unit-bearing frames ready to render.

A :class:`DisplayTable` holds a numeric frame (nothing is formatted here), the way each
column is shown (``number``, ``percent``, ``text``), a caption and, when the source frame had a
``source`` column, the source of each row. :func:`format_value` is the one place where numbers
become text, so the HTML and the tests read the same rule.

The functions take the result types of :mod:`gosplan.core` (a
:class:`~gosplan.core.plan_result.PlanResult`, :class:`~gosplan.core.plan_check.PlanCheck`,
:class:`~gosplan.core.frontier_result.FrontierResult`), whether made in memory or read back
from disk: they are the same types.
"""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.frontier_result import FrontierResult
from gosplan.core.fulfilment_report import ALL_PRODUCTS
from gosplan.core.plan_check import PlanCheck
from gosplan.core.plan_result import PlanResult
from gosplan.core.status import Status
from gosplan.core.words import labour_amount, sig

#: Significant digits shown for a number that is not a whole number.
SIGNIFICANT = 4
#: Significant digits shown for a percentage.
PERCENT_DIGITS = 3
#: A number smaller than this times the largest magnitude of its column is shown as 0.
RESIDUAL = 1e-9
#: Column formats understood by :func:`format_value`.
FORMATS = ("number", "percent", "text")
#: Columns holding years or periods: shown as plain integers (no thousands separator).
YEAR_COLUMNS = ("year", "period", "base year")

NUMBER, PERCENT, TEXT = FORMATS


@dataclass(frozen=True)
class DisplayTable:
    """A table ready to render.

    Attributes
    ----------
    frame
        The values (numbers stay numbers); the index is shown as the row headers, its name as
        the header of the first column.
    formats
        Column name -> ``"number"``, ``"percent"`` or ``"text"`` (default: ``number`` for
        numeric columns, ``text`` otherwise).
    caption
        What the table shows, with units.
    sources
        The source of each row (same order as ``frame``), or ``None``.
    digits
        Column name -> significant digits (default :data:`SIGNIFICANT`, percentages
        :data:`PERCENT_DIGITS`).
    note
        A sentence under the table (e.g. how many rows were left out).
    """

    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    caption: str = ""
    sources: tuple[str, ...] | None = None
    digits: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def format_of(self, column: Any) -> str:
        """How ``column`` is shown."""
        if column in self.formats:
            return self.formats[column]
        series = self.frame[column]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            return TEXT
        return NUMBER

    def scale_of(self, column: Any) -> float:
        """Largest finite magnitude of a numeric column (0 for text or empty columns)."""
        if self.format_of(column) == TEXT:
            return 0.0
        values = pd.to_numeric(self.frame[column], errors="coerce").to_numpy(dtype=float)
        finite = np.abs(values[np.isfinite(values)])
        return float(finite.max()) if finite.size else 0.0

    def cells(self) -> list[list[str]]:
        """Every body cell as text, row by row (the index is not included)."""
        columns = list(self.frame.columns)
        kinds = [self.format_of(c) for c in columns]
        scales = [self.scale_of(c) for c in columns]
        digits = [self.digits.get(c) for c in columns]
        return [
            [
                format_value(v, k, digits=d, scale=s)
                for v, k, d, s in zip(row, kinds, digits, scales, strict=True)
            ]
            for row in self.frame.itertuples(index=False, name=None)
        ]


# ---------------------------------------------------------------------------- formatting
def format_value(
    value: Any, kind: str = NUMBER, *, digits: int | None = None, scale: float | None = None
) -> str:
    """Format one cell for a reader.

    Whole numbers are shown without decimals; other numbers with up to ``digits``
    significant digits (default :data:`SIGNIFICANT`, and never fewer than the whole part
    needs), trailing zeros dropped; thousands separators throughout. Numbers below ``1e-6``
    or from ``1e15`` in magnitude are written in scientific notation. Percentages are
    ``value * 100`` with :data:`PERCENT_DIGITS` significant digits. A number smaller than
    :data:`RESIDUAL` times ``scale`` (the largest magnitude of its column) is a rounding
    residual and shows as ``0``. Missing values are an em dash, infinities ``∞``.

    Parameters
    ----------
    value
        The cell.
    kind
        ``"number"``, ``"percent"`` or ``"text"``.
    digits
        Significant digits (``None``: the default of the kind).
    scale
        Magnitude of the cell's column, for residuals (``None``: no residual rule).

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(1234.5678)
    '1,235'
    >>> format_value(35.0), format_value(0.06), format_value(29.404)
    ('35', '0.06', '29.4')
    >>> format_value(0.25, "percent")
    '25 %'
    >>> format_value(-1.137e-13, scale=35.0)
    '0'
    >>> format_value(float("nan"))
    '—'
    """
    if value is None or value is pd.NA:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if kind == TEXT or not isinstance(value, (int, float, np.integer, np.floating)):
        if isinstance(value, float) and math.isnan(value):
            return "—"
        return str(value)
    x = float(value)
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if scale is not None and scale > 0 and abs(x) < RESIDUAL * scale:
        x = 0.0
    if kind == PERCENT:
        return _number(100.0 * x, digits or PERCENT_DIGITS) + " %"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return _number(x, digits or SIGNIFICANT)


def _number(x: float, digits: int) -> str:
    if x == 0.0:
        return "0"
    if x == round(x) and abs(x) < 1e15:
        return f"{round(x):,}"
    magnitude = math.floor(math.log10(abs(x)))
    if magnitude < -6 or magnitude >= 15:
        mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent):+03d}"
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else text


def format_year(value: Any) -> str:
    """A year or period label: whole numbers without separator or decimals (``1928``)."""
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and value == round(value):
        return str(int(value))
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return str(value)


def share_labels(shares: Any, max_denominator: int = 12) -> list[str] | None:
    """Shares as fractions (``"2/7"``) when they are all multiples of ``1/n``.

    Used where the shares were set as fractions whose decimals do not end (sevenths, thirds):
    the denominator is the smallest ``n <= max_denominator`` with every ``share * n`` a whole
    number, and it must have a prime factor other than 2 and 5 (halves, fifths and tenths
    read better as percentages). ``None`` when there is no such ``n``.

    Examples
    --------
    >>> share_labels([1 / 7, 2 / 7, 1.0])
    ['1/7', '2/7', '1']
    >>> share_labels([0.2, 0.8]) is None
    True
    """
    values = [float(s) for s in shares]
    if not values or not all(math.isfinite(v) for v in values):
        return None
    for n in range(2, max_denominator + 1):
        if all(abs(v * n - round(v * n)) < 1e-7 for v in values):
            m = n
            for p in (2, 5):
                while m % p == 0:
                    m //= p
            if m == 1:
                return None
            out = []
            for v in values:
                k = round(v * n)
                g = math.gcd(k, n)
                out.append(str(k // g) if n // g == 1 else f"{k // g}/{n // g}")
            return out
    return None


def parse_value(text: str) -> float:
    """Read a cell written by :func:`format_value` back as a float (percent as a fraction).

    A fraction ``k/n`` is read as ``k / n``; text in parentheses after a number is ignored.

    Examples
    --------
    >>> parse_value("1,234.6")
    1234.6
    >>> parse_value("25.0 %")
    0.25
    >>> parse_value("2/7 (28.6 %)") == 2 / 7
    True
    """
    t = text.strip().replace(",", "").replace("−", "-")
    if "(" in t:
        t = t.split("(", 1)[0].strip()
    if t in ("—", ""):
        return math.nan
    if t in ("∞", "-∞"):
        return math.inf if t == "∞" else -math.inf
    if t.endswith("%"):
        return float(t[:-1].strip()) / 100.0
    if "/" in t:
        num, den = t.split("/", 1)
        return float(num) / float(den)
    return float(t)


# ---------------------------------------------------------------------------- helpers
def _periods_frame(frame: pd.DataFrame, index_name: str) -> pd.DataFrame:
    out = frame.copy()
    out = out.apply(pd.to_numeric, errors="coerce") if len(out.columns) else out
    out.index = pd.Index([str(i) for i in out.index], name=index_name)
    out.columns = [format_year(c) for c in out.columns]
    return out


def index_relative_to_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row divided by its first column, times 100 (NaN where the first is zero)."""
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    if values.shape[1] == 0:
        return values
    base = values.iloc[:, 0].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = 100.0 * values.to_numpy() / np.where(base != 0, base, np.nan)[:, None]
    return pd.DataFrame(rel, index=values.index, columns=values.columns)


def numeric_columns(frame: pd.DataFrame) -> list[Any]:
    """The columns of ``frame`` holding numbers (not booleans)."""
    return [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]


def _text_first(frame: pd.DataFrame, order: tuple[str, ...]) -> pd.DataFrame:
    """The columns of ``order`` that ``frame`` has, in that order, then the others."""
    first = [c for c in order if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


def _tidy_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Whole-number column labels (``1929.0``) as years; year columns as plain integers."""
    out = frame.copy()
    out.columns = [format_year(c) if isinstance(c, (float, np.floating)) else c for c in out]
    for col in out.columns:
        if str(col).lower() in YEAR_COLUMNS and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = [format_year(v) for v in out[col]]
    if pd.api.types.is_float_dtype(out.index) and str(out.index.name).lower() in YEAR_COLUMNS:
        out.index = pd.Index([format_year(v) for v in out.index], name=out.index.name)
    return out


# ---------------------------------------------------------------------------- generic
def generic_table(frame: pd.DataFrame, *, caption: str = "", sources: bool = True) -> DisplayTable:
    """A labelled frame as a table; a ``source`` column becomes the rows' sources.

    Whole-number column labels and ``year`` / ``period`` columns are shown as years.

    Parameters
    ----------
    frame
        Any frame (index shown when it is not a plain range).
    caption
        What the table shows.
    sources
        Show a ``source`` column as numbered notes under the table (True) or drop it (False).
    """
    out = frame.copy()
    row_sources = None
    if "source" in out.columns:
        if sources:
            row_sources = tuple(
                ""
                if (isinstance(s, float) and math.isnan(s)) or s is None or s is pd.NA
                else str(s)
                for s in out["source"].tolist()
            )
        out = out.drop(columns="source")
    if isinstance(out.index, pd.RangeIndex) and out.index.name is None and len(out.columns):
        first = out.columns[0]
        if not pd.api.types.is_numeric_dtype(out[first]):
            out = out.set_index(first)
    out = _tidy_labels(out)
    return DisplayTable(out, caption=caption, sources=row_sources)


# ---------------------------------------------------------------------------- balance
BALANCE_COLUMNS = {
    "unit": "unit",
    "gross_output": "gross output",
    "intermediate_use": "intermediate use",
    "final_use": "final use",
    "capacity": "capacity",
    "surplus": "surplus (capacity − output)",
    "status": "status",
}


def balance_table(sheet: pd.DataFrame) -> DisplayTable:
    """The material balance (``Economy.balance_sheet``) with labelled columns."""
    cols = [c for c in BALANCE_COLUMNS if c in sheet.columns]
    out = sheet[cols].rename(columns=BALANCE_COLUMNS)
    out.index = pd.Index([str(i) for i in sheet.index], name="product")
    if "status" in out and (out["status"].astype(str) == "ok").all():
        out = out.drop(columns="status")
    caption = (
        "Material balance by product, in each product's physical unit: gross output = "
        "intermediate use + final use; surplus = capacity − gross output (∞ where no capacity "
        "limit is set)."
    )
    return DisplayTable(out, caption=caption)


def balance_utilisation(sheet: pd.DataFrame) -> pd.Series:
    """Surplus as a share of capacity, by product (only products with a finite capacity)."""
    cap = pd.to_numeric(sheet["capacity"], errors="coerce").astype(float)
    out = pd.to_numeric(sheet["gross_output"], errors="coerce").astype(float)
    finite = np.isfinite(cap) & (cap > 0)
    share = (cap[finite] - out[finite]) / cap[finite]
    share.index = pd.Index([str(i) for i in share.index], name="product")
    return share.rename("surplus share of capacity")


# ---------------------------------------------------------------------------- plan
def _by_product(values: pd.Series, dtype: type) -> pd.Series:
    """``values`` by product with text labels, to line up with a display frame's rows."""
    out = pd.Series(values).astype(dtype)
    out.index = pd.Index([str(i) for i in out.index])
    return out


def _with_units(frame: pd.DataFrame, units: pd.Series | None) -> pd.DataFrame:
    if units is None:
        return frame
    out = frame.copy()
    unit = _by_product(units, str)
    out.insert(0, "unit", unit.reindex(out.index).fillna("").to_numpy())
    return out


def output_table(result: PlanResult, units: pd.Series | None = None) -> DisplayTable:
    """Gross output by product and period (with a unit column when ``units`` are given)."""
    return DisplayTable(
        _with_units(_periods_frame(result.output, "product"), units),
        caption="Gross output by product and period (physical units of each product).",
    )


def output_index_table(
    result: PlanResult, base: pd.Series | None = None, base_label: str = ""
) -> DisplayTable:
    """Gross output as an index: base year = 100 when ``base`` is given, else first period.

    Parameters
    ----------
    result
        The plan.
    base
        Gross output of the base year by product (e.g. the base-year balance), or ``None``.
    base_label
        The base year's column label (e.g. ``"1927/28"``).
    """
    frame = _periods_frame(result.output, "product")
    if base is not None:
        label = base_label or "base"
        frame.insert(0, label, _by_product(base, float).reindex(frame.index).to_numpy())
    index = index_relative_to_first(frame)
    first = index.columns[0] if len(index.columns) else ""
    return DisplayTable(
        index, caption=f"Gross output as an index by product ({first} = 100; dimensionless)."
    )


#: Parts of final use (columns of ``PlanResult.final_use``) and their headers.
FINAL_USE_PARTS = {
    "consumption": "consumption",
    "other_final_use": "other final use",
    "investment": "investment",
    "stock_building": "stock building",
    "fixed": "fixed final demand",
    "net_exports": "net exports",
}


def consumption_of(result: PlanResult) -> pd.DataFrame:
    """Consumption proper (consumer goods) by product and period.

    From the plan's final-use split when it has one (products whose final use is all other
    final use, the means of production, are left out); else its free final use.
    """
    use = result.final_use
    if use is None or not len(use) or "consumption" not in use.columns:
        return result.consumption
    frame = use.pivot_table(
        index="product", columns="period", values="consumption", aggfunc="sum", sort=False
    )
    frame = frame.reindex(columns=list(result.periods))
    other = use.groupby("product", sort=False)["other_final_use"].apply(
        lambda s: float(pd.to_numeric(s, errors="coerce").abs().sum())
    )
    means = (frame.abs().sum(axis=1) == 0) & (other.reindex(frame.index).fillna(0.0) > 0)
    frame = frame[~means]
    frame.columns = pd.Index(list(result.periods), name="period")
    return frame


def consumption_table(result: PlanResult, units: pd.Series | None = None) -> DisplayTable:
    """Consumption by product and period (with a unit column when ``units`` are given)."""
    return DisplayTable(
        _with_units(_periods_frame(consumption_of(result), "product"), units),
        caption="Consumption (final use of consumer goods) by product and period (physical units).",
    )


def final_use_values_table(result: PlanResult) -> DisplayTable | None:
    """Final use by kind and period at labour values (``None`` without a valuation)."""
    values = result.final_use_values
    if values is None or not len(values):
        return None
    frame = values.apply(pd.to_numeric, errors="coerce").rename(columns=FINAL_USE_PARTS)
    frame = frame.mask(frame.abs() < RESIDUAL, 0.0)
    frame.index = pd.Index([format_year(p) for p in frame.index], name="period")
    return DisplayTable(
        frame,
        formats={"period": TEXT},
        caption="Final use by kind and period, valued at the least-labour values of the "
        f"products ({labour_unit(result)}): consumption against accumulation (investment and "
        "stock building), with other final use (means of production left over), fixed final "
        "demand and net exports.",
    )


def final_use_table(result: PlanResult, units: pd.Series | None = None) -> DisplayTable | None:
    """The split of final use by product in the plan's last period (``None`` without one)."""
    use = result.final_use
    if use is None or not len(use):
        return None
    last = result.periods[-1]
    frame = use[use["period"].astype(int) == int(last)].set_index("product")
    frame = frame[[c for c in FINAL_USE_PARTS if c in frame.columns]].apply(
        pd.to_numeric, errors="coerce"
    )
    frame = frame.loc[frame.abs().sum(axis=1) > 0].rename(columns=FINAL_USE_PARTS)
    frame = frame.mask(frame.abs() < RESIDUAL, 0.0)
    frame.index.name = "product"
    return DisplayTable(
        _with_units(frame, units),
        caption=f"Final use in {format_year(last)} by product: consumption (consumer goods), "
        "other final use (means of production not used: a surplus), capital goods for "
        "investment, stock building, fixed final demand and net exports (physical units).",
    )


def consumption_index(result: PlanResult) -> tuple[pd.DataFrame, list[str]]:
    """Consumption as an index (first period = 100) of the products consumed in that period.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The index, and the products left out (no consumption in the first period).
    """
    frame = _periods_frame(consumption_of(result), "product")
    if frame.shape[1] == 0:
        return frame, []
    first = frame.iloc[:, 0].astype(float)
    kept = first > 0
    used = frame.abs().max(axis=1) > 0
    left_out = [str(p) for p in frame.index[~kept & used]]
    return index_relative_to_first(frame[kept]), left_out


#: The unit of labour of a result that names none.
DEFAULT_LABOUR_UNIT = "person-years"


def _first_text(table: pd.DataFrame, column: str) -> str | None:
    """The first value of a column repeated on every row (a unit); ``None`` without one."""
    if column not in table:
        return None
    values = table[column].dropna().astype(str)
    return str(values.iloc[0]) if len(values) else None


def labour_unit(result: PlanResult | PlanCheck | FrontierResult | pd.DataFrame) -> str:
    """The unit of labour of a plan, check, frontier or frontier table.

    A check's or frontier's own ``labour_unit``, else the one in its provenance, else that
    of the plan it holds; a table's ``labour_unit`` column; else :data:`DEFAULT_LABOUR_UNIT`.
    """
    if isinstance(result, pd.DataFrame):
        return _first_text(result, "labour_unit") or DEFAULT_LABOUR_UNIT
    own = None if isinstance(result, PlanResult) else result.labour_unit
    unit = own or result.provenance.get("labour_unit")
    if unit:
        return str(unit)
    held: tuple[PlanResult | None, ...] = ()
    if isinstance(result, PlanCheck):
        held = (result.plan,)
    elif isinstance(result, FrontierResult):
        held = result.results
    plans = [plan for plan in held if plan is not None]
    return labour_unit(plans[0]) if plans else DEFAULT_LABOUR_UNIT


def employment_table(result: PlanResult) -> DisplayTable:
    """Employment by labour type and period."""
    return DisplayTable(
        _periods_frame(result.employment, "labour type"),
        caption=f"Employment by labour type and period ({labour_unit(result)}).",
    )


def investment_shares_table(result: PlanResult) -> DisplayTable:
    """Shares of capital spending by group of the investing activity, by period."""
    frame = result.investment_shares.copy()
    frame.index = pd.Index([format_year(i) for i in frame.index], name="period")
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.apply(pd.to_numeric, errors="coerce")
    return DisplayTable(
        frame,
        formats=dict.fromkeys(frame.columns, PERCENT),
        caption="Shares of capital spending (valued at labour values) going to activities "
        "making means of production and consumer goods, by period (percent).",
    )


def growth_table(
    result: PlanResult, base: pd.Series | None = None, base_label: str = ""
) -> DisplayTable:
    """Output growth against the previous period, in percent.

    With ``base`` (gross output of the base year by product, as for
    :func:`output_index_table`), the first period's growth is against the base year, named
    ``base_label`` in the caption; without it the first period has none.
    """
    frame = _periods_frame(result.growth, "product")
    first_from = ""
    if base is not None and len(frame.columns):
        out = _periods_frame(result.output, "product")
        first = frame.columns[0]
        start = _by_product(base, float).reindex(frame.index).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            grown = out[first].reindex(frame.index).to_numpy(dtype=float) / start - 1
        frame[first] = np.where(np.isfinite(grown), grown, np.nan)
        first_from = f"; the first period, {first}, against {base_label or 'the base year'}"
    numbers = frame.select_dtypes("number")
    frame[numbers.columns] = numbers.mask(numbers.abs() < RESIDUAL, 0.0)  # rounding noise
    caption = "Growth of gross output against the previous period (percent" + (
        first_from + ")." if first_from else "; none for the first period)."
    )
    return DisplayTable(frame, formats=dict.fromkeys(frame.columns, PERCENT), caption=caption)


def fulfilment_table(result: PlanResult, units: pd.Series | None = None) -> DisplayTable:
    """The targets and how far the plan reaches them (with a unit column given ``units``)."""
    frame = result.fulfilment.copy()
    frame = frame.rename(
        columns={"target": "target", "achieved": "planned output", "ratio": "fulfilment"}
    )
    frame = frame.set_index(pd.Index([str(p) for p in frame["product"]], name="product"))
    frame = frame.drop(columns="product")
    frame["period"] = [format_year(p) for p in frame["period"]]
    if units is not None and "unit" not in frame:
        frame = _with_units(frame, units)
        frame = _text_first(frame, ("period", "unit"))
    return DisplayTable(
        frame,
        formats={"period": TEXT, "unit": TEXT, "fulfilment": PERCENT},
        caption="Targets: gross output set and planned (physical units), and the fulfilment "
        "(planned / target, percent).",
    )


#: Rows of a shadow-price table shown in a report (the rest are counted in a note).
TOP_SHADOW_PRICES = 15
#: Significant digits of a shadow price.
SHADOW_DIGITS = 3


def _price_range(low: float, high: float, degenerate: object) -> str:
    """Where a shadow price holds, in words.

    ``"40 to 70"``, ``"from 40 up"``, and the one-sided prices of a degenerate vertex.
    """
    if np.isnan(low) or np.isnan(high):
        return "not computed"
    if np.isinf(low) and np.isinf(high):
        text = "any"
    elif np.isinf(high):
        text = f"from {sig(low)} up"
    elif np.isinf(low):
        text = f"up to {sig(high)}"
    else:
        text = f"{sig(low)} to {sig(high)}"
    if bool(degenerate) and str(degenerate).lower() not in ("false", "0", "nan"):
        text += " (degenerate: holds on one side only)"
    return text


#: Columns of a binding table that are not a row dimension.
_BINDING_FIELDS = frozenset(
    (
        "block", "label", "period", "slack", "shadow_price", "valid_from", "valid_to",
        "degenerate", "unit", "more_is_worth_less", "value", "lower", "upper",
    )
)  # fmt: skip


def fold_dimensions(binding: pd.DataFrame) -> pd.DataFrame:
    """Rows with a further dimension (a harmony ``segment``) named in their label.

    ``label`` becomes e.g. ``"steel, segment 2"`` where the row has a segment, and the
    dimension columns are dropped, so that rows of one label and period stay apart.
    """
    dims = [c for c in binding.columns if c not in _BINDING_FIELDS]
    if not dims:
        return binding
    out = binding.drop(columns=dims)
    labels = []
    for i, label in enumerate(binding["label"].astype(str)):
        parts = [label]
        for dim in dims:
            value = binding[dim].iloc[i]
            if pd.notna(value):
                shown = int(value) if isinstance(value, float) and value.is_integer() else value
                parts.append(f"{dim.replace('_', ' ')} {shown}")
        labels.append(", ".join(parts))
    out["label"] = labels
    return out


def binding_table(
    binding: pd.DataFrame, *, caption: str = "", top: int | None = TOP_SHADOW_PRICES
) -> DisplayTable:
    """Binding constraints with their shadow prices, largest |shadow price| first.

    Only the ``top`` largest are shown (``None``: all); the note says how many more there are.
    A row's further dimensions (a harmony segment) are named in its label.
    """
    frame = fold_dimensions(binding)
    if len(frame):
        order = (
            frame["shadow_price"].astype(float).abs().sort_values(ascending=False, kind="stable")
        )
        frame = frame.loc[order.index]
    total = len(frame)
    if top is not None:
        frame = frame.head(top)
    frame = frame.reset_index(drop=True)
    frame["period"] = [format_year(p) for p in frame["period"]]
    frame = frame.set_index(pd.Index(frame["block"].astype(str), name="block"))
    frame = frame.drop(columns="block").rename(columns={"shadow_price": "shadow price"})
    if "slack" in frame.columns:
        frame["slack"] = pd.to_numeric(frame["slack"], errors="coerce")
    frame["shadow price"] = pd.to_numeric(frame["shadow price"], errors="coerce")
    frame["label"] = frame["label"].astype(str)
    if "valid_from" in frame.columns:
        frame["price holds for the bound"] = [
            _price_range(lo, hi, deg)
            for lo, hi, deg in zip(
                pd.to_numeric(frame.pop("valid_from"), errors="coerce"),
                pd.to_numeric(frame.pop("valid_to"), errors="coerce"),
                frame.pop("degenerate") if "degenerate" in frame.columns else [False] * len(frame),
                strict=True,
            )
        ]
    frame = _text_first(frame, ("label", "period", "unit"))
    more = total - len(frame)
    note = (
        f"The {len(frame)} largest of {total} are shown; the other {more} are in the full "
        "result: its binding table (binding.csv in the folder that gosplan plan --output or "
        "gosplan check-plan --output writes)."
        if more > 0
        else ""
    )
    return DisplayTable(
        frame,
        formats={"period": TEXT, "label": TEXT, "unit": TEXT},
        digits={"shadow price": SHADOW_DIGITS, "slack": SHADOW_DIGITS},
        caption=caption
        or "Binding constraints and their shadow prices (change of the objective per unit "
        "more of the bound), largest in magnitude first.",
        note=note,
    )


def verification_items(result: PlanResult) -> dict[str, str]:
    """The verification report as label -> text (empty when there is none)."""
    ver = result.verification
    if ver is None:
        return {}
    maxv, tol, passed = ver.max_violation, ver.tolerance, ver.passed
    items = {"verdict": "passed" if passed else "FAILED", "tolerance": f"{float(tol):.0e}"}
    for block, value in maxv.items():
        items[f"largest relative violation: {block}"] = f"{float(value):.2e}"
    return items


def format_labour(value: Any, unit: str) -> str:
    """An amount of labour in words a reader takes in: ``154 million person-years``.

    Three significant figures, and a unit in thousands (``thousand person-years``) read in
    millions from a thousand: the words of :func:`gosplan.core.words.labour_amount`, which
    the check's own message uses; here also in billions from a million thousand. Missing and
    infinite amounts read as in :func:`format_value`.

    Examples
    --------
    >>> format_labour(154_000.0, "thousand person-years")
    '154 million person-years'
    >>> format_labour(911.7, "thousand person-years")
    '912 thousand person-years'
    >>> format_labour(2.5, "person-years")
    '2.5 person-years'
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        return f"{format_value(value)} {unit}".strip()
    if not math.isfinite(x):
        return f"{format_value(x)} {unit}".strip()
    rest = str(unit).removeprefix("thousand ")
    if rest != unit and abs(x) >= 1e6:
        return f"{sig(x / 1e6)} billion {rest}"
    return labour_amount(x, str(unit)).strip()


#: A plan's objective in words, by kind.
OBJECTIVE_WORDS = {
    "max_level": "largest common multiple of the consumption bundle reached",
    "min_labour": "least labour spent over the horizon",
    "max_consumption": "most consumption over the horizon (at labour values)",
    "harmony": "the most harmonious plan (harmony of the targets' fulfilment)",
    "linear": "a linear objective of the plan's own",
}


def summary_items(result: PlanResult) -> dict[str, str]:
    """Status, aim and horizon of a plan as label -> text, for a reader.

    The LP's size and the solver's name of the objective are left to
    :func:`solver_items` (the plan's provenance).
    """
    periods = list(result.periods)
    kind = str(result.objective_kind)
    optimal = result.status == Status.OPTIMAL
    items = {
        "result": "an optimal plan was found" if optimal else f"no plan ({result.status})",
        "aim": OBJECTIVE_WORDS.get(kind, kind),
        "periods": f"{periods[0]}–{periods[-1]} ({len(periods)} years)" if periods else "—",
    }
    if optimal:
        if result.level is not None:
            items["common level"] = (
                f"{format_value(result.level, digits=4)} times the consumption bundle"
            )
        elif kind == "min_labour":
            items["labour over the horizon"] = format_labour(result.objective, labour_unit(result))
    return items


def solver_items(result: PlanResult) -> dict[str, str]:
    """The solver's name and value of a plan's objective, for its provenance.

    The LP's size is in the provenance itself (variables, constraints, nonzeros).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> solver_items(SimpleNamespace(objective_kind="min_labour", objective=2.0))
    {'objective (solver)': 'min_labour: 2'}
    """
    kind = result.objective_kind
    value = format_value(result.objective)
    return {"objective (solver)": f"{kind}: {value}"}


# ---------------------------------------------------------------------------- check
#: Header of what each target reaches in the least-shortfall plan (``reachable_jointly``).
LEAST_SHORTFALL = "reachable in the least-shortfall plan"
#: Header of what each target reaches with no other target (``reachable_alone``).
ALONE = "reachable alone"
#: The two senses of "jointly" in a plan check, for a reader.
COMMON_LEVEL_WORDS = (
    "the common level: the largest share of every target that can be met at once, the same "
    "share for all targets"
)
LEAST_SHORTFALL_WORDS = (
    "reachable in the least-shortfall plan: what each target reaches in the plan that makes "
    "the sum of the (priority-weighted) relative shortfalls smallest; it may meet most "
    "targets in full and put the whole shortfall on a few"
)


def reachable_table(check: PlanCheck) -> DisplayTable:
    """Targets with what is reachable in the least-shortfall plan and alone, and the shortfall.

    ``reachable_jointly`` of the check (the least-shortfall LP) is headed
    :data:`LEAST_SHORTFALL`, so that it is not read as the common level (one share of every
    target at once). A feasible check has no least-shortfall plan: its column reads ``met in
    the least-labour plan`` and ``reachable alone`` (not computed) is left out.
    """
    frame = check.reachable.copy()
    frame = frame.set_index(pd.Index([str(p) for p in frame["product"]], name="product"))
    frame = frame.drop(columns="product")
    frame["period"] = [format_year(p) for p in frame["period"]]
    frame = frame.rename(columns={"reachable_jointly": LEAST_SHORTFALL, "reachable_alone": ALONE})
    for c in frame.columns:
        if c not in ("period", "unit"):
            frame[c] = pd.to_numeric(frame[c], errors="coerce")
    frame = _text_first(frame, ("period", "unit"))
    if check.feasible:
        frame = frame.drop(columns=[ALONE], errors="ignore")
        frame = frame.rename(columns={LEAST_SHORTFALL: "met in the least-labour plan"})
        caption = (
            "Targets (gross output, physical units): every target is met in the least-labour "
            "plan, with no shortfall."
        )
    elif ALONE in frame and len(frame) and frame[ALONE].isna().all():
        frame = frame.drop(columns=ALONE)
        caption = (
            "Targets (gross output, physical units): what each reaches in the least-shortfall "
            "plan (the plan with the smallest weighted sum of relative shortfalls), and the "
            "shortfall there."
        )
    else:
        caption = (
            "Targets (gross output, physical units): what each reaches in the least-shortfall "
            "plan (the plan with the smallest weighted sum of relative shortfalls, not one "
            "common share of every target), what it reaches alone (no other target set), and "
            "the shortfall in the least-shortfall plan."
        )
    return DisplayTable(frame, formats={"period": TEXT, "unit": TEXT}, caption=caption)


def additions_table(check: PlanCheck) -> DisplayTable:
    """The smallest additions that make the targets feasible, by labour cost."""
    frame = check.additions.copy()
    if len(frame):
        frame = frame.sort_values("labour_cost", ascending=False, kind="stable")
    frame = frame.reset_index(drop=True)
    frame = frame.set_index(pd.Index(frame["kind"].astype(str), name="kind")).drop(columns="kind")
    frame["period"] = [format_year(p) for p in frame["period"]]
    frame["label"] = frame["label"].astype(str)
    cost = f"labour cost ({labour_unit(check)})"
    frame = frame.rename(columns={"labour_cost": cost, "available": "available as given"})
    for c in ("amount", cost, "available as given"):
        if c in frame:
            frame[c] = pd.to_numeric(frame[c], errors="coerce")
    frame = _text_first(frame, ("label", "period", "amount", "unit", "available as given"))
    return DisplayTable(
        frame,
        formats={"period": TEXT, "label": TEXT, "unit": TEXT},
        caption="Smallest additions making the targets feasible (amount in the unit of the "
        f"limit; cost in {labour_unit(check)}), costliest first.",
    )


# ---------------------------------------------------------------------------- frontier
SHARE_HEADER = "investment share in means of production"


def per_head_words(population_unit: str | None) -> str:
    """How consumption per head is counted: ``per million people`` (or per unit)."""
    return f"per {population_unit} people" if population_unit else "per unit of population"


def frontier_columns(unit: str, population_unit: str | None = None) -> dict[str, str]:
    """Human headers (with units) of the frontier table's columns."""
    per = per_head_words(population_unit)
    return {
        "share": SHARE_HEADER,
        "status": "status",
        "cumulative_consumption": f"consumption over the horizon ({unit})",
        "consumption_per_head": f"consumption per head ({unit} {per})",
        "terminal_capacity_value": f"capacity left at the end ({unit})",
        "terminal_means_of_production_capacity": f"of which means of production ({unit})",
    }


#: Kept for callers of the earlier name (headers without units).
FRONTIER_COLUMNS = frontier_columns("labour value")


def population_unit(fr: FrontierResult | pd.DataFrame) -> str | None:
    """The population unit of a frontier or of its table (``None`` when unknown)."""
    if isinstance(fr, FrontierResult):
        if fr.population_unit:
            return str(fr.population_unit)
        fr = fr.table
    return _first_text(fr, "population_unit")


def optimal_rows(table: pd.DataFrame) -> pd.Series:
    """Which rows of a frontier table have an optimal plan (a boolean Series).

    The ``status`` column may hold :class:`~gosplan.core.status.Status` members (a frontier
    made in memory) or text (one read back, perhaps in capitals or with blanks): both are
    read as text and compared with :attr:`Status.OPTIMAL`. A table without a status column
    is taken as all optimal.
    """
    if "status" not in table:
        return pd.Series(True, index=table.index)
    text = table["status"].astype(str).str.strip().str.lower()
    return text == Status.OPTIMAL.value


def frontier_table(
    table: pd.DataFrame, unit: str = "person-years", population_unit: str | None = None
) -> DisplayTable:
    """The frontier, one row per investment share (values in labour, ``unit``).

    Shares that are sevenths (or other fractions without a finite decimal) read ``2/7 (28.6
    %)``, others as percentages; the status column is left out when every share is optimal.
    """
    frame = table.drop(columns=[c for c in ("labour_unit", "population_unit") if c in table]).copy()
    if "consumption_per_head" in frame and frame["consumption_per_head"].isna().all():
        frame = frame.drop(columns="consumption_per_head")
    all_optimal = "status" in frame and bool(optimal_rows(frame).all())
    if all_optimal:
        frame = frame.drop(columns="status")
    shares = pd.to_numeric(frame["share"], errors="coerce").astype(float)
    labels = share_labels(shares)
    formats: dict[str, str] = {"status": TEXT}
    if labels is not None:
        frame["share"] = [
            f"{k} ({format_value(s, PERCENT)})" for k, s in zip(labels, shares, strict=True)
        ]
        formats[SHARE_HEADER] = TEXT
    else:
        frame["share"] = shares
        formats[SHARE_HEADER] = PERCENT
    frame = frame.rename(columns=frontier_columns(unit, population_unit))
    status = " Every share has an optimal plan." if all_optimal else ""
    return DisplayTable(
        frame.reset_index(drop=True),
        formats=formats,
        caption="The accumulation–consumption frontier: for each share of capital spending "
        "going to means of production, the consumption over the horizon and the capacity left "
        f"at its end, both valued at labour values ({unit}).{status}",
    )


# ---------------------------------------------------------------------------- comparison
def comparison_base(frame: pd.DataFrame) -> Any:
    """The column a comparison is indexed on: the first numeric one named ``base ...``.

    Without such a column, the first numeric column; ``None`` when there is none.
    """
    numbers = numeric_columns(frame)
    for col in numbers:
        if str(col).lower().startswith("base"):
            return col
    return numbers[0] if numbers else None


def comparison_tables(frame: pd.DataFrame, caption: str = "") -> tuple[DisplayTable, DisplayTable]:
    """A comparison as given and as indices relative to its base column (= 100).

    The base is :func:`comparison_base`; text columns (a ``unit``, say) stay in the first
    table and are left out of the indices.
    """
    values = frame.copy()
    values.index = pd.Index([str(i) for i in values.index], name=values.index.name or "product")
    values.columns = [str(c) for c in values.columns]
    base = comparison_base(values)
    numbers = numeric_columns(values)
    if base is not None:
        numbers = [base] + [c for c in numbers if c != base]
    index = index_relative_to_first(values[numbers])
    return (
        DisplayTable(values, caption=caption or "Comparison by product (physical units)."),
        DisplayTable(
            index,
            caption=f"The comparison as indices by product ({base} = 100; — where the base "
            "or the value is missing).",
        ),
    )


# ---------------------------------------------------------------------------- provenance
#: Labels of the provenance keys that the planner writes.
PROVENANCE_LABELS = {
    "gosplan": "gosplan version",
    "economy": "economy",
    "economy_source": "economy (input)",
    "labour_unit": "labour unit",
    "spec": "plan",
    "solver": "solver",
    "requested": "method requested",
    "method": "method",
    "iterations": "iterations",
    "tolerance": "LP tolerance",
    "build_seconds": "build time (s)",
    "solve_seconds": "solve time (s)",
    "verify_seconds": "verification time (s)",
    "n_variables": "variables",
    "n_constraints": "constraints",
    "nnz": "nonzeros",
    "stages": "stages",
    "spec_path": "plan (input)",
    "population_path": "population (input)",
    "population_unit": "population unit",
    "time_limit": "time limit (s)",
    "computed": "computed",
}


def display_path(value: Any) -> str:
    """A path for a reader: resolved and normalised; inside the package, relative to it.

    A bundled file reads ``gosplan/datasets/ussr-1928/economy (bundled)``; any other path
    is absolute and free of ``..``.
    """
    if isinstance(value, str) and value.endswith(" (bundled)"):
        return value  # shown already
    path = Path(os.path.normpath(os.path.abspath(os.fspath(value))))
    with contextlib.suppress(OSError, RuntimeError):
        path = path.resolve()
    package = Path(__file__).resolve().parent.parent
    try:
        inside = path.relative_to(package)
    except ValueError:
        return path.as_posix()
    return f"gosplan/{inside.as_posix()} (bundled)"


def _looks_like_path(key: str, value: Any) -> bool:
    if isinstance(value, Path):
        return True
    if not isinstance(value, str) or not value:
        return False
    name = key.lower()
    pathy = any(w in name for w in ("source", "path", "input", "file", "folder", "scenario"))
    return pathy and ("/" in value or "\\" in value) and "://" not in value


def provenance_items(info: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested provenance into label -> text.

    Known planner keys get readable labels (:data:`PROVENANCE_LABELS`); a nested dict's keys
    read ``outer: inner``; empty values are left out; paths are shown with
    :func:`display_path`; times with three significant digits.
    """
    out: dict[str, str] = {}
    for key, value in info.items():
        name = f"{prefix}{PROVENANCE_LABELS.get(str(key), str(key))}"
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, dict):
            out.update(provenance_items(value, prefix=f"{name}: "))
        elif _looks_like_path(str(key), value):
            out[name] = display_path(value)
        elif isinstance(value, (list, tuple)):
            out[name] = ", ".join(
                display_path(v) if _looks_like_path(str(key), v) else str(v) for v in value
            )
        elif isinstance(value, float):
            if str(key).endswith("seconds"):
                out[name] = format_value(value, digits=3)
            else:
                out[name] = f"{value:.6g}"
        elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            out[name] = f"{int(value):,}"
        else:
            out[name] = str(value)
    return out


# ---------------------------------------------------------------------------- end of horizon
#: Means of production named in the end-of-horizon sentence (largest left over first).
END_PRODUCTS = 8


def end_of_horizon_words(result: PlanResult, units: pd.Series | None = None) -> tuple[str, ...]:
    """What happens in a plan's last year because the horizon ends there, in words.

    From the plan's ``final_use_values`` (final use by kind at labour values) and
    ``final_use`` (by product): whether investment falls in the last period and by how much,
    how much output of means of production is left over as other final use (with the
    largest items in their units), whether stocks are drawn down, and a note that what is
    left at the end counts for nothing in the plan's aim (beyond a terminal condition).

    Parameters
    ----------
    result
        A plan result with ``final_use`` and ``final_use_values`` (an empty tuple without).
    units
        Unit of each product, for the items left over.

    Returns
    -------
    tuple of str
        Paragraphs (none when the plan has no final-use split or fewer than two periods).
    """
    frame = _final_use_values_by_year(result)
    periods = [int(p) for p in result.periods]
    if frame is None or len(periods) < 2:
        return ()
    last, before = periods[-1], periods[-2]
    if last not in frame.index or before not in frame.index:
        return ()
    unit = labour_unit(result)
    total = float(frame.loc[last].abs().sum())
    return (
        *_investment_words(frame, last, before, unit),
        _left_over_words(result, frame, last, total, unit, units),
        *_stock_words(frame, last, total, unit),
        _terminal_words(result),
    )


def _final_use_values_by_year(result: PlanResult) -> pd.DataFrame | None:
    """The plan's final use by kind at labour values, indexed by year (``None`` without)."""
    values = result.final_use_values
    if values is None or not len(values):
        return None
    frame = values.apply(pd.to_numeric, errors="coerce").fillna(0.0)
    frame.index = [int(p) for p in frame.index]
    return frame


def _investment_words(frame: pd.DataFrame, last: int, before: int, unit: str) -> list[str]:
    """Whether investment falls in the last year, and why (none without investment)."""
    if "investment" not in frame:
        return []
    now, then = float(frame["investment"][last]), float(frame["investment"][before])
    if then > 0 and now < then * (1 - 1e-3):
        return [
            f"In {format_year(last)}, the plan's last year, investment (capital goods at "
            f"labour values) falls to {format_labour(now, unit)} from "
            f"{format_labour(then, unit)} in {format_year(before)} "
            f"({format_value(now / then - 1, PERCENT)}): capacity that would only come "
            "into service after the horizon is worth nothing to the plan, so little is built."
        ]
    return [
        f"Investment does not fall in the last year, {format_year(last)} "
        f"({format_labour(now, unit)} against {format_labour(then, unit)} in "
        f"{format_year(before)})."
    ]


def _left_over_words(
    result: PlanResult,
    frame: pd.DataFrame,
    last: int,
    total: float,
    unit: str,
    units: pd.Series | None,
) -> str:
    """How much output of means of production is left over in the last year, and of what."""
    other = float(frame["other_final_use"][last]) if "other_final_use" in frame else 0.0
    if other <= RESIDUAL * max(total, 1.0):
        return f"No means of production are left over in {format_year(last)}."
    return (
        f"Output of means of production worth {format_labour(other, unit)} "
        f"({format_value(other / total, PERCENT)} of final use in {format_year(last)}) is "
        "left over as other final use: made, because the capacity is there, but used by "
        f"nothing in the plan{_left_over_items(result, last, units)}."
    )


def _left_over_items(result: PlanResult, last: int, units: pd.Series | None) -> str:
    """`` (coal 12.3 t, ..., and 4 more)``: the largest items left over, in their units."""
    use = result.final_use
    if use is None or not len(use) or "other_final_use" not in use:
        return ""
    rows = use[use["period"].astype(int) == last].set_index("product")["other_final_use"]
    rows = pd.to_numeric(rows, errors="coerce").fillna(0.0)
    rows = rows[rows > RESIDUAL * max(float(rows.abs().max()), 1.0)]
    if not len(rows):
        return ""
    top = rows.sort_values(ascending=False).head(END_PRODUCTS)
    unit_of = _by_product(units, str) if units is not None else pd.Series(dtype=str)
    items = [
        f"{p} {format_value(float(top[p]), digits=3)}"
        + (f" {unit_of[p]}" if p in unit_of.index else "")
        for p in top.index
    ]
    more = f", and {len(rows) - len(top)} more" if len(rows) > len(top) else ""
    return f" ({', '.join(items)}{more})"


def _stock_words(frame: pd.DataFrame, last: int, total: float, unit: str) -> list[str]:
    """Whether stocks are drawn down in the last year (none when they are not)."""
    stocks = float(frame["stock_building"][last]) if "stock_building" in frame else 0.0
    if stocks < -RESIDUAL * max(total, 1.0):
        return [f"Stocks are drawn down in {format_year(last)} by {format_labour(-stocks, unit)}."]
    return []


def _terminal_words(result: PlanResult) -> str:
    """That what is left at the end counts for nothing in the plan's aim."""
    terminal = result.terminal_levels
    held = terminal is not None and len(terminal) > 0
    return (
        "Final stocks, and capacity beyond "
        + ("the terminal condition" if held else "the horizon")
        + ", are worth nothing in the plan's aim: only what is consumed within the horizon "
        "counts"
        + (
            " (the terminal condition asks only that the capacity left at the end can carry "
            "the last year's consumption on)."
            if held
            else "; without a terminal condition the last year may run the economy down."
        )
    )


# ---------------------------------------------------------------------------- running the plan
#: Control figures are shown by enterprise when there are at most this many, else by trust.
FEW_ENTERPRISES = 12
#: The label of enterprises that belong to no trust.
NO_TRUST = "(no trust)"
#: Products of the control-figure table: those made by the most enterprises.
MAIN_PRODUCTS = 8
#: Rows shown at most in a table of the run sections (the rest are counted in a note).
RUN_ROWS = 30
#: Inputs shown in the summary of the supply orders.
SUPPLY_INPUTS = 10
#: Shortfalls shown (the largest relative to their plan).
TOP_SHORTFALLS = 15
#: How each rule of :class:`~gosplan.core.control_figures.ControlFigures` split the levels.
RULE_WORDS = {
    "capacity": "in proportion to capacity: each activity's planned level was split among its "
    "enterprises in proportion to their capacity (equal shares where the capacity is "
    "unlimited or zero), so every enterprise of an activity runs at the same share of its "
    "capacity",
    "least_labour": "least labour: each activity's planned level went first to its most "
    "productive enterprises (lowest labour factor), each up to its capacity, ties in "
    "proportion to capacity",
}
#: Limits of a counter-plan check in words.
LIMIT_WORDS = {"capacity": "capacity", "labour": "labour", "resource": "resource", "stock": "stock"}


def unit_of(units: Any, item: Any) -> str:
    """The unit of ``item`` in ``units`` (a Series or mapping), also for ``"x (y)"`` names.

    An activity named after its product (``"electricity (coal)"``) takes the product's unit.
    Unknown: ``""``.
    """
    if units is None:
        return ""
    lookup = units.to_dict() if isinstance(units, pd.Series) else dict(units)
    name = str(item)
    for key in (name, name.split(" (", 1)[0]):
        value = lookup.get(key)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            return str(value)
    return ""


def when(period: Any, month: Any) -> str:
    """A report's time as text: the period, with its month when monthly (``1930, month 6``)."""
    m = int(month) if pd.notna(month) else 0
    return format_year(period) if m == 0 else f"{format_year(period)}, month {m}"


def _rows_note(shown: int, total: int, what: str) -> str:
    return f"{total - shown} more {what} are not shown." if total > shown else ""


def control_unit(figures: pd.DataFrame) -> str:
    """``"enterprise"`` when the figures have few enterprises, else ``"trust"``."""
    return "enterprise" if figures["enterprise"].nunique() <= FEW_ENTERPRISES else "trust"


def main_products(figures: pd.DataFrame, n: int = MAIN_PRODUCTS) -> list[str]:
    """The ``n`` products made by the most enterprises (ties in order of appearance)."""
    count = figures.groupby(figures["product"].astype(str), sort=False)["enterprise"].nunique()
    return [str(p) for p in count.sort_values(ascending=False, kind="stable").index[:n]]


def control_output_table(cf: Any, units: Any = None) -> DisplayTable:
    """Output in the control figures by trust (or enterprise) and product, per period.

    Monthly figures are summed over the months of each period. Only the main products
    (:func:`main_products`) are shown; output of unlike products is never summed.
    """
    fig = cf.figures
    by = control_unit(fig)
    products = main_products(fig)
    frame = fig.assign(
        _unit=fig[by].astype(str).replace({"": NO_TRUST}), _product=fig["product"].astype(str)
    )
    frame = frame[frame["_product"].isin(products)]
    table = frame.pivot_table(
        index=["_unit", "_product"], columns="period", values="output", aggfunc="sum", sort=False
    )
    order = {p: i for i, p in enumerate(products)}
    keys = sorted(table.index, key=lambda k: (order[k[1]], k[0] == NO_TRUST, k[0]))
    table = table.loc[keys]
    out = pd.DataFrame(
        {"product": [p for _, p in keys], "unit": [unit_of(units, p) for _, p in keys]},
        index=pd.Index([u for u, _ in keys], name=by),
    )
    for col in table.columns:
        out[format_year(col)] = table[col].to_numpy(dtype=float)
    if units is None:
        out = out.drop(columns="unit")
    left = [str(p) for p in fig["product"].astype(str).unique() if str(p) not in products]
    note = _rows_note(min(len(out), RUN_ROWS), len(out), "rows")
    if left:
        note = (note + " " if note else "") + f"Other products: {', '.join(left)}."
    months = " (sums of the monthly figures)" if cf.monthly else ""
    return DisplayTable(
        out.head(RUN_ROWS),
        formats={"product": TEXT, "unit": TEXT},
        caption=f"Control figures: output by {by} of the {len(products)} products made by the "
        f"most enterprises, per period{months}, in product units.",
        note=note,
    )


def supply_table(cf: Any, units: Any = None, n: int = SUPPLY_INPUTS) -> DisplayTable:
    """The supply orders by input: enterprises supplied and quantity per period."""
    sup = cf.supply.assign(_product=cf.supply["product"].astype(str))
    per = sup.pivot_table(
        index="_product", columns="period", values="quantity", aggfunc="sum", sort=False
    )
    count = sup[sup["quantity"] > 0].groupby("_product")["enterprise"].nunique()
    out = pd.DataFrame(index=pd.Index([str(p) for p in per.index], name="input"))
    out["unit"] = [unit_of(units, p) for p in out.index]
    out["enterprises supplied"] = count.reindex(out.index).fillna(0).astype(int).to_numpy()
    for col in per.columns:
        out[format_year(col)] = per[col].to_numpy(dtype=float)
    out = out.assign(_total=per.sum(axis=1).to_numpy())
    out = out.sort_values(["enterprises supplied", "_total"], ascending=False, kind="stable")
    out = out.drop(columns="_total" if units is not None else ["_total", "unit"])
    return DisplayTable(
        out.head(n),
        formats={"unit": TEXT},
        caption="Supply orders: the inputs allocated to the enterprises, summed over them per "
        "period (product units); the inputs ordered by the most enterprises first.",
        note=_rows_note(min(len(out), n), len(out), "inputs"),
    )


def control_labour_table(cf: Any, unit: str) -> DisplayTable:
    """Labour in the control figures by labour type, per period."""
    lab = cf.labour.assign(_type=cf.labour["labour_type"].astype(str))
    per = lab.pivot_table(index="_type", columns="period", values="quantity", aggfunc="sum")
    per.index.name = "labour type"
    per.columns = [format_year(c) for c in per.columns]
    return DisplayTable(
        per.astype(float),
        caption=f"Labour in the control figures by labour type, per period ({unit}).",
    )


def sharing_words(cf: Any) -> str:
    """How the capacity of each activity was shared among its enterprises."""
    fig = cf.figures
    rule = RULE_WORDS.get(cf.rule, f"by the rule {cf.rule!r}")
    n_ent = fig.groupby(fig["activity"].astype(str))["enterprise"].nunique()
    several = int((n_ent > 1).sum())
    text = (
        f"The plan's levels were split among {int(fig['enterprise'].nunique())} enterprises "
        f"{rule}. {several} of {len(n_ent)} activities have more than one enterprise."
    )
    idle = fig.groupby(["enterprise", "period"], observed=True)["level"].sum()
    idle = idle[idle <= 0].reset_index()
    if len(idle):
        text += (
            f" {idle['enterprise'].nunique()} enterprises are given no output in at least one "
            "period (no capacity yet, or not needed under the rule)."
        )
    return text


def _accepted_words(share: float) -> str:
    if share >= 1.0 - 1e-9:
        return "accepted in full"
    if share <= 1e-9:
        return "cannot be accepted at all"
    return f"{format_value(share, PERCENT)} can be accepted"


def _limit(kind: Any, item: Any) -> str:
    """A limit of a counter-plan check in words (``capacity of rolled steel``)."""
    kind = str(kind)
    if kind == "labour":
        return f"labour ({item})"
    if kind == "stock":
        return f"stock of {item}"
    return f"{LIMIT_WORDS.get(kind, kind)} of {item}"


def _amount(quantity: Any, unit: str) -> str:
    return format_value(float(quantity)) + (f" {unit}" if unit else "")


def missing_words(missing: pd.DataFrame, units: Any = None, labour_unit: str = "") -> str:
    """What is missing, in words: ``36.93 Mt of capacity of coal in 1930; ...``."""
    parts = []
    for row in missing.itertuples(index=False):
        unit = labour_unit if str(row.kind) == "labour" else unit_of(units, row.item)
        parts.append(
            f"{_amount(row.quantity, unit)} of {_limit(row.kind, row.item)} "
            f"in {format_year(row.period)}"
        )
    return "; ".join(parts)


def counter_plan_words(check: Any, units: Any = None, labour_unit: str = "") -> tuple[str, ...]:
    """One line per counter-plan: accepted in full, a share or not at all, and what is missing."""
    lines = []
    missing = check.missing
    names = missing["counter_plan"].astype(str) if len(missing) else pd.Series(dtype=str)
    for row in check.summary.itertuples(index=False):
        share = float(row.accepted_share)
        line = f"{row.counter_plan}: {_accepted_words(share)}"
        if share < 1.0 - 1e-9 and str(row.binding_kind):
            line += (
                f"; {_limit(row.binding_kind, row.binding_item)} in "
                f"{format_year(row.binding_period)} binds first"
            )
        own = missing[names == str(row.counter_plan)]
        if len(own):
            line += ". Missing up the chain for acceptance in full: " + missing_words(
                own, units, labour_unit
            )
        lines.append(line + ".")
    if check.mode == "joint" and (names == "joint").any():
        lines.append(
            "The batch together is missing: "
            + missing_words(missing[names == "joint"], units, labour_unit)
            + "."
        )
    return tuple(lines)


def counter_summary_table(check: Any) -> DisplayTable:
    """The accepted share of each counter-plan (percent) and the limit that binds first."""
    s = check.summary
    limit = [
        _limit(k, i) if str(k) else "none (accepted in full)"
        for k, i in zip(s["binding_kind"], s["binding_item"], strict=True)
    ]
    period = [
        format_year(p) if str(k) else "—"
        for k, p in zip(s["binding_kind"], s["binding_period"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "order of submission": pd.to_numeric(s["order"]).astype(int).to_numpy(),
            "accepted": pd.to_numeric(s["accepted_share"]).astype(float).to_numpy(),
            "binds first": limit,
            "in": period,
            "method": [str(m) for m in s["method"]],
        },
        index=pd.Index([str(c) for c in s["counter_plan"]], name="counter-plan"),
    )
    return DisplayTable(
        frame,
        formats={"accepted": PERCENT, "in": TEXT},
        caption=f"Counter-plans ({check.mode}): the share of each one's extra output the adopted "
        "plan's slack can supply (percent), and the limit that binds first.",
    )


def counter_missing_table(check: Any, units: Any = None, labour_unit: str = "") -> DisplayTable:
    """What each counter-plan needs beyond the slack to be accepted in full."""
    m = check.missing
    unit = [
        labour_unit if str(k) == "labour" else unit_of(units, i)
        for k, i in zip(m["kind"], m["item"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "missing": [_limit(k, i) for k, i in zip(m["kind"], m["item"], strict=True)],
            "period": [format_year(p) for p in m["period"]],
            "quantity": pd.to_numeric(m["quantity"]).astype(float).to_numpy(),
            "unit": unit,
        },
        index=pd.Index([str(c) for c in m["counter_plan"]], name="counter-plan"),
    )
    return DisplayTable(
        frame.head(RUN_ROWS),
        formats={"period": TEXT, "unit": TEXT},
        caption="What is missing up the chain of suppliers to accept each counter-plan in full "
        "(beyond the plan's slack and any stock it may draw), in the units shown.",
        note=_rows_note(min(len(frame), RUN_ROWS), len(frame), "rows"),
    )


def counter_starved_table(check: Any, units: Any = None) -> DisplayTable:
    """The targets that would fall short were a counter-plan accepted in full anyway."""
    st = check.starved
    frame = pd.DataFrame(
        {
            "product": [str(p) for p in st["product"]],
            "period": [format_year(p) for p in st["period"]],
            **{
                words: pd.to_numeric(st[col]).astype(float).to_numpy()
                for col, words in (
                    ("target", "target"),
                    ("planned", "planned"),
                    ("would_get", "would get"),
                    ("shortfall", "shortfall"),
                )
            },
        },
        index=pd.Index([str(c) for c in st["counter_plan"]], name="counter-plan"),
    )
    if units is not None:
        frame.insert(2, "unit", [unit_of(units, p) for p in frame["product"]])
    return DisplayTable(
        frame.head(RUN_ROWS),
        formats={"product": TEXT, "period": TEXT, "unit": TEXT},
        caption="Targets starved were a counter-plan accepted in full anyway: the target, what "
        "the plan gives, what the product would get, and the shortfall (product units).",
        note=_rows_note(min(len(frame), RUN_ROWS), len(frame), "rows"),
    )


def cause_words(cause: Any) -> str:
    """A shortfall's cause in words: ``labour (workers)``, ``input: coal received short``."""
    text = str(cause)
    if text.startswith("labour:"):
        return f"labour ({text.split(':', 1)[1]})"
    if text.startswith("input:"):
        return f"input: {text.split(':', 1)[1]} received short"
    return text or "—"


def _unit_totals(report: Any) -> pd.DataFrame:
    """The rows of ``by_trust`` over all of each trust's products, in time order."""
    agg = report.by_trust
    rows = agg[agg["product"].astype(str) == ALL_PRODUCTS]
    return rows.assign(trust=rows["trust"].astype(str).replace({"": NO_TRUST})).sort_values(
        ["period", "month", "trust"], kind="stable"
    )


def fulfilment_paths(report: Any) -> pd.DataFrame:
    """Share of the plan fulfilled by trust (rows) and report (columns ``1930-06``)."""
    rows = _unit_totals(report)
    stamp = [
        format_year(p) if int(m) == 0 else f"{format_year(p)}-{int(m):02d}"
        for p, m in zip(rows["period"], rows["month"], strict=True)
    ]
    frame = rows.assign(_when=stamp).pivot_table(
        index="trust", columns="_when", values="share", aggfunc="first", sort=False
    )
    order = list(dict.fromkeys(stamp))
    frame = frame.reindex(columns=order).astype(float)
    frame.index.name = "trust"
    return frame


def fulfilment_latest_table(report: Any) -> DisplayTable:
    """Each trust's cumulative fulfilment at its latest report, the lowest first."""
    rows = _unit_totals(report)
    last = rows.groupby("trust", sort=False).tail(1)
    frame = pd.DataFrame(
        {
            "latest report": [
                when(p, m) for p, m in zip(last["period"], last["month"], strict=True)
            ],
            "fulfilled since the first report": last["cumulative_share"].astype(float).to_numpy(),
            "fulfilled in the latest report": last["share"].astype(float).to_numpy(),
            "products": last["products"].astype(int).to_numpy(),
        },
        index=pd.Index(last["trust"].astype(str), name="trust"),
    )
    frame = frame.sort_values("fulfilled since the first report", kind="stable")
    return DisplayTable(
        frame,
        formats={
            "latest report": TEXT,
            "fulfilled since the first report": PERCENT,
            "fulfilled in the latest report": PERCENT,
        },
        caption="Fulfilment by trust at the latest report: output since the first report over "
        "the plan for it, and in the latest report alone (percent; the mean over the trust's "
        "products), lowest first.",
    )


def shortfall_table(
    report: Any, units: Any = None, labour_unit: str = "", n: int = TOP_SHORTFALLS
) -> DisplayTable:
    """The largest shortfalls (relative to their plan) with their causes in words."""
    t = report.table
    short = t[t["shortfall"] > 0]
    rel = (short["shortfall"] / short["plan"]).astype(float)
    short = short.loc[rel.sort_values(ascending=False, kind="stable").index]
    top = short.head(n)
    cause = top["cause"].astype(str)
    cause_unit = [
        labour_unit
        if c.startswith("labour:")
        else unit_of(units, c.split(":", 1)[-1] if ":" in c else p)
        for c, p in zip(cause, top["product"].astype(str), strict=True)
    ]
    frame = pd.DataFrame(
        {
            "product": top["product"].astype(str).to_numpy(),
            "report": [when(p, m) for p, m in zip(top["period"], top["month"], strict=True)],
            "plan": top["plan"].astype(float).to_numpy(),
            "actual": top["actual"].astype(float).to_numpy(),
            "fulfilled": top["share"].astype(float).to_numpy(),
            "unit": [unit_of(units, p) for p in top["product"].astype(str)],
            "cause": [cause_words(c) for c in cause],
            "short of the cause": top["cause_amount"].astype(float).to_numpy(),
            "unit of the cause": cause_unit,
        },
        index=pd.Index(top["enterprise"].astype(str), name="enterprise"),
    )
    if units is None:
        frame = frame.drop(columns=["unit", "unit of the cause"])
    return DisplayTable(
        frame,
        formats={"product": TEXT, "report": TEXT, "fulfilled": PERCENT, "cause": TEXT},
        caption="The largest shortfalls (relative to their plan) with their causes: plan and "
        "actual output (product units), the share fulfilled (percent), the cause, and how much "
        "of it was missing for full output (of the cause: labour, the input, or the output "
        "itself where capacity is the cause).",
        note=_rows_note(len(top), len(short), "shortfalls"),
    )


def shortfall_causes(report: Any) -> dict[str, int]:
    """Number of shortfalls by cause in words, the most frequent first."""
    t = report.table
    cause = t.loc[t["shortfall"] > 0, "cause"].astype(str)
    counts = cause.map(cause_words).value_counts(sort=True)
    return {str(k): int(v) for k, v in counts.items()}


#: How a competition's measure is named and shown.
MEASURE_WORDS = {
    "fulfilment": ("fulfilment (cumulative output over plan)", PERCENT),
    "growth": ("growth on the previous report", PERCENT),
    "productivity": ("output per unit of labour (product units)", NUMBER),
}


def competition_table(frame: pd.DataFrame, measure: str = "fulfilment") -> DisplayTable:
    """The ranking of the latest report, with each unit's rank in the report before."""
    by = str(frame.columns[0])
    words, kind = MEASURE_WORDS.get(measure, (measure, NUMBER))
    times = frame.loc[:, ["period", "month"]].drop_duplicates().sort_values(["period", "month"])
    last = tuple(times.iloc[-1]) if len(times) else (0, 0)
    at = (frame["period"] == last[0]) & (frame["month"] == last[1])
    now = frame[at]
    before = pd.Series(dtype=float)
    if len(times) > 1:
        prev = tuple(times.iloc[-2])
        rows = frame[(frame["period"] == prev[0]) & (frame["month"] == prev[1])]
        before = pd.Series(
            pd.to_numeric(rows["rank"]).to_numpy(dtype=float), index=rows[by].astype(str)
        )
    labels = now[by].astype(str)
    out = pd.DataFrame(
        {
            "rank": pd.to_numeric(now["rank"]).to_numpy(dtype=float),
            words: now["value"].astype(float).to_numpy(),
            "rank in the report before": before.reindex(labels).to_numpy(dtype=float),
        },
        index=pd.Index(labels.replace({"": NO_TRUST if by == "trust" else "—"}), name=by),
    )
    if len(times) < 2:
        out = out.drop(columns="rank in the report before")
    return DisplayTable(
        out.head(RUN_ROWS),
        formats={words: kind},
        caption=f"Socialist competition: {by}s ranked by {words} at the latest report, "
        f"{when(*last)} (rank 1 is the best; equal values share a rank).",
        note=_rows_note(min(len(out), RUN_ROWS), len(out), f"{by}s"),
    )


#: Columns of an alerts table that are not its keys.
ALERT_FIELDS = ("period", "month", "value", "probability", "direction", "level", "reports")


def alerts_table(frame: pd.DataFrame, indicator: str = "share") -> DisplayTable:
    """One row per alert at its latest report: when raised, direction, who is told, probability."""
    keys = [c for c in frame.columns if c not in ALERT_FIELDS and c != "note"]
    rows = []
    for key, group in frame.groupby(keys, sort=False, observed=True):
        raised = group[group["reports"] == 0]
        first = raised.iloc[-1] if len(raised) else group.iloc[0]
        last = group.iloc[-1]
        label = key if isinstance(key, tuple) else (key,)
        rows.append(
            [*(str(v) for v in label), when(first["period"], first["month"]),
             when(last["period"], last["month"]), str(last["direction"]), str(last["level"]),
             float(first["probability"]), float(last["probability"]), float(last["value"]),
             int(last["reports"])]
        )  # fmt: skip
    value = "output over plan" if indicator == "share" else indicator
    columns = [*keys, "raised", "latest report", "direction", "told", "probability when raised",
               "probability of a change", value, "reports since raised"]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    out = out.set_index(keys[0]) if keys else out
    return DisplayTable(
        out.head(RUN_ROWS),
        formats={
            **{k: TEXT for k in keys[1:]},
            "probability when raised": PERCENT,
            "probability of a change": PERCENT,
            value: PERCENT if indicator == "share" else NUMBER,
        },
        caption=f"Alerts on fulfilment: each series with an alert, when it was raised, its "
        f"direction, who is told at the latest report (escalated while it lasts), the "
        f"probability of a recent change when raised and at the latest report (percent), and "
        f"the {value} then.",
        note=_rows_note(min(len(out), RUN_ROWS), len(out), "alerts"),
    )


def synthetic_words(provenance: dict[str, Any], *frames: pd.DataFrame | None) -> str:
    """A warning when the provenance or a ``note`` column says the reports are synthetic."""
    said = [str(v) for v in provenance.values() if "synthetic" in str(v).lower()]
    for frame in frames:
        if frame is not None and "note" in frame.columns:
            said += [
                str(v) for v in frame["note"].dropna().unique() if "synthetic" in str(v).lower()
            ]
    if not said:
        return ""
    return (
        "These reports are synthetic: made up to show how fulfilment, competition and alerts "
        "work, not records of what the enterprises made (" + "; ".join(dict.fromkeys(said)) + ")."
    )
