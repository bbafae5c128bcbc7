"""Feasibility check of a plan's targets and, when they cannot be met, the diagnosis.

:func:`check_plan` answers, in order:

1. Can the targets be met under the resources? (the least-labour plan; if it exists, yes).
2. If not: the **common level** ``theta*``, the largest ``theta`` with gross output ``>= theta *
   target`` for every target jointly; per target, what is **reachable jointly** (an elastic LP
   minimising the sum of priority-weighted relative shortfalls) and **reachable alone**
   (maximising that target's output with no other target; only for up to
   :data:`ALONE_MAX` targets); the **binding limits** (labour, resources, capacities) with
   their shadow prices in the elastic LP (the fall of the weighted relative shortfall per unit
   more of the limit); and the **smallest additions** making the targets feasible at least
   total cost.

The additions
-------------
Labour, other resources and imports are **flows**: an addition counts in its own period only.
A capacity addition **lasts**: first available in period ``t``, it stays available in every
later period and at the end of the horizon (no depreciation, no retirement), and it is charged
once.

Only what can be built is priced. A capacity addition is **buildable** when investment could
make that capacity: the activity has capital coefficients and ``t`` is at least its investment
lag (``t >= lag``, counting periods from the plan's start: new capacity started in the first
period comes into service ``lag`` periods later). Any other capacity addition (an activity
without capital goods, or capacity needed before its lag lets new capacity serve) is an
addition **from outside the plan** (imported equipment, a decision outside the plan): it stays
possible, but it is priced :data:`OUTSIDE_PENALTY` times higher in the LP, so that buildable
additions are always preferred; the table flags it (``outside``), leaves its ``labour_cost``
NaN and the total leaves it out, and the message names it apart.

Costs, in the economy's labour unit, when the products have labour values (:func:`valuation`:
least-labour techniques):

* labour: one unit of labour per unit;
* buildable capacity: the labour value of the capital goods one unit of capacity needs (the
  activity's capital column times the products' labour values: what an investment of that size
  spends in the plan), once;
* capacity from outside the plan: not priced (in the LP: :data:`OUTSIDE_PENALTY` times the
  labour value of its capital goods and of a period's output of a unit of capacity, plus
  :data:`OUTSIDE_PENALTY`, so that it is dear even where these are zero);
* other resources: they have no labour value; the LP prices them at 1 per unit, the table's
  ``labour_cost`` is NaN and they are left out of the total;
* imports: the labour value of the product. Imports are a last resort: in the LP they are priced
  :data:`IMPORT_PENALTY` times higher, so they appear only where no domestic addition can close
  the gap (a product no activity can make, say).

Without labour values (no labour coefficients, or a technology without a surplus), nothing is
summed in physical units: every addition is priced by its **relative size**, the amount over
the limit it lifts, ``amount / max(available, tiny)`` (unit-free; ``tiny`` is
:data:`RELATIVE_FLOOR` times the largest limit of the same label, 1 where it has none; imports
are measured against the product's largest target or fixed final demand), with the same
penalties for capacity from outside and for imports. ``labour_cost`` is then NaN throughout
(``cost_in_labour`` False) and the table's ``relative_size`` holds the price.

Of equally cheap lasting additions the one starting latest is chosen (:data:`LATER_PREFERENCE`),
so that "from period t on" names the period from which it is needed. The additions are checked:
the least-labour LP is solved once more with them added to its limits
(:func:`with_additions`, ``additions_verified``).

The message names every addition (the :data:`~gosplan.core.plan_check.MESSAGE_ADDITIONS`
largest when there are more, the others counted and totalled per kind and unit) with its
amount rounded **up** to three significant figures (:func:`~gosplan.core.words.sig_up`):
the amounts as shown are enough.

Solver failures
---------------
A status other than the ones an LP of the check can be read from (``Status.ERROR``,
``Status.TIME_LIMIT``) raises :class:`PlanCheckError`, naming the LP that failed: the check does
not call a plan infeasible when the solver merely stopped.

Options
-------
:func:`check_plan` takes its options as explicit keyword-only parameters (an unknown keyword is
Python's own ``TypeError``); the helpers solving LPs of their own (:func:`common_level`,
:func:`elastic`, :func:`reachable_alone`, :func:`valuation`, :func:`additions`,
:func:`verify_additions`) take one :class:`~gosplan.plan.arguments.SolveOptions` value.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from gosplan.core.plan_check import (
    ADDITION_COLUMNS,
    BINDING_COLUMNS,
    BINDING_RTOL,
    REACHABLE_COLUMNS,
    PlanCheck,
)
from gosplan.core.plan_result import PlanResult
from gosplan.core.progress import Progress
from gosplan.core.spec import PlanSpec
from gosplan.core.status import Status
from gosplan.errors import GosplanError, SolverError
from gosplan.plan.arguments import DEFAULT_SOLVE, SolveOptions, require_spec
from gosplan.plan.assemble import LP, assemble
from gosplan.plan.blocks import Block
from gosplan.plan.data import PlanData
from gosplan.plan.highs import LPSolution, solve_lp
from gosplan.plan.layout import Layout, base_layout
from gosplan.plan.objectives import common_blocks, formulate
from gosplan.plan.optimise import optimise
from gosplan.plan.ranging import price_ranges

log = logging.getLogger(__name__)

#: Largest number of targets for which each target's reach alone is computed.
ALONE_MAX = 50
#: Factor by which emergency imports are priced above their labour value in the additions LP.
IMPORT_PENALTY = 1000.0
#: Factor by which capacity from outside the plan (no capital goods, or before the lag) is
#: priced above buildable capacity in the additions LP.
OUTSIDE_PENALTY = 1000.0
#: Relative surcharge per period earlier on a lasting capacity addition in the additions LP:
#: among equally cheap additions, the one starting latest (when it is first needed) is chosen.
LATER_PREFERENCE = 1e-6
#: Without labour values, a limit below this fraction of the largest limit of its label counts
#: as this fraction in the relative size of an addition (1 unit where the label has none).
RELATIVE_FLOOR = 1e-6

_LIMITS = ("labour", "resources", "capacity")
#: Statuses of an LP of the check that are answers (any other raises PlanCheckError).
_ANSWERED = (Status.OPTIMAL, Status.UNBOUNDED, Status.INFEASIBLE)
_ADVICE = (
    "Try another method with --solver (simplex, ipm or pdlp; solver=... in Python) or allow "
    "more time with --time-limit (time_limit=... seconds)."
)


class PlanCheckError(SolverError):
    """An LP of the plan check stopped without an answer: the check could not decide.

    Attributes
    ----------
    lp
        Which LP failed, in words.
    status
        Its :class:`~gosplan.core.status.Status` (``ERROR``, ``TIME_LIMIT``, ...).
    infeasible
        True when the targets were already found infeasible (only the diagnosis is missing).
    feasible
        True when the targets were already found feasible (only the common level is missing).
    """

    def __init__(
        self,
        lp: str,
        status: Status | str,
        *,
        infeasible: bool,
        feasible: bool = False,
        detail: str = "",
    ) -> None:
        self.lp = lp
        self.status = Status(status)
        self.infeasible = infeasible
        self.feasible = feasible
        self.detail = detail
        if infeasible:
            head = "The targets cannot all be met, but the diagnosis could not be completed"
        elif feasible:
            head = "The targets can be met, but the check could not be completed"
        else:
            head = "Could not decide whether the targets can be met"
        reason = {
            Status.TIME_LIMIT: "stopped at its time or iteration limit",
            Status.ERROR: "stopped without a certified answer",
        }.get(self.status, f"ended with status {str(self.status)!r}")
        super().__init__(f"{head}: {lp} {reason}{detail}. {_ADVICE}")


def _detail(sol: LPSolution) -> str:
    return f" (HiGHS {sol.method}, {sol.iterations} iterations, {sol.seconds:.3g} s)"


def _solve(lp: LP, opts: SolveOptions) -> LPSolution:
    """Solve one LP of the check with the options of :func:`check_plan`."""
    return solve_lp(lp, solver=opts.solver, tol=opts.tol, time_limit=opts.time_limit)


def _need(sol: LPSolution, lp: str, ok: tuple[Status, ...], *, infeasible: bool = True) -> None:
    """Raise :class:`PlanCheckError` unless ``sol.status`` is one of ``ok``."""
    if sol.status not in ok:
        raise PlanCheckError(lp, sol.status, infeasible=infeasible, detail=_detail(sol))


def _product_units(data: PlanData) -> np.ndarray:
    units = data.eco.products["unit"].astype(str).str.strip().to_numpy(object)
    return np.where(units == "", "units", units)


def _capacity_units(data: PlanData) -> np.ndarray:
    """Unit of the capacity of every capped activity: its product's unit a year."""
    made = _product_units(data)[data.eco.activity_product[data.capped]]
    return np.array([f"{u} a year" for u in made], dtype=object)


