"""Display tables: results turned into labelled, unit-bearing frames ready to render.

A :class:`DisplayTable` holds a numeric frame (nothing is formatted here), the way each
column is shown (``number``, ``percent``, ``text``), a caption and, when the source frame had a
``source`` column, the source of each row. :func:`format_value` is the one place where numbers
become text, so the HTML and the tests read the same rule.

Every function takes a result object by duck typing: a
:class:`~gosplan.plan.result.PlanResult` or a :class:`~gosplan.report.load.LoadedPlan` (same
attribute names), a :class:`~gosplan.plan.diagnosis.PlanCheck` or a
:class:`~gosplan.report.load.LoadedCheck`, and so on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

#: Significant digits shown for a number.
SIGNIFICANT = 5
#: Column formats understood by :func:`format_value`.
FORMATS = ("number", "percent", "text")

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
    """

    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    caption: str = ""
    sources: tuple[str, ...] | None = None

    def format_of(self, column: Any) -> str:
        """How ``column`` is shown."""
        if column in self.formats:
            return self.formats[column]
        series = self.frame[column]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            return TEXT
        return NUMBER


# ---------------------------------------------------------------------------- formatting
def format_value(value: Any, kind: str = NUMBER) -> str:
    """Format one cell.

    Numbers keep :data:`SIGNIFICANT` significant digits, with thousands separators between
    ``1e-3`` and ``1e9`` and in scientific notation outside; percentages are ``value * 100``
    with one decimal less. Missing values are an em dash, infinities ``∞``.

    Parameters
    ----------
    value
        The cell.
    kind
        ``"number"``, ``"percent"`` or ``"text"``.

    Returns
    -------
    str

    Examples
    --------
    >>> format_value(1234.5678)
    '1,234.6'
    >>> format_value(0.25, "percent")
    '25.00 %'
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
    if kind == PERCENT:
        return _number(100.0 * x, SIGNIFICANT - 1, max_decimals=2) + " %"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return _number(x, SIGNIFICANT)


def _number(x: float, digits: int, max_decimals: int = 8) -> str:
    if x == 0.0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    if magnitude < -3 or magnitude >= 9:
        return f"{x:.{digits - 1}e}"
    decimals = min(max(digits - 1 - magnitude, 0), max_decimals)
    text = f"{x:,.{decimals}f}"
    return "0" if text in ("0", "-0") or float(text.replace(",", "")) == 0.0 else text


def parse_value(text: str) -> float:
    """Read a cell written by :func:`format_value` back as a float (percent as a fraction).

    Examples
    --------
    >>> parse_value("1,234.6")
    1234.6
    >>> parse_value("25.0 %")
    0.25
    """
    t = text.strip().replace(",", "").replace("−", "-")
    if t in ("—", ""):
        return math.nan
    if t in ("∞", "-∞"):
        return math.inf if t == "∞" else -math.inf
    if t.endswith("%"):
        return float(t[:-1].strip()) / 100.0
    return float(t)


# ---------------------------------------------------------------------------- helpers
def _periods_frame(frame: pd.DataFrame, index_name: str) -> pd.DataFrame:
    out = frame.copy()
    out = out.apply(pd.to_numeric, errors="coerce") if len(out.columns) else out
    out.index = pd.Index([str(i) for i in out.index], name=index_name)
    out.columns = [str(c) for c in out.columns]
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


# ---------------------------------------------------------------------------- generic
def generic_table(frame: pd.DataFrame, *, caption: str = "", sources: bool = True) -> DisplayTable:
    """A labelled frame as a table; a ``source`` column becomes the rows' sources.

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
def output_table(result: Any) -> DisplayTable:
    """Gross output by product and period."""
    return DisplayTable(
        _periods_frame(result.output, "product"),
        caption="Gross output by product and period (physical units of each product).",
    )


def output_index_table(result: Any) -> DisplayTable:
    """Gross output as an index, first period = 100."""
    frame = index_relative_to_first(_periods_frame(result.output, "product"))
    first = frame.columns[0] if len(frame.columns) else ""
    return DisplayTable(
        frame, caption=f"Gross output as an index by product ({first} = 100; dimensionless)."
    )


def consumption_table(result: Any) -> DisplayTable:
    """Consumption by product and period."""
    return DisplayTable(
        _periods_frame(result.consumption, "product"),
        caption="Final use left for consumption by product and period (physical units).",
    )


