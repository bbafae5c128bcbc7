"""Fulfilment of the control figures: the enterprises' reports against their figures.

An *actuals* table has one row per report: columns ``enterprise, period, product, output``,
optionally ``month`` (1..12; without it every report is annual, month 0), and any number of

* ``labour:<type>`` columns: the labour of that type used on the report;
* ``received:<product>`` columns: the quantity of that input received.

A blank labour or received cell is "not reported". An enterprise that makes several products
may give its labour and inputs on one of its reports or split them over them: the cause of a
shortfall compares their sum over the enterprise's reports of a period and month with the
enterprise's figures. Other columns are ignored.

:func:`read_actuals` reads and checks such a table; :func:`fulfilment` measures it against
the control figures and returns a :class:`~gosplan.core.fulfilment_report.FulfilmentReport`
(see its module for the definitions of every column). The work is vectorised over integer
keys (enterprise, product, period, month): label columns given as ``category`` are not
converted to text at all.

:func:`fulfilment` works in stages, each a private step passing arrays (never frames) on:

1. *the plan*: the control figures become lookups by integer key
   ``((enterprise * products + product) * periods + period) * 13 + month``; a month with
   no figure of its own falls back on a twelfth of the annual figure (where the enterprise
   has no monthly ones), an annual report without an annual figure on the sum of the
   monthly ones;
2. *validation*: one step per check of :func:`check_actuals`, every problem collected
   before raising; the valid rows are coded and sorted by key (stably, not at all when in
   order already);
3. *shares and cumulative sums*: each report's plan, share and shortfall, and the running
   sums of plan and actual over each enterprise and product's periods and months (a
   segmented scan, without cancellation);
4. *causes*: a shortfall is put down to the labour type or input whose ratio of used (or
   received, summed over the enterprise's reports of the period and month) to its figure
   is smallest and at most the output share (within :data:`CAUSE_RTOL`), the amount
   being what was missing; else to ``"capacity"``, the amount being the shortfall;
5. *aggregates*: per unit, period, month and product the sums, then a row per unit,
   period and month over its products (see :func:`aggregate`): first the grouping, then
   the building of the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import gosplan
from gosplan.core.checks import Problems
from gosplan.core.fulfilment_report import (
    AGGREGATE_COLUMNS,
    ALL_PRODUCTS,
    TABLE_COLUMNS,
    FulfilmentReport,
)
from gosplan.core.serial import read_table
from gosplan.errors import InputError

#: Required columns of an actuals table.
ACTUAL_COLUMNS = ("enterprise", "period", "product", "output")
#: Prefixes of the labour-used and inputs-received columns.
LABOUR_PREFIX = "labour:"
RECEIVED_PREFIX = "received:"
#: Relative tolerance of "a resource ratio at most the output share".
CAUSE_RTOL = 1e-9
_MONTHS = 13  # month 0 (annual) and 1..12


# ---------------------------------------------------------------------------- labels
def _labels(values: pd.Series) -> pd.Index:
    """The distinct labels of a column, as text, in label order."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(values.cat.categories)))
        text = values.cat.categories.astype(str).to_numpy(object)[used]
        index = pd.Index(text)
        # categories already distinct, in order and free of trailing NULs (which a numpy
        # text array drops): sorting them again would change nothing
        if index.is_monotonic_increasing and not index.str.endswith("\x00").any():
            return index
    else:
        uniq = pd.unique(values.dropna().to_numpy())
        text = np.asarray([str(v) for v in uniq], dtype=object)
    return pd.Index(np.unique(text.astype(str)).astype(object))


def _codes(values: pd.Series, categories: pd.Index) -> np.ndarray:
    """Position of each label in ``categories`` (-1: unknown or missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        mapping = categories.get_indexer(values.cat.categories.astype(str))
        mapping = np.append(mapping, -1)  # code -1 (missing) maps to the last entry
        return mapping[values.cat.codes.to_numpy()].astype(np.int64)
    raw = values.to_numpy(dtype=object)
    missing = np.asarray(pd.isna(raw), dtype=bool)
    text: np.ndarray = np.asarray(np.where(missing, None, raw), dtype=object)
    if not all(isinstance(v, str) for v in pd.unique(text[~missing])):
        text = np.asarray([None if m else str(v) for v, m in zip(raw, missing, strict=True)])
    out = categories.get_indexer(text).astype(np.int64)
    out[missing] = -1
    return out


def _missing_labels(values: pd.Series) -> np.ndarray:
    raw = values.isna().to_numpy()
    if values.dtype == object:
        raw |= (values.astype(object) == "").to_numpy()
    return raw


class _RowLabels:
    """The label of a row of a column, looked up only for the rows reported."""

    def __init__(self, column: pd.Series | np.ndarray) -> None:
        self.column = column

    def __getitem__(self, position: int) -> object:
        column = self.column
        value = column.iloc[position] if isinstance(column, pd.Series) else column[position]
        return None if pd.isna(value) else str(value)


def _sorted(key: np.ndarray) -> bool:
    return bool(len(key) < 2 or (key[1:] >= key[:-1]).all())


def _sort_order(key: np.ndarray) -> np.ndarray:
    """A stable order sorting ``key`` (the identity when it is sorted already)."""
    if _sorted(key):
        return np.arange(len(key))
    return np.argsort(key, kind="stable")


def _runs(sorted_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run number of each entry of a sorted key, and the distinct keys."""
    change = np.empty(len(sorted_key), dtype=bool)
    change[:1] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=change[1:])
    return np.cumsum(change) - 1, sorted_key[change]


