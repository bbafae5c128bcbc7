"""Control figures: the adopted plan split among the enterprises that carry it out.

Made by :func:`gosplan.run.control.control_figures` (and spread over the months by
:func:`gosplan.run.control.monthly`); this module imports no solver, so a report, the
command line or a commissariat reads the figures back (:meth:`ControlFigures.read`) as the
same type.

Label columns (``enterprise``, ``trust``, ``commissariat``, ``activity``, ``product``,
``labour_type``) are pandas categoricals: a million enterprises over five periods share one
copy of each label.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from gosplan.core.serial import (
    TabledResult,
    finite,
    period,
)
from gosplan.errors import InputError

#: ``kind`` of control figures on disk, and the files of their folder.
CONTROL_KIND = "control-figures"
CONTROL_META = "control.json"
CONTROL_TABLES = ("figures", "labour", "supply")
_NEEDS = "control figures need"
#: The rules that split an activity's level among its enterprises.
RULES = ("capacity", "least_labour")
#: Month of an annual figure (monthly figures have months 1 to 12).
ANNUAL = 0
#: Columns of :attr:`ControlFigures.figures`.
FIGURE_COLUMNS = (
    "enterprise",
    "trust",
    "commissariat",
    "activity",
    "product",
    "period",
    "month",
    "level",
    "output",
)
#: Columns of :attr:`ControlFigures.labour`.
LABOUR_COLUMNS = ("enterprise", "period", "month", "labour_type", "quantity")
#: Columns of :attr:`ControlFigures.supply`.
SUPPLY_COLUMNS = ("enterprise", "period", "month", "product", "quantity")
#: Columns of each table, by name.
COLUMNS = {"figures": FIGURE_COLUMNS, "labour": LABOUR_COLUMNS, "supply": SUPPLY_COLUMNS}
#: Columns holding labels (categoricals in memory, text on disk).
LABEL_COLUMNS = ("enterprise", "trust", "commissariat", "activity", "product", "labour_type")
_INTEGER_COLUMNS = ("period", "month")


def label_column(values: Any) -> pd.Categorical:
    """A label column as a categorical of text (missing labels become ``""``).

    Parameters
    ----------
    values
        The labels (a Series, an array or a categorical).

    Returns
    -------
    pandas.Categorical
        Categories are the distinct labels as text, in order of first appearance.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cats = pd.Index(uniques).astype(str)
    if (codes < 0).any():
        if "" not in cats:
            cats = cats.append(pd.Index([""]).astype(str))
        codes = np.where(codes < 0, cats.get_loc(""), codes)
    if cats.has_duplicates:  # "1" and 1: one label
        cats, inverse = np.unique(np.asarray(cats, dtype=object), return_inverse=True)
        codes = inverse[codes]
        cats = pd.Index(cats).astype(str)
    return pd.Categorical.from_codes(codes, categories=cats)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def tidy(frame: pd.DataFrame, name: str, source: str = "control figures") -> pd.DataFrame:
    """A table of control figures in its canonical form.

    Its columns in order (:data:`COLUMNS`), labels as categoricals of text, ``period`` and
    ``month`` as integers, quantities as floats. Extra columns are dropped.

    Parameters
    ----------
    frame
        The table as built, or as read back from disk or JSON.
    name
        ``"figures"``, ``"labour"`` or ``"supply"``.
    source
        How an error names the table.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InputError
        If a column is missing (check ``missing_column``) or a number cell holds text.
    """
    columns = COLUMNS[name]
    if not len(frame.columns) and not len(frame):
        frame = pd.DataFrame({c: [] for c in columns})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"the {name} table needs the column {missing[0]!r}",
            source=source,
            check="missing_column",
        )
    out: dict[str, Any] = {}
    for col in columns:
        values = frame[col]
        if col in LABEL_COLUMNS:
            out[col] = label_column(values)
        elif col in _INTEGER_COLUMNS:
            if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
                values = pd.Series([period(v) for v in values], dtype=object)
            try:
                out[col] = np.asarray(values, dtype=np.int64)
            except (TypeError, ValueError):
                raise InputError(
                    f"the {name} table's {col!r} column must hold whole numbers",
                    source=source,
                    check="non_numeric",
                ) from None
        else:
            numbers = pd.to_numeric(
                values.replace({"inf": np.inf, "-inf": -np.inf})
                if values.dtype == object
                else values,
                errors="coerce",
            )
            out[col] = np.asarray(numbers, dtype=float)
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


