"""A plan specification as a JSON document, and the way back, without files.

The document is what the on-disk plan format (``docs/plan-format.md``) holds, in one strict
JSON value: the manifest's settings with the keys and values of ``plan.toml`` (``name``,
``economy``, ``periods``, ``objective``, ``default_lag``, ``discount``, ``trade_deficit``
and, when not at their defaults, ``terminal_growth``, ``investment_share``, ``storable``,
``terminal``, ``sense``), then ``tables``: every non-empty table as a list of rows, each
row an object over the table's columns in the order of their rules
(:data:`gosplan.core.rules.RULES`, extra columns last)::

    {"name": "plan", "economy": "scenario:ussr-1928", "periods": [1929, 1930], ...,
     "tables": {"targets": [{"product": "coal", "period": 1930, "target": 40.0,
                             "priority": null}]}}

Labels and text are strings, periods and whole numbers integers, numbers floats; a blank
cell (an absent optional value, written as an empty cell in a file) is ``null``; an
infinity, which no valid spec holds, would be ``"inf"``/``"-inf"`` as in every result
document (:func:`gosplan.core.serial.finite`).

:func:`spec_from_dict` parses the cells by the same rules as :func:`gosplan.plan.read_spec`
and then checks the spec as a whole (:class:`~gosplan.core.spec.PlanSpec`), reporting every
problem at once. A table is named ``"{source}: {table}"``; its rows are numbered as in a
file (the header being row 1), so row ``n`` is the row at index ``n - 2`` of the table's
list; a cell's column is named in the message.

This module stays in the value layer: the economy is given as a value (a document names it
only by reference, e.g. ``scenario:ussr-1928``, which the caller resolves).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.checks import Check, Problems
from gosplan.core.economy import Economy
from gosplan.core.rules import (
    LABEL_KINDS,
    PLAN_TABLE_NAMES,
    ColumnRule,
    column_order,
    required_columns,
    rule_of,
)
from gosplan.core.serial import finite
from gosplan.core.spec import PlanSpec, objective_needs
from gosplan.errors import InputError, ValidationError, validation_error

__all__ = ["DOCUMENT_KEYS", "SETTINGS", "spec_from_dict", "spec_to_dict"]

#: Keys a spec document may have: the keys of a plan manifest (``plan.toml``).
DOCUMENT_KEYS = frozenset(
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

#: Settings of a plan: key, type and default (``None``: not set).
SETTINGS: tuple[tuple[str, type, Any], ...] = (
    ("objective", str, "max_level"),
    ("default_lag", int, 1),
    ("discount", float, 0.0),
    ("terminal_growth", float, None),
    ("trade_deficit", float, 0.0),
    ("investment_share", float, None),
    ("storable", str, "listed"),
    ("terminal", str, "none"),
    ("sense", str, "max"),
)
#: Settings written only when they differ from their default, as the manifest writer does.
_OPTIONAL = ("terminal_growth", "investment_share", "storable", "terminal", "sense")


# ---------------------------------------------------------------------- out
def spec_to_dict(spec: PlanSpec, economy: str | None = None) -> dict[str, Any]:
    """A plan specification as a strict-JSON document.

    Parameters
    ----------
    spec
        The specification.
    economy
        How the document names the economy, as a manifest does (``"scenario:NAME"`` or a
        directory); ``None`` leaves the key out (a spec holds its economy as a value).

    Returns
    -------
    dict
        The manifest's settings (as ``plan.toml`` has them) and ``tables``, every non-empty
        table as a list of rows; :func:`spec_from_dict` gives back an equal spec.

    Examples
    --------
    >>> from gosplan.datasets import spec_path
    >>> from gosplan.plan import read_spec
    >>> doc = spec_to_dict(read_spec(spec_path("ussr-1928", "basic")), "scenario:ussr-1928")
    >>> doc["economy"], doc["periods"][0], doc["tables"]["targets"][0]["product"]
    ('scenario:ussr-1928', 1929, 'coal')
    """
    doc: dict[str, Any] = {"name": spec.name}
    if economy is not None:
        doc["economy"] = str(economy)
    doc |= {
        "periods": [int(p) for p in spec.periods],
        "objective": spec.objective,
        "default_lag": int(spec.default_lag),
        "discount": float(spec.discount),
        "trade_deficit": float(spec.trade_deficit),
    }
    defaults = {key: default for key, _, default in SETTINGS}
    for key in _OPTIONAL:
        value = getattr(spec, key)
        if value is not None and value != defaults[key]:
            doc[key] = value if isinstance(value, str) else float(value)
    tables = {name: _table_rows(spec, name) for name in PLAN_TABLE_NAMES}
    doc["tables"] = {name: rows for name, rows in tables.items() if rows}
    return doc


def _table_rows(spec: PlanSpec, name: str) -> list[dict[str, Any]]:
    """The rows of one table, columns in the order of their rules."""
    if name == "consumption_weights":
        weights = spec.consumption_weights
        if weights is None:
            return []
        table = pd.DataFrame(
            {"product": pd.Index(weights.index), "weight": weights.to_numpy(dtype=float)}
        )
    else:
        table = getattr(spec, name)
    columns = column_order(name, [str(c) for c in table.columns])
    table = table.set_axis([str(c) for c in table.columns], axis=1)
    cells = {col: _cells_out(table[col], rule_of(name, col)) for col in columns}
    return [dict(zip(columns, row, strict=True)) for row in zip(*cells.values(), strict=True)]


def _cells_out(column: pd.Series, rule: ColumnRule | None) -> list[Any]:
    """One column as JSON values: ``None`` for a blank cell, text where there is no rule."""

    def convert(value: Any) -> Any:
        if rule is not None and rule.is_integer:
            return int(value)
        if rule is not None and rule.is_number:
            return finite(float(value))
        return str(value)

    blank = pd.isna(column).to_numpy()
    values = column.to_numpy(dtype=object)
    return [None if b else convert(v) for v, b in zip(values, blank, strict=True)]


# ---------------------------------------------------------------------- in
def spec_from_dict(
    doc: Mapping[str, Any], economy: Economy | None = None, source: str = "spec document"
) -> PlanSpec:
    """The plan specification of a document (:func:`spec_to_dict`), checked as a whole.

    Parameters
    ----------
    doc
        The document: settings as in a plan manifest (``periods``, or ``start`` and
        ``horizon``; a setting given as ``None`` takes its default) and ``tables``, each a
        list of rows (an empty list is no table). ``economy`` and ``description`` are kept
        for the reader of the document only.
    economy
        The economy planned (the document only names it; resolve the name first, e.g. with
        ``gosplan.read_economy(gosplan.datasets.scenario_path(name))``).
    source
        How messages name the document; a table is ``"{source}: {table}"``.

    Returns
    -------
    PlanSpec
        The validated specification (complete for its objective).

    Raises
    ------
    gosplan.errors.ValidationError
        Listing every problem, as :func:`gosplan.plan.read_spec` does: an unknown key,
        table or column (a column without a rule may only hold text), a bad setting, a cell
        of the wrong type, missing or out of bounds, a missing required column, an unknown
        label, and every check of :class:`~gosplan.core.spec.PlanSpec`. A table's problems
        name ``"{source}: {table}"``, the row as in a file (index in the list + 2), the
        row's label and, in the message, the column.
    InputError
        With ``check="bad_argument"`` when ``doc`` is not a mapping or ``economy`` not an
        :class:`~gosplan.core.economy.Economy`.

    Examples
    --------
    >>> from gosplan.datasets import spec_path
    >>> from gosplan.plan import read_spec
    >>> spec = read_spec(spec_path("ussr-1928", "basic"))
    >>> doc = spec_to_dict(spec, "scenario:ussr-1928")
    >>> spec_from_dict(doc, spec.economy).targets.equals(spec.targets)
    True
    >>> doc["tables"]["targets"][0]["target"] = "plenty"
    >>> try:
    ...     spec_from_dict(doc, spec.economy)
    ... except InputError as err:
    ...     print(err)
    spec document: targets, row 2, label 'coal': target is not a number: 'plenty'
    """
    economy = _check_arguments(doc, economy)
    problems = Problems()
    for key in doc:
        if key not in DOCUMENT_KEYS:
            known = ", ".join(sorted(DOCUMENT_KEYS))
            message = f"unknown key of a spec document; known keys are {known}"
            problems.add(message, source=source, label=str(key), check=Check.UNKNOWN_KEY)
    for key in ("economy", "description"):
        _setting(doc, key, str, None, source, problems)
    try:
        periods = _periods(doc, source)
    except InputError as exc:
        problems.extend(exc)
        raise validation_error(problems.problems()) from exc
    settings = {
        key: _setting(doc, key, kind, dflt, source, problems) for key, kind, dflt in SETTINGS
    }
    settings["name"] = _setting(doc, "name", str, "plan", source, problems)
    tables, unusable = _tables(doc.get("tables"), source, problems)
    weights = _weights(tables.pop("consumption_weights", None), source, problems)
    fields = {"economy": economy, "periods": periods, **settings, **tables}
    fields["consumption_weights"] = weights
    return _build(fields, source, problems, unusable)


def _where(source: str, name: str) -> str:
    """How messages name table ``name`` of a document."""
    return f"{source}: {name}"


def _check_arguments(doc: object, economy: object) -> Economy:
    """``economy``, when ``doc`` is a mapping and ``economy`` an Economy."""
    if not isinstance(doc, Mapping):
        raise InputError(
            f"a spec document is a mapping (a JSON object), got {type(doc).__name__}",
            check=Check.BAD_ARGUMENT,
        )
    if not isinstance(economy, Economy):
        named = doc.get("economy")
        raise InputError(
            "spec_from_dict needs the economy as an Economy (the document names it only"
            + (f" as {named!r}" if isinstance(named, str) else "")
            + f"), got {type(economy).__name__}",
            check=Check.BAD_ARGUMENT,
        )
    return economy


def _setting(
    doc: Mapping[str, Any], key: str, kind: type, default: Any, source: str, problems: Problems
) -> Any:
    """The document's ``key`` as ``kind`` (``default`` when absent, ``None`` or, recorded, bad)."""
    value = doc.get(key)
    if value is None:
        return default
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
    else:
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        what = {int: "an integer", float: "a finite number", str: "text"}[kind]
        problems.add(
            f"must be {what}, got {value!r}", source=source, label=key, check=Check.BAD_SETTING
        )
        return default
    return kind(value)