def _block_units(data: PlanData, block: str, labels: np.ndarray) -> np.ndarray:
    """Unit of the rows of a limit block (labour, resources, capacity) or of imports."""
    n = len(labels)
    if block == "labour":
        return np.full(n, data.eco.meta.labour_unit, dtype=object)
    if block == "capacity":
        pos = data.eco.activity_labels[data.capped].get_indexer(labels)
        return _capacity_units(data)[pos]
    if block in ("balance", "imports"):
        return _product_units(data)[data.eco.product_labels.get_indexer(labels)]
    return np.full(n, "units", dtype=object)


def _lp(data: PlanData, lay: Layout, target_mode: str, cost: np.ndarray, maximise: bool) -> LP:
    blocks = [
        b for b in common_blocks(data, lay, target_mode) if b.name not in ("assortment", "harmony")
    ]
    return assemble(lay, blocks, cost, maximise)


def common_level(data: PlanData, opts: SolveOptions = DEFAULT_SOLVE) -> float:
    """Largest ``theta`` with gross output ``>= theta * target`` for all targets (0 if none).

    Raises
    ------
    PlanCheckError
        When the LP stops without an answer (error, time limit).
    """
    lay = base_layout(data)
    lay.add("level", 1)
    cost = np.zeros(lay.n)
    cost[lay.slice("level")] = 1.0
    sol = _solve(_lp(data, lay, "level", cost, True), opts)
    _need(sol, "the LP of the common level", _ANSWERED)
    if sol.status == Status.UNBOUNDED:
        return float("inf")
    return float(sol.objective) if sol.status == Status.OPTIMAL else 0.0


