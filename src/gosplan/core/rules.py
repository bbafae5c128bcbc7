"""The rules of the plan tables, as data: one row per column of every plan table.

:data:`RULES` says, for every column of every table of a plan (``targets``, ``floors``, ...,
``consumption_weights``), its type, unit, whether it is required (else what it defaults to),
whether a cell may be blank, its bounds and what it means. The rules drive

* the parsing of a plan's files (:mod:`gosplan.plan.reader`: which columns are labels,
  numbers, whole numbers or text, which cells may be blank);
* the column order of the files written (:mod:`gosplan.plan.writer`);
* the column checks of :class:`~gosplan.core.spec.PlanSpec` (:func:`check_columns`: labels
  known to the economy, periods within the horizon, numbers within bounds, no repeated key);
* the column tables of ``docs/plan-format.md`` (:func:`rules_markdown`; a test keeps the
  document equal to the rules).

Types: ``label`` (a label of ``kind`` product, activity, labour_type, resource or period: a
period is a whole number that must lie within the horizon), ``number``, ``integer`` (a whole
number), ``text`` and ``bool``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from gosplan.core.checks import Check, Problems

#: Largest magnitude of a number in a plan: HiGHS treats 1e20 and beyond as infinite.
LARGEST_NUMBER = 1e15

ColumnType = Literal["label", "number", "integer", "text", "bool"]
#: Kinds of labels, and how messages name them.
LABEL_KINDS: dict[str, str] = {
    "product": "product",
    "activity": "activity",
    "labour_type": "labour type",
    "resource": "resource",
    "period": "period",
}


@dataclass(frozen=True)
class ColumnRule:
    """The rule of one column of one plan table.

    Attributes
    ----------
    table, column
        The table and the column.
    type
        ``"label"``, ``"number"``, ``"integer"``, ``"text"`` or ``"bool"``.
    kind
        For a label: ``"product"``, ``"activity"``, ``"labour_type"``, ``"resource"`` or
        ``"period"``.
    unit
        The unit of the values, in words.
    required
        Whether the table must have the column.
    default
        What an absent column (and, where ``blank``, a blank cell) means.
    blank
        Whether a cell may be blank.
    min, max
        Bounds of a number (``None``: none); ``min`` is inclusive, ``max`` inclusive unless
        ``max_strict``.
    max_strict
        The value must stay below ``max``.
    key
        The column is part of the key of a row: no two rows may have the same key.
    description
        What the column means.
    bound_message
        The message of a value above ``max`` (``{value}`` is replaced by the value).
    """

    table: str
    column: str
    type: ColumnType
    kind: str | None = None
    unit: str = ""
    required: bool = True
    default: str = ""
    blank: bool = False
    min: float | None = 0.0
    max: float | None = None
    max_strict: bool = False
    key: bool = False
    description: str = ""
    bound_message: str = ""

    @property
    def is_number(self) -> bool:
        """Whether the cells are numbers (periods included)."""
        return self.type in ("number", "integer") or self.kind == "period"

    @property
    def is_integer(self) -> bool:
        """Whether the cells are whole numbers (periods included)."""
        return self.type == "integer" or self.kind == "period"


def _label(table: str, kind: str, description: str, **more: object) -> ColumnRule:
    return ColumnRule(table, kind, "label", kind=kind, key=True, description=description, **more)  # type: ignore[arg-type]


def _period(table: str, description: str = "period of the horizon", **more: object) -> ColumnRule:
    return ColumnRule(
        table,
        "period",
        "label",
        kind="period",
        unit="year",
        key=True,
        description=description,
        **more,  # type: ignore[arg-type]
    )


def _number(table: str, column: str, unit: str, description: str, **more: object) -> ColumnRule:
    return ColumnRule(table, column, "number", unit=unit, description=description, **more)  # type: ignore[arg-type]


def _optional(
    table: str, column: str, unit: str, default: str, description: str, **more: object
) -> ColumnRule:
    return ColumnRule(
        table,
        column,
        "number",
        unit=unit,
        required=False,
        default=default,
        blank=True,
        description=description,
        **more,  # type: ignore[arg-type]
    )


_BELOW_ONE = "must be below 1 (got {value:g})"

#: Every column of every plan table, in the order of the files written.
RULES: tuple[ColumnRule, ...] = (
    _label("targets", "product", "the product whose gross output (deliveries) is targeted"),
    _period("targets"),
    _number("targets", "target", "unit of the product", "gross output in the period"),
    _optional("targets", "priority", "", "1", "weight of the target in harmony"),
    _label("assortment", "product", "a product of the bundle of final uses"),
    _number("assortment", "weight", "unit of the product", "quantity in one bundle"),
    _period("assortment", "the period of the bundle", required=False, default="every period"),
    _label("floors", "product", "the product"),
    _period("floors"),
    _number("floors", "floor", "unit of the product", "least free final use allowed"),
    _label("labour_available", "labour_type", "the labour type (types not listed: unlimited)"),
    _period("labour_available"),
    _number("labour_available", "available", "unit of the labour type", "labour available"),
    _label("resources_available", "resource", "the resource (not listed: unlimited)"),
    _period("resources_available"),
    _number("resources_available", "available", "unit of the resource", "resource available"),
    _label("vintages", "activity", "the activity"),
    ColumnRule(
        "vintages",
        "year_built",
        "integer",
        unit="year",
        min=None,
        key=True,
        description="year built, before the first period",
    ),
    _number("vintages", "capacity", "unit of the activity's product", "capacity of the vintage"),
    _label("lags", "activity", "the activity"),
    ColumnRule(
        "lags",
        "lag",
        "integer",
        unit="periods",
        description="investment lag, shorter than the horizon",
    ),
    _label("depreciation", "activity", "the activity"),
    _number(
        "depreciation",
        "rate",
        "per period",
        "geometric loss of capacity per period",
        max=1.0,
        max_strict=True,
        bound_message="a depreciation rate " + _BELOW_ONE,
    ),
    _label("initial_stocks", "product", "the product (it can then be stored)"),
    _number("initial_stocks", "stock", "unit of the product", "stock at the start"),
    _label("storage", "product", "a product that can be stored"),
    _optional(
        "storage",
        "loss",
        "per period",
        "0",
        "share of a stock lost per period",
        max=1.0,
        max_strict=True,
        bound_message="a storage loss " + _BELOW_ONE + ": the whole stock would be lost",
    ),
    _optional("storage", "max_stock", "unit of the product", "unlimited", "largest stock held"),
    _label("trade", "product", "a product that may be traded"),
    _number("trade", "world_price", "world price per unit", "price in the trade balance"),
    _optional("trade", "import_limit", "unit of the product", "unlimited", "most imported"),
    _optional("trade", "export_limit", "unit of the product", "unlimited", "most exported"),
    _label("terminal_capacity", "activity", "the activity"),
    _number(
        "terminal_capacity", "capacity", "unit of the activity's product", "capacity at the end"
    ),
    _label("fixed_final_demand", "product", "the product"),
    _period("fixed_final_demand"),
    _number("fixed_final_demand", "quantity", "unit of the product", "final use fixed in advance"),
    _label("lead_times", "activity", "the activity"),
    ColumnRule(
        "lead_times",
        "lead_time",
        "integer",
        unit="periods",
        description="production lead time, shorter than the horizon",
    ),
    _label("construction", "activity", "the activity"),
    ColumnRule(
        "construction",
        "offset",
        "integer",
        unit="periods",
        key=True,
        description="periods after the start, below max(lag, 1)",
    ),
    _number("construction", "share", "share", "share of the investment spent then; sum 1"),
    _label("construction_labour", "labour_type", "the labour type"),
    _label("construction_labour", "activity", "the activity"),
    _number(
        "construction_labour",
        "coefficient",
        "labour per unit of new capacity",
        "construction labour",
    ),
    _label("investment_limits", "activity", "a capacity-limited activity"),
    _period(
        "investment_limits",
        "the period the capacity is started",
        required=False,
        default="every period",
        blank=True,
    ),
    _optional("investment_limits", "min", "unit of the activity's product", "0", "least started"),
    _optional(
        "investment_limits", "max", "unit of the activity's product", "unlimited", "most started"
    ),
    _label("construction_in_progress", "activity", "a capacity-limited activity"),
    ColumnRule(
        "construction_in_progress",
        "completion",
        "integer",
        unit="year",
        min=None,
        key=True,
        description="period the capacity comes into service (first period to last + 1)",
    ),
    _number(
        "construction_in_progress",
        "capacity",
        "unit of the activity's product",
        "capacity it adds on completion",
    ),
    _number(
        "construction_in_progress",
        "remaining",
        "share of the capital cost",
        "capital goods (and construction labour) still to spend, per unit of its capacity",
    ),
    ColumnRule(
        "objective_weights",
        "quantity",
        "text",
        key=True,
        description="output, activity, capacity, investment, employment, consumption or stocks",
    ),
    ColumnRule(
        "objective_weights",
        "label",
        "text",
        required=False,
        default="every label",
        blank=True,
        key=True,
        description="product, activity or labour type of the quantity",
    ),
    _period(
        "objective_weights",
        "the period (capacity: also the last + 1)",
        required=False,
        default="every period",
        blank=True,
    ),
    _number(
        "objective_weights",
        "weight",
        "per unit of the quantity",
        "weight (may be negative)",
        min=None,
    ),
    _label("consumption_weights", "product", "a consumption good"),
    _number("consumption_weights", "weight", "per unit of the product", "value of consumption"),
)

#: The tables of a plan, in the order of :data:`RULES`.
PLAN_TABLE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(rule.table for rule in RULES))


def rules_of(table: str) -> tuple[ColumnRule, ...]:
    """The rules of the columns of ``table``, in file order."""
    return tuple(rule for rule in RULES if rule.table == table)


def rule_of(table: str, column: str) -> ColumnRule | None:
    """The rule of one column (``None``: the column has no rule, an extra text column)."""
    return next((r for r in RULES if r.table == table and r.column == column), None)


def required_columns(table: str) -> tuple[str, ...]:
    """The columns ``table`` must have, in file order."""
    return tuple(rule.column for rule in rules_of(table) if rule.required)


def key_columns(table: str) -> tuple[str, ...]:
    """The columns forming the key of a row of ``table``."""
    return tuple(rule.column for rule in rules_of(table) if rule.key)


def column_order(table: str, columns: list[str]) -> list[str]:
    """``columns`` in file order: the columns with a rule first, then the others as given."""
    known = [rule.column for rule in rules_of(table) if rule.column in columns]
    return known + [c for c in columns if c not in known]


# ---------------------------------------------------------------------- documentation
def _type_text(rule: ColumnRule) -> str:
    if rule.type == "label":
        return f"{LABEL_KINDS[rule.kind or '']} label"
    return {"integer": "whole number"}.get(rule.type, rule.type)


def _bounds_text(rule: ColumnRule) -> str:
    if not rule.is_number or rule.kind == "period":
        return ""
    parts = []
    if rule.min is not None:
        parts.append(f"≥ {rule.min:g}")
    if rule.max is not None:
        parts.append(f"{'<' if rule.max_strict else '≤'} {rule.max:g}")
    return ", ".join(parts) if parts else "any sign"


def rules_markdown(table: str) -> str:
    """The Markdown table of the columns of ``table`` (as in ``docs/plan-format.md``).

    Parameters
    ----------
    table
        A plan table (:data:`PLAN_TABLE_NAMES`).

    Returns
    -------
    str
        A heading line naming the table, then a Markdown table: column, type, unit,
        required (or default), bounds and meaning; ends with a newline.
    """
    lines = [
        f"**{table}**",
        "",
        "| column | type | unit | required | bounds | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for rule in rules_of(table):
        need = "required" if rule.required else f"optional (default: {rule.default})"
        if rule.blank:
            need += ", blank cells allowed"
        cells = (
            f"`{rule.column}`",
            _type_text(rule),
            rule.unit or "–",
            need,
            _bounds_text(rule) or "–",
        )
        lines.append("| " + " | ".join((*cells, rule.description)) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- checks
def check_columns(
    name: str,
    table: pd.DataFrame,
    *,
    known: Mapping[str, pd.Index],
    periods: tuple[int, ...],
    source: str,
    problems: Problems,
    period_ok: np.ndarray | None = None,
) -> np.ndarray | None:
    """Check the columns of one plan table against its rules, vectorised.

    Parameters
    ----------
    name, table
        The table's name and contents.
    known
        The labels of the economy by kind (``product``, ``activity``, ``labour_type``,
        ``resource``).
    periods
        The plan's periods.
    source, problems
        How messages name the table, and where problems go (rows numbered as on disk, the
        header being row 1).
    period_ok
        Rows whose period may lie outside the horizon (the end of the horizon of a
        ``capacity`` weight).

    Returns
    -------
    numpy.ndarray or None
        Whether each row passed every check; ``None`` when a required column is missing
        (the table cannot be used at all).
    """
    missing = [c for c in required_columns(name) if c not in table.columns]
    for col in missing:
        problems.add(f"missing column {col!r}", source=source, check=Check.MISSING_COLUMN)
    if missing:
        return None
    clean = np.ones(len(table), dtype=bool)
    if not len(table):
        return clean
    first = table[table.columns[0]].astype(str).to_numpy()
    for rule in rules_of(name):
        if rule.column not in table.columns:
            continue
        column = table[rule.column]
        if rule.kind == "period":
            bad = _check_period(rule, column, periods, source, problems, first, period_ok)
        elif rule.type == "label":
            bad = _check_label(rule, column, known[rule.kind or ""], source, problems)
        elif rule.is_number:
            bad = _check_number(rule, column, source, problems, first)
        elif rule.type == "text" and not rule.blank:
            bad = column.isna().to_numpy() | (column.astype(str).str.strip() == "").to_numpy()
            problems.add_rows(
                bad,
                f"{rule.column} is missing",
                source=source,
                labels=None,
                check=Check.MISSING_VALUE,
            )
        else:
            continue
        clean &= ~bad
    keys = [c for c in key_columns(name) if c in table.columns]
    dup = table.duplicated(keys).to_numpy() if keys else np.zeros(len(table), dtype=bool)
    if dup.any():
        problems.add_rows(
            dup,
            "appears twice",
            source=source,
            labels=_KeyLabels([table[k].to_numpy(dtype=object) for k in keys]),
            check=Check.DUPLICATE_LABEL,
        )
        clean &= ~dup
    return clean


class _KeyLabels:
    """The key of a row as a label (``"steel / 1929"``), computed only for rows reported."""

    def __init__(self, columns: list[np.ndarray]) -> None:
        self.columns = columns

    def __getitem__(self, i: int) -> str:
        return " / ".join(str(c[i]) for c in self.columns)


def _check_label(
    rule: ColumnRule, column: pd.Series, labels: pd.Index, source: str, problems: Problems
) -> np.ndarray:
    bad = ~pd.Index(column).isin(labels)
    what = LABEL_KINDS[rule.kind or ""]
    problems.add_rows(
        bad,
        f"unknown {what}",
        source=source,
        labels=column.astype(str).to_numpy(),
        check=Check.UNKNOWN_LABEL,
    )
    return np.asarray(bad)


def _check_period(
    rule: ColumnRule,
    column: pd.Series,
    periods: tuple[int, ...],
    source: str,
    problems: Problems,
    first: np.ndarray,
    period_ok: np.ndarray | None,
) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(values, np.asarray(periods, dtype=float))
    if rule.blank:
        bad &= pd.notna(column).to_numpy()  # blank: every period
    if period_ok is not None:
        bad &= ~period_ok
    shown = column.to_numpy(dtype=object)
    problems.add_rows(
        bad,
        lambda i: f"period {_shown(shown[i])} is not in the horizon {periods[0]}–{periods[-1]}",
        source=source,
        labels=first,
        check=Check.UNKNOWN_LABEL,
    )
    return bad


def _shown(value: object) -> str:
    """A period for a message: ``1935`` rather than ``1935.0``."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def _check_number(
    rule: ColumnRule, column: pd.Series, source: str, problems: Problems, first: np.ndarray
) -> np.ndarray:
    col = rule.column
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    nan = np.isnan(values)
    bad_nan = nan & ~np.full(len(values), rule.blank)
    problems.add_rows(
        bad_nan,
        f"{col} is missing or not a number",
        source=source,
        labels=first,
        check=Check.NON_NUMERIC,
    )
    with np.errstate(invalid="ignore"):
        huge = np.abs(values) >= LARGEST_NUMBER
        low = values < rule.min if rule.min is not None else np.zeros(len(values), dtype=bool)
        if rule.max is None:
            high = np.zeros(len(values), dtype=bool)
        else:
            high = values >= rule.max if rule.max_strict else values > rule.max
        fraction = (values != np.round(values)) & ~nan & rule.is_integer
    problems.add_rows(
        huge,
        lambda i: (
            f"{col} {values[i]:g} is too large for the solver (at most {LARGEST_NUMBER:g} in "
            "magnitude; use a blank cell for no limit)"
        ),
        source=source,
        labels=first,
        check=Check.VALUE_TOO_LARGE,
    )
    low &= ~huge
    high &= ~huge
    problems.add_rows(
        low,
        lambda i: (
            f"{col} is negative ({values[i]:g})"
            if rule.min == 0
            else f"{col} must be at least {rule.min:g} (got {values[i]:g})"
        ),
        source=source,
        labels=first,
        check=Check.NEGATIVE_VALUE if rule.min == 0 else Check.OUT_OF_RANGE,
    )
    problems.add_rows(
        high,
        lambda i: (
            rule.bound_message.format(value=values[i])
            if rule.bound_message
            else f"{col} must be {'below' if rule.max_strict else 'at most'} {rule.max:g} "
            f"(got {values[i]:g})"
        ),
        source=source,
        labels=first,
        check=Check.OUT_OF_RANGE,
    )
    problems.add_rows(
        fraction,
        lambda i: f"{col} must be a whole number, got {values[i]:g}",
        source=source,
        labels=first,
        check=Check.NON_NUMERIC,
    )
    return bad_nan | huge | low | high | fraction