def _periods(doc: Mapping[str, Any], source: str) -> tuple[int, ...]:
    """The horizon: ``periods``, or ``start`` and ``horizon`` (an error stops the reading)."""

    def bad(message: str, label: str | None = "periods") -> InputError:
        return InputError(message, source=source, label=label, check=Check.BAD_SETTING)

    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    has_list = doc.get("periods") is not None
    if has_list and (doc.get("start") is not None or doc.get("horizon") is not None):
        raise bad("give either periods or start and horizon, not both")
    if has_list:
        periods = doc["periods"]
        if not isinstance(periods, list | tuple) or not all(whole(p) for p in periods):
            raise bad("periods must be a list of integers")
        if not periods:
            raise bad("the horizon has no periods")
        if list(periods) != sorted(set(periods)):
            raise bad("periods must be distinct and increasing")
        return tuple(int(p) for p in periods)
    if doc.get("start") is None and doc.get("horizon") is None:
        raise bad("a spec document needs periods (a list) or start and horizon", None)
    values: dict[str, int] = {}
    for key in ("start", "horizon"):
        value = doc.get(key)
        if value is None:
            raise bad(f"{key} is missing (start and horizon go together)", None)
        if not whole(value):
            raise bad(f"must be an integer, got {value!r}", key)
        values[key] = int(value)
    start, horizon = values["start"], values["horizon"]
    if horizon < 1:
        raise bad("horizon must be at least 1", "horizon")
    return tuple(range(start, start + horizon))


