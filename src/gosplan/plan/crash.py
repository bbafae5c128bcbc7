"""A starting basis for the simplex method from the plan's own first guess: the Leontief plan.

A planner's first guess at a ``max_level`` plan is the static one: no investment, no stocks,
consumption ``theta * weight`` of the assortment in every period, and the gross output that
the technology needs for it, ``x_t = (I - A)^-1 (theta w_t + b_t)`` (``b_t``: fixed final
demand less initial stocks). ``theta`` is raised until the first limit (a capacity, labour or
resource row) binds. That plan is a vertex of the LP: its basis holds the activity levels
(one per product, on the balance rows), the consumption of the assortment (on the assortment
rows), the level and its copies, and the slacks of every other row except the binding one.

Handing this basis to the simplex method replaces the hundreds of thousands of pivots that
bring each activity into an all-slack basis with one factorisation. When the static plan is
optimal (the common level is held down by a limit that investment cannot lift in time, as in
the first period) no pivot is needed at all; otherwise the simplex method goes on from a
feasible vertex. When the guess is not feasible (hard targets that need investment, floors
above it, initial stocks that make ``b_t`` negative) or the economy has several techniques
for a product, there is no crash and the solver starts as usual.

With the basis comes a unit for every column (:func:`column_units`: each product's variables
in units of its capacity). The primal simplex method runs on the LP measured in them and the
optimal basis is then solved once more on the LP itself (``solve_lp(units=...)``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from gosplan.plan.assemble import LP
from gosplan.plan.data import PlanData

log = logging.getLogger(__name__)

#: Relative slack allowed when checking that the guess meets every row and column bound.
FEASIBILITY_TOL = 1e-9
#: Row blocks whose rows hold with equality (or are active) at the guess: nonbasic rows.
ACTIVE_BLOCKS = ("balance", "assortment", "level_links")


@dataclass(frozen=True, eq=False)
class Crash:
    """A primal feasible starting basis and the common level of the guess.

    Attributes
    ----------
    basis
        The basis (``highspy.HighsBasis``) of the static Leontief plan.
    level
        The common level of that plan (a lower bound on the optimum).
    binding
        Row of the LP whose limit holds the guess's level down.
    units
        A typical magnitude of every column (:func:`column_units`): the simplex method runs
        on the LP measured in these units (``solve_lp(units=...)``).
    """

    basis: highspy.HighsBasis
    level: float
    binding: int
    units: np.ndarray | None = None


def _assortment_direction(lp: LP) -> tuple[np.ndarray, np.ndarray] | None:
    """Columns of consumption in the assortment rows and their weights ``w``."""
    lay = lp.layout
    c0, cn = lay.groups["c"]
    rows = sp.csr_array(lp.A[lp.ranges["assortment"]])
    is_c = (rows.indices >= c0) & (rows.indices < c0 + cn)
    row_of = np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr))
    if not np.array_equal(
        np.bincount(row_of[is_c], minlength=rows.shape[0]), np.ones(rows.shape[0])
    ):
        return None  # not the plain shape ``c - w * level >= 0``
    weight = np.zeros(rows.shape[0])
    np.add.at(weight, row_of[~is_c], -rows.data[~is_c])
    return rows.indices[is_c], weight


def _level_interval(
    start: np.ndarray, step: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Per entry, the largest and smallest ``t`` with ``lower <= start + t step <= upper``."""
    tol = FEASIBILITY_TOL * np.maximum(1.0, np.abs(start))
    up, down = step > 0, step < 0
    hi = np.full(start.shape, np.inf)
    lo = np.full(start.shape, -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        hi[up] = (upper[up] - start[up]) / step[up]
        lo[up] = (lower[up] - start[up]) / step[up]
        hi[down] = (lower[down] - start[down]) / step[down]
        lo[down] = (upper[down] - start[down]) / step[down]
    flat = ~(up | down)
    ok = bool(
        np.all((start[flat] <= upper[flat] + tol[flat]) & (start[flat] >= lower[flat] - tol[flat]))
    )
    return hi, lo, ok


def _basis(lp: LP, c_cols: np.ndarray, binding: int, *, rising: bool) -> highspy.HighsBasis | None:
    """The basis of the static plan, or ``None`` when the count of basic entries is wrong.

    Basic: the activities, the consumption of the assortment, the level (and its copies), and
    the slack of every row but the active blocks' and the binding row's. ``rising``: the
    binding row rises with the level (it binds at its upper bound).
    """
    lay = lp.layout
    basic_col = np.zeros(lp.n_variables, dtype=bool)
    basic_col[lay.slice("x")] = True
    basic_col[c_cols] = True
    basic_col[lay.slice("level")] = True
    if lay.has("level_copy"):
        basic_col[lay.slice("level_copy")] = True
    basic_row = np.ones(lp.n_constraints, dtype=bool)
    for name in ACTIVE_BLOCKS:
        if name in lp.ranges:
            basic_row[lp.ranges[name]] = False
    basic_row[binding] = False
    if int(basic_col.sum() + basic_row.sum()) != lp.n_constraints:
        log.info(
            "no crash basis: %d basic for %d rows",
            basic_col.sum() + basic_row.sum(),
            lp.n_constraints,
        )
        return None
    status = highspy.HighsBasisStatus
    basis = highspy.HighsBasis()
    basis.col_status = [status.kBasic if f else status.kLower for f in basic_col]
    rows = [status.kBasic if f else status.kLower for f in basic_row]
    # a row rising with the level binds at its upper bound, a falling one at its lower
    rows[binding] = status.kUpper if rising else status.kLower
    basis.row_status = rows
    basis.valid = True
    return basis


def leontief_crash(data: PlanData, lp: LP) -> Crash | None:
    """The static Leontief plan's basis for a ``max_level`` LP, or ``None`` (see the module doc).

    Parameters
    ----------
    data
        The plan's data (economy, periods).
    lp
        The assembled ``max_level`` LP.

    Returns
    -------
    Crash or None
        ``None`` when the LP has no assortment, the economy has several techniques for a
        product, or the guess is infeasible.
    """
    lay = lp.layout
    if not (
        data.eco.is_square
        and lay.has("level")
        and lay.has("c")
        and "assortment" in lp.ranges
        and "balance" in lp.ranges
    ):
        return None
    found = _assortment_direction(lp)
    if found is None:
        return None
    c_cols, weight = found
    n, T = data.n_p, data.T
    step = np.zeros(lp.n_variables)
    step[c_cols] = weight
    step[lay.slice("level")] = 1.0
    if lay.has("level_copy"):
        step[lay.slice("level_copy")] = 1.0
    c0, cn = lay.groups["c"]
    # (I - A) x_t = b_t + c_t: the balance rows' right-hand side plus consumption
    b = lp.row_lower[lp.ranges["balance"]].reshape(T, n)
    solver = data.eco.leontief_solver()
    x_start = solver.solve(b.T).x.T
    x_step = solver.solve(step[c0 : c0 + cn].reshape(T, n).T).x.T
    start = np.zeros(lp.n_variables)
    x_cols = lay.slice("x")
    start[x_cols], step[x_cols] = x_start.ravel(), x_step.ravel()
    row_step = lp.A @ step
    row_hi, row_lo, rows_ok = _level_interval(lp.A @ start, row_step, lp.row_lower, lp.row_upper)
    col_hi, col_lo, cols_ok = _level_interval(start, step, lp.col_lower, lp.col_upper)
    equality = lp.row_lower == lp.row_upper
    row_hi[equality], row_lo[equality] = np.inf, -np.inf  # hold for every level, by design
    binding = int(np.argmin(row_hi))
    level = float(row_hi[binding])
    floor = max(float(np.max(row_lo, initial=0.0)), float(np.max(col_lo, initial=0.0)))
    if not (rows_ok and cols_ok and np.isfinite(level) and floor <= level):
        return None
    if float(np.min(col_hi, initial=np.inf)) < level:  # a column bound binds first
        return None
    basis = _basis(lp, c_cols, binding, rising=bool(row_step[binding] > 0))
    if basis is None:
        return None
    log.info("crash basis: the static Leontief plan at level %.6g (row %d binds)", level, binding)
    x_guess = (x_start + level * x_step).reshape(T, n)
    return Crash(basis, level, binding, column_units(data, lp, x_guess))


def _product_members(data: PlanData) -> dict[str, np.ndarray | None]:
    """The LP column groups of one product each (square economy: of its activity).

    With the positions of their members among the products (``None``: all, in order).
    """
    return {
        "x": None,
        "c": None,
        "inv": data.capped,
        "s": data.stored,
        "m": data.traded,
        "e": data.traded,
    }


def column_units(data: PlanData, lp: LP, x_guess: np.ndarray) -> np.ndarray:
    """A typical magnitude of every column of a square economy's plan LP.

    Every variable of a product (its activity level, consumption, new capacity, stock,
    imports, exports) is measured in the unit of that product's activity: its largest
    initial capacity over the horizon where it has one, else its largest level in the guess
    ``x_guess`` (periods x products), else the geometric mean of the other products' units.
    Other columns (the level, its copies) keep unit 1. The LP's optimum does not depend on
    the units; the simplex method's path does: measured so, the growth plans of the benchmark
    take about a fifth fewer pivots, each cheaper (``benchmarks/README.md``).

    Parameters
    ----------
    data
        The plan's data; its economy is square (product ``i`` made by activity ``i``).
    lp
        The assembled LP.
    x_guess
        Activity levels of a first guess, periods x products.

    Returns
    -------
    numpy.ndarray
        Positive units, one per column of ``lp``.
    """
    unit = np.max(x_guess, axis=0, initial=0.0)
    if data.n_c:
        unit[data.capped] = np.where(
            data.initial.max(axis=1) > 0, data.initial.max(axis=1), unit[data.capped]
        )
    positive = unit > 0
    fill = float(np.exp(np.mean(np.log(unit[positive])))) if positive.any() else 1.0
    unit[~positive] = fill
    units = np.ones(lp.n_variables)
    lay = lp.layout
    for name, members in _product_members(data).items():
        if not lay.has(name):
            continue
        per_period = unit if members is None else unit[members]
        units[lay.slice(name)] = np.tile(per_period, data.T)
    return units
