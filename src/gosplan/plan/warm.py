"""Warm starts: an earlier plan's solution, mapped by labels onto a new LP, as a starting basis.

An earlier plan (a :class:`~gosplan.core.plan_result.PlanResult`, such as the plan a re-plan
revises) knows the value of every variable under its labels: activity levels, free final use,
investment, stocks, imports and exports by label and period, the terminal levels, the common
level; and the shadow price of every row under its block, label and period (``duals``). The
new LP may have other columns and rows (fewer periods, other activities capped): each of its
columns takes the earlier value of the same group, label and period (0 where there is none),
each row the earlier dual of the same coordinates (0 where there is none). HiGHS's crossover
(:func:`gosplan.plan.highs.crossover_basis`) turns that point into a basis, from which the
simplex method goes on. Where the earlier plan's point is still optimal (a re-plan from the
state that plan foresaw) no pivot is needed.

A plan whose LP has variables the result does not label (the harmony values, the diagnosis's
shortfalls and additions) gets no warm start: :func:`warm_basis` says why.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from gosplan.core.plan_result import PlanResult
from gosplan.plan.assemble import LP
from gosplan.plan.data import PlanData
from gosplan.plan.highs import crossover_basis

log = logging.getLogger(__name__)

#: Column groups a plan's tables give values for.
KNOWN_GROUPS = frozenset({"x", "c", "inv", "s", "m", "e", "y_end", "level", "level_copy"})


def _grid(frame: pd.DataFrame, labels: pd.Index, periods: tuple[int, ...]) -> np.ndarray:
    """A labels x periods table on ``labels`` and ``periods``, period-major flat (missing 0)."""
    if frame is None or not len(frame.columns):
        return np.zeros(len(labels) * len(periods))
    table = frame.copy()
    table.columns = [int(c) for c in table.columns]
    values = table.reindex(index=labels, columns=list(periods)).fillna(0.0)
    return values.to_numpy(float).T.ravel()


def mapped_point(previous: PlanResult, data: PlanData, lp: LP) -> np.ndarray | str:
    """The earlier plan's values on the columns of ``lp`` (a reason when it cannot be done).

    Parameters
    ----------
    previous
        An optimal plan.
    data, lp
        The new plan's data and LP.

    Returns
    -------
    numpy.ndarray or str
        One value per column, or why there is none.
    """
    lay = lp.layout
    unknown = [g for g, (_, size) in lay.groups.items() if size and g not in KNOWN_GROUPS]
    if unknown:
        return f"the earlier plan has no values for the variables {', '.join(unknown)}"
    eco, periods = data.eco, data.spec.periods
    acts, prods = eco.activity_labels, eco.product_labels
    z = np.zeros(lp.n_variables)
    traded = prods[data.traded]
    pieces: dict[str, Any] = {
        "x": lambda: _grid(previous.activity_levels, acts, periods),
        "c": lambda: _grid(previous.consumption, prods, periods),
        "inv": lambda: _grid(previous.investment, acts[data.capped], periods),
        "s": lambda: _grid(previous.stocks, prods[data.stored], periods),
        "m": lambda: _grid(previous.imports, traded, periods),
        "e": lambda: _grid(previous.exports, traded, periods),
        "y_end": lambda: (
            pd.Series(previous.terminal_levels, dtype=float)
            .reindex(acts)
            .fillna(0.0)
            .to_numpy(float)
        ),
        "level": lambda: np.full(lay.groups["level"][1], previous.level or 0.0),
        "level_copy": lambda: np.full(lay.groups["level_copy"][1], previous.level or 0.0),
    }
    for group, (offset, size) in lay.groups.items():
        if size:
            z[offset : offset + size] = pieces[group]()
    return np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)


def mapped_duals(previous: PlanResult, lp: LP) -> np.ndarray:
    """The earlier plan's row duals on the rows of ``lp`` (0 where a row has no match)."""
    duals = previous.duals
    if duals is None or not len(duals) or "shadow_price" not in duals.columns:
        return np.zeros(lp.n_constraints)
    keys = lp.row_keys()
    on = [c for c in keys.columns if c in duals.columns]
    earlier = duals[[*on, "shadow_price"]].copy()
    for frame in (keys, earlier):
        frame["label"] = frame["label"].astype(str)
        frame["period"] = pd.to_numeric(frame["period"], errors="coerce")
    earlier = earlier.drop_duplicates(on)
    matched = keys[on].merge(earlier, on=on, how="left")
    return matched["shadow_price"].fillna(0.0).to_numpy(float)


def warm_basis(
    previous: PlanResult, data: PlanData, lp: LP, time_limit: float | None = None
) -> tuple[Any, str, float]:
    """A starting basis for ``lp`` from an earlier plan (see the module docstring).

    Returns
    -------
    (highspy.HighsBasis or None, str, float)
        The basis (``None`` when there is none), what was done (or why nothing could be),
        and the seconds it took.
    """
    if not isinstance(previous, PlanResult) or not previous.optimal:
        return None, "the earlier plan is not an optimal PlanResult", 0.0
    point = mapped_point(previous, data, lp)
    if isinstance(point, str):
        return None, point, 0.0
    basis, seconds = crossover_basis(lp, point, mapped_duals(previous, lp), time_limit)
    if basis is None:
        return None, "HiGHS's crossover found no basis from the earlier plan", seconds
    log.info("warm start: basis from the earlier plan by crossover in %.3f s", seconds)
    return basis, "the earlier plan's solution mapped by labels, crossed over to a basis", seconds