def elastic(data: PlanData, opts: SolveOptions = DEFAULT_SOLVE) -> tuple[LP, LPSolution]:
    """Minimise the priority-weighted relative shortfalls of the targets."""
    lay = base_layout(data)
    lay.add("shortfall", data.n_targets, 0.0, np.maximum(data.target_value, 0.0))
    cost = np.zeros(lay.n)
    tgt = data.target_value
    cost[lay.slice("shortfall")] = np.where(
        tgt > 0, data.target_priority / np.where(tgt > 0, tgt, 1.0), 0.0
    )
    lp = _lp(data, lay, "elastic", cost, False)
    return lp, _solve(lp, opts)


def reachable_alone(data: PlanData, opts: SolveOptions = DEFAULT_SOLVE) -> np.ndarray:
    """Largest output of each target's product and period with no other target (inf: no limit).

    NaN where even no target at all is feasible (floors, fixed final demand, terminal capacity).

    Raises
    ------
    PlanCheckError
        When one of the LPs stops without an answer (error, time limit).
    """
    lay = base_layout(data)
    lp = _lp(data, lay, "none", np.zeros(lay.n), True)
    sel = data.products_of_targets()
    out = np.full(data.n_targets, np.nan)
    tgt = data.spec.targets
    for k in range(data.n_targets):
        cost = np.zeros(lay.n)
        cost[lay.slice("x")] = sel[[k]].toarray().ravel()
        sol = _solve(replace(lp, cost=cost), opts)
        what = f"the LP of {tgt['product'].iloc[k]!r} in {tgt['period'].iloc[k]} alone"
        _need(sol, what, _ANSWERED)
        out[k] = (
            sol.objective
            if sol.status == Status.OPTIMAL
            else (np.inf if sol.status == Status.UNBOUNDED else np.nan)
        )
    return out


def valuation(data: PlanData, opts: SolveOptions = DEFAULT_SOLVE) -> tuple[np.ndarray, bool]:
    """Labour value per product that prices the additions, and whether there is one.

    ``PlanData.labour_values`` when it can be computed; otherwise the labour values at the
    least-labour techniques solved here, the largest ``v`` with ``v (O - A) <= l`` activity by
    activity (``l``: all labour types; by the non-substitution theorem, each product's least
    labour content), a product no activity makes being valued at 0. Without labour
    coefficients, or when that LP has no optimum (an unproductive economy), NaN for every
    product and ``False``: the additions are then priced by their relative size
    (:func:`additions`), never by physical units summed.
    """
    try:
        values = data.labour_values
    except GosplanError:  # ValuationError: no labour coefficients, or no optimum
        values = None
    if values is not None:
        return np.asarray(values, dtype=float), True
    none = np.full(data.n_p, np.nan)
    if data.labour.nnz == 0 or data.n_a == 0:
        return none, False
    lay = Layout()
    made = np.asarray(abs(data.outputs).sum(axis=1)).ravel() > 0
    lay.add("v", data.n_p, 0.0, np.where(made, np.inf, 0.0))
    per = np.asarray(data.labour.sum(axis=0)).ravel()
    lp = LP(
        cost=np.ones(data.n_p),
        A=sp.csc_array((data.outputs - data.inputs).T),
        col_lower=lay.lower[0],
        col_upper=lay.upper[0],
        row_lower=np.full(data.n_a, -np.inf),
        row_upper=per,
        maximise=True,
        layout=lay,
        blocks=(),
        ranges={},
    )
    sol = _solve(lp, opts)
    if sol.status != Status.OPTIMAL:
        log.warning("labour values at the least-labour techniques: %s", sol.status)
        return none, False
    return np.maximum(sol.x, 0.0), True