def _tables(given: Any, source: str, problems: Problems) -> tuple[dict[str, pd.DataFrame], bool]:
    """Parse every table of the document.

    Returns
    -------
    tables, unusable
        The parsed tables (an empty list is left out), and whether some table could not be
        used at all (its problem recorded).
    """
    if given is None:
        return {}, False
    if not isinstance(given, Mapping):
        message = "tables must be an object of tables (name: list of rows)"
        problems.add(message, source=source, label="tables", check=Check.BAD_SETTING)
        return {}, True
    tables: dict[str, pd.DataFrame] = {}
    unusable = False
    for name, rows in given.items():
        if name not in PLAN_TABLE_NAMES:
            problems.add(
                f"unknown table; known tables are {', '.join(PLAN_TABLE_NAMES)}",
                source=_where(source, "tables"),
                label=str(name),
                check=Check.UNKNOWN_KEY,
            )
            unusable = True
            continue
        where = _where(source, name)
        if not isinstance(rows, list | tuple):
            message = f"a table is a list of rows (objects), got {type(rows).__name__}"
            problems.add(message, source=where, check=Check.BAD_SETTING)
            unusable = True
            continue
        odd = [i for i, row in enumerate(rows) if not isinstance(row, Mapping)]
        for i in odd:
            message = f"a row is an object (column: value), got {type(rows[i]).__name__}"
            problems.add(message, source=where, row=i + 2, check=Check.BAD_SETTING)
        if odd:
            unusable = True
        elif rows:
            tables[name] = _parse_rows(name, list(rows), where, problems)
    return tables, unusable