def labour_unit(result: Any) -> str:
    """The unit of labour of a plan, check or frontier result (default ``person-years``)."""
    unit = getattr(result, "labour_unit", None)
    if unit:
        return str(unit)
    provenance = getattr(result, "provenance", None) or {}
    if isinstance(provenance, dict) and provenance.get("labour_unit"):
        return str(provenance["labour_unit"])
    for item in getattr(result, "results", ()) or ():
        if item is not None:
            return labour_unit(item)
    return "person-years"


def employment_table(result: Any) -> DisplayTable:
    """Employment by labour type and period."""
    return DisplayTable(
        _periods_frame(result.employment, "labour type"),
        caption=f"Employment by labour type and period ({labour_unit(result)}).",
    )


def investment_shares_table(result: Any) -> DisplayTable:
    """Shares of capital spending by group of the investing activity, by period."""
    frame = result.investment_shares.copy()
    frame.index = pd.Index([str(i) for i in frame.index], name="period")
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.apply(pd.to_numeric, errors="coerce")
    return DisplayTable(
        frame,
        formats=dict.fromkeys(frame.columns, PERCENT),
        caption="Shares of capital spending (valued at labour values) going to activities "
        "making means of production and consumer goods, by period (percent).",
    )


def growth_table(result: Any) -> DisplayTable:
    """Output growth against the previous period, in percent."""
    frame = _periods_frame(result.growth, "product")
    return DisplayTable(
        frame,
        formats=dict.fromkeys(frame.columns, PERCENT),
        caption="Growth of gross output against the previous period (percent; none for the "
        "first period).",
    )


def fulfilment_table(result: Any) -> DisplayTable:
    """The targets and how far the plan reaches them."""
    frame = result.fulfilment.copy()
    frame = frame.rename(
        columns={"target": "target", "achieved": "planned output", "ratio": "fulfilment"}
    )
    frame = frame.set_index(pd.Index([str(p) for p in frame["product"]], name="product"))
    frame = frame.drop(columns="product")
    frame["period"] = frame["period"].astype(str)
    return DisplayTable(
        frame,
        formats={"period": TEXT, "fulfilment": PERCENT},
        caption="Targets: gross output set and planned (physical units), and the fulfilment "
        "(planned / target, percent).",
    )


def binding_table(binding: pd.DataFrame, *, caption: str = "") -> DisplayTable:
    """Binding constraints with their shadow prices, largest |shadow price| first."""
    frame = binding.copy()
    if len(frame):
        order = (
            frame["shadow_price"].astype(float).abs().sort_values(ascending=False, kind="stable")
        )
        frame = frame.loc[order.index]
    frame = frame.reset_index(drop=True)
    frame["period"] = frame["period"].astype(str)
    frame = frame.set_index(pd.Index(frame["block"].astype(str), name="block"))
    frame = frame.drop(columns="block").rename(columns={"shadow_price": "shadow price"})
    if "slack" in frame.columns:
        frame["slack"] = pd.to_numeric(frame["slack"], errors="coerce")
    frame["shadow price"] = pd.to_numeric(frame["shadow price"], errors="coerce")
    frame["label"] = frame["label"].astype(str)
    return DisplayTable(
        frame,
        formats={"period": TEXT, "label": TEXT},
        caption=caption
        or "Binding constraints and their shadow prices (change of the objective per unit "
        "more of the bound), largest in magnitude first.",
    )


def verification_items(result: Any) -> dict[str, str]:
    """The verification report as label -> text (empty when there is none)."""
    ver = result.verification
    if ver is None:
        return {}
    if isinstance(ver, dict):
        maxv, tol, passed = ver.get("max_violation", {}), ver.get("tolerance"), ver.get("passed")
    else:
        maxv, tol, passed = ver.max_violation, ver.tolerance, ver.passed
    items = {"verdict": "passed" if passed else "FAILED", "tolerance": f"{float(tol):.0e}"}
    for block, value in maxv.items():
        items[f"largest relative violation: {block}"] = f"{float(value):.2e}"
    return items


def summary_items(result: Any) -> dict[str, str]:
    """Status, objective and size of a plan as label -> text."""
    p = result.provenance or {}
    periods = list(result.periods)
    items = {
        "status": str(result.status),
        "objective": f"{result.objective_kind}: {format_value(result.objective)}",
        "periods": f"{periods[0]}–{periods[-1]} ({len(periods)})" if periods else "—",
    }
    if result.level is not None:
        items["common level"] = format_value(result.level)
    if p:
        items["economy"] = str(p.get("economy", ""))
        items["plan"] = str(p.get("spec", ""))
        items["LP size"] = (
            f"{p.get('n_variables', 0)} variables, {p.get('n_constraints', 0)} constraints, "
            f"{p.get('nnz', 0)} nonzeros"
        )
    return items