def _limit_rows(data: PlanData, table: pd.DataFrame, key: str, types: pd.Index) -> int:
    return int(np.isfinite(data.per_period(table, key, types, "available")).sum())


def buildable(data: PlanData) -> np.ndarray:
    """Whether investment could make a capacity addition, capped activities x T (bool).

    True where the activity has capital coefficients and the period index is at least its
    investment lag (new capacity started in the first period serves from then on); False
    where the addition can only come from outside the plan.
    """
    can_invest = np.asarray(abs(data.capital).sum(axis=0)).ravel()[data.capped] > 0
    first = np.where(can_invest, data.lag[data.capped], data.T)
    return np.arange(data.T)[None, :] >= first[:, None]


def _requirement(data: PlanData) -> np.ndarray:
    """Largest target or fixed final demand of each product (what its imports are measured by)."""
    req = np.zeros(data.n_p)
    spec = data.spec
    for table, column in ((spec.targets, "target"), (spec.fixed_final_demand, "quantity")):
        if len(table):
            pos = data.eco.product_labels.get_indexer(table["product"])
            np.maximum.at(req, pos, pd.to_numeric(table[column]).to_numpy(float))
    return req


def _relative_scale(limit: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``max(limit, tiny)`` row by row: the limit an addition's relative size is measured by.

    ``tiny`` is :data:`RELATIVE_FLOOR` times the largest limit of the same label (in its own
    unit), 1 where the label has no positive limit.
    """
    lim = np.where(np.isfinite(limit) & (limit > 0), limit, 0.0)
    if not len(lim):
        return lim
    top = pd.Series(lim).groupby(pd.Series(labels, dtype=object).to_numpy()).transform("max")
    top = top.to_numpy(float)
    return np.maximum(lim, np.where(top > 0, RELATIVE_FLOOR * top, 1.0))


#: The LP groups of the additions: (kind in the table, block whose rows it lifts).
_ADDITION_KINDS = {
    "add_labour": ("labour", "labour"),
    "add_resources": ("resource", "resources"),
    "add_capacity": ("capacity", "capacity"),
    "add_imports": ("imports", "balance"),
}


def additions(
    data: PlanData, opts: SolveOptions = DEFAULT_SOLVE, *, values: np.ndarray | None = None
) -> tuple[pd.DataFrame, float]:
    """Smallest additions (least total cost) that make the targets feasible.

    Labour, resources and imports are flows (one period each); capacity additions last from
    their period to the end of the horizon and are charged once; capacity that investment
    cannot make (no capital goods, or before the lag: :func:`buildable`) comes from outside the
    plan, penalised and not priced (see the module docstring). ``values``: the labour value per
    product pricing them (default :func:`valuation`); when it is not finite everywhere (no
    labour values), each addition is priced by its relative size instead.

    Returns
    -------
    (pandas.DataFrame, float)
        The additions (columns as :attr:`PlanCheck.additions`) and their total cost: the
        labour cost of the priced additions, or, without labour values, the sum of their
        relative sizes (NaN when no addition makes the targets feasible).

    Raises
    ------
    PlanCheckError
        When the LP stops without an answer (error, time limit).
    """
    lay, n_lab, n_res = _additions_layout(data)
    v = valuation(data, opts)[0] if values is None else np.asarray(values, dtype=float)
    in_labour = bool(len(v) == data.n_p and np.isfinite(v).all())
    lp = _lp(data, lay, "hard", np.zeros(lay.n), False)
    blocks = {b.name: b for b in lp.blocks}
    outside = ~buildable(data).T.ravel()  # period-major, as the add_capacity columns
    available, scale = _lifted_limits(data, lay, blocks)
    if in_labour:
        price, labour_cost = _labour_prices(data, v, outside, n_lab, n_res)
    else:
        price, labour_cost = _relative_prices(scale, outside)
    sol = _solve(replace(lp, cost=_addition_costs(data, lay, scale, price)), opts)
    _need(sol, "the LP of the smallest additions", _ANSWERED)
    if sol.status != Status.OPTIMAL:
        return pd.DataFrame(columns=list(ADDITION_COLUMNS)), float("nan")
    table = _additions_table(
        data, lay, blocks, sol.x, outside, available=available, scale=scale, cost=labour_cost
    )
    if in_labour:
        total = float(np.nansum(table["labour_cost"].to_numpy(float)))
    else:
        priced = ~table["outside"].to_numpy(bool)
        total = float(table["relative_size"].to_numpy(float)[priced].sum())
    return table, total


def _additions_layout(data: PlanData) -> tuple[Layout, int, int]:
    """The plan's columns and the ``add_*`` groups; the number of labour and resource rows."""
    spec, eco, T = data.spec, data.eco, data.T
    lay = base_layout(data)
    n_lab = _limit_rows(data, spec.labour_available, "labour_type", eco.labour_types)
    n_res = _limit_rows(data, spec.resources_available, "resource", eco.resource_types)
    lay.add("add_labour", n_lab)
    lay.add("add_resources", n_res)
    lay.add("add_capacity", data.n_c * T)
    lay.add("add_imports", data.n_p * T)
    return lay, n_lab, n_res


def _lifted_limits(
    data: PlanData, lay: Layout, blocks: dict[str, Block]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per ``add_*`` group of the LP: the limit available and the scale of its relative size."""
    T = data.T
    available, scale = {}, {}
    for name, (_, block) in _ADDITION_KINDS.items():
        if not lay.has(name):
            continue
        b = blocks[block]
        if block == "capacity":
            available[name] = data.initial[:, :T].T.ravel()
            scale[name] = _relative_scale(available[name], b.labels)
        elif block == "balance":
            available[name] = np.full(data.n_p * T, np.nan)
            scale[name] = _relative_scale(np.tile(_requirement(data), T), b.labels)
        else:
            available[name] = np.asarray(b.upper, dtype=float)
            scale[name] = _relative_scale(available[name], b.labels)
    return available, scale


def _labour_prices(
    data: PlanData, v: np.ndarray, outside: np.ndarray, n_lab: int, n_res: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per unit of each addition: its price in the LP and its labour cost (NaN: not priced)."""
    T = data.T
    Bc = sp.csc_array(data.capital[:, data.capped])
    Oc = sp.csc_array(data.outputs[:, data.capped])
    # the labour embodied in the capital goods and the labour of construction itself
    building = (
        np.asarray(Bc.T @ v).ravel()
        + np.asarray(data.construction_coefficients[:, data.capped].sum(axis=0)).ravel()
    )
    capital_value = np.tile(building, T)
    output_value = np.tile(np.asarray(Oc.T @ v).ravel(), T)
    price = {
        "add_labour": np.ones(n_lab),
        "add_resources": np.ones(n_res),  # no labour value: 1 a unit, in the LP only
        "add_capacity": np.where(
            outside,
            OUTSIDE_PENALTY * (capital_value + output_value + 1.0),
            capital_value,
        ),
        "add_imports": IMPORT_PENALTY * (np.tile(v, T) + 1.0),
    }
    labour_cost = {
        "add_labour": np.ones(n_lab),
        "add_resources": np.full(n_res, np.nan),
        "add_capacity": np.where(outside, np.nan, capital_value),
        "add_imports": np.tile(v, T),
    }
    return price, labour_cost


def _relative_prices(
    scale: dict[str, np.ndarray], outside: np.ndarray
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Without labour values: each addition priced by its size relative to the limit it lifts."""
    price, labour_cost = {}, {}
    for name in scale:
        price[name] = 1.0 / scale[name]
        labour_cost[name] = np.full(len(scale[name]), np.nan)
    if "add_capacity" in price:
        price["add_capacity"] = np.where(
            outside, OUTSIDE_PENALTY * price["add_capacity"], price["add_capacity"]
        )
    if "add_imports" in price:
        price["add_imports"] = IMPORT_PENALTY * price["add_imports"]
    return price, labour_cost


def _addition_costs(
    data: PlanData, lay: Layout, scale: dict[str, np.ndarray], price: dict[str, np.ndarray]
) -> np.ndarray:
    """The objective of the additions LP, preferring the latest start of a lasting addition."""
    cost = np.zeros(lay.n)
    for name in scale:
        cost[lay.slice(name)] = price[name]
    # a lasting addition costs the same whichever period it starts in: of equally cheap
    # answers, prefer the latest start (the period from which it is needed)
    earlier = np.repeat(np.arange(data.T - 1, -1, -1, dtype=float), data.n_c)
    cost[lay.slice("add_capacity")] *= 1.0 + LATER_PREFERENCE * earlier
    return cost


def _additions_table(
    data: PlanData,
    lay: Layout,
    blocks: dict[str, Block],
    x: np.ndarray,
    outside: np.ndarray,
    *,
    available: dict[str, np.ndarray],
    scale: dict[str, np.ndarray],
    cost: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The additions of the optimal solution ``x``, a row each (columns as ``PlanCheck``)."""
    rows = []
    largest = max((float(np.abs(x[lay.slice(n)]).max()) for n in scale), default=0.0)
    for name, (kind, block) in _ADDITION_KINDS.items():
        if name not in scale:
            continue
        amount = x[lay.slice(name)]
        b = blocks[block]
        use = amount > 1e-9 * max(1.0, largest)
        flag = outside if name == "add_capacity" else np.zeros(len(amount), dtype=bool)
        rows.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "label": b.labels[use],
                    "period": b.periods[use],
                    "amount": amount[use],
                    "labour_cost": (amount * cost[name])[use],
                    "unit": _block_units(data, block, b.labels[use]),
                    "available": available[name][use],
                    "outside": flag[use],
                    "relative_size": (amount / scale[name])[use],
                }
            )
        )
    rows = [r for r in rows if len(r)]
    if not rows:
        return pd.DataFrame(columns=list(ADDITION_COLUMNS))
    return pd.concat(rows, ignore_index=True)[list(ADDITION_COLUMNS)]