def _parse_rows(
    name: str, rows: list[Mapping[str, Any]], where: str, problems: Problems
) -> pd.DataFrame:
    """Type one table's columns by their rules; bad cells are recorded and read as blank.

    The columns are those of the rows, in the order they first appear (a row without a
    column has a blank cell there); missing columns are left to the spec's checks.
    """
    columns = list(dict.fromkeys(str(c) for row in rows for c in row))
    first = required_columns(name)[0]
    labels = [_shown_label(row.get(first)) for row in rows]
    typed: dict[str, pd.Series] = {}
    for col in columns:
        values = [row.get(col) for row in rows]
        rule = rule_of(name, col)
        cells = _Cells(col, values, where, problems, labels)
        if rule is None:
            typed[col] = cells.extra()
        elif rule.is_number:
            typed[col] = cells.numbers(rule)
        elif rule.type == "text" and rule.blank:
            typed[col] = cells.text()
        else:
            typed[col] = cells.labels()
    return pd.DataFrame(typed, index=pd.RangeIndex(len(rows)))


def _shown_label(value: Any) -> str | None:
    """The label of a row for messages (``None`` when the cell is blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


class _Cells:
    """The cells of one column of a document's table, parsed by the column's rule.

    Parameters
    ----------
    column, values
        The column's name and its cells (JSON values; ``None`` for a blank).
    where, problems, labels
        How messages name the table, where problems go, and each row's label.
    """

    def __init__(
        self,
        column: str,
        values: list[Any],
        where: str,
        problems: Problems,
        labels: list[str | None],
    ) -> None:
        self.column = column
        self.values = values
        self.where = where
        self.problems = problems
        self.row_labels = labels

    def add(self, i: int, message: str, check: str, label: bool = True) -> None:
        """Record a problem of the cell of row position ``i``."""
        shown = self.row_labels[i] if label else None
        self.problems.add(message, source=self.where, row=i + 2, label=shown, check=check)

    def blank(self, value: Any) -> bool:
        """Whether a cell is blank: ``None``, NaN or text of only blanks."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return True
        return isinstance(value, str) and not value.strip()

    def strings(self, what: str, check: str) -> np.ndarray:
        """The cells as text (NaN where blank); a cell that is not text is recorded, blank."""
        out = np.full(len(self.values), np.nan, dtype=object)
        for i, value in enumerate(self.values):
            if self.blank(value):
                continue
            if isinstance(value, str):
                out[i] = value
            else:
                self.add(i, f"{self.column} {what}, got {value!r}", check)
        return out

    def labels(self) -> pd.Series:
        """A label column (or text that must be given): stripped text, ``""`` where blank."""
        what = LABEL_KINDS.get(self.column, self.column)
        out = np.full(len(self.values), "", dtype=object)
        for i, value in enumerate(self.values):
            if self.blank(value):
                self.add(i, f"{what} is missing", Check.MISSING_VALUE, label=False)
            elif isinstance(value, str):
                out[i] = value.strip()
            else:
                self.add(i, f"{self.column} must be text, got {value!r}", Check.BAD_SETTING)
        return pd.Series(out, dtype=str, name=self.column)

    def text(self) -> pd.Series:
        """A text column whose cells may be blank (NaN)."""
        values = self.strings("must be text", Check.BAD_SETTING)
        return pd.Series(values, dtype=str, name=self.column)

    def extra(self) -> pd.Series:
        """A column without a rule: text (notes, sources) kept as it is."""
        message = "is not a column of the table: a column without a rule holds only text"
        return pd.Series(self.strings(message, Check.UNKNOWN_KEY), dtype=str, name=self.column)

    def numbers(self, rule: ColumnRule) -> pd.Series:
        """A number column; a blank cell is recorded unless the rule allows it."""
        col = self.column
        out = np.full(len(self.values), np.nan)
        for i, value in enumerate(self.values):
            if self.blank(value) and not isinstance(value, str):
                if not rule.blank:
                    self.add(i, f"{col} is missing", Check.MISSING_VALUE)
            elif isinstance(value, bool) or not isinstance(value, int | float):
                self.add(i, f"{col} is not a number: {value!r}", Check.NON_NUMERIC)
            elif not math.isfinite(value):
                self.add(i, f"{col} is not a number: {value!r}", Check.NON_NUMERIC)
            elif rule.is_integer and float(value) != round(value):
                self.add(i, f"{col} must be a whole number, got {value!r}", Check.NON_NUMERIC)
            else:
                out[i] = float(value)
        if rule.is_integer and not np.isnan(out).any():
            return pd.Series(out.astype(np.int64), name=col)
        return pd.Series(out, name=col)