# ---------------------------------------------------------------------------- check
def reachable_table(check: Any) -> DisplayTable:
    """Targets with what is reachable jointly and alone, and the shortfall."""
    frame = check.reachable.copy()
    frame = frame.set_index(pd.Index([str(p) for p in frame["product"]], name="product"))
    frame = frame.drop(columns="product")
    frame["period"] = frame["period"].astype(str)
    frame = frame.rename(
        columns={"reachable_jointly": "reachable jointly", "reachable_alone": "reachable alone"}
    )
    for c in frame.columns:
        if c != "period":
            frame[c] = pd.to_numeric(frame[c], errors="coerce")
    return DisplayTable(
        frame,
        formats={"period": TEXT},
        caption="Targets (gross output, physical units): reachable with all targets together, "
        "reachable by each target alone, and the joint shortfall.",
    )


def additions_table(check: Any) -> DisplayTable:
    """The smallest additions that make the targets feasible, by labour cost."""
    frame = check.additions.copy()
    if len(frame):
        frame = frame.sort_values("labour_cost", ascending=False, kind="stable")
    frame = frame.reset_index(drop=True)
    frame = frame.set_index(pd.Index(frame["kind"].astype(str), name="kind")).drop(columns="kind")
    frame["period"] = frame["period"].astype(str)
    frame["label"] = frame["label"].astype(str)
    cost = f"labour cost ({labour_unit(check)})"
    frame = frame.rename(columns={"labour_cost": cost})
    for c in ("amount", cost):
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    return DisplayTable(
        frame,
        formats={"period": TEXT, "label": TEXT},
        caption="Smallest additions making the targets feasible (amount in the unit of the "
        f"limit; cost in {labour_unit(check)}), costliest first.",
    )


# ---------------------------------------------------------------------------- frontier
FRONTIER_COLUMNS = {
    "share": "investment share in means of production",
    "status": "status",
    "cumulative_consumption": "cumulative consumption (labour value)",
    "consumption_per_head": "consumption per head",
    "terminal_capacity_value": "terminal capacity (labour value)",
    "terminal_means_of_production_capacity": "of which means of production",
}


def frontier_table(table: pd.DataFrame, unit: str = "person-years") -> DisplayTable:
    """The frontier, one row per investment share (values in labour, ``unit``)."""
    frame = table.copy()
    if "consumption_per_head" in frame and frame["consumption_per_head"].isna().all():
        frame = frame.drop(columns="consumption_per_head")
    frame = frame.rename(columns=FRONTIER_COLUMNS)
    key = FRONTIER_COLUMNS["share"]
    frame[key] = pd.to_numeric(frame[key], errors="coerce")
    return DisplayTable(
        frame.reset_index(drop=True),
        formats={key: PERCENT, "status": TEXT},
        caption="The accumulation–consumption frontier: for each share of capital spending "
        "going to means of production, the consumption over the horizon and the capacity left "
        f"at its end, both valued at labour values ({unit}).",
    )


# ---------------------------------------------------------------------------- comparison
def comparison_tables(frame: pd.DataFrame, caption: str = "") -> tuple[DisplayTable, DisplayTable]:
    """A comparison as given and as indices relative to its first column (= 100)."""
    values = frame.copy()
    values.index = pd.Index([str(i) for i in values.index], name=values.index.name or "product")
    values.columns = [str(c) for c in values.columns]
    index = index_relative_to_first(values)
    first = values.columns[0] if len(values.columns) else ""
    return (
        DisplayTable(values, caption=caption or "Comparison by product (physical units)."),
        DisplayTable(index, caption=f"The comparison as indices by product ({first} = 100)."),
    )


def provenance_items(info: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested provenance into label -> text."""
    out: dict[str, str] = {}
    for key, value in info.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(provenance_items(value, prefix=f"{name}."))
        elif isinstance(value, (list, tuple)):
            out[name] = ", ".join(str(v) for v in value)
        elif isinstance(value, float):
            out[name] = f"{value:.6g}"
        else:
            out[name] = str(value)
    return out