def with_additions(data: PlanData, table: pd.DataFrame) -> LP:
    """The least-labour LP of the plan with the additions of ``table`` added to its limits.

    Built from the plan's own LP (no ``add_*`` columns): labour and resources available are
    raised in the period of each addition, capacity in every period from the addition's on
    and at the end of the horizon (additions from outside the plan as well as buildable ones),
    and imports lower the balance's right-hand side. Only the columns ``kind, label, period,
    amount`` are read.
    """
    lp = formulate(data, "min_labour")
    lower, upper = lp.row_lower.copy(), lp.row_upper.copy()
    blocks = {b.name: b for b in lp.blocks}
    kind_of = {"labour": "labour", "resource": "resources", "imports": "balance"}
    for kind, name in kind_of.items():
        rows = table[table["kind"] == kind]
        if not len(rows) or name not in blocks:
            continue
        b, where = blocks[name], lp.ranges[name]
        keys = pd.MultiIndex.from_arrays([b.labels, np.asarray(b.periods, dtype=int)])
        pos = keys.get_indexer(
            pd.MultiIndex.from_arrays([rows["label"].to_numpy(object), rows["period"].astype(int)])
        )
        if (pos < 0).any():
            raise ValueError(f"additions of {kind} to rows the LP does not have")
        change = np.zeros(b.n_rows)
        np.add.at(change, pos, rows["amount"].to_numpy(float))
        if name == "balance":
            lower[where] -= change
            upper[where] -= change
        else:
            upper[where] += change
    rows = table[table["kind"] == "capacity"]
    if len(rows):
        capped = data.eco.activity_labels[data.capped]
        k = capped.get_indexer(rows["label"])
        t = data.period_index(rows["period"])
        if (k < 0).any() or (t < 0).any():
            raise ValueError("capacity additions to activities or periods the plan lacks")
        grid = np.zeros((data.n_c, data.T))
        np.add.at(grid, (k, t), rows["amount"].to_numpy(float))
        lasting = np.cumsum(grid, axis=1)  # from its period on
        if "capacity" in blocks:
            b, where = blocks["capacity"], lp.ranges["capacity"]
            pos = capped.get_indexer(b.labels)
            upper[where] += lasting[pos, data.period_index(b.periods)]
        if "terminal" in blocks:
            b, where = blocks["terminal"], lp.ranges["terminal"]
            lower[where] -= lasting[capped.get_indexer(b.labels), -1]
        if "terminal_capacity_use" in blocks:  # the static economy after the horizon
            b, where = blocks["terminal_capacity_use"], lp.ranges["terminal_capacity_use"]
            upper[where] += lasting[capped.get_indexer(b.labels), -1]
    return replace(lp, row_lower=lower, row_upper=upper)


