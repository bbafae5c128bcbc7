"""How far the enterprises fulfilled their control figures, and why they fell short.

Made by :func:`gosplan.run.fulfilment.fulfilment`; this module imports no solver, so a report
read back (:meth:`FulfilmentReport.read`) is the same type.

Definitions
-----------
``table`` has one row per report (enterprise, product, period, month; ``month`` 0 for an
annual report) with

* ``plan``: the control figure of that product, period and month (a monthly report without
  monthly figures for that product and year is measured against a twelfth of the annual one;
  an annual report without an annual figure against the sum of the monthly ones);
* ``actual``: the output reported; ``share = actual / plan`` (NaN where the plan is 0);
* ``cumulative_plan``, ``cumulative_actual``, ``cumulative_share``: sums since the first
  report of that enterprise and product, in time order (period, then month);
* ``shortfall = max(plan - actual, 0)``;
* ``cause``: for a row with a shortfall, the labour type (``"labour:<type>"``) or input
  (``"input:<product>"``) with the lowest ratio of what the enterprise had (labour used,
  inputs received, summed over its reports of that period and month) to its figure (labour
  figure, supply order), among those whose ratio is at most the output ``share`` (the
  resource was too short to make more than was made); ties go to the first cause in label
  order. ``"capacity"`` when no labour or input explains the shortfall (none short, or none
  reported), and ``""`` where there is no shortfall;
* ``cause_amount``: for a labour or input cause, its figure less what was had (how much was
  missing for full output, in the resource's units); for ``"capacity"`` the shortfall itself
  (in the product's units); 0 where there is no shortfall;
* ``labour``: the labour used on that report, summed over its ``labour:<type>`` columns (NaN
  when none was reported): the measure of productivity.

``by_trust`` and ``by_commissariat`` (first column ``trust`` / ``commissariat``) aggregate the
enterprises of one unit for the same period and month. Output of unlike products cannot be
summed, so

* a row per product (``product`` a label) sums ``plan``, ``actual`` and the cumulative sums
  over the unit's enterprises making it: its ``share`` is the plan-weighted mean of the
  enterprises' shares (``sum actual / sum plan``);
* a row per unit (``product`` :data:`ALL_PRODUCTS`) has ``plan`` and ``actual`` NaN, and
  ``share`` / ``cumulative_share`` the simple mean over the unit's products of their shares
  (products with a zero plan left out); ``products`` counts the products in that mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from gosplan.core.serial import (
    TabledResult,
    finite,
    long,
)
from gosplan.errors import InputError

#: ``kind`` of a fulfilment report on disk, and the files of a report folder.
REPORT_KIND = "fulfilment-report"
REPORT_META = "fulfilment.json"
REPORT_TABLES = ("table", "by_trust", "by_commissariat")
_NEEDS = "a fulfilment report needs"
#: The ``product`` of an aggregate row over all the unit's products.
ALL_PRODUCTS = "*"
#: Columns that a report row and an aggregate row share, in order.
_SHARED_COLUMNS = (
    "product",
    "period",
    "month",
    "plan",
    "actual",
    "share",
    "cumulative_plan",
    "cumulative_actual",
    "cumulative_share",
)
#: Columns of :attr:`FulfilmentReport.table`.
TABLE_COLUMNS = (
    "enterprise",
    "trust",
    "commissariat",
    *_SHARED_COLUMNS,
    "shortfall",
    "cause",
    "cause_amount",
    "labour",
)
#: Columns of an aggregate after its unit column (``trust`` or ``commissariat``).
AGGREGATE_COLUMNS = (*_SHARED_COLUMNS, "products")
#: Text columns of the tables (categorical in memory).
LABEL_COLUMNS = ("enterprise", "trust", "commissariat", "product", "cause")
_INTEGER_COLUMNS = ("period", "month", "products")


def normalise(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """A report table with its columns in order, labels categorical, periods and months ints.

    Parameters
    ----------
    frame
        A table of the report (as made, or as read back from disk).
    columns
        Its columns, in order.

    Returns
    -------
    pandas.DataFrame
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"a fulfilment table needs the column {missing[0]!r}", check="missing_column"
        )
    out = frame.loc[:, list(columns)].reset_index(drop=True)
    for col in columns:
        if col in LABEL_COLUMNS:
            if not isinstance(out[col].dtype, pd.CategoricalDtype):
                text = out[col].astype(object).where(out[col].notna(), "").astype(str)
                out[col] = text.astype("category")
        elif col in _INTEGER_COLUMNS:
            out[col] = pd.to_numeric(out[col]).astype("int64")
        else:
            out[col] = pd.to_numeric(out[col]).astype(float)
    return out


@dataclass(frozen=True, eq=False)
class FulfilmentReport(TabledResult):
    """The fulfilment of the control figures by every enterprise, trust and commissariat.

    Attributes
    ----------
    table
        One row per report, columns :data:`TABLE_COLUMNS` (see the module's definitions).
    by_trust
        Columns ``trust`` then :data:`AGGREGATE_COLUMNS`: one row per trust, product, period
        and month, and one per trust, period and month with ``product`` :data:`ALL_PRODUCTS`.
    by_commissariat
        The same with ``commissariat``.
    provenance
        What produced the report (function, version, sizes).

    Label columns are categorical. Every field round-trips: :meth:`to_dict` /
    :meth:`from_dict` and :meth:`write` / :meth:`read` (a folder of tables with
    ``fulfilment.json``, or one JSON file).
    """

    META_FILE: ClassVar[str] = REPORT_META
    TABLE_NAMES: ClassVar[tuple[str, ...] | None] = REPORT_TABLES
    NEEDS: ClassVar[str | None] = _NEEDS
    SOURCE: ClassVar[str] = "fulfilment report"
    LABELS: ClassVar[tuple[str, ...]] = LABEL_COLUMNS

    table: pd.DataFrame
    by_trust: pd.DataFrame
    by_commissariat: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)

    def _meta(self) -> dict[str, Any]:
        return finite({"kind": REPORT_KIND, "provenance": self.provenance})

    def _written_tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name, labels as text (for the writers)."""
        return {name: _as_text(getattr(self, name)) for name in REPORT_TABLES}

    @classmethod
    def _from_tables(
        cls, meta: dict[str, Any], frames: dict[str, pd.DataFrame], source: str
    ) -> FulfilmentReport:
        if meta.get("kind") != REPORT_KIND:
            raise InputError("not a fulfilment report written by gosplan", source=source)
        text = ("enterprise", "trust", "commissariat", "product", "cause")
        tables = {}
        for name, frame in frames.items():
            unit = {"by_trust": "trust", "by_commissariat": "commissariat"}.get(name)
            columns = TABLE_COLUMNS if unit is None else (unit, *AGGREGATE_COLUMNS)
            frame = long(frame, text) if len(frame.columns) else pd.DataFrame(columns=columns)
            for col in text:
                if col in frame.columns:  # an empty cause is written as an empty cell
                    frame[col] = frame[col].where(frame[col].notna(), "")
            try:
                tables[name] = normalise(frame, columns)
            except InputError as err:
                raise InputError(err.message, source=source, check=err.check) from None
        return cls(provenance=dict(meta.get("provenance") or {}), **tables)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with its categorical columns as text (for the writers)."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str)
    return out