def _weights(table: pd.DataFrame | None, source: str, problems: Problems) -> pd.Series | None:
    """The consumption weights table as a Series by product (``None``: none, or unusable)."""
    if table is None:
        return None
    missing = [c for c in required_columns("consumption_weights") if c not in table.columns]
    for col in missing:
        problems.add(
            f"missing column {col!r}",
            source=_where(source, "consumption_weights"),
            check=Check.MISSING_COLUMN,
        )
    if missing:
        return None
    return pd.Series(
        table["weight"].to_numpy(dtype=float),
        index=pd.Index(table["product"], name="product"),
        name="weight",
    )


def _build(fields: dict[str, Any], source: str, problems: Problems, unusable: bool) -> PlanSpec:
    """Build (and so validate) the spec; raise every problem of the parsing and the spec.

    A row with a problem found while parsing is not reported again by the spec's checks (its
    bad cells read as blank), and when a table could not be used the spec's complaints that
    a table is missing are left out.
    """
    sources = {name: _where(source, name) for name in PLAN_TABLE_NAMES}
    try:
        spec = PlanSpec(**fields, source=source, sources=sources)
        found: list[InputError] = []
    except ValidationError as exc:
        found = exc.problems
    found += objective_needs(fields["objective"], fields, source, sources["objective_weights"])
    parsed = problems.problems()
    rows = {(p.source, p.row) for p in parsed if p.row is not None}
    texts = {str(p) for p in parsed}
    merged = parsed + [
        p
        for p in found
        if (p.source, p.row) not in rows
        and str(p) not in texts
        and not (unusable and p.check == Check.MISSING_TABLE)
    ]
    if merged:
        raise validation_error(merged)
    return spec