def verify_additions(
    data: PlanData, table: pd.DataFrame, opts: SolveOptions = DEFAULT_SOLVE
) -> bool | None:
    """Whether the least-labour LP with the additions is feasible (``None``: solver failed)."""
    sol = _solve(with_additions(data, table), opts)
    if sol.status == Status.OPTIMAL:
        return True
    if sol.status == Status.INFEASIBLE:
        log.warning("the plan with the proposed additions is still infeasible")
        return False
    log.warning("the check of the additions ended %s%s", sol.status, _detail(sol))
    return None


def _objective_unbounded(spec: PlanSpec, opts: SolveOptions) -> str | None:
    """What is unbounded in the plan's own objective, or ``None`` (bounded, or not decided)."""
    if spec.objective == "min_labour":  # labour >= 0: cannot be unbounded below
        return None
    try:
        result = optimise(
            spec,
            objective=spec.objective,
            verify=False,
            least_labour=False,
            solver=opts.solver,
            tol=opts.tol,
            time_limit=opts.time_limit,
        )
    except GosplanError as exc:  # the verdict on the targets stands; only the note is lost
        log.info("the plan's own objective could not be solved in the check: %s", exc)
        return None
    if result.status == Status.UNBOUNDED:
        return str((result.provenance or {}).get("unbounded", "its objective is unbounded."))
    if result.status != Status.OPTIMAL:
        log.info("the plan's own objective ended %s in the check", result.status)
    return None


