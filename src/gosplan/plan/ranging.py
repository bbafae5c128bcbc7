"""Where each shadow price holds: HiGHS's ranging of the rows, labelled by block.

A shadow price ``d objective / d bound`` is the exact derivative of the optimal objective only
while the optimal basis stays optimal as the bound moves. At a degenerate vertex (more rows
through the optimal point than the basis needs) the objective, as a function of a bound, has a
kink there: the reported dual is then one of the subgradients, and it differs from the one-sided
derivative on at least one side. :func:`price_ranges` reports, for every row, the interval of
its bound over which the reported price holds (from :attr:`LPSolution.ranging
<gosplan.plan.highs.LPSolution.ranging>`) and marks the rows where that interval has zero width
on one side.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from gosplan.plan.assemble import LP
from gosplan.plan.blocks import INTERNAL_BLOCKS
from gosplan.plan.highs import LPSolution

log = logging.getLogger(__name__)

#: Columns of every table of :func:`price_ranges`; a block's further dimensions (its
#: :attr:`~gosplan.plan.blocks.Block.dims`, such as the harmony's ``segment``) come between
#: ``period`` and ``shadow_price``.
COLUMNS = ("label", "period", "shadow_price", "bound", "valid_from", "valid_to", "degenerate")


def _reported_bound(lp: LP, activity: np.ndarray) -> np.ndarray:
    """The bound of every row: an equality's, the finite one, or the nearer to the activity."""
    lo, hi = lp.row_lower, lp.row_upper
    fin_lo, fin_hi = np.isfinite(lo), np.isfinite(hi)
    with np.errstate(invalid="ignore"):
        nearer_upper = fin_hi & (~fin_lo | (hi - activity <= activity - lo))
    return np.where(nearer_upper, hi, np.where(fin_lo, lo, np.nan))


def price_ranges(lp: LP, sol: LPSolution, *, tol: float = 1e-9) -> dict[str, pd.DataFrame]:
    """The interval of each row's bound over which its shadow price holds, by block.

    Parameters
    ----------
    lp
        The LP that was solved.
    sol
        Its solution; the intervals come from ``sol.ranging`` (HiGHS ranging), which must refer
        to the same optimum (its objective equal to ``sol.objective``).
    tol
        An end of the interval within ``tol * (1 + |bound|)`` of the bound counts as the bound
        itself (zero width on that side).

    Returns
    -------
    dict[str, pandas.DataFrame]
        For every block of the LP (not the :data:`~gosplan.plan.blocks.INTERNAL_BLOCKS`), in
        row order, the columns

        ``label``, ``period``, then each further dimension of the block
            The row's coordinates, as in :attr:`PlanResult.duals
            <gosplan.core.plan_result.PlanResult.duals>` (a block without further
            dimensions: as in :attr:`PlanResult.shadow_prices
            <gosplan.core.plan_result.PlanResult.shadow_prices>`).
        ``shadow_price``
            ``sol.row_dual`` of the row, ``d objective / d bound`` in the LP's own sense.
        ``bound``
            The row's active bound (for a row at neither bound: its finite bound, the nearer
            one to the activity if both are finite; NaN for a free row).
        ``valid_from``, ``valid_to``
            The interval of ``bound`` over which the optimal objective moves linearly at
            ``shadow_price`` (``-inf``/``inf`` when unlimited); NaN where ranging is not
            available (PDLP, interior point without a basis, no optimal solution).
        ``degenerate``
            True where the interval has zero width on one side of the bound: moving the
            bound that way changes the objective at another rate (or makes the LP
            infeasible), so the price is a one-sided derivative at best. False where ranging
            is not available.

    Notes
    -----
    The interval is that of the optimal basis HiGHS returned. Where the dual solution is also
    degenerate, another optimal basis may carry the same price further, so ``degenerate``
    says that this basis does not certify the price on that side, and the ends of the
    interval are where it stops certifying it.
    """
    bound, valid_from, valid_to = _intervals(lp, sol)
    eps = tol * (1.0 + np.abs(bound))
    with np.errstate(invalid="ignore"):
        degenerate = (bound - valid_from <= eps) | (valid_to - bound <= eps)
    values = {
        "shadow_price": sol.row_dual,
        "bound": bound,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "degenerate": degenerate,
    }
    return _tables_by_block(lp, values)


def _intervals(lp: LP, sol: LPSolution) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row's bound and the ends of its interval, from ``sol.ranging`` where it fits.

    Ranging that refers to another optimum (or another number of rows) is not used, with a
    warning; without it the bound is the reported one and the ends are NaN.
    """
    m = lp.n_constraints
    r = sol.ranging
    usable = (
        r is not None
        and len(r.bound) == m
        and bool(np.isclose(r.objective, sol.objective, rtol=1e-9, atol=1e-9))
    )
    if r is not None and not usable:
        log.warning(
            "ranging refers to another optimum (objective %.9g, solution %.9g): not used",
            r.objective,
            sol.objective,
        )
    if r is not None and usable:
        return r.bound, r.down_value, r.up_value
    nan = np.full(m, np.nan)
    return _reported_bound(lp, sol.row_value), nan, nan


def _tables_by_block(lp: LP, values: dict[str, np.ndarray]) -> dict[str, pd.DataFrame]:
    """The rows of ``values`` (one entry per row of the LP) by block, with their coordinates."""
    out: dict[str, pd.DataFrame] = {}
    for b in lp.blocks:
        if b.name in INTERNAL_BLOCKS:
            continue
        rows = lp.ranges[b.name]
        table = {**b.row_coords(), **{k: v[rows] for k, v in values.items()}}
        out[b.name] = pd.DataFrame(table, columns=columns_of(b.dims))
    return out


def columns_of(dims: tuple[str, ...] = ()) -> list[str]:
    """The columns of a table of :func:`price_ranges` for a block with further ``dims``."""
    return [*COLUMNS[:2], *dims, *COLUMNS[2:]]
