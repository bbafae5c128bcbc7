"""Socialist competition: ranking tables and challenges from a fulfilment report.

Every measure is computed per unit (enterprise, trust or commissariat), period and month from
a :class:`~gosplan.core.fulfilment_report.FulfilmentReport`'s ``table``. Output of unlike
products is never summed: a measure is computed per product over the unit's enterprises and a
unit's value is the simple mean over its products (or the value of the one ``product`` asked
for):

``fulfilment``
    The cumulative share: cumulative actual over cumulative plan since the first report
    (per product the plan-weighted mean of the enterprises' cumulative shares).
``growth``
    Actual output of the period (and month) over that of the unit's previous report of the
    product, less 1 (0.1: a tenth more); NaN for the first report.
``productivity``
    Actual output per unit of labour used (the reports' ``labour`` column, where reported):
    in the product's units per unit of labour. Only like products compare: rank within one
    ``product`` unless every unit makes the same things.

Rank 1 is the best (the highest value); equal values share the best rank among them
(``method="min"``) and are listed in label order; a unit with no value (NaN) has no rank
and is listed last.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.core.checks import Problems
from gosplan.core.fulfilment_report import FulfilmentReport
from gosplan.errors import InputError

#: Measures of :func:`competition`, and the units it ranks.
MEASURES = ("fulfilment", "growth", "productivity")
UNITS = ("enterprise", "trust", "commissariat")
#: Columns of a ranking table after the unit column, and of a challenge table.
STANDING_COLUMNS = ("period", "month", "value", "rank")
CHALLENGE_COLUMNS = (
    "challenger",
    "challenged",
    "period",
    "month",
    "challenger_value",
    "challenged_value",
    "difference",
    "ahead",
)


def _check(by: str, measure: str) -> None:
    if by not in UNITS:
        raise InputError(
            f"unknown unit {by!r}; choose {', '.join(UNITS)}", label=by, check="bad_argument"
        )
    if measure not in MEASURES:
        raise InputError(
            f"unknown measure {measure!r}; choose {', '.join(MEASURES)}",
            label=measure,
            check="bad_argument",
        )


def _per_product(table: pd.DataFrame, by: str, measure: str) -> pd.DataFrame:
    """The measure per unit, product, period and month (column ``value``)."""
    keys = [by, "product", "period", "month"]
    frame = table.loc[:, [*keys, "cumulative_plan", "cumulative_actual", "actual", "labour"]]
    frame = frame.assign(
        **{by: frame[by].astype(str), "product": frame["product"].astype(str)},
        labour_actual=frame["actual"].where(frame["labour"].notna(), 0.0),
    )
    sums = frame.groupby(keys, sort=True, observed=True).agg(
        cumulative_plan=("cumulative_plan", "sum"),
        cumulative_actual=("cumulative_actual", "sum"),
        actual=("actual", "sum"),
        labour=("labour", "sum"),
        labour_actual=("labour_actual", "sum"),
        reported=("labour", "count"),
    )
    sums = sums.reset_index()
    if measure == "fulfilment":
        plan = sums["cumulative_plan"]
        value = (sums["cumulative_actual"] / plan).where(plan > 0)
    elif measure == "growth":
        before = sums.groupby([by, "product"], sort=False)["actual"].shift(1)
        value = (sums["actual"] / before - 1.0).where(before > 0)
    else:
        labour = sums["labour"].where(sums["reported"] > 0)
        value = (sums["labour_actual"] / labour).where(labour > 0)
    return sums.loc[:, keys].assign(value=value.astype(float))


def standings(
    report: FulfilmentReport,
    *,
    by: str = "enterprise",
    measure: str = "fulfilment",
    product: str | None = None,
) -> pd.DataFrame:
    """The measure of every unit per period and month, unranked.

    Parameters
    ----------
    report
        A fulfilment report.
    by, measure, product
        As in :func:`competition`.

    Returns
    -------
    pandas.DataFrame
        Columns ``by, period, month, value``, sorted by period, month and unit.
    """
    _check(by, measure)
    per = _per_product(report.table, by, measure)
    if product is not None:
        if product not in set(report.table["product"].astype(str)):
            raise InputError("no report of this product", label=str(product), check="unknown_label")
        out = per[per["product"] == str(product)].drop(columns="product")
    else:
        out = per.groupby([by, "period", "month"], sort=False)["value"].mean().reset_index()
    out = out.sort_values(["period", "month", by], kind="stable").reset_index(drop=True)
    return out.loc[:, [by, "period", "month", "value"]]


def competition(
    report: FulfilmentReport,
    *,
    by: str = "enterprise",
    measure: str = "fulfilment",
    product: str | None = None,
) -> pd.DataFrame:
    """The ranking tables of a socialist competition, one per period and month.

    Parameters
    ----------
    report
        A fulfilment report (:func:`gosplan.run.fulfilment.fulfilment`).
    by
        Rank ``"enterprise"``, ``"trust"`` or ``"commissariat"``.
    measure
        ``"fulfilment"`` (cumulative share), ``"growth"`` (output on the previous report) or
        ``"productivity"`` (output per unit of labour used); see the module.
    product
        Rank on this product alone (``None``: the mean over each unit's products).

    Returns
    -------
    pandas.DataFrame
        Columns ``by, period, month, value, rank``: ``rank`` 1 is the best of that period and
        month, ties share the best rank among them (``min``), NaN values have no rank
        (``<NA>``, nullable integers). Sorted by period, month, rank, then label.

    Raises
    ------
    gosplan.errors.InputError
        ``bad_argument`` for an unknown ``by`` or ``measure``; ``unknown_label`` for a
        product with no report.
    """
    out = standings(report, by=by, measure=measure, product=product)
    rank = out.groupby(["period", "month"], sort=False)["value"].rank(method="min", ascending=False)
    out = out.assign(rank=rank.astype("Int64"))
    missing = out["rank"].isna()
    out = out.assign(_missing=missing, _rank=rank.fillna(np.inf))
    out = out.sort_values(["period", "month", "_missing", "_rank", by], kind="stable")
    return out.loc[:, [by, *STANDING_COLUMNS]].reset_index(drop=True)


def challenges(
    report: FulfilmentReport,
    pairs: pd.DataFrame,
    *,
    by: str = "enterprise",
    measure: str = "fulfilment",
    product: str | None = None,
) -> pd.DataFrame:
    """Who is ahead in each challenge, and by how much, per period and month.

    Parameters
    ----------
    report
        A fulfilment report.
    pairs
        Columns ``challenger, challenged``: units (of ``by``) that challenged one another.
    by, measure, product
        As in :func:`competition`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHALLENGE_COLUMNS`, one row per pair (in the order given), period and
        month where either has a report: ``difference = challenger_value -
        challenged_value`` (NaN when either has no value), ``ahead`` the label of the unit
        ahead (``""`` when level or not comparable).

    Raises
    ------
    gosplan.errors.ValidationError
        ``missing_column`` when ``pairs`` lacks a column; ``unknown_label`` for a unit with
        no report (row numbers as on disk, header = row 1).
    """
    problems = Problems()
    for col in ("challenger", "challenged"):
        if col not in pairs.columns:
            problems.add(
                f"the pairs need the column {col!r}", source="pairs", check="missing_column"
            )
    problems.raise_if_any()
    table = standings(report, by=by, measure=measure, product=product)
    known = set(report.table[by].astype(str))
    for col in ("challenger", "challenged"):
        text = pairs[col].astype(str).to_numpy(dtype=object)
        problems.add_rows(
            ~np.isin(text, list(known)),
            f"no {by} of this name has reported",
            source="pairs",
            labels=text,
            check="unknown_label",
        )
    problems.raise_if_any()
    values = table.set_index([by, "period", "month"])["value"]
    steps = table.loc[:, [by, "period", "month"]]
    rows = []
    for challenger, challenged in zip(
        pairs["challenger"].astype(str), pairs["challenged"].astype(str), strict=True
    ):
        both = steps[steps[by].isin([challenger, challenged])]
        times = both.loc[:, ["period", "month"]].drop_duplicates().sort_values(["period", "month"])
        for period, month in times.itertuples(index=False):
            a = values.get((challenger, period, month), np.nan)
            b = values.get((challenged, period, month), np.nan)
            diff = a - b
            ahead = challenger if diff > 0 else challenged if diff < 0 else ""
            rows.append((challenger, challenged, period, month, a, b, diff, ahead))
    out = pd.DataFrame(rows, columns=list(CHALLENGE_COLUMNS))
    for col in ("period", "month"):
        out[col] = out[col].astype(np.int64)
    for col in ("challenger_value", "challenged_value", "difference"):
        out[col] = out[col].astype(float)
    return out
