"""Compress a plan's horizon: "the five-year plan in four years".

The same final targets are to be reached in fewer periods. With ``N`` periods in the original
plan and ``n`` in the compressed one (``1 <= n <= N``):

* the periods are the first ``n`` periods of the original;
* a target of the original's period at position ``k`` (1-based) moves to the period at
  position ``ceil(k * n / N)``; targets are levels of output, not flows, so where several land
  on the same period the highest target is kept (its whole row: priority and extra columns
  too; on a tie, the row of the later original period);
* fixed final demand moves like the targets but is summed: it is a quantity to deliver, and
  all of it must still be delivered within the shorter horizon;
* a per-period assortment moves like the targets (a bundle to reach in the last year is to be
  reached in the new last year; where several land together, the larger weight is kept);
* labour and resource availability and consumption floors are those of the original's first
  ``n`` periods (the later rows are dropped: the compressed plan has no extra labour to draw
  on);
* everything else (initial capital stock, lags, depreciation, stocks, trade, terminal
  requirements, settings) is unchanged.

Example: five periods into four maps positions ``1, 2, 3, 4, 5`` to ``1, 2, 3, 4, 4``; the
targets of years four and five both fall in year four, which keeps the larger of them.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from gosplan.core.spec import PlanSpec
from gosplan.errors import InputError

logger = logging.getLogger(__name__)


def period_map(n_original: int, n_periods: int) -> np.ndarray:
    """Positions (1-based) in the compressed plan of the original positions ``1..N``.

    Parameters
    ----------
    n_original
        Number of periods ``N`` of the original plan.
    n_periods
        Number of periods ``n`` of the compressed plan.

    Returns
    -------
    numpy.ndarray
        ``ceil(k * n / N)`` for ``k = 1..N`` (computed in integers).

    Examples
    --------
    >>> period_map(5, 4).tolist()
    [1, 2, 3, 4, 4]
    """
    k = np.arange(1, n_original + 1, dtype=np.int64)
    return -((-k * n_periods) // n_original)


def compress(spec: PlanSpec, n_periods: int) -> PlanSpec:
    """The same plan with its final targets reached in ``n_periods`` periods.

    See the module docstring for the exact rules.

    Parameters
    ----------
    spec
        The original plan of ``N`` periods.
    n_periods
        Number of periods of the compressed plan, ``1 <= n_periods <= N``.

    Returns
    -------
    PlanSpec
        A validated specification over the first ``n_periods`` periods of ``spec``.

    Raises
    ------
    InputError
        If ``n_periods`` is out of range, or an investment lag of ``spec`` is not shorter than
        the compressed horizon.
    """
    n_original = spec.n_periods
    if isinstance(n_periods, bool) or int(n_periods) != n_periods:
        raise InputError(f"n_periods must be a whole number, got {n_periods!r}")
    n_periods = int(n_periods)
    if not 1 <= n_periods <= n_original:
        raise InputError(
            f"n_periods must be between 1 and the plan's {n_original} periods, got {n_periods}",
            source=spec.name,
        )
    periods = spec.periods[:n_periods]
    new_position = period_map(n_original, n_periods)
    moved = {old: periods[pos - 1] for old, pos in zip(spec.periods, new_position, strict=True)}
    changes: dict[str, object] = {
        "periods": periods,
        "name": f"{spec.name} in {n_periods} periods",
        "targets": _move_levels(spec.targets, moved, "target"),
        "fixed_final_demand": _move_flows(spec.fixed_final_demand, moved, "quantity"),
    }
    if "period" in spec.assortment.columns and len(spec.assortment):
        changes["assortment"] = _move_levels(spec.assortment, moved, "weight")
    for name in ("floors", "labour_available", "resources_available"):
        table: pd.DataFrame = getattr(spec, name)
        if "period" in table.columns:
            changes[name] = table[table["period"].isin(periods)].reset_index(drop=True)
    logger.info("compressed plan %r from %d to %d periods", spec.name, n_original, n_periods)
    return spec.with_changes(**changes)


def _move_levels(table: pd.DataFrame, moved: dict[int, int], value: str) -> pd.DataFrame:
    """Move rows to their new periods; keep the row with the highest value per key."""
    if not len(table):
        return table.copy()
    out = table.copy()
    out["_order"] = np.arange(len(out))
    out["_old"] = out["period"].astype(np.int64)
    out["period"] = out["period"].map(moved).astype(np.int64)
    keys = [c for c in table.columns if c in ("product", "period")]
    out = out.sort_values([value, "_old"], kind="stable")
    out = out.drop_duplicates(keys, keep="last").sort_values("_order", kind="stable")
    return out.drop(columns=["_order", "_old"]).reset_index(drop=True)


def _move_flows(table: pd.DataFrame, moved: dict[int, int], value: str) -> pd.DataFrame:
    """Move rows to their new periods; sum the values that land together."""
    if not len(table):
        return table.copy()
    out = table[["product", "period", value]].copy()
    out["period"] = out["period"].map(moved).astype(np.int64)
    out[value] = out[value].astype(float)
    return out.groupby(["product", "period"], sort=False, as_index=False)[value].sum()