def check_plan(
    spec: PlanSpec,
    *,
    check_additions: bool = True,
    check_objective: bool = True,
    solver: str = "auto",
    tol: float = 1e-8,
    time_limit: float | None = None,
    progress: Progress | None = None,
    verify: bool = True,
) -> PlanCheck:
    """Check whether a plan's targets can be met; if not, diagnose why and what is needed.

    Parameters
    ----------
    spec
        The plan specification (its objective is not used: the check seeks the least-labour
        plan meeting the targets).
    check_additions
        Solve the least-labour LP once more with the additions added to the limits and record
        whether it is feasible (:attr:`PlanCheck.additions_verified`).
    check_objective
        When the targets can be met and the plan's objective is not ``min_labour``, solve
        the plan's own objective once more (one LP, without the least-labour stage or the
        verification) to say whether it is unbounded (:attr:`PlanCheck.unbounded`): the
        least-labour answer alone would call such a plan fine.
    solver, tol, time_limit
        As for :func:`gosplan.plan.optimise.optimise`; ``time_limit`` applies to each LP of
        the check.
    progress, verify
        As for :func:`~gosplan.plan.optimise.optimise`, for the least-labour plan.

    Returns
    -------
    PlanCheck

    Raises
    ------
    PlanCheckError
        (a :class:`~gosplan.errors.SolverError`) when an LP of the check stops without an
        answer (solver error, time limit): it names the LP; the check does not call the
        targets infeasible then.
    InputError
        If ``spec`` is not a :class:`PlanSpec` or a solver option is out of range (as for
        :func:`~gosplan.plan.optimise.optimise`). An unknown keyword is a ``TypeError``.
    """
    require_spec(spec, "check_plan")
    opts = SolveOptions.checked(solver=solver, tol=tol, time_limit=time_limit)
    spec = spec.validated()
    plan = _least_labour_plan(spec, opts, progress=progress, verify=verify)
    data = PlanData(spec)
    if plan.status == Status.OPTIMAL:
        return _feasible(data, plan, opts, check_objective=check_objective)
    return _infeasible(data, opts, check_additions=check_additions)


def _least_labour_plan(
    spec: PlanSpec, opts: SolveOptions, *, progress: Progress | None, verify: bool
) -> PlanResult:
    """The least-labour plan meeting the targets: optimal or infeasible, else no verdict.

    Raises
    ------
    PlanCheckError
        When the LP stopped without an answer (error, time limit).
    """
    plan = optimise(
        spec,
        objective="min_labour",
        solver=opts.solver,
        tol=opts.tol,
        time_limit=opts.time_limit,
        progress=progress,
        verify=verify,
    )
    if plan.status in (Status.OPTIMAL, Status.INFEASIBLE):
        return plan
    p = plan.provenance or {}
    detail = (
        f" (HiGHS {p.get('method', '?')}, {p.get('iterations', '?')} iterations, "
        f"{float(p.get('solve_seconds', float('nan'))):.3g} s)"
    )
    raise PlanCheckError(
        "the least-labour LP (can the targets be met?)",
        plan.status,
        infeasible=False,
        detail=detail,
    )