@dataclass(frozen=True, eq=False)
class ControlFigures(TabledResult):
    """The plan's figures for each enterprise: levels and output, labour, supply orders.

    Attributes
    ----------
    figures
        Columns ``enterprise, trust, commissariat, activity, product, period, month, level,
        output``: one row per enterprise and period (and month): the level of its activity
        it is to run and the output of its main product that level makes. ``month`` is 0 for
        annual figures, 1 to 12 for monthly ones.
    labour
        Columns ``enterprise, period, month, labour_type, quantity``: the labour each
        enterprise is to employ (its activity's labour coefficient times its labour factor
        times its level), in the economy's labour unit.
    supply
        Columns ``enterprise, period, month, product, quantity``: the enterprise's supply
        orders, the inputs allocated to it (its activity's technology column times its level).
    rule
        How each activity's level was split among its enterprises: ``"capacity"`` (in
        proportion to capacity) or ``"least_labour"`` (the most productive first).
    provenance
        What produced the figures (plan, economy, rule, version).

    Every field round-trips: :meth:`to_dict` / :meth:`from_dict` and :meth:`write` /
    :meth:`read` (a folder of tables with ``control.json``, or one JSON file).
    """

    META_FILE: ClassVar[str] = CONTROL_META
    TABLE_NAMES: ClassVar[tuple[str, ...] | None] = CONTROL_TABLES
    NEEDS: ClassVar[str | None] = _NEEDS
    SOURCE: ClassVar[str] = "control figures"
    LABELS: ClassVar[tuple[str, ...]] = LABEL_COLUMNS

    figures: pd.DataFrame
    labour: pd.DataFrame
    supply: pd.DataFrame
    rule: str = "capacity"
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def monthly(self) -> bool:
        """True when the figures are by month (months 1 to 12), False when annual."""
        month = self.figures["month"].to_numpy()
        return bool(len(month)) and bool((month != ANNUAL).all())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The three tables by name."""
        return {name: getattr(self, name) for name in CONTROL_TABLES}

    def totals(self, by: Iterable[str] = ("activity", "period", "month")) -> pd.DataFrame:
        """``level`` and ``output`` of :attr:`figures` summed over the other columns.

        Parameters
        ----------
        by
            Columns to keep (``activity``, ``product``, ``trust``, ``period``, ``month``...).

        Returns
        -------
        pandas.DataFrame
            One row per combination present, columns ``by`` then ``level, output``.
        """
        keys = list(by)
        return (
            self.figures.groupby(keys, observed=True, sort=True)[["level", "output"]]
            .sum()
            .reset_index()
        )

    # ------------------------------------------------------------------ files
    def _meta(self) -> dict[str, Any]:
        return finite(
            {
                "kind": CONTROL_KIND,
                "rule": self.rule,
                "monthly": self.monthly,
                "enterprises": int(self.figures["enterprise"].nunique()),
                "provenance": self.provenance,
            }
        )

    @classmethod
    def _check_meta(cls, meta: dict[str, Any], source: str) -> None:
        _check_kind(meta, source)

    @classmethod
    def _from_tables(
        cls, meta: dict[str, Any], frames: dict[str, pd.DataFrame], source: str
    ) -> ControlFigures:
        _check_kind(meta, source)
        tables = {name: tidy(frame, name, source) for name, frame in frames.items()}
        return cls(rule=str(meta["rule"]), provenance=dict(meta.get("provenance") or {}), **tables)


def _check_kind(meta: dict[str, Any], source: str) -> None:
    kind = meta.get("kind")
    if kind is not None and kind != CONTROL_KIND:
        raise InputError(
            f"not control figures: the file holds a {kind!r}", source=source, check="bad_argument"
        )
    if "rule" not in meta:
        raise InputError("not control figures written by gosplan: no 'rule'", source=source)