def _factorize_sorted(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and sorted distinct values of ``key``."""
    if _sorted(key):
        return _runs(key)
    codes, uniq = pd.factorize(key, sort=True)
    return codes, np.asarray(uniq, dtype=np.int64)


def _groups(key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Codes and sorted distinct values of a key known to lie in ``0..size-1``.

    Without hashing: a table of the possible keys where they are few enough (about the
    number of rows), else as :func:`_factorize_sorted`.
    """
    if size > 4 * len(key) + (1 << 20):
        return _factorize_sorted(key)
    seen = np.zeros(size, dtype=bool)
    seen[key] = True
    uniq = np.flatnonzero(seen)
    rank = np.empty(size, dtype=np.int32 if size < 2**31 else np.intp)
    rank[uniq] = np.arange(len(uniq))
    return rank[key].astype(np.intp), uniq  # intp: what bincount wants


def _take(values: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    """``values[order]`` (``order`` None: the rows are in order already)."""
    return values if order is None else values[order]


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (hashing first: cheap when few)."""
    return np.sort(pd.unique(values))


# ---------------------------------------------------------------------------- lookups
def _isin_sorted(sorted_keys: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = np.searchsorted(sorted_keys, q)
    pos = np.minimum(pos, max(len(sorted_keys) - 1, 0))
    if not len(sorted_keys):
        return np.zeros(len(q), dtype=bool), pos
    return sorted_keys[pos] == q, pos


@dataclass(frozen=True)
class _Lookup:
    """Figures by integer key ``base * 13 + month``, with the month/year fallbacks.

    ``keys`` (sorted) and ``values`` hold the figures given (summed over repeated keys);
    ``annual`` (sorted) and ``annual_values`` the annual sum of every base with monthly
    figures but no annual one. ``monthly`` is the sorted bases that have monthly figures.
    """

    keys: np.ndarray
    values: np.ndarray
    monthly: np.ndarray
    annual: np.ndarray
    annual_values: np.ndarray

    @classmethod
    def build(cls, key: np.ndarray, values: np.ndarray) -> _Lookup:
        key = np.asarray(key, dtype=np.int64)
        values = np.asarray(values, dtype=float)
        keys: np.ndarray
        sums: np.ndarray
        if len(key) < 2 or bool((key[1:] > key[:-1]).all()):
            # distinct and in order: each sum is its one value (bincount adds it to 0.0)
            keys, sums = key, values + 0.0
        else:
            codes, keys = _factorize_sorted(key)
            sums = np.bincount(codes, weights=values, minlength=len(keys))
        base, month = np.divmod(keys, _MONTHS)
        monthly = month > 0
        every_month = bool(monthly.all())
        mb = base if every_month else base[monthly]
        minv, mbase = _runs(mb)
        msum = np.bincount(
            minv, weights=sums if every_month else sums[monthly], minlength=len(mbase)
        )
        if every_month:
            return cls(keys, sums, mbase, mbase, msum)
        has_annual, _ = _isin_sorted(base[~monthly], mbase)
        return cls(keys, sums, mbase, mbase[~has_annual], msum[~has_annual])

    def __call__(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The figure of each key (0 where none) and whether one was found."""
        found, pos = _isin_sorted(self.keys, q)
        out = np.where(found, self.values[pos] if len(self.keys) else 0.0, 0.0)
        month = q % _MONTHS
        annual = ~found & (month == 0)
        if annual.any():  # the sum of the monthly figures
            idx = np.flatnonzero(annual)
            hit, apos = _isin_sorted(self.annual, q[idx] // _MONTHS)
            out[idx[hit]] = self.annual_values[apos[hit]]
            found[idx[hit]] = True
        fall = ~found & (month > 0)
        if fall.any():
            base = q[fall] // _MONTHS
            has_monthly, _ = _isin_sorted(self.monthly, base)
            annual, apos = _isin_sorted(self.keys, base * _MONTHS)
            use = ~has_monthly & annual
            idx = np.flatnonzero(fall)[use]
            out[idx] = self.values[apos[use]] / 12.0
            found[idx] = True
        return out, found


@dataclass(frozen=True)
class _Plan:
    """The control figures as integer-keyed lookups."""

    enterprises: pd.Index
    products: pd.Index
    periods: np.ndarray
    trust: pd.Categorical  # by enterprise code
    commissariat: pd.Categorical
    output: _Lookup
    made: np.ndarray  # sorted enterprise * n_products + product pairs of the figures
    labour_types: pd.Index
    labour: _Lookup | None
    inputs: pd.Index
    supply: _Lookup | None

    def key(self, e: np.ndarray, r: np.ndarray, n: int, t: np.ndarray, m: np.ndarray) -> Any:
        return ((e * n + r) * len(self.periods) + t) * _MONTHS + m


def _column(frame: pd.DataFrame, name: str, default: Any) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(np.full(len(frame), default), index=frame.index)


def _unit_text(raw: pd.Series) -> np.ndarray:
    raw = raw.astype(object)
    return np.asarray(raw.where(raw.notna(), "").astype(str).to_numpy(dtype=object))


def _unit_of(column: pd.Series, first: np.ndarray) -> pd.Categorical:
    """The trust (or commissariat) of each enterprise: the text of its first row's label."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        text = _unit_text(column.iloc[first])
        return pd.Categorical(text, categories=_unique(text.astype(str)))
    # the same text, made once per category (and "" for a missing label)
    every = pd.Series(
        pd.Categorical.from_codes(np.arange(len(column.cat.categories)), dtype=column.dtype)
    )
    text_of = np.append(_unit_text(every), "")
    codes = column.cat.codes.to_numpy()[first].astype(np.intp)
    codes[codes < 0] = len(text_of) - 1
    used = np.flatnonzero(np.bincount(codes, minlength=len(text_of)))
    categories = _unique(text_of[used].astype(str))
    mapping = pd.Index(categories).get_indexer(text_of)
    return pd.Categorical.from_codes(mapping[codes], categories=categories)


def _plan_of(figures: Any, labour: pd.DataFrame | None, supply: pd.DataFrame | None) -> _Plan:
    if isinstance(figures, pd.DataFrame):
        table = figures
    else:
        table = figures.figures
        labour = getattr(figures, "labour", None) if labour is None else labour
        supply = getattr(figures, "supply", None) if supply is None else supply
    need = [c for c in ("enterprise", "product", "period", "output") if c not in table.columns]
    if need:
        raise InputError(
            f"the control figures need the column {need[0]!r}",
            source="control figures",
            check="missing_column",
        )
    ents = _labels(table["enterprise"])
    prods = _labels(table["product"])
    e = _codes(table["enterprise"], ents)
    p = _codes(table["product"], prods)
    period_values = pd.to_numeric(table["period"]).to_numpy()
    periods = _unique(period_values).astype(np.int64)
    t = np.searchsorted(periods, period_values).astype(np.int64)
    m = pd.to_numeric(_column(table, "month", 0)).to_numpy().astype(np.int64)
    first = np.full(len(ents), -1, dtype=np.int64)
    first[e[::-1]] = np.arange(len(e) - 1, -1, -1)
    units = {unit: _unit_of(_column(table, unit, ""), first) for unit in ("trust", "commissariat")}
    n_t = len(periods)
    output = _Lookup.build(
        ((e * len(prods) + p) * n_t + t) * _MONTHS + m,
        pd.to_numeric(table["output"]).to_numpy(dtype=float),
    )
    if len(m) and 0 <= m.min() and m.max() < _MONTHS:
        # the keys of the output figures are sorted: their enterprise-product pairs too
        pairs = output.keys // (n_t * _MONTHS)
        made = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    else:
        made = _unique(e * len(prods) + p)

    def resource(frame: pd.DataFrame | None, label: str) -> tuple[pd.Index, _Lookup | None]:
        if frame is None or not len(frame):
            return pd.Index([], dtype=object), None
        names = _labels(frame[label])
        re = _codes(frame["enterprise"], ents)
        rr = _codes(frame[label], names)
        rt = np.searchsorted(periods, pd.to_numeric(frame["period"]).to_numpy())
        rt = np.minimum(rt, n_t - 1).astype(np.int64)
        rm = pd.to_numeric(_column(frame, "month", 0)).to_numpy().astype(np.int64)
        ok = re >= 0
        key = re * len(names)
        key += rr
        key *= n_t
        key += rt
        key *= _MONTHS
        key += rm
        values = pd.to_numeric(frame["quantity"]).to_numpy(dtype=float)
        if ok.all():
            return names, _Lookup.build(key, values)
        return names, _Lookup.build(key[ok], values[ok])

    labour_types, labour_lookup = resource(labour, "labour_type")
    inputs, supply_lookup = resource(supply, "product")
    return _Plan(
        ents,
        prods,
        periods,
        units["trust"],
        units["commissariat"],
        output,
        made,
        labour_types,
        labour_lookup,
        inputs,
        supply_lookup,
    )


# ---------------------------------------------------------------------------- validation
@dataclass(frozen=True)
class _Checked:
    """A validated actuals table as integer codes (positions of the rows as given)."""

    e: np.ndarray
    p: np.ndarray
    t: np.ndarray
    m: np.ndarray
    output: np.ndarray
    resources: dict[str, np.ndarray]
    order: np.ndarray  # the rows sorted by key
    key: np.ndarray  # their sorted keys
    identity: bool = False  # ``order`` is every row in order

    @property
    def take(self) -> np.ndarray | None:
        """``order`` for :func:`_take` (None where it changes nothing)."""
        return None if self.identity else self.order


def _numbers(
    frame: pd.DataFrame,
    col: str,
    problems: Problems,
    source: str,
    labels: _RowLabels,
    *,
    blank: bool = False,
    whole: bool = False,
) -> np.ndarray:
    """A number column as floats (NaN where bad or blank); bad cells recorded."""
    column = frame[col]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        return column.to_numpy(dtype=float)  # whole numbers, none missing: nothing to check
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy(dtype=float, copy=True)
        missing = np.isnan(values)
        raw = values
    else:
        raw = column.to_numpy(dtype=object)
        missing = pd.isna(raw) | (column.astype(str).str.strip() == "").to_numpy()
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, copy=True)
    if not blank:
        problems.add_rows(
            missing, f"{col} is missing", source=source, labels=labels, check="missing_value"
        )
    bad = ~missing & ~np.isfinite(values)
    problems.add_rows(
        bad,
        lambda i: f"{col} is not a number: {raw[i]!r}",
        source=source,
        labels=labels,
        check="non_numeric",
    )
    values[bad] = np.nan
    if whole:
        with np.errstate(invalid="ignore"):
            fraction = np.isfinite(values) & (values != np.round(values))
        problems.add_rows(
            fraction,
            lambda i: f"{col} must be a whole number, got {raw[i]!r}",
            source=source,
            labels=labels,
            check="non_numeric",
        )
        values[fraction] = np.nan
    return values


def _negative_message(col: str, values: np.ndarray) -> Callable[[int], str]:
    return lambda i: f"{col} is negative: {values[i]:g}"


def _check_columns(actuals: pd.DataFrame, source: str) -> None:
    """Check: the required columns are there (raising at once when not)."""
    problems = Problems()
    for col in ACTUAL_COLUMNS:
        if col not in actuals.columns:
            problems.add(
                f"the actuals need the column {col!r}", source=source, check="missing_column"
            )
    problems.raise_if_any()


def _check_labels(actuals: pd.DataFrame, problems: Problems, source: str) -> None:
    """Check: every report names its enterprise and product."""
    for col in ("enterprise", "product"):
        problems.add_rows(
            _missing_labels(actuals[col]),
            f"{col} is missing",
            source=source,
            labels=None,
            check="missing_label",
        )


def _check_month(
    actuals: pd.DataFrame, problems: Problems, source: str, labels: _RowLabels
) -> np.ndarray:
    """Check: the months are whole numbers in 0..12 (NaN where not; 0 without the column)."""
    if "month" not in actuals.columns:
        return np.zeros(len(actuals))
    month = _numbers(actuals, "month", problems, source, labels, whole=True)
    with np.errstate(invalid="ignore"):
        # 0 is an annual report (what read_actuals writes where a file has no month)
        outside = np.isfinite(month) & ((month < 0) | (month > 12))
    problems.add_rows(
        outside,
        lambda i: f"month must lie in 1..12 (0 for an annual report), got {month[i]:g}",
        source=source,
        labels=labels,
        check="out_of_range",
    )
    month[outside] = np.nan
    return month


def _check_output(
    actuals: pd.DataFrame, problems: Problems, source: str, labels: _RowLabels
) -> np.ndarray:
    """Check: every output is a number, not negative."""
    output = _numbers(actuals, "output", problems, source, labels)
    with np.errstate(invalid="ignore"):
        negative = output < 0
    problems.add_rows(
        negative,
        lambda i: f"output is negative: {output[i]:g}",
        source=source,
        labels=labels,
        check="negative_output",
    )
    return output


def _check_resources(
    actuals: pd.DataFrame, problems: Problems, source: str, labels: _RowLabels
) -> dict[str, np.ndarray]:
    """Check: the labour and received cells are numbers (or blank), not negative."""
    resources = {}
    for col in actuals.columns:
        if isinstance(col, str) and col.startswith((LABOUR_PREFIX, RECEIVED_PREFIX)):
            values = _numbers(actuals, col, problems, source, labels, blank=True)
            with np.errstate(invalid="ignore"):
                neg = values < 0
            problems.add_rows(
                neg,
                _negative_message(col, values),
                source=source,
                labels=labels,
                check="negative_value",
            )
            resources[col] = values
    return resources


def _check_enterprises(
    actuals: pd.DataFrame, e: np.ndarray, problems: Problems, source: str, labels: _RowLabels
) -> None:
    """Check: every enterprise named has control figures."""
    present = ~_missing_labels(actuals["enterprise"])
    problems.add_rows(
        (e < 0) & present,
        "no control figures for this enterprise",
        source=source,
        labels=labels,
        check="unknown_enterprise",
    )


def _check_products(
    actuals: pd.DataFrame,
    plan: _Plan,
    e: np.ndarray,
    p: np.ndarray,
    problems: Problems,
    source: str,
    labels: _RowLabels,
) -> None:
    """Check: each enterprise has a control figure for the product it reports."""
    made, _ = _isin_sorted(plan.made, e * len(plan.products) + p)
    problems.add_rows(
        (e >= 0) & ~_missing_labels(actuals["product"]) & ~made,
        lambda i: f"enterprise {labels[i]!r} has no control figure for this product",
        source=source,
        labels=_RowLabels(actuals["product"]),
        check="not_made_by_enterprise",
    )


def _check_periods(
    periods: np.ndarray, per: np.ndarray, outside: np.ndarray, problems: Problems, source: str
) -> None:
    """Check: every period reported lies in the plan (``outside``: the rows where not)."""
    problems.add_rows(
        outside,
        lambda i: (
            f"period {per[i]} lies outside the plan ({periods[0]}..{periods[-1]})"
            if len(periods)
            else f"period {per[i]} lies outside the plan (no periods)"
        ),
        source=source,
        labels=_RowLabels(per),
        check="period_outside_plan",
    )


def _sort_rows(key: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """The valid rows sorted by ``key`` (stable), their sorted keys, and whether in order."""
    if valid.all():
        identity = _sorted(key)
        order = np.arange(len(key)) if identity else np.argsort(key, kind="stable")
        return order, key if identity else key[order], identity
    rows = np.flatnonzero(valid)
    order = rows[_sort_order(key[rows])]
    return order, key[order], False


def _check_duplicates(
    actuals: pd.DataFrame,
    order: np.ndarray,
    sk: np.ndarray,
    per: np.ndarray,
    m: np.ndarray,
    problems: Problems,
    source: str,
    labels: _RowLabels,
) -> None:
    """Check: no two reports of the same key (``order``, ``sk``: see :func:`_sort_rows`)."""
    same = sk[1:] == sk[:-1]
    if not (len(sk) > 1 and same.any()):
        return
    again = np.zeros(len(actuals), dtype=bool)
    again[order[1:][same]] = True
    first_row = pd.Series(order).where(np.r_[True, ~same]).ffill().to_numpy()
    first_of = dict(zip(order[1:][same], first_row[1:][same], strict=True))
    product_text = _RowLabels(actuals["product"])
    problems.add_rows(
        again,
        lambda i: (
            f"a second report of {product_text[i]!r} for period {per[i]}"
            + (f", month {m[i]}" if m[i] else "")
            + f" (first on row {int(first_of[i]) + 2})"
        ),
        source=source,
        labels=labels,
        check="duplicate_report",
    )


def _validate(actuals: pd.DataFrame, plan: _Plan | None, source: str) -> _Checked:
    """Check the actuals, every problem at once, and code them (see the module).

    Parameters
    ----------
    actuals
        The reports.
    plan
        The control figures to check and code them against; None: only the table itself is
        checked, its labels coded among themselves.
    source
        How messages name the actuals.
    """
    _check_columns(actuals, source)
    problems = Problems()
    ent_col, prod_col = actuals["enterprise"], actuals["product"]
    labels = _RowLabels(ent_col)
    _check_labels(actuals, problems, source)
    period = _numbers(actuals, "period", problems, source, labels, whole=True)
    month = _check_month(actuals, problems, source, labels)
    output = _check_output(actuals, problems, source, labels)
    resources = _check_resources(actuals, problems, source, labels)
    known_period = np.isfinite(period)
    if plan is None:
        ents, prods = _labels(ent_col), _labels(prod_col)
        periods = _unique(period[known_period]).astype(np.int64)
    else:
        ents, prods, periods = plan.enterprises, plan.products, plan.periods
    e, p = _codes(ent_col, ents), _codes(prod_col, prods)
    per = np.where(known_period, period, 0).astype(np.int64)
    found, t = _isin_sorted(periods, per)
    if plan is not None:
        _check_enterprises(actuals, e, problems, source, labels)
        _check_products(actuals, plan, e, p, problems, source, labels)
        _check_periods(periods, per, known_period & ~found, problems, source)
    valid = (e >= 0) & (p >= 0) & known_period & found & np.isfinite(month)
    m = np.where(np.isfinite(month), month, 0).astype(np.int64)
    key = ((e * len(prods) + p) * max(len(periods), 1) + t) * _MONTHS + m
    order, sk, identity = _sort_rows(key, valid)
    _check_duplicates(actuals, order, sk, per, m, problems, source, labels)
    problems.raise_if_any()
    return _Checked(e, p, t, m, output, resources, order, sk, identity)


def check_actuals(
    actuals: pd.DataFrame, figures: Any = None, *, source: str = "actuals"
) -> pd.DataFrame:
    """Check an actuals table, reporting every problem at once.

    Parameters
    ----------
    actuals
        The reports (see the module for the columns).
    figures
        The control figures (a ``ControlFigures`` or its ``figures`` table); without them
        only the table itself is checked (columns, numbers, months, duplicates).
    source
        How messages name the table; rows are numbered as on disk (header = row 1).

    Returns
    -------
    pandas.DataFrame
        The table with ``period`` and ``month`` as integers (``month`` 0 added when absent)
        and the number columns as floats.

    Raises
    ------
    gosplan.errors.ValidationError
        Listing every problem: ``missing_column``, ``missing_label``, ``missing_value``,
        ``non_numeric``, ``out_of_range`` (a month outside 1..12), ``negative_output``,
        ``negative_value`` (labour or inputs), ``duplicate_report`` (same enterprise, period,
        month and product twice) and, with the figures, ``unknown_enterprise``,
        ``not_made_by_enterprise`` (no figure for that enterprise and product in any period)
        and ``period_outside_plan``.
    """
    plan = None if figures is None else _plan_of(figures, None, None)
    checked = _validate(actuals, plan, source)
    out = actuals.copy()
    out["period"] = pd.to_numeric(out["period"]).astype(np.int64)
    out["month"] = checked.m
    out["output"] = checked.output
    for col, values in checked.resources.items():
        out[col] = values
    return out


def read_actuals(path: str | Path, figures: Any = None) -> pd.DataFrame:
    """Read and check an actuals table (CSV or Parquet).

    Parameters
    ----------
    path
        The file.
    figures
        The control figures to check the reports against (optional; see
        :func:`check_actuals`).

    Returns
    -------
    pandas.DataFrame
        As :func:`check_actuals`.

    Raises
    ------
    gosplan.errors.InputError
        ``unreadable_file`` when the file cannot be read; a
        :class:`~gosplan.errors.ValidationError` listing every problem of its rows (row
        numbers as in the file, header = row 1).
    """
    path = Path(path)
    try:
        frame = read_table(path)
    except FileNotFoundError:
        raise InputError("no such file", source=str(path), check="unreadable_file") from None
    except InputError as err:
        raise InputError(err.message, source=str(path), check="unreadable_file") from None
    return check_actuals(frame, figures, source=str(path))


# ---------------------------------------------------------------------------- fulfilment
def _scan_positions(group: np.ndarray) -> np.ndarray:
    """Position of each row within its run of equal ``group`` (rows sorted by group)."""
    n = len(group)
    change = np.empty(n, dtype=bool)
    change[:1] = True
    np.not_equal(group[1:], group[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n) - np.repeat(starts, lengths)


def _group_cumsum(position: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Running sums of ``values`` within runs (``position``: see :func:`_scan_positions`).

    A segmented scan (log2 of the longest run passes of vector adds): no running total
    over the whole table, so no cancellation.
    """
    out = np.array(values, dtype=float)
    n = len(out)
    if n == 0:
        return out
    longest = int(position.max()) + 1
    step = 1
    add = np.empty(n)
    keep = np.empty(n, dtype=bool)
    while step < longest:
        k = n - step
        np.greater_equal(position[step:], step, out=keep[:k])
        np.copyto(add[:k], 0.0)
        np.copyto(add[:k], out[:-step], where=keep[:k])
        out[step:] += add[:k]
        step *= 2
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _group_sum(codes: np.ndarray, n: int, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` per code, NaN where every value is NaN (not reported)."""
    given = ~np.isnan(values)
    total = np.bincount(codes, weights=np.where(given, values, 0.0), minlength=n)
    count = np.bincount(codes[given], minlength=n)
    total[count == 0] = np.nan
    return total


def _causes(
    plan: _Plan,
    checked: _Checked,
    e: np.ndarray,
    t: np.ndarray,
    m: np.ndarray,
    short: np.ndarray,
    share: np.ndarray,
    shortfall: np.ndarray,
) -> tuple[pd.Categorical, np.ndarray]:
    """The cause of each shortfall and its amount (rows sorted; ``e, t, m`` their codes)."""
    n = len(e)
    columns = []  # (cause, reported column, resource code, names, lookup)
    for col in checked.resources:
        if col.startswith(LABOUR_PREFIX):
            name, names, lookup, kind = (
                col[len(LABOUR_PREFIX) :],
                plan.labour_types,
                plan.labour,
                "labour",
            )
        else:
            name, names, lookup, kind = (
                col[len(RECEIVED_PREFIX) :],
                plan.inputs,
                plan.supply,
                "input",
            )
        code = names.get_indexer([name])[0] if len(names) else -1
        if lookup is not None and code >= 0:
            columns.append((f"{kind}:{name}", col, code, names, lookup))
    columns.sort(key=lambda c: c[0])
    categories = ["", "capacity", *[c[0] for c in columns]]
    codes = np.zeros(n, dtype=np.int64)
    amount = np.zeros(n)
    rows = np.flatnonzero(short)
    codes[rows] = 1
    amount[rows] = shortfall[rows]
    if columns and len(rows):
        # the enterprise's reports of a period and month: sums in row order, as any grouping
        n_t = len(plan.periods)
        epm = (e * n_t + t) * _MONTHS + m
        group, uniq = _groups(epm, len(plan.enterprises) * n_t * _MONTHS)
        g_short = group[rows]
        e_s, t_s, m_s = e[rows], t[rows], m[rows]
        ratios = np.full((len(rows), len(columns)), np.inf)
        missing = np.zeros((len(rows), len(columns)))
        limit = share[rows] * (1 + CAUSE_RTOL)
        for j, (_, col, code, names, lookup) in enumerate(columns):
            values = _take(checked.resources[col], checked.take)
            used = _group_sum(group, len(uniq), values)[g_short]
            key = plan.key(e_s, np.full(len(rows), code), len(names), t_s, m_s)
            figure, _ = lookup(key)
            ratio = _ratio(used, figure)
            with np.errstate(invalid="ignore"):
                ok = ratio <= limit
            ratios[ok, j] = ratio[ok]
            missing[:, j] = figure - used
        best = np.argmin(ratios, axis=1)
        explained = np.isfinite(ratios[np.arange(len(rows)), best])
        hit = rows[explained]
        codes[hit] = 2 + best[explained]
        amount[hit] = missing[np.flatnonzero(explained), best[explained]]
    return pd.Categorical.from_codes(codes, categories=categories), amount


@dataclass(frozen=True)
class _Rows:
    """The reports sorted by key: their codes, plan, actual, shares and cumulative sums."""

    e: np.ndarray
    p: np.ndarray
    t: np.ndarray
    m: np.ndarray
    planned: np.ndarray
    actual: np.ndarray
    share: np.ndarray
    shortfall: np.ndarray
    cum_plan: np.ndarray
    cum_actual: np.ndarray


def _cumulative(
    key: np.ndarray, n_t: int, planned: np.ndarray, actual: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Running sums of the plan and the actual over each enterprise and product's series."""
    position = _scan_positions(key // (n_t * _MONTHS))  # series: enterprise and product
    return _group_cumsum(position, planned), _group_cumsum(position, actual)


def _report_rows(plan: _Plan, checked: _Checked) -> _Rows:
    """The plan of each report (sorted by key), its share and shortfall and the running sums."""
    take, key = checked.take, checked.key
    planned, _ = plan.output(key)
    actual = _take(checked.output, take)
    cum_plan, cum_actual = _cumulative(key, len(plan.periods), planned, actual)
    share = _ratio(actual, planned)
    shortfall = np.maximum(planned - actual, 0.0)
    return _Rows(
        _take(checked.e, take),
        _take(checked.p, take),
        _take(checked.t, take),
        _take(checked.m, take),
        planned,
        actual,
        share,
        shortfall,
        cum_plan,
        cum_actual,
    )


def _labour_used(checked: _Checked, n: int) -> np.ndarray:
    """The labour of every type used on each (sorted) report; NaN where none is reported."""
    take = checked.take
    labour_cols = [c for c in checked.resources if c.startswith(LABOUR_PREFIX)]
    if len(labour_cols) == 1:
        return _take(checked.resources[labour_cols[0]], take)  # a fresh array
    if not labour_cols:
        return np.full(n, np.nan)
    used = np.column_stack([_take(checked.resources[c], take) for c in labour_cols])
    given = ~np.isnan(used).all(axis=1)
    return np.where(given, np.nansum(np.where(np.isnan(used), 0.0, used), axis=1), np.nan)


def _report_table(
    plan: _Plan,
    rows: _Rows,
    trust: np.ndarray,
    commissariat: np.ndarray,
    cause: pd.Categorical,
    amount: np.ndarray,
    labour_used: np.ndarray,
) -> pd.DataFrame:
    """The table of a :class:`FulfilmentReport` (``trust``, ``commissariat``: their codes)."""
    return pd.DataFrame(
        {
            "enterprise": pd.Categorical.from_codes(rows.e, categories=plan.enterprises),
            "trust": pd.Categorical.from_codes(trust, dtype=plan.trust.dtype),
            "commissariat": pd.Categorical.from_codes(commissariat, dtype=plan.commissariat.dtype),
            "product": pd.Categorical.from_codes(rows.p, categories=plan.products),
            "period": plan.periods[rows.t],
            "month": rows.m,
            "plan": rows.planned,
            "actual": rows.actual,
            "share": rows.share,
            "cumulative_plan": rows.cum_plan,
            "cumulative_actual": rows.cum_actual,
            "cumulative_share": _ratio(rows.cum_actual, rows.cum_plan),
            "shortfall": rows.shortfall,
            "cause": cause,
            "cause_amount": amount,
            "labour": labour_used,
        },
        columns=list(TABLE_COLUMNS),
        copy=False,
    )


def _unit_aggregates(
    plan: _Plan, rows: _Rows, trust: np.ndarray, commissariat: np.ndarray
) -> dict[str, pd.DataFrame]:
    """The aggregates by trust and by commissariat (``trust`` etc.: the rows' codes)."""
    # the periods of the reports, in order, and their codes among them
    present = np.bincount(rows.t, minlength=len(plan.periods)) > 0
    t_codes = (np.cumsum(present) - 1)[rows.t]
    periods = plan.periods[present]
    sums = {
        "plan": rows.planned,
        "actual": rows.actual,
        "cumulative_plan": rows.cum_plan,
        "cumulative_actual": rows.cum_actual,
    }
    units = (("trust", trust, plan.trust), ("commissariat", commissariat, plan.commissariat))
    return {
        name: _aggregate(
            name, codes, unit.categories, rows.p, plan.products, t_codes, periods, rows.m, sums
        )
        for name, codes, unit in units
    }


def fulfilment(
    figures: Any,
    actuals: pd.DataFrame,
    *,
    labour: pd.DataFrame | None = None,
    supply: pd.DataFrame | None = None,
    source: str = "actuals",
) -> FulfilmentReport:
    """Measure the enterprises' reports against their control figures (see the module).

    Parameters
    ----------
    figures
        A ``ControlFigures`` (its ``figures``, ``labour`` and ``supply`` tables) or the
        figures table itself: columns ``enterprise, product, period, output`` and optionally
        ``trust, commissariat, month`` (0 for annual figures; absent: all annual).
    actuals
        The reports (see the module), e.g. from :func:`read_actuals`; checked again here.
    labour, supply
        The labour figures (``enterprise, period, month, labour_type, quantity``) and supply
        orders (``enterprise, period, month, product, quantity``) when ``figures`` is a
        table, or to replace those of a ``ControlFigures``. Without them every shortfall is
        put down to ``"capacity"``.
    source
        How messages name the actuals.

    Returns
    -------
    FulfilmentReport
        One row per report, sorted by enterprise, product, period and month (label order),
        and the aggregates by trust and commissariat.

    Raises
    ------
    gosplan.errors.ValidationError
        Every problem of the actuals, as :func:`check_actuals` lists them.
    """
    plan = _plan_of(figures, labour, supply)
    checked = _validate(actuals, plan, source)
    rows = _report_rows(plan, checked)
    cause, amount = _causes(
        plan, checked, rows.e, rows.t, rows.m, rows.shortfall > 0, rows.share, rows.shortfall
    )
    labour_used = _labour_used(checked, len(checked.key))
    trust = plan.trust.codes[rows.e]
    commissariat = plan.commissariat.codes[rows.e]
    table = _report_table(plan, rows, trust, commissariat, cause, amount, labour_used)
    by_unit = _unit_aggregates(plan, rows, trust, commissariat)
    return FulfilmentReport(
        table=table,
        by_trust=by_unit["trust"],
        by_commissariat=by_unit["commissariat"],
        provenance={
            "function": "gosplan.run.fulfilment.fulfilment",
            "version": gosplan.__version__,
            "source": source,
            "reports": len(table),
            "enterprises": len(plan.enterprises),
        },
    )


def aggregate(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Fulfilment of the enterprises of each ``unit`` (a column of a report's ``table``).

    Parameters
    ----------
    table
        A :attr:`FulfilmentReport.table`.
    unit
        ``"enterprise"``, ``"trust"`` or ``"commissariat"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit`` then :data:`~gosplan.core.fulfilment_report.AGGREGATE_COLUMNS`: per
        product the sums over the unit's enterprises (``share = sum actual / sum plan``, the
        plan-weighted mean of their shares; ``products`` 1, or 0 when the plan is 0), and per
        unit, period and month a row with ``product``
        :data:`~gosplan.core.fulfilment_report.ALL_PRODUCTS`, ``plan`` and ``actual`` NaN, the
        simple mean over its products (zero plans left out) of their shares and ``products``
        the number of products in that mean; sorted by unit, period, month, then product (the
        all-products row last).
    """
    units = pd.Categorical(table[unit])
    products = pd.Categorical(table["product"])
    t, periods = _factorize_sorted(table["period"].to_numpy(dtype=np.int64))
    sums = {
        c: table[c].to_numpy(dtype=float)
        for c in ("plan", "actual", "cumulative_plan", "cumulative_actual")
    }
    return _aggregate(
        unit,
        units.codes,
        units.categories,
        products.codes,
        products.categories,
        t,
        periods,
        table["month"].to_numpy(dtype=np.int64),
        sums,
    )


def _all_products_categories(product_categories: pd.Index) -> pd.Index:
    """The products of the aggregate rows: the products as text, then the all-products row."""
    categories = pd.Index([*product_categories.astype(str), ALL_PRODUCTS])
    if categories.has_duplicates:
        raise InputError(
            f"a product may not be called {ALL_PRODUCTS!r}",
            label=ALL_PRODUCTS,
            check="bad_argument",
        )
    return categories


def _aggregate_groups(
    unit_codes: np.ndarray,
    n_units: int,
    product_codes: np.ndarray,
    t: np.ndarray,
    n_t: int,
    m: np.ndarray,
    width: int,
    values: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Sums of ``values`` per unit, period, month and product (in that order).

    Returns each sum's group among the units' periods and months, those groups (key
    ``(unit * n_t + period) * 13 + month``), each sum's product code and the sums.
    """
    u = unit_codes.astype(np.int64)
    # key in output order: unit, period, month, product (the all-products code last)
    key = u * n_t
    key += t
    key *= _MONTHS
    key += m
    key *= width
    key += product_codes
    if (u < 0).any() or (m < 0).any() or (m >= _MONTHS).any() or (product_codes < 0).any():
        group, keys = _factorize_sorted(key)
    else:
        group, keys = _groups(key, n_units * n_t * _MONTHS * width)
    del key, u
    k = len(keys)
    sums = {
        c: np.bincount(group, weights=v, minlength=k).astype(float, copy=False)
        for c, v in values.items()
    }
    del group
    unit_keys, code = np.divmod(keys, width)
    del keys
    ugroup, ubase = _runs(unit_keys)
    return ugroup, ubase, code, sums


def _unit_mean(ugroup: np.ndarray, n_u: int, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the given (not NaN) ``values`` of each group, and their number."""
    given = ~np.isnan(values)
    count = np.bincount(ugroup, weights=given.astype(float), minlength=n_u)
    tot = np.bincount(ugroup, weights=np.where(given, values, 0.0), minlength=n_u)
    return _ratio(tot, count), count


def _aggregate_rows(
    unit: str,
    unit_categories: pd.Index,
    categories: pd.Index,
    periods: np.ndarray,
    ugroup: np.ndarray,
    ubase: np.ndarray,
    code: np.ndarray,
    sums: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The aggregate table from :func:`_aggregate_groups`: each group's row after its products'."""
    share = _ratio(sums["actual"], sums["plan"])
    cum_share = _ratio(sums["cumulative_actual"], sums["cumulative_plan"])
    n_u, n_t = len(ubase), len(periods)
    mean_share, count = _unit_mean(ugroup, n_u, share)
    mean_cum, _ = _unit_mean(ugroup, n_u, cum_share)
    # the unit rows are at the ends of the units' runs
    n = len(code) + n_u
    size = np.bincount(ugroup, minlength=n_u) + 1  # rows of each unit, its own included
    is_unit = np.zeros(n, dtype=bool)
    is_unit[np.cumsum(size) - 1] = True
    is_product = ~is_unit

    def both(product_rows: np.ndarray, unit_rows: np.ndarray | float) -> np.ndarray:
        out = np.empty(n, dtype=np.asarray(product_rows).dtype)
        out[is_product], out[is_unit] = product_rows, unit_rows
        return out

    rest, month = np.divmod(ubase, _MONTHS)
    uc, tc = np.divmod(rest, n_t) if n_t else (rest, rest)
    return pd.DataFrame(
        {
            unit: pd.Categorical.from_codes(np.repeat(uc, size), categories=unit_categories),
            "product": pd.Categorical.from_codes(
                both(code, len(categories) - 1), categories=categories
            ),
            "period": np.repeat(periods[tc], size) if n_t else np.zeros(0, dtype=np.int64),
            "month": np.repeat(month, size),
            "plan": both(sums["plan"], np.nan),
            "actual": both(sums["actual"], np.nan),
            "share": both(share, mean_share),
            "cumulative_plan": both(sums["cumulative_plan"], np.nan),
            "cumulative_actual": both(sums["cumulative_actual"], np.nan),
            "cumulative_share": both(cum_share, mean_cum),
            "products": both((sums["plan"] > 0).astype(np.int64), count.astype(np.int64)),
        },
        columns=[unit, *AGGREGATE_COLUMNS],
        copy=False,
    )


def _aggregate(
    unit: str,
    unit_codes: np.ndarray,
    unit_categories: pd.Index,
    product_codes: np.ndarray,
    product_categories: pd.Index,
    t: np.ndarray,
    periods: np.ndarray,
    m: np.ndarray,
    values: dict[str, np.ndarray],
) -> pd.DataFrame:
    """:func:`aggregate` of a table given by codes: grouping, then the rows.

    Parameters
    ----------
    unit
        The name of the unit column.
    unit_codes, unit_categories
        Each row's unit, as codes into ``unit_categories``.
    product_codes, product_categories
        Each row's product, likewise.
    t, periods
        Each row's period, as codes into the sorted distinct ``periods``.
    m
        Each row's month (0: annual).
    values
        The rows' ``plan``, ``actual``, ``cumulative_plan`` and ``cumulative_actual``.
    """
    categories = _all_products_categories(product_categories)
    ugroup, ubase, code, sums = _aggregate_groups(
        unit_codes, len(unit_categories), product_codes, t, len(periods), m, len(categories), values
    )
    return _aggregate_rows(unit, unit_categories, categories, periods, ugroup, ubase, code, sums)