def _targets(data: PlanData) -> pd.DataFrame:
    """The targets: ``product, period, target`` and their ``unit``."""
    tgt = data.spec.targets
    return pd.DataFrame(
        {
            "product": tgt["product"].to_numpy(object),
            "period": tgt["period"].to_numpy(int),
            "target": data.target_value,
            "unit": _product_units(data)[data.target_product],
        }
    )


def _feasible(
    data: PlanData, plan: PlanResult, opts: SolveOptions, *, check_objective: bool
) -> PlanCheck:
    """The check of targets that can be met: the common level and, asked for, unboundedness."""
    base = _targets(data)
    base["reachable_jointly"] = base["target"]
    base["reachable_alone"] = np.nan
    base["shortfall"] = 0.0
    level = 1.0
    if data.n_targets:
        try:
            level = max(1.0, common_level(data, opts))
        except PlanCheckError as err:
            raise PlanCheckError(
                err.lp, err.status, infeasible=False, feasible=True, detail=err.detail
            ) from None
    note = _objective_unbounded(data.spec, opts) if check_objective else None
    return PlanCheck(
        True,
        plan,
        level,
        base[list(REACHABLE_COLUMNS)],
        pd.DataFrame(columns=list(BINDING_COLUMNS)),
        pd.DataFrame(columns=list(ADDITION_COLUMNS)),
        0.0,
        data.eco.meta.labour_unit,
        unbounded=note,
    )


def _infeasible(data: PlanData, opts: SolveOptions, *, check_additions: bool) -> PlanCheck:
    """The diagnosis of targets that cannot be met (the module docstring says what it holds)."""
    level = common_level(data, opts) if data.n_targets else 0.0
    reachable, binding = _reachable(data, opts)
    values, in_labour = valuation(data, opts)
    add, cost = additions(data, opts, values=values)
    if not in_labour:  # priced by relative size: no labour cost to state
        cost = float("nan")
    verified = None
    if check_additions and len(add):
        verified = verify_additions(data, add, opts)
    unit = data.eco.meta.labour_unit
    return PlanCheck(False, None, level, reachable, binding, add, cost, unit, verified, in_labour)


def _reachable(data: PlanData, opts: SolveOptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What each target reaches jointly (least shortfall) and alone, and the binding limits."""
    base = _targets(data)
    lp, sol = elastic(data, opts)
    _need(
        sol,
        "the LP of the least shortfall (what is reachable jointly)",
        (Status.OPTIMAL, Status.INFEASIBLE),
    )
    binding = pd.DataFrame(columns=list(BINDING_COLUMNS))
    if sol.status == Status.OPTIMAL:
        short = sol.x[lp.layout.slice("shortfall")]
        base["reachable_jointly"] = data.target_value - short
        base["shortfall"] = short
        binding = _binding(data, lp, sol)
    else:
        base["reachable_jointly"] = np.nan
        base["shortfall"] = np.nan
    base["reachable_alone"] = reachable_alone(data, opts) if data.n_targets <= ALONE_MAX else np.nan
    return base[list(REACHABLE_COLUMNS)], binding


def _binding(data: PlanData, lp: LP, sol: LPSolution) -> pd.DataFrame:
    """The binding limits of the least-shortfall LP, with their shadow prices and ranges."""
    held = price_ranges(lp, sol)
    rows = [(b, -sol.row_dual[lp.ranges[b.name]]) for b in lp.blocks if b.name in _LIMITS]
    largest = max((float(np.abs(d).max()) for _, d in rows if len(d)), default=0.0)
    frames = []
    for b, d in rows:
        use = np.abs(d) > max(1e-9, BINDING_RTOL * largest)
        r = held[b.name]
        bound = r["bound"].to_numpy(float)
        to = r["valid_to"].to_numpy(float)
        frames.append(
            pd.DataFrame(
                {
                    "block": b.name,
                    "label": b.labels[use],
                    "period": b.periods[use],
                    "shadow_price": d[use],
                    "unit": _block_units(data, b.name, b.labels[use]),
                    "valid_from": r["valid_from"].to_numpy(float)[use],
                    "valid_to": to[use],
                    # a degenerate vertex: the price does not hold for more of the limit
                    "more_is_worth_less": (to <= bound + 1e-9 * (1.0 + np.abs(bound)))[use],
                }
            )
        )
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=list(BINDING_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(BINDING_COLUMNS)]
